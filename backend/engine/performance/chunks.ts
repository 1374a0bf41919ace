/**
 * Loads a chunk's target and model-output columns for the performance evaluators.
 */
import { DataError } from '../calculator';
import { Frame, hasColumn } from '../frame';
import { binaryLabels, classIndices, Dataset, numericColumn } from './data';
import { BinaryChunk } from './evaluators/binary';
import { MulticlassChunk } from './evaluators/multiclass';
import { RegressionChunk } from './evaluators/regression';
import { PerformanceParams, SCORE_ONLY_METRICS } from './params';

export type Targets = 'required' | 'optional';

function targetsMissing(p: PerformanceParams, dataset: Dataset, who: string): never {
  const hint = dataset === 'analysis' ? '; add them to the analysis file or give analysis_targets in the run config' : '';
  throw new DataError(dataset, `column '${p.yTrue}' (y_true) not found: ${who} needs the targets${hint}`);
}

/** The target column, or null when it is absent and optional. */
function target<T>(frame: Frame, p: PerformanceParams, dataset: Dataset, targets: Targets, who: string, read: () => T): T | null {
  if (hasColumn(frame, p.yTrue)) return read();
  if (targets === 'required') targetsMissing(p, dataset, who);
  return null;
}

/** Whether any metric reads the scores (PerformanceCalculator skips the column otherwise). */
export function usesScores(p: PerformanceParams, estimator: boolean): boolean {
  return estimator || p.metrics.some((m) => SCORE_ONLY_METRICS.includes(m));
}

export function loadBinaryChunk(frame: Frame, p: PerformanceParams, dataset: Dataset, targets: Targets, who: string, estimator: boolean): BinaryChunk {
  return {
    dataset,
    yTrue: target(frame, p, dataset, targets, who, () => binaryLabels(frame, p.yTrue, dataset, 'y_true')),
    yPred: p.yPred ? binaryLabels(frame, p.yPred, dataset, 'y_pred') : null,
    proba: usesScores(p, estimator) ? numericColumn(frame, p.yPredProba!, dataset, 'y_pred_proba') : null,
    calibrate: null,
  };
}

export function loadMulticlassChunk(frame: Frame, p: PerformanceParams, dataset: Dataset, targets: Targets, who: string, estimator: boolean): MulticlassChunk {
  return {
    dataset,
    yTrue: target(frame, p, dataset, targets, who, () => classIndices(frame, p.yTrue, p.classes, dataset, 'y_true')),
    yPred: p.yPred ? classIndices(frame, p.yPred, p.classes, dataset, 'y_pred') : null,
    probas: usesScores(p, estimator) ? p.classColumns.map((c, i) => numericColumn(frame, c, dataset, `y_pred_proba of class '${p.classes[i]}'`)) : [],
    calibrated: null,
  };
}

export function loadRegressionChunk(frame: Frame, p: PerformanceParams, dataset: Dataset, targets: Targets, who: string): RegressionChunk {
  return {
    dataset,
    yTrue: target(frame, p, dataset, targets, who, () => numericColumn(frame, p.yTrue, dataset, 'y_true')),
    yPred: numericColumn(frame, p.yPred!, dataset, 'y_pred'),
  };
}

/** NannyML refuses a class that never occurs in the reference targets (its calibrators and ROC AUC need all). */
export function assertAllClassesInReference(yTrue: Int32Array, p: PerformanceParams): void {
  const seen = new Uint8Array(p.classes.length);
  for (const c of yTrue) if (c >= 0) seen[c] = 1;
  const missing = p.classes.filter((_, i) => seen[i] === 0);
  if (missing.length > 0) {
    throw new DataError(
      'reference',
      `column '${p.yTrue}' (y_true) never holds class(es) ${missing.map((m) => `'${m}'`).join(', ')} of y_pred_proba; the reference needs every class`,
    );
  }
}
