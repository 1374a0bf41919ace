/**
 * Multiclass evaluators (spec §4.3, §4.5, §6.1). Classes are the sorted keys of `y_pred_proba`.
 */
import { multiclassCellName } from '../../catalog';
import {
  estimateMacroAp,
  estimateMacroF1,
  estimateMacroPrecision,
  estimateMacroRecall,
  estimateMacroRocAuc,
  estimateMacroSpecificity,
  estimateMulticlassAccuracy,
  estimateMulticlassBusinessValue,
  estimateMulticlassConfusionMatrix,
} from '../cbpe/multiclass';
import {
  macroAveragePrecision,
  macroF1,
  macroPrecision,
  macroRecall,
  macroRocAuc,
  macroSpecificity,
  multiclassAccuracy,
  multiclassBusinessValue,
  multiclassConfusionMatrix,
  MulticlassCounts,
  multiclassCounts,
} from '../metrics/multiclass';
import { PerformanceParams } from '../params';
import { SeededRandom } from '../../random';
import {
  apClassComponents,
  aurocClassComponents,
  ClassComponent,
  combinedSamplingError,
  confusionMatrixComponents,
  confusionMatrixSamplingErrors,
  f1ClassComponents,
  multiclassAccuracyStd,
  multiclassApSamplingError,
  multiclassAurocSamplingError,
  multiclassBusinessValueComponents,
  multiclassBusinessValueSamplingError,
  precisionClassComponents,
  recallClassComponents,
  specificityClassComponents,
} from '../sampling-error/multiclass';
import { ChunkBase, Evaluator, Flavor, memo, NO_LIMITS, RATE_LIMITS, fitOnce, ReferenceFits } from './types';

export interface MulticlassChunk extends ChunkBase {
  /** class indices, -1 = missing; null without a target column */
  yTrue: Int32Array | null;
  yPred: Int32Array | null;
  /** uncalibrated class scores, in class order */
  probas: Float64Array[];
  /** CBPE: calibrated, renormalised probabilities */
  calibrated: Float64Array[] | null;
}

/** Rows where every listed column is present (class indices ≥ 0, scores not NaN). */
function countComplete(indexCols: (Int32Array | null)[], scoreCols: Float64Array[]): number {
  if (indexCols.some((c) => c === null)) return 0;
  const n = scoreCols.length > 0 ? scoreCols[0].length : indexCols[0]!.length;
  let k = 0;
  outer: for (let i = 0; i < n; i++) {
    for (const c of indexCols) if (c![i] < 0) continue outer;
    for (const c of scoreCols) if (Number.isNaN(c[i])) continue outer;
    k++;
  }
  return k;
}

const REQUIRE = <T>(v: T | null, what: string): T => {
  if (v === null) throw new Error(`internal: ${what} not loaded`);
  return v;
};

/** `reference` is read only while `fits` records (null when they replay a saved fit). */
export function multiclassEvaluators(
  p: PerformanceParams,
  reference: MulticlassChunk | null,
  flavor: Flavor,
  rng: SeededRandom,
  fits: ReferenceFits,
): Evaluator<MulticlassChunk>[] {
  const k = p.classes.length;
  const ref = () => REQUIRE(reference, 'reference');
  const refTrue = () => REQUIRE(ref().yTrue, 'reference y_true');
  let refCountsMemo: MulticlassCounts | null | undefined;
  const refCounts = () => (refCountsMemo ??= ref().yPred ? multiclassCounts(refTrue(), ref().yPred!, k) : null);
  const cbpe = flavor === 'cbpe';
  const counts = (d: MulticlassChunk) => memo(d, 'counts', () => (d.yTrue && d.yPred ? multiclassCounts(d.yTrue, d.yPred, k) : null));
  const calibrated = (d: MulticlassChunk) => REQUIRE(d.calibrated, 'calibrated scores');
  const yPred = (d: MulticlassChunk) => REQUIRE(d.yPred, 'y_pred');

  const labelBased = (
    metric: string,
    components: ClassComponent[],
    realized: (c: MulticlassCounts) => number,
    estimate: (yPred: Int32Array, probas: Float64Array[]) => number,
  ): Evaluator<MulticlassChunk> => ({
    metric,
    components: [metric],
    limits: RATE_LIMITS,
    realizedRows: (d) => countComplete([d.yTrue, d.yPred], []),
    estimateRows: (d) => countComplete([d.yPred], d.probas),
    realized: (d) => {
      const c = counts(d);
      return [c ? realized(c) : NaN];
    },
    samplingError: (n) => [combinedSamplingError(components, n)],
    estimate: (d) => [estimate(yPred(d), calibrated(d))],
  });

  return p.metrics.map((metric): Evaluator<MulticlassChunk> => {
    switch (metric) {
      case 'roc_auc':
      case 'average_precision': {
        const isAuc = metric === 'roc_auc';
        const { auc, ap } = fitOnce(fits, () => {
          // complete reference rows: target and every class score
          const yTrue = refTrue();
          const probas = ref().probas;
          const rows: number[] = [];
          for (let i = 0; i < yTrue.length; i++) if (yTrue[i] >= 0 && probas.every((s) => !Number.isNaN(s[i]))) rows.push(i);
          const t = Int32Array.from(rows, (i) => yTrue[i]);
          const s = probas.map((col) => Float64Array.from(rows, (i) => col[i]));
          return { auc: isAuc ? aurocClassComponents(t, s) : [], ap: isAuc ? [] : apClassComponents(t, s, rng) };
        });
        return {
          metric,
          components: [metric],
          limits: RATE_LIMITS,
          realizedRows: (d) => countComplete([d.yTrue], d.probas),
          estimateRows: (d) => countComplete([], d.probas),
          realized: (d) => [d.yTrue ? (isAuc ? macroRocAuc(d.yTrue, d.probas) : macroAveragePrecision(d.yTrue, d.probas)) : NaN],
          samplingError: (n) => [isAuc ? multiclassAurocSamplingError(auc, n) : multiclassApSamplingError(ap, n)],
          estimate: (d) => [isAuc ? estimateMacroRocAuc(calibrated(d), d.probas) : estimateMacroAp(calibrated(d), d.probas)],
        };
      }
      case 'f1':
        return labelBased(metric, fitOnce(fits, () => f1ClassComponents(refCounts()!)), macroF1, estimateMacroF1);
      case 'precision':
        return labelBased(metric, fitOnce(fits, () => precisionClassComponents(refCounts()!)), macroPrecision, estimateMacroPrecision);
      case 'recall':
        return labelBased(metric, fitOnce(fits, () => recallClassComponents(refCounts()!)), macroRecall, estimateMacroRecall);
      case 'specificity':
        return labelBased(metric, fitOnce(fits, () => specificityClassComponents(refCounts()!)), macroSpecificity, estimateMacroSpecificity);
      case 'accuracy': {
        const std = fitOnce(fits, () => multiclassAccuracyStd(refCounts()!));
        return {
          ...labelBased(metric, [], (c) => multiclassAccuracy(c, cbpe), estimateMulticlassAccuracy),
          samplingError: (n) => [n > 0 ? std / Math.sqrt(n) : NaN],
        };
      }
      case 'confusion_matrix': {
        const norm = p.normalizeConfusionMatrix;
        const fit = fitOnce(fits, () => confusionMatrixComponents(refCounts()!, norm));
        const names: string[] = [];
        for (const a of p.classes) for (const b of p.classes) names.push(multiclassCellName(a, b));
        return {
          metric,
          components: names,
          limits: { lower: 0, upper: norm === null ? null : 1 },
          nanBandsAtLimits: true,
          realizedRows: (d) => countComplete([d.yTrue, d.yPred], []),
          estimateRows: (d) => countComplete([d.yPred], d.probas),
          realized: (d) => {
            const c = counts(d);
            return c ? Array.from(multiclassConfusionMatrix(c, norm)) : names.map(() => NaN);
          },
          samplingError: (n) => Array.from(confusionMatrixSamplingErrors(fit, n)),
          estimate: (d) => Array.from(estimateMulticlassConfusionMatrix(yPred(d), calibrated(d), norm)),
        };
      }
      case 'business_value': {
        const bv = p.businessValueMatrix!;
        const norm = p.normalizeBusinessValue;
        const fit = fitOnce(fits, () => multiclassBusinessValueComponents(refCounts()!, bv, norm));
        return {
          metric,
          components: [metric],
          limits: NO_LIMITS,
          realizedRows: (d) => countComplete([d.yTrue, d.yPred], []),
          estimateRows: (d) => countComplete([d.yPred], d.probas),
          realized: (d) => {
            const c = counts(d);
            return [c ? multiclassBusinessValue(c, bv, norm) : NaN];
          },
          samplingError: (n) => [multiclassBusinessValueSamplingError(fit, n)],
          estimate: (d) => [estimateMulticlassBusinessValue(yPred(d), calibrated(d), bv, norm)],
        };
      }
      default:
        throw new Error(`internal: no multiclass evaluator for '${metric}'`);
    }
  });
}
