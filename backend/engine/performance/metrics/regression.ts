/**
 * Regression metrics with scikit-learn semantics (spec §6.2): mae, mape, mse, msle, rmse, rmsle.
 *
 * Used by the realized PerformanceCalculator and by DLE (which trains on the observation-level loss and
 * turns the mean predicted loss back into the metric with `lossToMetric`). Pure kernels on Float64Arrays;
 * rows where y_true or y_pred is NaN are dropped first (NannyML's `common_nan_removal`).
 */
import { REGRESSION_METRICS } from '../../catalog';

export type RegressionMetricId = 'mae' | 'mape' | 'mse' | 'msle' | 'rmse' | 'rmsle';

/** In catalog order. */
export const REGRESSION_METRIC_IDS = REGRESSION_METRICS.map((m) => m.id) as RegressionMetricId[];

export function isRegressionMetric(id: string): id is RegressionMetricId {
  return (REGRESSION_METRIC_IDS as string[]).includes(id);
}

/** np.finfo(np.float64).eps: sklearn's MAPE floor for |y_true|. */
export const FLOAT64_EPSILON = 2.220446049250313e-16;

/** msle and rmsle take logs of 1 + value: negative values are refused (NannyML raises). */
export function isLogMetric(metric: RegressionMetricId): boolean {
  return metric === 'msle' || metric === 'rmsle';
}

/** rmse and rmsle are the square root of the mean loss. */
export function isRootMetric(metric: RegressionMetricId): boolean {
  return metric === 'rmse' || metric === 'rmsle';
}

/**
 * The observation-level loss whose mean is the metric (before the square root of rmse/rmsle), as DLE
 * trains on it (spec §5 step 2): |y−ŷ|; |y−ŷ|/max(ε,|y|); (y−ŷ)²; (ln(1+y) − ln(1+ŷ))².
 */
export function observationLoss(metric: RegressionMetricId, y: number, yHat: number): number {
  switch (metric) {
    case 'mae':
      return Math.abs(y - yHat);
    case 'mape':
      return Math.abs(yHat - y) / Math.max(Math.abs(y), FLOAT64_EPSILON);
    case 'mse':
    case 'rmse':
      return (y - yHat) * (y - yHat);
    case 'msle':
    case 'rmsle': {
      // sklearn takes log1p of both sides
      const d = Math.log1p(y) - Math.log1p(yHat);
      return d * d;
    }
  }
}

/** Per-row losses; NaN where y_true or y_pred is missing. */
export function observationLosses(metric: RegressionMetricId, yTrue: Float64Array, yPred: Float64Array): Float64Array {
  const out = new Float64Array(yTrue.length);
  for (let i = 0; i < out.length; i++) out[i] = observationLoss(metric, yTrue[i], yPred[i]);
  return out;
}

/** Mean loss → metric value (square root for rmse/rmsle). */
export function lossToMetric(metric: RegressionMetricId, meanLoss: number): number {
  return isRootMetric(metric) ? Math.sqrt(meanLoss) : meanLoss;
}

/** Number of rows where both y_true and y_pred are present. */
export function countPairs(yTrue: Float64Array, yPred: Float64Array): number {
  let n = 0;
  for (let i = 0; i < yTrue.length; i++) if (!Number.isNaN(yTrue[i]) && !Number.isNaN(yPred[i])) n++;
  return n;
}

/** The first negative value among the labelled pairs, or null (msle/rmsle refuse them). */
export function firstNegative(yTrue: Float64Array, yPred: Float64Array): { column: 'y_true' | 'y_pred'; row: number; value: number } | null {
  for (let i = 0; i < yTrue.length; i++) {
    const y = yTrue[i];
    const p = yPred[i];
    if (Number.isNaN(y) || Number.isNaN(p)) continue;
    if (y < 0) return { column: 'y_true', row: i, value: y };
    if (p < 0) return { column: 'y_pred', row: i, value: p };
  }
  return null;
}

/** The metric on the rows where both values are present; NaN when there are none. */
export function regressionMetric(metric: RegressionMetricId, yTrue: Float64Array, yPred: Float64Array): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const y = yTrue[i];
    const p = yPred[i];
    if (Number.isNaN(y) || Number.isNaN(p)) continue;
    sum += observationLoss(metric, y, p);
    n++;
  }
  if (n === 0) return NaN;
  return lossToMetric(metric, sum / n);
}
