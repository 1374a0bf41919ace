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
  round5,
  sortedByScoreDescending,
} from './binary';
import { expectedCounts } from '../../../../test/helpers/binary-counts';

const f = (xs: number[]) => Float64Array.from(xs);
// ŷ = 1 for p = 0.9, 0.6; ŷ = 0 for p = 0.3, 0.2
const e = expectedCounts(f([1, 1, 0, 0, NaN]), f([0.9, 0.6, 0.3, 0.2, 0.5]));

describe('CBPE binary estimators (hand-checked)', () => {
  it('expected counts: TP = Σ_{ŷ=1} p, FP = Σ_{ŷ=1} (1−p), FN = Σ_{ŷ=0} p, TN = Σ_{ŷ=0} (1−p)', () => {
    expect(e.tp).toBeCloseTo(1.5, 15);
    expect(e.fp).toBeCloseTo(0.5, 15);
    expect(e.fn).toBeCloseTo(0.5, 15);
    expect(e.tn).toBeCloseTo(1.5, 15);
    expect(e.n).toBe(4);
  });

  it('rates from the expected counts (0 when a denominator is 0)', () => {
    expect(estimatePrecision(e)).toBeCloseTo(0.75, 15);
    expect(estimateRecall(e)).toBeCloseTo(0.75, 15);
    expect(estimateSpecificity(e)).toBeCloseTo(0.75, 15);
    expect(estimateF1(e)).toBeCloseTo(1.5 / (1.5 + 0.5), 15);
    expect(estimateAccuracy(e)).toBeCloseTo(0.75, 15);
    const allNeg = expectedCounts(f([0, 0]), f([0, 0]));
    expect(estimatePrecision(allNeg)).toBe(0);
    expect(estimatePrecision(expectedCounts(f([]), f([])))).toBeNaN();
  });

  it('confusion matrix: counts, and normalised by actual, predicted or all', () => {
    expect(estimateConfusionCell(e, 'true_positive', null)).toBeCloseTo(1.5, 14);
    expect(estimateConfusionCell(e, 'true_positive', 'all')).toBeCloseTo(1.5 / 4, 15);
    expect(estimateConfusionCell(e, 'false_negative', 'true')).toBeCloseTo(0.5 / 2, 15);
    expect(estimateConfusionCell(e, 'true_negative', 'pred')).toBeCloseTo(1.5 / 2, 15);
  });

  it('business value on expected counts, per prediction normalises columns', () => {
    const bv = [
      [2, -1],
      [-4, 8],
    ];
    expect(estimateBusinessValue(e, bv, null)).toBeCloseTo(1.5 * 2 + 0.5 * -1 + 0.5 * -4 + 1.5 * 8, 13);
    expect(estimateBusinessValue(e, bv, 'per_prediction')).toBeCloseTo(0.75 * 2 + 0.25 * -4 + 0.25 * -1 + 0.75 * 8, 14);
  });

  it('rounds to 5 decimals like numpy (ties to even)', () => {
    expect(round5(2.5e-5)).toBe(2e-5);
    expect(round5(1.5e-5)).toBe(2e-5);
    expect(round5(4.5e-5)).toBe(4e-5);
    expect(round5(0.123456789)).toBe(0.12346);
  });

  it('ROC AUC from expected TP/FP curves of the calibrated probabilities in score order', () => {
    // p (descending score) 0.9 0.6 0.3 0.2: tps 0.9 1.5 1.8 2.0, fps 0.1 0.5 1.2 2.0
    const tpr = [0, 0.9, 1.5, 1.8, 2.0].map((v) => v / 2);
    const fpr = [0, 0.1, 0.5, 1.2, 2.0].map((v) => v / 2);
    let area = 0;
    for (let i = 1; i < 5; i++) area += ((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2;
    expect(estimateRocAucSorted(f([0.9, 0.6, 0.3, 0.2]))).toBeCloseTo(area, 14);
    expect(estimateRocAucSorted(f([1, 1, 0, 0]))).toBe(1);
  });

  it('AP from expected TP: Σ (R_k − R_{k−1}) · TP_k/k', () => {
    const tps = [0.9, 1.5, 1.8, 2.0];
    let ap = 0;
    let prev = 0;
    tps.forEach((t, k) => {
      ap += (t / 2 - prev) * (t / (k + 1));
      prev = t / 2;
    });
    expect(estimateApSorted(f([0.9, 0.6, 0.3, 0.2]))).toBeCloseTo(ap, 14);
  });

  it('orders calibrated values by descending raw score, a tie in descending row order', () => {
    const p = f([0.1, 0.2, 0.3, 0.4, NaN]);
    const raw = f([0.5, 0.9, 0.5, 0.1, 0.7]);
    expect(Array.from(sortedByScoreDescending(p, raw))).toEqual([0.2, 0.3, 0.1, 0.4]);
  });
});
