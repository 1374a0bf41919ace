import {
  accuracy,
  businessValue,
  confusionCell,
  f1,
  precision,
  recall,
  specificity,
} from './binary';
import { binaryCounts } from '../../../../test/helpers/binary-counts';

const f = (xs: number[]) => Float64Array.from(xs);

// y_true: 1 1 1 0 0 0 1 NaN ; y_pred: 1 1 0 1 0 0 NaN 1 → TP 2, FN 1, FP 1, TN 2 (last two rows dropped)
const c = binaryCounts(f([1, 1, 1, 0, 0, 0, 1, NaN]), f([1, 1, 0, 1, 0, 0, NaN, 1]));

describe('binary realized metrics (hand-checked)', () => {
  it('counts the labelled rows only', () => {
    expect(c).toEqual({ tp: 2, tn: 2, fp: 1, fn: 1, n: 6 });
  });

  it('precision, recall, f1, specificity, accuracy', () => {
    expect(precision(c)).toBeCloseTo(2 / 3, 15);
    expect(recall(c)).toBeCloseTo(2 / 3, 15);
    expect(f1(c)).toBeCloseTo(2 / 3, 15); // 2·2 / (3 + 3)
    expect(specificity(c, false)).toBeCloseTo(2 / 3, 15);
    expect(accuracy(c)).toBeCloseTo(4 / 6, 15);
  });

  it('is NaN for precision/recall/f1 when y_true or y_pred holds one class (NannyML)', () => {
    const onePred = binaryCounts(f([1, 0, 1]), f([1, 1, 1]));
    expect(precision(onePred)).toBeNaN();
    expect(recall(onePred)).toBeNaN();
    expect(f1(onePred)).toBeNaN();
    expect(accuracy(onePred)).toBeCloseTo(2 / 3, 15);
  });

  it('specificity: TN/(TN+FP), NaN without negatives; a single label fails only without fixed labels', () => {
    const noNeg = binaryCounts(f([1, 1]), f([0, 1]));
    expect(specificity(noNeg, true)).toBeNaN();
    const allOne = binaryCounts(f([1, 1]), f([1, 1]));
    expect(specificity(allOne, false)).toBeNaN();
    const allZero = binaryCounts(f([0, 0]), f([0, 0]));
    expect(specificity(allZero, true)).toBe(1);
    expect(specificity(allZero, false)).toBeNaN();
  });

  it('confusion-matrix cells with each normalisation', () => {
    expect(confusionCell(c, 'true_positive', null, false)).toBe(2);
    expect(confusionCell(c, 'false_negative', 'all', false)).toBeCloseTo(1 / 6, 15);
    expect(confusionCell(c, 'true_positive', 'true', false)).toBeCloseTo(2 / 3, 15); // TP/(TP+FN)
    expect(confusionCell(c, 'false_positive', 'true', false)).toBeCloseTo(1 / 3, 15); // FP/(FP+TN)
    expect(confusionCell(c, 'true_negative', 'pred', false)).toBeCloseTo(2 / 3, 15); // TN/(TN+FN)
    expect(confusionCell(c, 'false_positive', 'pred', false)).toBeCloseTo(1 / 3, 15); // FP/(FP+TP)
  });

  it('an empty normalising group is NaN for PerformanceCalculator, 0 for CBPE (sklearn nan_to_num)', () => {
    const noPos = binaryCounts(f([0, 0]), f([0, 1]));
    expect(confusionCell(noPos, 'true_positive', 'true', false)).toBeNaN();
    expect(confusionCell(noPos, 'true_positive', 'true', true)).toBe(0);
  });

  it('business value Σ bv ⊙ cm, and per prediction (columns normalised)', () => {
    const bv = [
      [1, -2],
      [-3, 10],
    ];
    // cm [[TN 2, FP 1], [FN 1, TP 2]]
    expect(businessValue(c, bv, null, true)).toBe(2 * 1 + 1 * -2 + 1 * -3 + 2 * 10);
    // columns: predicted 0 = TN 2 + FN 1, predicted 1 = FP 1 + TP 2
    expect(businessValue(c, bv, 'per_prediction', true)).toBeCloseTo((2 / 3) * 1 + (1 / 3) * -3 + (1 / 3) * -2 + (2 / 3) * 10, 14);
  });

  it('reproduces NannyML broadcasting a 1×1 confusion matrix over the value matrix (single label overall)', () => {
    const allOne = binaryCounts(f([1, 1, 1]), f([1, 1, 1]));
    const bv = [
      [1, -2],
      [-3, 10],
    ];
    expect(businessValue(allOne, bv, null, false)).toBe(3 * 6);
    expect(businessValue(allOne, bv, null, true)).toBe(30);
  });
});
