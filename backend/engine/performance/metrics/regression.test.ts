import {
  firstNegative,
  lossToMetric,
  observationLosses,
  regressionMetric,
  REGRESSION_METRIC_IDS,
} from './regression';
import { fitRegressionSamplingError, regressionSamplingError } from '../sampling-error/regression';

const yTrue = Float64Array.from([1, 2, 3, NaN]);
const yPred = Float64Array.from([2, 2, 5, 1]);

describe('regression metrics (hand-checked)', () => {
  it('lists the six NannyML metrics in catalog order', () => {
    expect(REGRESSION_METRIC_IDS).toEqual(['mae', 'mape', 'mse', 'msle', 'rmse', 'rmsle']);
  });

  it('drops rows with a missing value and averages the losses', () => {
    expect(regressionMetric('mae', yTrue, yPred)).toBeCloseTo(1, 15); // (1 + 0 + 2) / 3
    expect(regressionMetric('mse', yTrue, yPred)).toBeCloseTo(5 / 3, 15); // (1 + 0 + 4) / 3
    expect(regressionMetric('rmse', yTrue, yPred)).toBeCloseTo(Math.sqrt(5 / 3), 15);
    expect(regressionMetric('mape', yTrue, yPred)).toBeCloseTo((1 + 0 + 2 / 3) / 3, 15); // a fraction
    const l = (a: number, b: number) => (Math.log(1 + a) - Math.log(1 + b)) ** 2;
    const msle = (l(1, 2) + l(2, 2) + l(3, 5)) / 3;
    expect(regressionMetric('msle', yTrue, yPred)).toBeCloseTo(msle, 15);
    expect(regressionMetric('rmsle', yTrue, yPred)).toBeCloseTo(Math.sqrt(msle), 15);
  });

  it('floors |y| at machine epsilon in MAPE (sklearn), so y = 0 gives a huge but finite value', () => {
    const v = regressionMetric('mape', Float64Array.from([0]), Float64Array.from([1]));
    expect(v).toBe(1 / 2.220446049250313e-16);
  });

  it('is NaN without labelled rows', () => {
    expect(regressionMetric('mae', Float64Array.from([NaN]), Float64Array.from([1]))).toBeNaN();
  });

  it('gives per-row losses whose mean is the metric', () => {
    const losses = observationLosses('rmse', yTrue, yPred);
    expect(Array.from(losses.subarray(0, 3))).toEqual([1, 0, 4]);
    expect(losses[3]).toBeNaN();
    expect(lossToMetric('rmse', 4)).toBe(2);
    expect(lossToMetric('mae', 4)).toBe(4);
  });

  it('finds negative values for the log metrics', () => {
    expect(firstNegative(Float64Array.from([1, NaN, 2]), Float64Array.from([1, -5, -1]))).toEqual({ column: 'y_pred', row: 2, value: -1 });
    expect(firstNegative(yTrue, yPred)).toBeNull();
  });
});

describe('regression sampling error (hand-checked)', () => {
  it('mae: std₀(|y−ŷ|)/√n', () => {
    const fit = fitRegressionSamplingError('mae', yTrue, yPred); // errors 1, 0, 2: std₀ = √(2/3)
    expect(fit.std).toBeCloseTo(Math.sqrt(2 / 3), 15);
    expect(regressionSamplingError(fit, 4)).toBeCloseTo(Math.sqrt(2 / 3) / 2, 15);
  });

  it('mape divides by y itself (NannyML), not max(ε,|y|)', () => {
    const fit = fitRegressionSamplingError('mape', Float64Array.from([-2, 2]), Float64Array.from([0, 0]));
    // errors |−2|/−2 = −1 and 1: std₀ = 1
    expect(fit.std).toBe(1);
  });

  it('rmse: sqrt(std₀(e)² / (4 n mean(e)))', () => {
    const fit = fitRegressionSamplingError('rmse', yTrue, yPred); // e = 1, 0, 4: mean 5/3, var 26/9
    expect(fit.mean).toBeCloseTo(5 / 3, 15);
    expect(regressionSamplingError(fit, 4)).toBeCloseTo(Math.sqrt(13 / 120), 15);
  });

  it('is NaN for an empty chunk or an empty reference', () => {
    expect(regressionSamplingError(fitRegressionSamplingError('mse', yTrue, yPred), 0)).toBeNaN();
    expect(fitRegressionSamplingError('mse', Float64Array.from([NaN]), Float64Array.from([1])).std).toBeNaN();
  });
});
