/**
 * DLE's NannyML parameters (spec §5): feature_column_names, y_pred, y_true, timestamp_column_name,
 * chunk_*, metrics (default: all six), hyperparameters (LightGBM names, mapped onto Vigil's GBDT),
 * tune_hyperparameters (refused: no FLAML), hyperparameter_tuning_config, thresholds.
 */
import { ChunkingParams } from '../../calculator';
import { gbdtParams, GbdtParams } from '../../gbdt';
import { parseHyperparameters, refuseTuning } from '../../gbdt/hyperparameters';
import { ParamReader } from '../../params';
import { DEFAULT_STD_THRESHOLD, Threshold } from '../../thresholds';
import { REGRESSION_METRIC_IDS, RegressionMetricId } from '../regression';

export interface DleParams {
  featureColumnNames: string[];
  yPred: string;
  yTrue: string;
  metrics: RegressionMetricId[];
  gbdt: GbdtParams;
  /** per metric; NannyML's default is StandardDeviationThreshold() for each */
  thresholds: Map<RegressionMetricId, Threshold>;
  chunking: ChunkingParams;
}

export function parseDleParams(raw: Record<string, unknown>, where: string): DleParams {
  const r = new ParamReader(raw, where);
  const featureColumnNames = r.requiredStringList('feature_column_names');
  const yPred = r.requiredString('y_pred');
  const yTrue = r.requiredString('y_true');
  for (const [key, column] of [['y_pred', yPred], ['y_true', yTrue]] as const) {
    if (featureColumnNames.includes(column)) r.fail('feature_column_names', `must not list the ${key} column '${column}'`);
  }
  const metrics = (r.stringList('metrics') ?? REGRESSION_METRIC_IDS) as RegressionMetricId[];
  if (metrics.length === 0) r.fail('metrics', 'needs at least one metric');
  for (const m of metrics) {
    if (!(REGRESSION_METRIC_IDS as string[]).includes(m)) r.fail('metrics', `unknown metric '${m}' (expected one of: ${REGRESSION_METRIC_IDS.join(', ')})`);
  }
  // NannyML's default LGBMRegressor(): LightGBM's defaults, seed unset (nothing random at these defaults)
  const gbdt = parseHyperparameters(r, 'hyperparameters', gbdtParams({ objective: 'regression' }));
  refuseTuning(r);
  const given = r.thresholdMap('thresholds', REGRESSION_METRIC_IDS);
  const thresholds = new Map<RegressionMetricId, Threshold>();
  for (const m of metrics) thresholds.set(m, given.get(m) ?? DEFAULT_STD_THRESHOLD);
  const chunking = r.chunking();
  r.done();
  return { featureColumnNames, yPred, yTrue, metrics, gbdt, thresholds, chunking };
}
