/**
 * Binary-classification evaluators (spec §4.2, §4.5, §6.1): realized metric, CBPE estimate and SE
 * for each metric NannyML offers.
 */
import { BINARY_CONFUSION_CELLS } from '../../catalog';
import {
  accuracy,
  BinaryCounts,
  binaryCounts,
  businessValue,
  confusionCell,
  f1,
  precision,
  recall,
  specificity,
} from '../metrics/binary';
import {
  estimateAccuracy,
  estimateApSorted,
  estimateBusinessValue,
  estimateConfusionCell,
  estimateF1,
  estimatePrecision,
  estimateRecall,
  estimateRocAucSorted,
  estimateSpecificity,
  ExpectedCounts,
  expectedCounts,
} from '../cbpe/binary';
import {
  accuracyComponents,
  apComponents,
  apSamplingError,
  aurocComponents,
  businessValueComponents,
  businessValueSamplingError,
  ComponentFit,
  confusionCellComponents,
  confusionCellSamplingError,
  f1Components,
  precisionComponents,
  recallComponents,
  specificityComponents,
  universalSamplingError,
} from '../sampling-error/binary';
import { PerformanceParams } from '../params';
import { Random } from '../../random';
import { averagePrecisionFromCurve, rocAucFromCurve, thresholdCurve } from '../metrics/curves';
import { ChunkBase, countPresent, Evaluator, Flavor, memo, NO_LIMITS, RATE_LIMITS } from './types';

export interface BinaryChunk extends ChunkBase {
  /** 0/1 targets, NaN = missing; null when the data has no target column */
  yTrue: Float64Array | null;
  yPred: Float64Array | null;
  /** the model's (uncalibrated) scores */
  proba: Float64Array | null;
  /** CBPE: calibrated probabilities */
  calibrated: Float64Array | null;
  /** CBPE: calibrated probabilities in descending order of the uncalibrated score */
  ranked: (() => Float64Array) | null;
}

const REQUIRE = <T>(v: T | null, what: string): T => {
  if (v === null) throw new Error(`internal: ${what} not loaded`);
  return v;
};

export function binaryEvaluators(p: PerformanceParams, reference: BinaryChunk, flavor: Flavor, rng: Random): Evaluator<BinaryChunk>[] {
  const refTrue = REQUIRE(reference.yTrue, 'reference y_true');
  const refCounts = reference.yPred ? binaryCounts(refTrue, reference.yPred) : null;
  const cbpe = flavor === 'cbpe';
  const realizedCounts = (d: BinaryChunk) => memo(d, 'counts', () => (d.yTrue && d.yPred ? binaryCounts(d.yTrue, d.yPred) : null));
  const expected = (d: BinaryChunk) => memo(d, 'expected', () => expectedCounts(REQUIRE(d.yPred, 'y_pred'), REQUIRE(d.calibrated, 'calibrated scores')));
  const curve = (d: BinaryChunk) => memo(d, 'curve', () => (d.yTrue && d.proba ? thresholdCurve(d.yTrue, d.proba) : null));

  const labelBased = (
    metric: string,
    components: ComponentFit,
    realized: (c: BinaryCounts) => number,
    estimate: (e: ExpectedCounts) => number,
  ): Evaluator<BinaryChunk> => ({
    metric,
    components: [metric],
    limits: RATE_LIMITS,
    realizedRows: (d) => countPresent(d.yTrue, d.yPred),
    estimateRows: (d) => countPresent(d.proba, d.yPred),
    realized: (d) => {
      const c = realizedCounts(d);
      return [c ? realized(c) : NaN];
    },
    samplingError: (n) => [universalSamplingError(components, n)],
    estimate: (d) => [estimate(expected(d))],
  });

  return p.metrics.map((metric): Evaluator<BinaryChunk> => {
    switch (metric) {
      case 'roc_auc': {
        const fit = aurocComponents(refTrue, REQUIRE(reference.proba, 'reference y_pred_proba'));
        return {
          metric,
          components: [metric],
          limits: RATE_LIMITS,
          realizedRows: (d) => countPresent(d.yTrue, d.proba),
          estimateRows: (d) => countPresent(d.proba),
          realized: (d) => {
            const c = curve(d);
            return [c ? rocAucFromCurve(c) : NaN];
          },
          samplingError: (n) => [universalSamplingError(fit, n)],
          estimate: (d) => [estimateRocAucSorted(REQUIRE(d.ranked, 'ranked scores')())],
        };
      }
      case 'average_precision': {
        const fit = apComponents(refTrue, REQUIRE(reference.proba, 'reference y_pred_proba'), rng);
        return {
          metric,
          components: [metric],
          limits: RATE_LIMITS,
          realizedRows: (d) => countPresent(d.yTrue, d.proba),
          estimateRows: (d) => countPresent(d.proba),
          realized: (d) => {
            const c = curve(d);
            return [c ? averagePrecisionFromCurve(c) : NaN];
          },
          samplingError: (n) => [apSamplingError(fit, n)],
          estimate: (d) => [estimateApSorted(REQUIRE(d.ranked, 'ranked scores')())],
        };
      }
      case 'f1':
        return labelBased(metric, f1Components(refCounts!), f1, estimateF1);
      case 'precision':
        return labelBased(metric, precisionComponents(refCounts!), precision, estimatePrecision);
      case 'recall':
        return labelBased(metric, recallComponents(refCounts!), recall, estimateRecall);
      case 'specificity':
        return labelBased(metric, specificityComponents(refCounts!), (c) => specificity(c, cbpe), estimateSpecificity);
      case 'accuracy':
        return labelBased(metric, accuracyComponents(refCounts!), accuracy, estimateAccuracy);
      case 'confusion_matrix': {
        const norm = p.normalizeConfusionMatrix;
        const fits = BINARY_CONFUSION_CELLS.map((cell) => confusionCellComponents(refCounts!, cell, norm));
        return {
          metric,
          components: [...BINARY_CONFUSION_CELLS],
          limits: { lower: 0, upper: norm === null ? null : 1 },
          realizedRows: (d) => countPresent(d.yTrue, d.yPred),
          estimateRows: (d) => countPresent(d.proba, d.yPred),
          realized: (d) => {
            const c = realizedCounts(d);
            return BINARY_CONFUSION_CELLS.map((cell) => (c ? confusionCell(c, cell, norm, cbpe) : NaN));
          },
          samplingError: (n) => fits.map((f) => confusionCellSamplingError(f, n)),
          estimate: (d) => {
            const e = expected(d);
            return BINARY_CONFUSION_CELLS.map((cell) => estimateConfusionCell(e, cell, norm));
          },
        };
      }
      case 'business_value': {
        const bv = p.businessValueMatrix!;
        const norm = p.normalizeBusinessValue;
        const fit = businessValueComponents(refCounts!, bv, norm);
        return {
          metric,
          components: [metric],
          limits: NO_LIMITS,
          realizedRows: (d) => countPresent(d.yTrue, d.yPred),
          estimateRows: (d) => countPresent(d.proba, d.yPred),
          realized: (d) => {
            const c = realizedCounts(d);
            return [c ? businessValue(c, bv, norm, cbpe) : NaN];
          },
          samplingError: (n) => [businessValueSamplingError(fit, n)],
          estimate: (d) => [estimateBusinessValue(expected(d), bv, norm)],
        };
      }
      default:
        throw new Error(`internal: no binary evaluator for '${metric}'`);
    }
  });
}
