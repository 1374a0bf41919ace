/**
 * DLE's fitted state (spec §5): per metric, a GBDT regressor trained on the reference features plus y_pred
 * against the observation-level loss, and the metric's sampling-error components. The estimate for a chunk
 * is the mean of the predicted losses clipped at 0 (its square root for rmse/rmsle).
 */
import { DataError } from '../../calculator';
import { CategoricalColumn, Frame, getColumn } from '../../frame';
import { GbdtModel, predict, trainGbdt, TrainFeature } from '../../gbdt';
import { numericColumn } from '../data';
import {
  firstNegative,
  fitRegressionSamplingError,
  isLogMetric,
  lossToMetric,
  observationLoss,
  RegressionMetricId,
  regressionMetric,
  regressionSamplingError,
  RegressionSamplingErrorFit,
} from '../regression';
import { CategoryEncoder, encodeCategories, fitCategoryEncoder } from './encoding';
import { DleParams } from './params';

type Dataset = 'reference' | 'analysis';

/** How a feature is fed to the regressors (plain data). */
export type DleFeature = { name: string; kind: 'numeric' } | { name: string; kind: 'categorical'; encoder: CategoryEncoder };

export interface DleMetricModel {
  metric: RegressionMetricId;
  regressor: GbdtModel;
  samplingError: RegressionSamplingErrorFit;
}

/** Plain data, so the server can store it and estimate chunks later. */
export interface DleModel {
  /** the model's inputs in NannyML's order: feature_column_names as given, then y_pred */
  features: DleFeature[];
  yPred: string;
  yTrue: string;
  metrics: DleMetricModel[];
}

export interface DleChunkValues {
  metric: RegressionMetricId;
  estimate: number;
  samplingError: number;
  /** NaN when the chunk has no targets */
  realized: number;
}

/** The regressors' input columns for a frame's rows. */
function inputColumns(model: Pick<DleModel, 'features' | 'yPred'>, frame: Frame, dataset: Dataset): Float64Array[] {
  const cols = model.features.map((f) => {
    const c = getColumn(frame, f.name);
    if (f.kind === 'categorical') {
      if (c.kind !== 'categorical') throw new DataError(dataset, `column '${f.name}' is numeric here but categorical in the reference`);
      return encodeCategories(f.encoder, c);
    }
    if (c.kind !== 'numeric') throw new DataError(dataset, `column '${f.name}' is categorical here but numeric in the reference`);
    return c.values;
  });
  cols.push(numericColumn(frame, model.yPred, dataset, 'y_pred'));
  return cols;
}

function assertNonNegative(metric: RegressionMetricId, yTrue: Float64Array, yPred: Float64Array, p: { yTrue: string; yPred: string }, dataset: Dataset): void {
  if (!isLogMetric(metric)) return;
  const neg = firstNegative(yTrue, yPred);
  if (neg) {
    const column = neg.column === 'y_true' ? p.yTrue : p.yPred;
    throw new DataError(dataset, `column '${column}' (${neg.column}) has a negative value (${neg.value}); ${metric} needs values ≥ 0`);
  }
}

/** The reference rows where both y_true and y_pred are present (NannyML's common_nan_removal). */
function labelledRows(yTrue: Float64Array, yPred: Float64Array): Int32Array {
  const rows: number[] = [];
  for (let i = 0; i < yTrue.length; i++) if (!Number.isNaN(yTrue[i]) && !Number.isNaN(yPred[i])) rows.push(i);
  return Int32Array.from(rows);
}

export function fitDleModel(reference: Frame, p: DleParams): DleModel {
  const features: DleFeature[] = p.featureColumnNames.map((name) => {
    const c = getColumn(reference, name);
    return c.kind === 'categorical' ? { name, kind: 'categorical', encoder: fitCategoryEncoder(c as CategoricalColumn) } : { name, kind: 'numeric' };
  });
  const yTrue = numericColumn(reference, p.yTrue, 'reference', 'y_true');
  const yPred = numericColumn(reference, p.yPred, 'reference', 'y_pred');
  const rows = labelledRows(yTrue, yPred);
  if (rows.length === 0) throw new DataError('reference', `no rows with both '${p.yTrue}' (y_true) and '${p.yPred}' (y_pred): DLE cannot be fitted`);
  const inputs = inputColumns({ features, yPred: p.yPred }, reference, 'reference');
  const take = (values: Float64Array) => {
    if (rows.length === values.length) return values;
    const out = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
    return out;
  };
  const trainInputs: TrainFeature[] = inputs.map((values, j) => ({
    name: j < features.length ? features[j].name : p.yPred,
    kind: j < features.length && features[j].kind === 'categorical' ? 'categorical' : 'numeric',
    values: take(values),
  }));
  const metrics = p.metrics.map((metric): DleMetricModel => {
    assertNonNegative(metric, yTrue, yPred, p, 'reference');
    const loss = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) loss[i] = observationLoss(metric, yTrue[rows[i]], yPred[rows[i]]);
    return {
      metric,
      regressor: trainGbdt(trainInputs, loss, p.gbdt),
      samplingError: fitRegressionSamplingError(metric, yTrue, yPred),
    };
  });
  return { features, yPred: p.yPred, yTrue: p.yTrue, metrics };
}

/** Estimated, realized (when the chunk has targets) and SE of every metric on one chunk. */
export function estimateChunk(model: DleModel, chunk: Frame, dataset: Dataset): DleChunkValues[] {
  const inputs = inputColumns(model, chunk, dataset);
  const yPred = inputs[inputs.length - 1];
  let withPrediction = 0;
  for (const v of yPred) if (!Number.isNaN(v)) withPrediction++;
  const yTrueColumn = chunk.columns.get(model.yTrue);
  const yTrue = yTrueColumn ? numericColumn(chunk, model.yTrue, dataset, 'y_true') : null;
  return model.metrics.map((m) => {
    const predicted = predict(m.regressor, inputs);
    let sum = 0;
    for (const v of predicted) sum += v > 0 ? v : 0; // predicted losses below 0 count as 0
    let realized = NaN;
    if (yTrue) {
      assertNonNegative(m.metric, yTrue, yPred, model, dataset);
      realized = regressionMetric(m.metric, yTrue, yPred);
    }
    return {
      metric: m.metric,
      estimate: predicted.length === 0 ? NaN : lossToMetric(m.metric, sum / predicted.length),
      samplingError: regressionSamplingError(m.samplingError, withPrediction),
      realized,
    };
  });
}
