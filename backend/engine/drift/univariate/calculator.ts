/**
 * NannyML's UnivariateDriftCalculator (spec §2): one drift series per (column, method), with thresholds from
 * the reference chunks (default: mean + 3·std₀, no lower bound) and the strict alert rule; chi2 reports no
 * thresholds and alerts on p < 0.05.
 *
 * Every method is fitted once on the whole reference column (NaN removed). Per chunk, a column is read once:
 * continuous values without NaN (sorted and binned lazily, shared by the methods), or category counts
 * against the reference categories (shared by all categorical methods).
 */
import { UNIVARIATE_METHODS } from '../../catalog';
import { CalculatorDefinition, ChunkingParams, ConfigError, DataError, fitSeriesCalculator, Period, SeriesModel, seriesRestorer, SeriesSpec, SeriesValue } from '../../calculator';
import { Column, dropNaN, Frame, getColumn, MISSING_CODE } from '../../frame';
import { ParamReader } from '../../params';
import { Threshold } from '../../thresholds';
import { CategoryTable, countCategories, fitCategories } from './categories';
import { chi2 } from './chi2';
import { hellingerCategorical, hellingerContinuous } from './hellinger';
import { jensenShannonCategorical, jensenShannonContinuous } from './jensen-shannon';
import { kolmogorovSmirnov } from './kolmogorov-smirnov';
import { lInfinity } from './l-infinity';
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
} from './methods';
import { wasserstein } from './wasserstein';

export const CONTINUOUS_METHODS: Record<ContinuousMethodId, ContinuousMethod<any>> = {
  jensen_shannon: jensenShannonContinuous,
  hellinger: hellingerContinuous,
  wasserstein,
  kolmogorov_smirnov: kolmogorovSmirnov,
};

export const CATEGORICAL_METHODS: Record<CategoricalMethodId, CategoricalMethod<any>> = {
  jensen_shannon: jensenShannonCategorical,
  hellinger: hellingerCategorical,
  chi2,
  l_infinity: lInfinity,
};

const ALL_METHODS: MethodId[] = [...new Set<MethodId>([...UNIVARIATE_METHODS.continuous, ...UNIVARIATE_METHODS.categorical])];
/** Methods that take computation_params (NannyML passes them to KS and Wasserstein only). */
const COMPUTATION_PARAM_METHODS = ['kolmogorov_smirnov', 'wasserstein'] as const;
type ComputationParamMethod = (typeof COMPUTATION_PARAM_METHODS)[number];

/** NannyML's default for every method: StandardDeviationThreshold(std_lower_multiplier=None). */
export const DEFAULT_DRIFT_THRESHOLD: Threshold = { type: 'standard_deviation', stdLowerMultiplier: null, stdUpperMultiplier: 3 };
/** NannyML's default method for both column kinds. */
const DEFAULT_METHOD = 'jensen_shannon';

export interface UnivariateDriftParams {
  columnNames: string[];
  treatAsCategorical: string[];
  treatAsNumerical: string[];
  continuousMethods: ContinuousMethodId[];
  categoricalMethods: CategoricalMethodId[];
  thresholds: Map<string, Threshold>;
  computationParams: Record<ComputationParamMethod, ComputationParams>;
  chunking: ChunkingParams;
}

function methodList<T extends string>(r: ParamReader, key: string, allowed: readonly T[], kind: string): T[] {
  const list = r.stringList(key);
  if (list === null || list.length === 0) return [DEFAULT_METHOD as T];
  for (const m of list) {
    if (!allowed.includes(m as T)) r.fail(key, `unknown method '${m}' for ${kind} columns (expected one of: ${allowed.join(', ')})`);
  }
  return list as T[];
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

export function parseUnivariateDriftParams(raw: Record<string, unknown>, where: string): UnivariateDriftParams {
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
    // chi2 is accepted (NannyML warns and ignores it): its thresholds are always None.
    thresholds: r.thresholdMap('thresholds', ALL_METHODS),
    computationParams: parseComputationParams(r.raw_('computation_params'), `${where}.computation_params`),
    chunking: r.chunking(),
  };
  r.done();
  return p;
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

interface ContinuousColumnFit {
  name: string;
  fits: unknown[];
}

interface CategoricalColumnFit {
  name: string;
  table: CategoryTable;
  fits: unknown[];
}

/** The fitted state: the reference fit of every method on every column (plain data). */
interface UnivariateDriftState {
  continuous: ContinuousColumnFit[];
  categorical: CategoricalColumnFit[];
}

export const univariateDriftCalculator: CalculatorDefinition<UnivariateDriftParams> = {
  className: 'UnivariateDriftCalculator',
  parseParams: parseUnivariateDriftParams,
  fit(reference, p) {
    const { continuous, categorical } = splitColumns(reference, p);
    const paramsFor = (id: ContinuousMethodId): ComputationParams =>
      id === 'kolmogorov_smirnov' || id === 'wasserstein' ? p.computationParams[id] : DEFAULT_COMPUTATION_PARAMS;
    const state: UnivariateDriftState = {
      continuous: continuous.map((name) => {
        const values = continuousValues(getColumn(reference, name), 'reference');
        if (values.length === 0) throw new DataError('reference', `column '${name}' has no values (all missing); drift cannot be fitted`);
        return { name, fits: p.continuousMethods.map((id) => CONTINUOUS_METHODS[id].fit(values, paramsFor(id))) };
      }),
      categorical: categorical.map((name) => {
        const ref = fitCategories(getColumn(reference, name));
        if (ref.counts.total === 0) throw new DataError('reference', `column '${name}' has no values (all missing); drift cannot be fitted`);
        return { name, table: ref.table, fits: p.categoricalMethods.map((id) => CATEGORICAL_METHODS[id].fit(ref.counts)) };
      }),
    };
    return fitSeriesCalculator(reference, p.chunking, univariateDriftModel(state, p), state);
  },
  restore: seriesRestorer(univariateDriftModel),
};

function univariateDriftModel(state: UnivariateDriftState, p: UnivariateDriftParams): SeriesModel {
  const continuousMethods = p.continuousMethods.map((id) => CONTINUOUS_METHODS[id]);
  const categoricalMethods = p.categoricalMethods.map((id) => CATEGORICAL_METHODS[id]);
  const continuousFits = state.continuous;
  const categoricalFits = state.categorical;
  const thresholdOf = (id: MethodId): Threshold | null => (id === 'chi2' ? null : p.thresholds.get(id) ?? DEFAULT_DRIFT_THRESHOLD);
  const series: SeriesSpec[] = [
    ...continuousFits.flatMap((c) =>
      continuousMethods.map((m) => ({ column: c.name, metric: m.id, threshold: thresholdOf(m.id), limits: m.limits, alertRule: 'strict' as const })),
    ),
    ...categoricalFits.flatMap((c) =>
      categoricalMethods.map((m) => ({ column: c.name, metric: m.id, threshold: thresholdOf(m.id), limits: m.limits, alertRule: 'strict' as const })),
    ),
  ];

  const compute = (chunk: Frame, period: Period): SeriesValue[] => {
    const out: SeriesValue[] = [];
    for (const c of continuousFits) {
      const sample = new ContinuousSample(continuousValues(getColumn(chunk, c.name), period));
      continuousMethods.forEach((m, j) => {
        out.push({ value: sample.size === 0 ? NaN : m.score(c.fits[j], sample) });
      });
    }
    for (const c of categoricalFits) {
      const counts = countCategories(c.table, getColumn(chunk, c.name));
      categoricalMethods.forEach((m, j) => {
        // An empty chunk (after NaN removal) has no value and no alert.
        if (counts.total === 0) out.push(m.id === 'chi2' ? { value: NaN, alert: false } : { value: NaN });
        else out.push(m.score(c.fits[j], counts));
      });
    }
    return out;
  };

  return { series, compute };
}
