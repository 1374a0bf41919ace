/**
 * NannyML-named parameters of PerformanceCalculator and CBPE (spec §4, §6; run contract):
 * metrics, y_true, y_pred, y_pred_proba (a column for binary, {class: column} for multiclass),
 * problem_type, timestamp_column_name, chunk_*, thresholds, normalize_confusion_matrix,
 * business_value_matrix, normalize_business_value; CBPE adds `calibration`.
 */
import { ChunkingParams, ConfigError } from '../calculator';
import { CLASSIFICATION_METRICS, PROBLEM_TYPES, ProblemType, REGRESSION_METRICS } from '../catalog';
import { compareCodePoints } from '../frame';
import { keyIn, ParamReader } from '../params';
import { Threshold } from '../thresholds';
import { BusinessValueNormalization, ConfusionNormalization, Matrix } from './metrics/binary';

export type Calibration = 'auto' | 'always' | 'never';

export interface PerformanceParams {
  problemType: ProblemType;
  /** metric ids, in the order given */
  metrics: string[];
  yTrue: string;
  yPred: string | null;
  /** binary: the score column */
  yPredProba: string | null;
  /** multiclass: sorted class labels and their score columns (same order) */
  classes: string[];
  classColumns: string[];
  chunking: ChunkingParams;
  thresholds: Map<string, Threshold>;
  normalizeConfusionMatrix: ConfusionNormalization;
  businessValueMatrix: Matrix | null;
  normalizeBusinessValue: BusinessValueNormalization;
  calibration: Calibration;
}

/** Metrics that use only the scores (NannyML's raise_if_metrics_require_y_pred). */
export const SCORE_ONLY_METRICS = ['roc_auc', 'average_precision'];

const CLASSIFICATION_IDS = CLASSIFICATION_METRICS.map((m) => m.id);
const REGRESSION_IDS = REGRESSION_METRICS.map((m) => m.id);

/** NannyML sorts the class keys; numeric labels sort as numbers. */
export function sortClasses(keys: string[]): string[] {
  const numeric = keys.every((k) => k.trim() !== '' && Number.isFinite(Number(k)));
  return [...keys].sort((a, b) => (numeric ? Number(a) - Number(b) : compareCodePoints(a, b)));
}

export function parsePerformanceParams(raw: Record<string, unknown>, where: string, estimator: 'CBPE' | 'PerformanceCalculator'): PerformanceParams {
  const r: ParamReader = new ParamReader(raw, where);
  const problemType = r.oneOf<ProblemType>('problem_type', PROBLEM_TYPES, null);
  if (problemType === null) r.fail('problem_type', `is required (one of: ${PROBLEM_TYPES.join(', ')})`);
  if (estimator === 'CBPE' && problemType === 'regression') {
    r.fail('problem_type', "CBPE estimates classification metrics only; use DLE for regression");
  }
  const allowed = problemType === 'regression' ? REGRESSION_IDS : CLASSIFICATION_IDS;
  const metrics = r.requiredStringList('metrics');
  for (const m of metrics) {
    if (!allowed.includes(m)) r.fail('metrics', `unknown metric '${m}' for ${problemType} (expected one of: ${allowed.join(', ')})`);
  }
  const yTrue = r.requiredString('y_true');
  const yPred = r.string('y_pred');
  if (yPred === null) {
    if (problemType !== 'classification_binary') r.fail('y_pred', `is required for ${problemType}`);
    const needing = metrics.filter((m) => !SCORE_ONLY_METRICS.includes(m));
    if (needing.length > 0) r.fail('y_pred', `is required by metric(s) ${needing.join(', ')} (only roc_auc and average_precision work from y_pred_proba alone)`);
  }

  const probaRaw = r.raw_('y_pred_proba');
  let yPredProba: string | null = null;
  let classes: string[] = [];
  let classColumns: string[] = [];
  const at = `${where}.y_pred_proba`;
  // As in NannyML, PerformanceCalculator needs the scores only for the metrics computed from them (run contract).
  if (problemType === 'classification_binary') {
    if (probaRaw === undefined || probaRaw === null) {
      if (estimator === 'CBPE') throw new ConfigError(at, 'is required for classification_binary (the score column)');
      const scoreMetrics = metrics.filter((m) => SCORE_ONLY_METRICS.includes(m));
      if (scoreMetrics.length > 0) throw new ConfigError(at, `is required by metric(s) ${scoreMetrics.join(', ')} (the score column)`);
    } else if (typeof probaRaw !== 'string' || probaRaw === '') {
      throw new ConfigError(at, 'must be a column name for classification_binary (a {class: column} map is for classification_multiclass)');
    } else yPredProba = probaRaw;
  } else if (problemType === 'classification_multiclass') {
    if (probaRaw === undefined || probaRaw === null) throw new ConfigError(at, 'is required for classification_multiclass (a {class: column} map)');
    if (typeof probaRaw !== 'object' || Array.isArray(probaRaw)) {
      throw new ConfigError(at, 'must be a {class: column} map for classification_multiclass');
    }
    const entries = Object.entries(probaRaw as Record<string, unknown>);
    if (entries.length < 2) throw new ConfigError(at, 'needs at least two classes');
    for (const [k, v] of entries) {
      if (typeof v !== 'string' || v === '') throw new ConfigError(keyIn(at, k), 'must be a column name');
    }
    classes = sortClasses(entries.map(([k]) => k));
    classColumns = classes.map((k) => (probaRaw as Record<string, string>)[k]);
  } else if (probaRaw !== undefined && probaRaw !== null && typeof probaRaw !== 'string') {
    throw new ConfigError(at, 'must be a column name (it is not used for regression)');
  }

  const chunking = r.chunking();
  const thresholds = r.thresholdMap('thresholds', allowed);
  const normalizeConfusionMatrix = r.oneOf('normalize_confusion_matrix', ['all', 'true', 'pred'] as const, null);
  const normalizeBusinessValue = r.oneOf('normalize_business_value', ['per_prediction'] as const, null);
  const businessValueMatrix = parseMatrix(r.raw_('business_value_matrix'), `${where}.business_value_matrix`, problemType, classes);
  if (metrics.includes('business_value') && businessValueMatrix === null) {
    throw new ConfigError(`${where}.business_value_matrix`, "is required by the business_value metric");
  }
  let calibration: Calibration = 'auto';
  if (estimator === 'CBPE') {
    const c = r.raw_('calibration');
    if (c === true) calibration = 'always';
    else if (c === false) calibration = 'never';
    else if (c === undefined || c === null || c === 'auto' || c === 'isotonic') calibration = 'auto';
    else throw new ConfigError(`${where}.calibration`, `must be auto, true, false or 'isotonic' (NannyML's name for the default), got ${JSON.stringify(c)}`);
  }
  r.done();
  return {
    problemType,
    metrics,
    yTrue,
    yPred,
    yPredProba,
    classes,
    classColumns,
    chunking,
    thresholds,
    normalizeConfusionMatrix,
    businessValueMatrix,
    normalizeBusinessValue,
    calibration,
  };
}

function parseMatrix(raw: unknown, where: string, problemType: ProblemType, classes: string[]): Matrix | null {
  if (raw === undefined || raw === null) return null;
  if (problemType === 'regression') throw new ConfigError(where, 'applies to classification only');
  const k = problemType === 'classification_binary' ? 2 : classes.length;
  const shape = problemType === 'classification_binary' ? '2×2 ([[TN, FP], [FN, TP]])' : `${k}×${k} (one row and column per class: ${classes.join(', ')})`;
  if (!Array.isArray(raw) || raw.some((row) => !Array.isArray(row))) throw new ConfigError(where, `must be a ${shape} list of lists of numbers`);
  const rows = raw as unknown[][];
  if (rows.length !== k || rows.some((row) => row.length !== k)) {
    throw new ConfigError(where, `must be ${shape}, got ${rows.length} row(s) of length ${rows.map((row) => row.length).join(', ')}`);
  }
  for (const row of rows) {
    for (const v of row) if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(where, `must hold numbers, got ${JSON.stringify(v)}`);
  }
  return rows as number[][];
}
