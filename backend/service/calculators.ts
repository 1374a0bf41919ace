/**
 * A model's calculators: explicit entries take the run-contract shape, and the parameters they leave out
 * (columns, timestamp, chunking, y_*, problem type, metrics) come from the model. Without explicit
 * entries the model gets the default set: every calculator class registered in the engine *at run time*
 * that applies to the model (so classes added to the registry are picked up without touching the server).
 *
 * Filling works by NannyML parameter name: a filled key the class does not accept (ParamReader rejects
 * it as an unknown parameter) is dropped and parsing is retried; keys the user gave are never dropped.
 */
import { CalculatorDefinition, ConfigError } from '../engine/calculator';
import { FAMILIES, familyOfCalculator, METRICS, ProblemType } from '../engine/catalog';
import { AUTO } from '../engine/drift/univariate/auto';
import { calculatorDefinition as engineCalculator, calculatorNames } from '../engine/registry';
import { CHUNKING_KEYS, ModelDefinition } from './definition';
import { ColumnSpec, ResolvedCalculator, SkippedCalculator } from './layout';
import { INVALID_VALUES_CLASS, invalidValuesCalculator } from './invalid-values';
import { TYPE_INCONSISTENCY_CLASS, typeInconsistencyCalculator } from './type-consistency';
import { checkedColumns } from './validity';

/** Calculators only the server has (they read what ingestion records). */
const SERVER_CALCULATORS: ReadonlyMap<string, CalculatorDefinition<any>> = new Map([
  [TYPE_INCONSISTENCY_CLASS, typeInconsistencyCalculator],
  [INVALID_VALUES_CLASS, invalidValuesCalculator],
]);

/** Server calculators every model gets unless it lists them itself (when they have columns to watch). */
export const ALWAYS_ADDED = [TYPE_INCONSISTENCY_CLASS, INVALID_VALUES_CLASS];

export function calculatorDefinition(className: string): CalculatorDefinition<any> | undefined {
  return engineCalculator(className) ?? SERVER_CALCULATORS.get(className);
}

export function knownCalculatorNames(): string[] {
  return [...new Set([...calculatorNames(), ...SERVER_CALCULATORS.keys()])].sort();
}

/**
 * Left out of the default set because they are expensive per chunk: the domain classifier trains a
 * gradient-boosted classifier with 5-fold CV on every chunk (spec §3.2). Add it explicitly.
 */
const NOT_BY_DEFAULT: Record<string, string> = {
  DomainClassifierCalculator: 'trains a classifier per chunk; add it to "calculators" explicitly',
};

/**
 * Performance metrics filled in when a performance calculator is given no `metrics`: the catalog's
 * metrics for the problem type, minus those needing extra parameters (confusion_matrix,
 * business_value), average_precision (its sampling error is an unseeded bootstrap, spec §9.3) and, for
 * regression, those undefined on zero or negative targets (mape, msle, rmsle).
 */
const NOT_DEFAULT_METRICS = new Set(['confusion_matrix', 'business_value', 'average_precision', 'mape', 'msle', 'rmsle']);

export function defaultPerformanceMetrics(problemType: ProblemType): string[] {
  return METRICS.filter((m) => m.family === 'estimated_performance' && m.problemTypes?.includes(problemType) && !NOT_DEFAULT_METRICS.has(m.id)).map(
    (m) => m.id,
  );
}

/**
 * Drift methods of a model's UnivariateDriftCalculator when it names none (for either column kind): `auto`,
 * one method per column by Evidently's rule, whose name is the series' metric and the Prometheus `method`
 * label (docs/drift-methods.md). Alone, not next to NannyML's jensen_shannon: one drift series per column,
 * as rankers and alert counts expect. `vigil run` keeps NannyML's default (the run contract).
 */
export const SERVER_DRIFT_METHODS = [AUTO];

const metricsOfClass = (className: string) => METRICS.filter((m) => m.calculators.includes(className));

/** Column kinds a class's metrics apply to (catalog `appliesTo`); null when it is not per column. */
function kindsOfClass(className: string): Set<'continuous' | 'categorical'> | null {
  const kinds = new Set<'continuous' | 'categorical'>();
  for (const m of metricsOfClass(className)) for (const k of m.appliesTo ?? []) kinds.add(k);
  return kinds.size > 0 ? kinds : null;
}

/** Whether a class applies to the model's problem type (catalog `problemTypes`). */
function appliesToProblem(className: string, problemType: ProblemType | null): boolean {
  const ms = metricsOfClass(className);
  if (ms.length === 0 || ms.some((m) => !m.problemTypes)) return true;
  return problemType !== null && ms.some((m) => m.problemTypes!.includes(problemType));
}

const isPerformanceClass = (className: string) =>
  ['estimated_performance', 'realized_performance', 'concept_drift'].includes(familyOfCalculator(className)?.id ?? '');

export interface FillContext {
  def: ModelDefinition;
  /** Stored column types; null before the reference fixes them (validation only). */
  specs: Map<string, ColumnSpec> | null;
}

/** Values the model supplies for NannyML parameter names. */
function fillsFor(className: string, ctx: FillContext): Record<string, unknown> {
  const { def, specs } = ctx;
  const c = def.columns;
  const fills: Record<string, unknown> = {};
  const kinds = kindsOfClass(className);
  let features = c.features;
  if (kinds && specs) {
    features = c.features.filter((f) => {
      const s = specs.get(f);
      return s && kinds.has(s.kind === 'numeric' ? 'continuous' : 'categorical');
    });
  }
  if (features.length > 0) {
    fills.column_names = features;
    fills.feature_column_names = features;
  }
  // Invalid values are checked on the classifier's outputs and targets, not on the features.
  if (className === INVALID_VALUES_CLASS) fills.column_names = checkedColumns(def);
  if (c.timestamp) fills.timestamp_column_name = c.timestamp;
  for (const k of CHUNKING_KEYS) if (def.chunking[k] !== undefined) fills[k] = def.chunking[k];
  if (c.y_pred) fills.y_pred = c.y_pred;
  if (c.y_pred_proba) fills.y_pred_proba = c.y_pred_proba;
  if (c.y_true) fills.y_true = c.y_true;
  if (className === 'UnivariateDriftCalculator') {
    fills.continuous_methods = SERVER_DRIFT_METHODS;
    fills.categorical_methods = SERVER_DRIFT_METHODS;
  }
  if (def.problem_type) {
    fills.problem_type = def.problem_type;
    if (isPerformanceClass(className)) fills.metrics = defaultPerformanceMetrics(def.problem_type);
  }
  return fills;
}

const UNKNOWN_PARAMETER = /unknown parameter$/;

/** Parses params with the model's fills, dropping filled keys the class does not accept. Returns the params used. */
export function parseWithFills(
  def: CalculatorDefinition<any>,
  userParams: Record<string, unknown>,
  fills: Record<string, unknown>,
  where: string,
): Record<string, unknown> {
  const params: Record<string, unknown> = { ...fills, ...userParams };
  const droppable = new Set(Object.keys(fills).filter((k) => !(k in userParams)));
  for (;;) {
    try {
      def.parseParams(params, where);
      return params;
    } catch (e) {
      if (e instanceof ConfigError && UNKNOWN_PARAMETER.test(e.message) && e.where.startsWith(`${where}.`)) {
        const key = e.where.slice(where.length + 1);
        if (droppable.has(key)) {
          delete params[key];
          droppable.delete(key);
          continue;
        }
      }
      throw e;
    }
  }
}

export interface CalculatorCandidate {
  resolved: ResolvedCalculator;
  /** From the model's `calculators` (errors are the user's) or the default set (errors skip it). */
  explicit: boolean;
  /** Key path for errors. */
  where: string;
}

/**
 * The calculators of a model with complete params. Explicit entries that fail throw ConfigError naming
 * `calculators[i]...`; default ones that do not apply are returned in `skipped`.
 */
export function resolveCalculators(ctx: FillContext): { candidates: CalculatorCandidate[]; skipped: SkippedCalculator[] } {
  const { def } = ctx;
  const candidates: CalculatorCandidate[] = [];
  const skipped: SkippedCalculator[] = [];
  const ids = new Set<string>();
  if (def.calculators) {
    def.calculators.forEach((entry, i) => {
      const where = `calculators[${i}]`;
      const calc = calculatorDefinition(entry.class);
      if (!calc) throw new ConfigError(`${where}.class`, `unknown calculator class '${entry.class}' (known: ${knownCalculatorNames().join(', ')})`);
      const id = entry.id ?? entry.class;
      if (ids.has(id)) throw new ConfigError(`${where}.id`, `'${id}' is already used by another calculator; give each an id`);
      ids.add(id);
      const user = entry.params ?? {};
      for (const k of CHUNKING_KEYS) {
        if (k in user) throw new ConfigError(`${where}.params.${k}`, 'chunking is set once per model (the model\'s "chunking"), not per calculator');
      }
      if ('timestamp_column_name' in user && user.timestamp_column_name !== def.columns.timestamp) {
        throw new ConfigError(`${where}.params.timestamp_column_name`, `must be the model's timestamp column (${def.columns.timestamp ?? 'none'})`);
      }
      const params = parseWithFills(calc, user, fillsFor(entry.class, ctx), `${where}.params`);
      candidates.push({ resolved: { className: entry.class, id, params }, explicit: true, where });
    });
  } else {
    for (const family of FAMILIES) {
      for (const className of family.calculators) {
        if (ALWAYS_ADDED.includes(className)) continue;
        const calc = calculatorDefinition(className);
        if (!calc) {
          skipped.push({ className, reason: 'not available in this build' });
          continue;
        }
        if (NOT_BY_DEFAULT[className]) {
          skipped.push({ className, reason: NOT_BY_DEFAULT[className] });
          continue;
        }
        if (!appliesToProblem(className, def.problem_type)) {
          skipped.push({ className, reason: def.problem_type ? `does not apply to ${def.problem_type}` : 'needs the model\'s problem_type' });
          continue;
        }
        const where = `defaults.${className}`;
        try {
          const params = parseWithFills(calc, {}, fillsFor(className, ctx), `${where}.params`);
          candidates.push({ resolved: { className, id: className, params }, explicit: false, where });
          ids.add(className);
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          skipped.push({ className, reason: e.message.replace(`${where}.params.`, '') });
        }
      }
    }
  }
  // Always, unless listed explicitly: the share of type-inconsistent values per feature, and of invalid
  // outputs/targets per checked column (classifiers only).
  for (const className of ALWAYS_ADDED) {
    if (candidates.some((c) => c.resolved.className === className) || ids.has(className)) continue;
    const fills = fillsFor(className, { ...ctx, specs: null });
    if (Array.isArray(fills.column_names) && fills.column_names.length === 0) continue;
    const where = `defaults.${className}`;
    const params = parseWithFills(calculatorDefinition(className)!, {}, fills, `${where}.params`);
    candidates.push({ resolved: { className, id: className, params }, explicit: false, where });
  }
  return { candidates, skipped };
}
