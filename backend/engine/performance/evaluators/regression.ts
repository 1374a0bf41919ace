/**
 * Regression evaluators (spec §6.2): realized metric and SE; no CBPE estimate (DLE estimates regression).
 */
import { DataError } from '../../calculator';
import { firstNegative, isLogMetric, RegressionMetricId, regressionMetric } from '../metrics/regression';
import { PerformanceParams } from '../params';
import { fitRegressionSamplingError, regressionSamplingError } from '../sampling-error/regression';
import { ChunkBase, countPresent, Evaluator, fitOnce, NON_NEGATIVE, ReferenceFits } from './types';

export interface RegressionChunk extends ChunkBase {
  yTrue: Float64Array | null;
  yPred: Float64Array;
}

/** msle/rmsle take ln(1 + value): NannyML raises on negative values; so do we, naming the column. */
export function assertNonNegative(metric: RegressionMetricId, d: RegressionChunk, p: PerformanceParams): void {
  if (!isLogMetric(metric) || !d.yTrue) return;
  const neg = firstNegative(d.yTrue, d.yPred);
  if (neg) {
    const column = neg.column === 'y_true' ? p.yTrue : p.yPred;
    throw new DataError(d.dataset, `column '${column}' (${neg.column}) has a negative value (${neg.value}); ${metric} needs values ≥ 0`);
  }
}

/** `reference` is read only while `fits` records (null when they replay a saved fit). */
export function regressionEvaluators(p: PerformanceParams, reference: RegressionChunk | null, fits: ReferenceFits): Evaluator<RegressionChunk>[] {
  return p.metrics.map((id) => {
    const metric = id as RegressionMetricId;
    const fit = fitOnce(fits, () => {
      if (!reference) throw new Error('internal: reference not loaded');
      assertNonNegative(metric, reference, p);
      return fitRegressionSamplingError(metric, reference.yTrue!, reference.yPred);
    });
    return {
      metric,
      components: [metric],
      limits: NON_NEGATIVE,
      realizedRows: (d) => countPresent(d.yTrue, d.yPred),
      estimateRows: (d) => countPresent(d.yPred),
      realized: (d) => {
        if (!d.yTrue) return [NaN];
        assertNonNegative(metric, d, p);
        return [regressionMetric(metric, d.yTrue, d.yPred)];
      },
      samplingError: (n) => [regressionSamplingError(fit, n)],
    };
  });
}
