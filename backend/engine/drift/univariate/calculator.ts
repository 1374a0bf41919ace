/**
 * NannyML's UnivariateDriftCalculator (spec §2): one drift series per (column, method), with thresholds from
 * the reference chunks (default: mean + 3·std₀, no lower bound) and the strict alert rule; chi2 reports no
 * thresholds and alerts on p < 0.05.
 *
 * Every method is fitted once on the whole reference column (NaN removed). Per chunk, a column is read once:
 * continuous values without NaN (sorted and binned lazily, shared by the methods), or category counts
 * against the reference categories (shared by all categorical methods).
 */
import { pValueMetric, UNIVARIATE_METHOD_ALIASES, UNIVARIATE_METHODS } from '../../catalog';
import { CalculatorDefinition, ChunkingParams, ConfigError, DataError, fitSeriesCalculator, Period, SeriesModel, seriesRestorer, SeriesSpec, SeriesValue } from '../../calculator';
import { Column, dropNaN, Frame, getColumn, MISSING_CODE } from '../../frame';
import { ParamReader } from '../../params';
import { Threshold } from '../../thresholds';
import { andersonDarlingMethod } from './anderson-darling';
import { AUTO, chooseMethod } from './auto';
import { leaveOneOutThreshold, takeLeaveOneOut } from './leave-one-out';
import { adjustedPValueMetric, benjaminiHochberg, MultipleTesting, parseMultipleTesting } from './multiple-testing';
import { CategoryTable, countCategories, fitCategories } from './categories';
import { chi2 } from './chi2';
import { cramerVonMisesMethod } from './cramer-von-mises';
import { empiricalMmdMethod } from './empirical-mmd';
import { energyDistanceMethod } from './energy-distance';
import { eppsSingletonMethod } from './epps-singleton';
import { fisherExactMethod } from './fisher-exact';
import { gTestMethod } from './g-test';
import { hellingerCategorical, hellingerContinuous } from './hellinger';
import { jensenShannonCategorical, jensenShannonContinuous } from './jensen-shannon';
import { klCategorical, klContinuous } from './kullback-leibler';
import { kolmogorovSmirnov } from './kolmogorov-smirnov';
import { lInfinity } from './l-infinity';
import { mannWhitney } from './mann-whitney';
import {
  CalculationMethod,
  CategoricalMethod,
  CategoricalMethodId,
  ComputationParams,
  ContinuousMethod,
  ContinuousMethodId,
  ContinuousSample,
  DEFAULT_COMPUTATION_PARAMS,
  MethodId,
  MethodScore,
} from './methods';
import { psiCategorical, psiContinuous } from './population-stability-index';
import { tTestMethod } from './t-test';
import { totalVariationMethod } from './total-variation';
import { wasserstein } from './wasserstein';
import { zTestMethod } from './z-test';

export const CONTINUOUS_METHODS: Record<ContinuousMethodId, ContinuousMethod<any, number | MethodScore>> = {
  jensen_shannon: jensenShannonContinuous,
  hellinger: hellingerContinuous,
  wasserstein,
  kolmogorov_smirnov: kolmogorovSmirnov,
  population_stability_index: psiContinuous,
  kullback_leibler: klContinuous,
  anderson_darling: andersonDarlingMethod,
  cramer_von_mises: cramerVonMisesMethod,
  energy_distance: energyDistanceMethod,
  epps_singleton: eppsSingletonMethod,
  mann_whitney: mannWhitney,
  t_test: tTestMethod,
  empirical_mmd: empiricalMmdMethod,
};

export const CATEGORICAL_METHODS: Record<CategoricalMethodId, CategoricalMethod<any>> = {
  jensen_shannon: jensenShannonCategorical,
  hellinger: hellingerCategorical,
  chi2,
  l_infinity: lInfinity,
  population_stability_index: psiCategorical,
  kullback_leibler: klCategorical,
  total_variation: totalVariationMethod,
  z_test: zTestMethod,
  fisher_exact: fisherExactMethod,
  g_test: gTestMethod,
};

const ALL_METHODS: MethodId[] = [...new Set<MethodId>([...UNIVARIATE_METHODS.continuous, ...UNIVARIATE_METHODS.categorical])];
/** Methods that take computation_params (NannyML passes them to KS and Wasserstein only). */
const COMPUTATION_PARAM_METHODS = ['kolmogorov_smirnov', 'wasserstein'] as const;
type ComputationParamMethod = (typeof COMPUTATION_PARAM_METHODS)[number];

/** NannyML's default for every method: StandardDeviationThreshold(std_lower_multiplier=None). */
export const DEFAULT_DRIFT_THRESHOLD: Threshold = { type: 'standard_deviation', stdLowerMultiplier: null, stdUpperMultiplier: 3 };
/** NannyML's default method for both column kinds. */
const DEFAULT_METHOD = 'jensen_shannon';

/** A method list entry: a method of the column kind, or `auto` (chosen per column at fit, auto.ts). */
export type ContinuousChoice = ContinuousMethodId | typeof AUTO;
export type CategoricalChoice = CategoricalMethodId | typeof AUTO;

export interface UnivariateDriftParams {
  columnNames: string[];
  treatAsCategorical: string[];
  treatAsNumerical: string[];
  continuousMethods: ContinuousChoice[];
  categoricalMethods: CategoricalChoice[];
  thresholds: Map<string, Threshold>;
  computationParams: Record<ComputationParamMethod, ComputationParams>;
  /** Benjamini-Hochberg across the p-value series of a chunk; null: each test alerts on its own p. */
  multipleTesting: MultipleTesting | null;
  /** Methods whose std thresholds come from leave-one-out reference values (leave-one-out.ts). */
  leaveOneOut: string[];
  chunking: ChunkingParams;
}

/** Evidently's short names map to Vigil's (`psi` → population_stability_index); others pass through. */
export const canonicalMethod = (name: string): string => UNIVARIATE_METHOD_ALIASES[name] ?? name;

function methodList<T extends string>(r: ParamReader, key: string, allowed: readonly T[], kind: string): (T | typeof AUTO)[] {
  const list = r.stringList(key);
  if (list === null || list.length === 0) return [DEFAULT_METHOD as T];
  const out: (T | typeof AUTO)[] = [];
  for (const given of list) {
    const m = canonicalMethod(given);
    if (m !== AUTO && !allowed.includes(m as T)) {
      r.fail(key, `unknown method '${given}' for ${kind} columns (expected one of: auto, ${allowed.join(', ')}; or an alias: ${Object.keys(UNIVARIATE_METHOD_ALIASES).join(', ')})`);
    }
    out.push(m as T);
  }
  return out;
}

function parseComputationParams(raw: unknown, where: string): Record<ComputationParamMethod, ComputationParams> {
  const out = { kolmogorov_smirnov: DEFAULT_COMPUTATION_PARAMS, wasserstein: DEFAULT_COMPUTATION_PARAMS };
  if (raw === undefined || raw === null) return out;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(where, 'must be a mapping of method → {calculation_method, n_bins}');
  for (const [method, value] of Object.entries(raw as Record<string, unknown>)) {
    const at = `${where}.${method}`;
    if (!(COMPUTATION_PARAM_METHODS as readonly string[]).includes(method)) {
      throw new ConfigError(at, `unknown method (computation_params apply to: ${COMPUTATION_PARAM_METHODS.join(', ')})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(at, 'must be a mapping with calculation_method and/or n_bins');
    const r = new ParamReader(value as Record<string, unknown>, at);
    const calculationMethod = r.oneOf<CalculationMethod>('calculation_method', ['auto', 'exact', 'estimated'], 'auto');
    const nBins = r.number('n_bins', DEFAULT_COMPUTATION_PARAMS.nBins, { integer: true, min: 1 })!;
    r.done();
    out[method as ComputationParamMethod] = { calculationMethod, nBins };
  }
  return out;
}

/** Distance methods: every method with a value threshold (not a test, not chi2). */
const DISTANCE_METHODS = ALL_METHODS.filter((m) => m !== 'chi2' && !(CONTINUOUS_METHODS[m as ContinuousMethodId] ?? CATEGORICAL_METHODS[m as CategoricalMethodId]).test);

/** `thresholds: {type: ...}` (one threshold, not a mapping of methods) is that threshold for every distance. */
function expandThreshold(raw: Record<string, unknown>): Record<string, unknown> {
  const t = raw.thresholds;
  if (typeof t !== 'object' || t === null || Array.isArray(t) || !('type' in t)) return raw;
  return { ...raw, thresholds: Object.fromEntries(DISTANCE_METHODS.map((m) => [m, t])) };
}

export function parseUnivariateDriftParams(given: Record<string, unknown>, where: string): UnivariateDriftParams {
  const { raw, methods: leaveOneOut } = takeLeaveOneOut(expandThreshold(given), where, canonicalMethod);
  const r = new ParamReader(raw, where);
  const columnNames = r.requiredStringList('column_names');
  const treatAsCategorical = r.stringList('treat_as_categorical') ?? [];
  const treatAsNumerical = r.stringList('treat_as_numerical') ?? [];
  for (const c of treatAsCategorical) {
    if (treatAsNumerical.includes(c)) r.fail('treat_as_numerical', `'${c}' is also listed in treat_as_categorical`);
  }
  const p: UnivariateDriftParams = {
    columnNames,
    treatAsCategorical,
    treatAsNumerical,
    continuousMethods: methodList(r, 'continuous_methods', UNIVARIATE_METHODS.continuous, 'continuous'),
    categoricalMethods: methodList(r, 'categorical_methods', UNIVARIATE_METHODS.categorical, 'categorical'),
    // chi2 is accepted (NannyML warns and ignores it): its thresholds are always None. Aliases name the
    // same method; for a test the threshold applies to its p-value.
    thresholds: canonicalThresholds(r.thresholdMap('thresholds', [...ALL_METHODS, ...Object.keys(UNIVARIATE_METHOD_ALIASES)])),
    computationParams: parseComputationParams(r.raw_('computation_params'), `${where}.computation_params`),
    multipleTesting: parseMultipleTesting(r.raw_('multiple_testing'), `${where}.multiple_testing`),
    leaveOneOut,
    chunking: r.chunking(),
  };
  r.done();
  for (const [m, t] of p.thresholds) {
    const method = CONTINUOUS_METHODS[m as ContinuousMethodId] ?? CATEGORICAL_METHODS[m as CategoricalMethodId];
    if (method?.test && (t.type !== 'constant' || t.lower === null)) {
      throw new ConfigError(`${where}.thresholds.${m}`, `${m} is a test: its threshold is the significance level, {type: constant, lower: <alpha>}`);
    }
  }
  for (const m of leaveOneOut) {
    const method = CONTINUOUS_METHODS[m as ContinuousMethodId] ?? CATEGORICAL_METHODS[m as CategoricalMethodId];
    if (method?.test || m === 'chi2') throw new ConfigError(`${where}.thresholds.${m}.leave_one_out`, `${m} is a test whose alert comes from its p-value; leave_one_out applies to distance thresholds`);
  }
  return p;
}

function canonicalThresholds(given: Map<string, Threshold>): Map<string, Threshold> {
  return new Map([...given].map(([k, t]) => [canonicalMethod(k), t]));
}

/** Column typing (spec §0): dtype decides, treat_as_* override for names in column_names; sorted names. */
function splitColumns(reference: Frame, p: UnivariateDriftParams): { continuous: string[]; categorical: string[] } {
  const continuous: string[] = [];
  const categorical: string[] = [];
  for (const name of [...p.columnNames].sort()) {
    const c = getColumn(reference, name);
    if (p.treatAsCategorical.includes(name)) categorical.push(name);
    else if (p.treatAsNumerical.includes(name)) continuous.push(name);
    else (c.kind === 'numeric' ? continuous : categorical).push(name);
  }
  return { continuous, categorical };
}

/** NaN-free numeric values of a column; text that is not a number is a data error naming the column. */
function continuousValues(column: Column, dataset: Period): Float64Array {
  if (column.kind === 'numeric') return dropNaN(column.values);
  const levelValues = column.levels.map((l) => {
    if (column.dtype === 'bool') return l === 'True' ? 1 : 0;
    const v = l.trim() === '' ? NaN : Number(l);
    if (Number.isNaN(v)) throw new DataError(dataset, `column '${column.name}': value '${l}' is not a number (the column is continuous)`);
    return v;
  });
  const codes = column.codes;
  let n = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] !== MISSING_CODE) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] !== MISSING_CODE) out[j++] = levelValues[codes[i]];
  return out;
}

/** `methods`: the column's methods after `auto` is resolved (absent in fits saved before `auto`). */
interface ContinuousColumnFit {
  name: string;
  methods?: ContinuousMethodId[];
  fits: unknown[];
}

interface CategoricalColumnFit {
  name: string;
  methods?: CategoricalMethodId[];
  table: CategoryTable;
  fits: unknown[];
}

/** The fitted state: the reference fit of every method on every column (plain data). */
interface UnivariateDriftState {
  continuous: ContinuousColumnFit[];
  categorical: CategoricalColumnFit[];
}

/** Fit errors name the column. */
function inColumn<T>(name: string, fit: () => T): T {
  try {
    return fit();
  } catch (e) {
    if (e instanceof DataError) throw new DataError(e.dataset, `column '${name}': ${e.message}`);
    throw e;
  }
}

/** Replaces `auto` in a method list by the method chosen for this column (once, in list order). */
function resolve<T extends string>(list: (T | typeof AUTO)[], chosen: T): T[] {
  const out: T[] = [];
  for (const m of list) {
    const id = m === AUTO ? chosen : m;
    if (m !== AUTO || !out.includes(id)) out.push(id);
  }
  return out;
}

export const univariateDriftCalculator: CalculatorDefinition<UnivariateDriftParams> = {
  className: 'UnivariateDriftCalculator',
  parseParams: parseUnivariateDriftParams,
  fit(reference, p) {
    const split = splitColumns(reference, p);
    const paramsFor = (id: ContinuousMethodId): ComputationParams =>
      id === 'kolmogorov_smirnov' || id === 'wasserstein' ? p.computationParams[id] : DEFAULT_COMPUTATION_PARAMS;
    const state: UnivariateDriftState = { continuous: [], categorical: [] };
    const fitCategorical = (name: string, methods: CategoricalMethodId[]) => {
      const ref = fitCategories(getColumn(reference, name));
      if (ref.counts.total === 0) throw new DataError('reference', `column '${name}' has no values (all missing); drift cannot be fitted`);
      state.categorical.push({ name, methods, table: ref.table, fits: inColumn(name, () => methods.map((id) => CATEGORICAL_METHODS[id].fit(ref.counts))) });
    };
    for (const name of split.continuous) {
      const values = continuousValues(getColumn(reference, name), 'reference');
      if (values.length === 0) throw new DataError('reference', `column '${name}' has no values (all missing); drift cannot be fitted`);
      let methods = p.continuousMethods as ContinuousMethodId[];
      if (p.continuousMethods.includes(AUTO)) {
        const choice = chooseMethod('continuous', values);
        if (choice.kind === 'continuous') methods = resolve(p.continuousMethods, choice.method);
        else {
          // Evidently's rule picks a categorical method for a numeric column with few distinct values: the
          // column is also read as categories for it (unless an explicit method of that name covers it).
          methods = p.continuousMethods.filter((m): m is ContinuousMethodId => m !== AUTO);
          if (!(methods as string[]).includes(choice.method)) fitCategorical(name, [choice.method]);
        }
      }
      if (methods.length > 0) state.continuous.push({ name, methods, fits: inColumn(name, () => methods.map((id) => CONTINUOUS_METHODS[id].fit(values, paramsFor(id)))) });
    }
    for (const name of split.categorical) {
      let methods = p.categoricalMethods as CategoricalMethodId[];
      if (p.categoricalMethods.includes(AUTO)) {
        const ref = fitCategories(getColumn(reference, name));
        const choice = chooseMethod('categorical', ref.counts);
        methods = resolve(p.categoricalMethods, choice.method as CategoricalMethodId);
      }
      fitCategorical(name, methods);
    }
    // Sorted names within each kind, as without auto (a numeric column auto moved to categorical joins them).
    state.categorical.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return fitSeriesCalculator(reference, p.chunking, univariateDriftModel(state, p, leaveOneOutThresholds(reference, state, p, paramsFor)), state);
  },
  restore: seriesRestorer(univariateDriftModel),
};

const seriesKey = (column: string, metric: string) => `${column}\u0000${metric}`;

/** The thresholds of the series whose method has leave_one_out, as constant thresholds (series key → threshold). */
function leaveOneOutThresholds(reference: Frame, state: UnivariateDriftState, p: UnivariateDriftParams, paramsFor: (id: ContinuousMethodId) => ComputationParams): Map<string, Threshold> {
  const out = new Map<string, Threshold>();
  const valueOf = (s: number | MethodScore) => (typeof s === 'number' ? s : s.value);
  for (const c of state.continuous) {
    for (const id of c.methods ?? []) {
      if (!p.leaveOneOut.includes(id)) continue;
      const m = CONTINUOUS_METHODS[id];
      const { threshold } = leaveOneOutThreshold(reference, p.chunking, p.thresholds.get(id)!, (rest, chunk) => {
        const values = continuousValues(getColumn(rest, c.name), 'reference');
        const sample = new ContinuousSample(continuousValues(getColumn(chunk, c.name), 'reference'));
        return values.length === 0 || sample.size === 0 ? NaN : valueOf(m.score(m.fit(values, paramsFor(id)), sample));
      });
      out.set(seriesKey(c.name, id), threshold);
    }
  }
  for (const c of state.categorical) {
    for (const id of c.methods ?? []) {
      if (!p.leaveOneOut.includes(id)) continue;
      const m = CATEGORICAL_METHODS[id];
      const { threshold } = leaveOneOutThreshold(reference, p.chunking, p.thresholds.get(id)!, (rest, chunk) => {
        const ref = fitCategories(getColumn(rest, c.name));
        const counts = countCategories(ref.table, getColumn(chunk, c.name));
        return ref.counts.total === 0 || counts.total === 0 ? NaN : m.score(m.fit(ref.counts), counts).value;
      });
      out.set(seriesKey(c.name, id), threshold);
    }
  }
  return out;
}

/** One column's method as the model runs it: its series and where its outputs go. */
interface MethodRun {
  id: MethodId;
  test: boolean;
}

/** `overrides`: thresholds fixed at fit (leave-one-out); a restored fit reads its saved threshold values instead. */
function univariateDriftModel(state: UnivariateDriftState, p: UnivariateDriftParams, overrides = new Map<string, Threshold>()): SeriesModel {
  const bh = p.multipleTesting;
  const continuousFits = state.continuous.map((c) => ({ ...c, methods: c.methods ?? (p.continuousMethods as ContinuousMethodId[]) }));
  const categoricalFits = state.categorical.map((c) => ({ ...c, methods: c.methods ?? (p.categoricalMethods as CategoricalMethodId[]) }));
  const series: SeriesSpec[] = [];
  /** Per series: the index of its p-value series when it belongs to a test (for BH). */
  const pValueSeries: number[] = [];
  const addSeries = (column: string, m: ContinuousMethod<any, number | MethodScore> | CategoricalMethod<any>): MethodRun => {
    if (!m.test) {
      const threshold = m.id === 'chi2' ? null : overrides.get(seriesKey(column, m.id)) ?? p.thresholds.get(m.id) ?? m.defaultThreshold ?? DEFAULT_DRIFT_THRESHOLD;
      series.push({ column, metric: m.id, threshold, limits: m.limits, alertRule: 'strict' });
      return { id: m.id, test: false };
    }
    // A test: its statistic (no threshold; the row that carries the test's alert, one alert series per
    // column and method as for distances), its p-value (threshold: alpha), and with BH the adjusted p-value
    // (threshold: q).
    series.push({ column, metric: m.id, threshold: null, limits: m.limits, alertRule: 'none' });
    series.push({
      column,
      metric: pValueMetric(m.id),
      threshold: p.thresholds.get(m.id) ?? { type: 'constant', lower: m.test.alpha, upper: null },
      limits: { lower: 0, upper: 1 },
      alertRule: 'strict',
    });
    pValueSeries.push(series.length - 1);
    if (bh) series.push({ column, metric: adjustedPValueMetric(m.id), threshold: { type: 'constant', lower: bh.q, upper: null }, limits: { lower: 0, upper: 1 }, alertRule: 'none' });
    return { id: m.id, test: true };
  };
  const continuousRuns = continuousFits.map((c) => c.methods.map((id) => ({ run: addSeries(c.name, CONTINUOUS_METHODS[id]), method: CONTINUOUS_METHODS[id] })));
  const categoricalRuns = categoricalFits.map((c) => c.methods.map((id) => ({ run: addSeries(c.name, CATEGORICAL_METHODS[id]), method: CATEGORICAL_METHODS[id] })));

  /** Appends one method's outputs (1, 2 or 3 values). */
  const push = (out: SeriesValue[], run: MethodRun, score: number | MethodScore) => {
    const s: MethodScore = typeof score === 'number' ? { value: score } : score;
    if (!run.test) {
      out.push(s.alert === undefined ? { value: s.value } : { value: s.value, alert: s.alert });
      return;
    }
    const pValue = s.pValue ?? NaN;
    out.push({ value: s.value, alert: Number.isNaN(pValue) ? false : null });
    out.push({ value: pValue });
    if (bh) out.push({ value: NaN });
  };

  const compute = (chunk: Frame, period: Period): SeriesValue[] => {
    const out: SeriesValue[] = [];
    continuousFits.forEach((c, i) => {
      const sample = new ContinuousSample(continuousValues(getColumn(chunk, c.name), period));
      continuousRuns[i].forEach(({ run, method }, j) => push(out, run, sample.size === 0 ? NaN : method.score(c.fits[j], sample)));
    });
    categoricalFits.forEach((c, i) => {
      const counts = countCategories(c.table, getColumn(chunk, c.name));
      categoricalRuns[i].forEach(({ run, method }, j) => {
        // An empty chunk (after NaN removal) has no value and no alert.
        if (counts.total === 0) push(out, run, method.id === 'chi2' ? { value: NaN, alert: false } : NaN);
        else push(out, run, method.score(c.fits[j], counts));
      });
    });
    decideTests(out);
    return out;
  };

  /** Sets each test's alert on its statistic row: p < alpha, or with BH the step-up decision across the chunk. */
  const decideTests = (out: SeriesValue[]) => {
    const raw = pValueSeries.map((j) => out[j].value);
    const adjusted = bh ? benjaminiHochberg(raw) : null;
    pValueSeries.forEach((j, k) => {
      const pValue = raw[k];
      let alert: boolean;
      if (Number.isNaN(pValue)) alert = false;
      else if (adjusted) alert = adjusted[k] <= bh!.q;
      else alert = pValue < (series[j].threshold as { lower: number }).lower; // constant (parse checks it)
      out[j - 1].alert = alert;
      out[j].alert = null;
      if (adjusted) {
        out[j + 1].value = adjusted[k];
        out[j + 1].alert = null;
      }
    });
  };

  return { series, compute };
}
