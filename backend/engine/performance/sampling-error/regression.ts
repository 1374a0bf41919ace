/**
 * Sampling error of the regression metrics (spec §6.2, nannyml/sampling_error/regression.py). The
 * components are fitted once on the reference rows where y_true and y_pred are both present; the chunk
 * SE then needs only n, the chunk's labelled row count (for DLE: rows with y_pred).
 */
import { isRootMetric, RegressionMetricId } from '../metrics/regression';

/** Plain data, so a fit can be stored. */
export interface RegressionSamplingErrorFit {
  metric: RegressionMetricId;
  /** std₀ of the observation-level error on the reference */
  std: number;
  /** mean of the observation-level error (used by rmse/rmsle only) */
  mean: number;
}

/**
 * The reference error whose spread gives the SE. Note NannyML divides by y (not max(ε,|y|)) for mape,
 * and takes ln(1 + y) (not log1p) for the log errors.
 */
export function samplingErrorObservation(metric: RegressionMetricId, y: number, yHat: number): number {
  switch (metric) {
    case 'mae':
      return Math.abs(y - yHat);
    case 'mape':
      return Math.abs(y - yHat) / y;
    case 'mse':
    case 'rmse':
      return (y - yHat) ** 2;
    case 'msle':
    case 'rmsle':
      return (Math.log(1 + y) - Math.log(1 + yHat)) ** 2;
  }
}

export function fitRegressionSamplingError(metric: RegressionMetricId, yTrue: Float64Array, yPred: Float64Array): RegressionSamplingErrorFit {
  const e: number[] = [];
  for (let i = 0; i < yTrue.length; i++) {
    if (Number.isNaN(yTrue[i]) || Number.isNaN(yPred[i])) continue;
    e.push(samplingErrorObservation(metric, yTrue[i], yPred[i]));
  }
  if (e.length === 0) return { metric, std: NaN, mean: NaN };
  let s = 0;
  for (const v of e) s += v;
  const mean = s / e.length;
  let ss = 0;
  for (const v of e) ss += (v - mean) * (v - mean);
  return { metric, std: Math.sqrt(ss / e.length), mean };
}

/** SE for a chunk of n labelled rows; NaN when n is 0. */
export function regressionSamplingError(fit: RegressionSamplingErrorFit, n: number): number {
  if (!(n > 0)) return NaN;
  if (isRootMetric(fit.metric)) return Math.sqrt((fit.std * fit.std) / (4 * n * fit.mean));
  return fit.std / Math.sqrt(n);
}
