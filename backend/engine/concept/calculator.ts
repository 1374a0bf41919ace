/**
 * ConceptDriftCalculator (Vigil's own): has the relation between inputs and target changed, beyond what
 * the change of the inputs explains?
 *
 * CBPE (classification) or DLE (regression) estimate a chunk's performance from the model inputs and
 * outputs alone, i.e. what covariate shift explains under the reference's P(y|x). Once the targets are
 * in, the realized performance is known. Per chunk and metric:
 *
 *   value = realized − estimated
 *   sampling_error = √(SE_realized² + SE_estimated²)   (both NannyML's, from reference components)
 *   band = value ± 3·SE (unbounded)
 *   thresholds = mean ± 3·std₀ of the reference chunks' values (`thresholds` per metric), strict alert
 *
 * A chunk without targets has no realized value: value null, no alert. Parameters are CBPE's (DLE's
 * for regression), with `problem_type`; `thresholds` applies to the differences.
 *
 * Composition, not copies: the estimator and the realized-performance calculator are the registered
 * definitions, fitted on the same reference with the same chunking; this module only pairs their rows.
 */
import {
  CalculatorDefinition,
  ChunkingParams,
  ConfigError,
  FittedCalculator,
  fitSeriesCalculator,
  MetricRow,
  restoreSeriesCalculator,
  SavedSeriesFit,
  SeriesModel,
  SeriesSpec,
  SeriesValue,
} from '../calculator';
import { metricDef } from '../catalog';
import { ParamReader } from '../params';
import { cbpeCalculator } from '../performance/cbpe-calculator';
import { dleCalculator } from '../performance/dle/calculator';
import { DleParams } from '../performance/dle/params';
import { parsePerformanceParams, PerformanceParams } from '../performance/params';
import { performanceCalculator } from '../performance/realized-calculator';
import { DEFAULT_STD_THRESHOLD, Threshold } from '../thresholds';

const FAMILY = 'concept_drift';

/** The two fitted halves concept drift pairs: an estimator (rows with value = estimate, SE, realized) and realized performance (rows with SE). */
export interface EstimatorDefinitions<P> {
  estimator: CalculatorDefinition<P>;
  /** realized performance, fitted with params derived from the estimator's */
  realized: CalculatorDefinition<PerformanceParams>;
  realizedParams(p: P): PerformanceParams;
  chunking(p: P): ChunkingParams;
  metrics(p: P): string[];
}

export interface ConceptParams {
  problemType: string;
  pair: EstimatorDefinitions<unknown>;
  estimatorParams: unknown;
  thresholds: Map<string, Threshold>;
  chunking: ChunkingParams;
}

const classification: EstimatorDefinitions<PerformanceParams> = {
  estimator: cbpeCalculator,
  realized: performanceCalculator,
  realizedParams: (p) => p,
  chunking: (p) => p.chunking,
  metrics: (p) => p.metrics,
};

const regression: EstimatorDefinitions<DleParams> = {
  estimator: dleCalculator,
  realized: performanceCalculator,
  // PerformanceCalculator's own parser fills its defaults; the chunking is DLE's, already parsed
  realizedParams: (p) => ({
    ...parsePerformanceParams({ problem_type: 'regression', y_pred: p.yPred, y_true: p.yTrue, metrics: p.metrics }, 'realized', 'PerformanceCalculator'),
    chunking: p.chunking,
  }),
  chunking: (p) => p.chunking,
  metrics: (p) => p.metrics,
};

/** The estimator pair of a problem type: CBPE for classification, DLE for regression. */
function pairFor(problemType: unknown): EstimatorDefinitions<unknown> {
  return (problemType === 'regression' ? regression : classification) as EstimatorDefinitions<unknown>;
}

export function parseConceptParams(raw: Record<string, unknown>, where: string): ConceptParams {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(where, 'params must be a mapping');
  // `thresholds` belongs to the differences; everything else is the estimator's (it validates and names
  // keys). DLE has no problem_type parameter: ours picks it.
  const { thresholds: rawThresholds, ...estimatorRaw } = raw;
  const pair = pairFor(raw.problem_type);
  if (pair === (regression as EstimatorDefinitions<unknown>)) delete estimatorRaw.problem_type;
  const estimatorParams = pair.estimator.parseParams(estimatorRaw, where);
  const metrics = pair.metrics(estimatorParams);
  const own = new ParamReader(rawThresholds === undefined ? {} : { thresholds: rawThresholds }, where);
  const thresholds = own.thresholdMap('thresholds', metrics);
  own.done();
  return { problemType: String(raw.problem_type), pair, estimatorParams, thresholds, chunking: pair.chunking(estimatorParams) };
}

/** Rows of one chunk by metric name. */
const byMetric = (rows: MetricRow[]) => new Map(rows.map((r) => [r.metric, r]));

/** What a concept-drift fit saves: its two halves' saved fits (only when both halves can be restored). */
interface ConceptState {
  estimator: unknown;
  realized: unknown;
}

/** The differences of the two fitted halves, per chunk. */
function conceptModel(p: ConceptParams, estimator: FittedCalculator, realized: FittedCalculator): SeriesModel {
  // the series are the estimator's (a confusion matrix gives one per cell), in its order
  const components = estimator.reference[0].rows.map((r) => r.metric);
  const series: SeriesSpec[] = components.map((metric) => {
    const def = metricDef(FAMILY, metric);
    if (!def) throw new Error(`catalog lacks ${FAMILY}/${metric}`);
    return { column: null, metric, threshold: p.thresholds.get(def.id) ?? DEFAULT_STD_THRESHOLD, limits: def.limits, alertRule: 'strict' };
  });
  const missing: SeriesValue = { value: NaN };
  return {
    series,
    compute(chunk) {
      const estimates = byMetric(estimator.calculate(chunk));
      // no targets in the chunk: nothing realized to compare (and realized performance would refuse it)
      if (![...estimates.values()].some((r) => r.realized !== null)) return components.map(() => missing);
      const actual = byMetric(realized.calculate(chunk));
      return components.map((metric) => {
        const e = estimates.get(metric);
        const r = actual.get(metric);
        if (!e || !r || e.value === null || e.realized === null) return missing;
        const seE = e.sampling_error ?? NaN;
        const seR = r.sampling_error ?? NaN;
        return { value: e.realized - e.value, sampling_error: Math.sqrt(seE * seE + seR * seR) };
      });
    },
  };
}

export const conceptDriftCalculator: CalculatorDefinition<ConceptParams> = {
  className: 'ConceptDriftCalculator',
  parseParams: parseConceptParams,
  fit(reference, p): FittedCalculator {
    const estimator = p.pair.estimator.fit(reference, p.estimatorParams);
    const realized = p.pair.realized.fit(reference, p.pair.realizedParams(p.estimatorParams));
    // Saved only when both halves are (DLE is not yet): otherwise the fit is not stored and refits.
    const restorable = p.pair.estimator.restore && p.pair.realized.restore && estimator.saved !== undefined && realized.saved !== undefined;
    const state: ConceptState | undefined = restorable ? { estimator: estimator.saved, realized: realized.saved } : undefined;
    return fitSeriesCalculator(reference, p.chunking, conceptModel(p, estimator, realized), state);
  },
  restore(saved, p): FittedCalculator {
    const s = saved as SavedSeriesFit<ConceptState>;
    if (!p.pair.estimator.restore || !p.pair.realized.restore) throw new Error('saved fit: concept drift halves cannot be restored');
    const estimator = p.pair.estimator.restore(s.state.estimator, p.estimatorParams);
    const realized = p.pair.realized.restore(s.state.realized, p.pair.realizedParams(p.estimatorParams));
    return restoreSeriesCalculator(s, p.chunking, conceptModel(p, estimator, realized));
  },
};
