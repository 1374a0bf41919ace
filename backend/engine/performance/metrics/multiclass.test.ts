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
  multiclassCounts,
} from './multiclass';

// classes a=0, b=1, c=2; rows (true, pred): (a,a) (a,b) (b,b) (b,b) (c,a) (c,c) (-1 missing, c)
const yTrue = Int32Array.from([0, 0, 1, 1, 2, 2, -1]);
const yPred = Int32Array.from([0, 1, 1, 1, 0, 2, 2]);
const c = multiclassCounts(yTrue, yPred, 3);

describe('multiclass realized metrics (hand-checked)', () => {
  it('counts rows × columns = true × predicted over labelled rows', () => {
    expect(Array.from(c.cm)).toEqual([1, 1, 0, 0, 2, 0, 1, 0, 1]);
    expect(c.n).toBe(6);
  });

  it('macro precision, recall, f1, specificity and accuracy', () => {
    // precision: a 1/2, b 2/3, c 1/1; recall: a 1/2, b 2/2, c 1/2
    expect(macroPrecision(c)).toBeCloseTo((1 / 2 + 2 / 3 + 1) / 3, 15);
    expect(macroRecall(c)).toBeCloseTo((1 / 2 + 1 + 1 / 2) / 3, 15);
    // f1 = 2TP/(#true + #pred): a 2/4, b 4/5, c 2/3
    expect(macroF1(c)).toBeCloseTo((2 / 4 + 4 / 5 + 2 / 3) / 3, 15);
    // specificity = TN/(TN+FP): a 3/4, b 3/4, c 4/4
    expect(macroSpecificity(c)).toBeCloseTo((3 / 4 + 3 / 4 + 1) / 3, 15);
    expect(multiclassAccuracy(c, false)).toBeCloseTo(4 / 6, 15);
  });

  it('is NaN for a single class in y_true or y_pred; accuracy only in CBPE', () => {
    const one = multiclassCounts(Int32Array.from([1, 1]), Int32Array.from([1, 0]), 3);
    expect(macroF1(one)).toBeNaN();
    expect(multiclassAccuracy(one, false)).toBe(0.5);
    expect(multiclassAccuracy(one, true)).toBeNaN();
    expect(Array.from(multiclassConfusionMatrix(one, null)).every(Number.isNaN)).toBe(true);
  });

  it('normalises the confusion matrix by rows, columns or total (0/0 → 0)', () => {
    const byTrue = multiclassConfusionMatrix(c, 'true');
    expect(Array.from(byTrue.subarray(0, 3))).toEqual([0.5, 0.5, 0]);
    const byPred = multiclassConfusionMatrix(c, 'pred');
    expect(byPred[0]).toBeCloseTo(0.5, 15); // (a,a) / #pred a
    expect(byPred[4]).toBeCloseTo(2 / 3, 15);
    expect(multiclassConfusionMatrix(c, 'all')[4]).toBeCloseTo(2 / 6, 15);
  });

  it('business value, raw and per prediction', () => {
    const bv = [
      [1, 0, 0],
      [0, 2, 0],
      [-1, 0, 3],
    ];
    expect(multiclassBusinessValue(c, bv, null)).toBe(1 + 4 - 1 + 3);
    // columns: pred a = {a:1, c:1}, pred b = {a:1, b:2}, pred c = {c:1}
    expect(multiclassBusinessValue(c, bv, 'per_prediction')).toBeCloseTo(0.5 * 1 + 0.5 * -1 + (2 / 3) * 2 + 1 * 3, 14);
  });

  it('macro one-vs-rest ROC AUC and AP; NaN when a class is absent', () => {
    const t = Int32Array.from([0, 1, 2, 0, 1, 2]);
    const pa = Float64Array.from([0.8, 0.1, 0.1, 0.6, 0.3, 0.2]);
    const pb = Float64Array.from([0.1, 0.8, 0.1, 0.2, 0.4, 0.5]);
    const pc = Float64Array.from([0.1, 0.1, 0.8, 0.2, 0.3, 0.3]);
    // a: perfect (1); b: pos 0.8,0.4 vs neg 0.1,0.1,0.2,0.5 → (4 + 3)/8; c: pos 0.8,0.3 vs 0.1,0.1,0.2,0.3 → (4 + 3.5)/8
    expect(macroRocAuc(t, [pa, pb, pc])).toBeCloseTo((1 + 7 / 8 + 7.5 / 8) / 3, 15);
    expect(macroAveragePrecision(t, [pa, pb, pc])).toBeGreaterThan(0.7);
    expect(macroRocAuc(Int32Array.from([0, 1, 0, 1, 0, 1]), [pa, pb, pc])).toBeNaN();
  });

  it('refuses multiclass ROC AUC for scores that do not sum to 1 (sklearn)', () => {
    const t = Int32Array.from([0, 1, 2]);
    const p = [Float64Array.from([0.9, 0.1, 0.1]), Float64Array.from([0.1, 0.9, 0.1]), Float64Array.from([0.1, 0.1, 0.9])];
    expect(macroRocAuc(t, p)).toBeNaN();
    expect(macroAveragePrecision(t, p)).toBe(1);
  });
});
