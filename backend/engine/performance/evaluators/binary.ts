/**
 * Binary-classification evaluators (spec §4.2, §4.5, §6.1): realized metric, CBPE estimate and SE
 * for each metric NannyML offers.
 */
import { BINARY_CONFUSION_CELLS } from '../../catalog';
import {
  accuracy,
  BinaryCounts,
  businessValue,
  confusionCell,
  f1,
  precision,
  recall,
  specificity,
} from '../metrics/binary';
import {
  estimateAccuracy,
  estimateBusinessValue,
  estimateConfusionCell,
  estimateF1,
  estimatePrecision,
  estimateRankingFromGroups,
  estimateRecall,
  estimateSpecificity,
  ExpectedCounts,
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
import { SeededRandom } from '../../random';
import { averagePrecisionFromCurve, curveFromCounts, rocAucFromCurve } from '../metrics/curves';
import { BinaryTally, RankedLabels, tallyBinary, tallyRanked } from '../tally';
import { ChunkBase, Evaluator, Flavor, memo, NO_LIMITS, RATE_LIMITS, fitOnce, ReferenceFits } from './types';

export interface BinaryChunk extends ChunkBase {
  /** 0/1 targets, NaN = missing; null when the data has no target column */
  yTrue: Float64Array | null;
  yPred: Float64Array | null;
  /** the model's (uncalibrated) scores */
  proba: Float64Array | null;
  /** CBPE: a score's calibrated probability of class 1 (the score itself when uncalibrated); null for realized metrics */
  calibrate: ((score: number) => number) | null;
}

const REQUIRE = <T>(v: T | null, what: string): T => {
  if (v === null) throw new Error(`internal: ${what} not loaded`);
  return v;
};

/**
 * `referenceTally`: the reference tallied with its score ranks (tallyRanked) when the caller has it
 * (CBPE's calibration reads it too); else it is made here, once.
 */
export function binaryEvaluators(
  p: PerformanceParams,
  reference: BinaryChunk | null,
  flavor: Flavor,
  rng: SeededRandom,
  fits: ReferenceFits,
  referenceTally?: BinaryTally & RankedLabels,
): Evaluator<BinaryChunk>[] {
  // The reference is read only while `fits` records (it is null when they replay a saved fit).
  const ref = () => REQUIRE(reference, 'reference');
  const refTrue = () => REQUIRE(ref().yTrue, 'reference y_true');
  let tallied: BinaryTally | undefined = referenceTally;
  const refTally = () =>
    (tallied ??= ref().proba ? tallyRanked(refTrue(), ref().yPred, ref().proba!) : tallyBinary(refTrue(), ref().yPred, null));
  const refRanked = () => {
    REQUIRE(ref().proba, 'reference y_pred_proba');
    return refTally() as BinaryTally & RankedLabels;
  };
  const refCounts = () => refTally().counts!;
  const cbpe = flavor === 'cbpe';
  // every metric of a chunk reads one tally of its rows
  const tally = (d: BinaryChunk): BinaryTally => memo(d, 'tally', () => tallyBinary(d.yTrue, d.yPred, d.proba, d.calibrate ?? undefined));
  const realizedCounts = (d: BinaryChunk) => tally(d).counts;
  const expected = (d: BinaryChunk) => REQUIRE(tally(d).expected, 'expected counts (y_pred, calibrated scores)');
  const curve = (d: BinaryChunk) => memo(d, 'curve', () => (d.yTrue && d.proba ? curveFromCounts(tally(d).positives, tally(d).negatives) : null));
  const estimatedRanking = (d: BinaryChunk) =>
    memo(d, 'ranking', () => {
      const t = tally(d);
      return estimateRankingFromGroups(REQUIRE(t.calibrated, 'calibrated scores'), t.rows);
    });
  const labelledRows = (d: BinaryChunk) => tally(d).counts?.n ?? 0;

  const labelBased = (
    metric: string,
    components: ComponentFit,
    realized: (c: BinaryCounts) => number,
    estimate: (e: ExpectedCounts) => number,
  ): Evaluator<BinaryChunk> => ({
    metric,
    components: [metric],
    limits: RATE_LIMITS,
    realizedRows: labelledRows,
    estimateRows: (d) => tally(d).scoredPredicted,
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
        const fit = fitOnce(fits, () => aurocComponents(refTrue(), ref().proba!, refRanked()));
        return {
          metric,
          components: [metric],
          limits: RATE_LIMITS,
          realizedRows: (d) => tally(d).scoredLabelled,
          estimateRows: (d) => tally(d).scored,
          realized: (d) => {
            const c = curve(d);
            return [c ? rocAucFromCurve(c) : NaN];
          },
          samplingError: (n) => [universalSamplingError(fit, n)],
          estimate: (d) => [estimatedRanking(d).rocAuc],
        };
      }
      case 'average_precision': {
        const fit = fitOnce(fits, () => apComponents(refTrue(), ref().proba!, rng, refRanked()));
        return {
          metric,
          components: [metric],
          limits: RATE_LIMITS,
          realizedRows: (d) => tally(d).scoredLabelled,
          estimateRows: (d) => tally(d).scored,
          realized: (d) => {
            const c = curve(d);
            return [c ? averagePrecisionFromCurve(c) : NaN];
          },
          samplingError: (n) => [apSamplingError(fit, n)],
          estimate: (d) => [estimatedRanking(d).averagePrecision],
        };
      }
      case 'f1':
        return labelBased(metric, fitOnce(fits, () => f1Components(refCounts())), f1, estimateF1);
      case 'precision':
        return labelBased(metric, fitOnce(fits, () => precisionComponents(refCounts())), precision, estimatePrecision);
      case 'recall':
        return labelBased(metric, fitOnce(fits, () => recallComponents(refCounts())), recall, estimateRecall);
      case 'specificity':
        return labelBased(metric, fitOnce(fits, () => specificityComponents(refCounts())), (c) => specificity(c, cbpe), estimateSpecificity);
      case 'accuracy':
        return labelBased(metric, fitOnce(fits, () => accuracyComponents(refCounts())), accuracy, estimateAccuracy);
      case 'confusion_matrix': {
        const norm = p.normalizeConfusionMatrix;
        const cellFits = fitOnce(fits, () => BINARY_CONFUSION_CELLS.map((cell) => confusionCellComponents(refCounts(), cell, norm)));
        return {
          metric,
          components: [...BINARY_CONFUSION_CELLS],
          limits: { lower: 0, upper: norm === null ? null : 1 },
          realizedRows: labelledRows,
          estimateRows: (d) => tally(d).scoredPredicted,
          realized: (d) => {
            const c = realizedCounts(d);
            return BINARY_CONFUSION_CELLS.map((cell) => (c ? confusionCell(c, cell, norm, cbpe) : NaN));
          },
          samplingError: (n) => cellFits.map((f) => confusionCellSamplingError(f, n)),
          estimate: (d) => {
            const e = expected(d);
            return BINARY_CONFUSION_CELLS.map((cell) => estimateConfusionCell(e, cell, norm));
          },
        };
      }
      case 'business_value': {
        const bv = p.businessValueMatrix!;
        const norm = p.normalizeBusinessValue;
        const fit = fitOnce(fits, () => businessValueComponents(refCounts(), bv, norm));
        return {
          metric,
          components: [metric],
          limits: NO_LIMITS,
          realizedRows: labelledRows,
          estimateRows: (d) => tally(d).scoredPredicted,
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
