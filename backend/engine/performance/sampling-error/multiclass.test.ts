import { multiclassCounts } from '../metrics/multiclass';
import {
  combinedSamplingError,
  confusionMatrixComponents,
  confusionMatrixSamplingErrors,
  f1ClassComponents,
  multiclassApSamplingError,
  multiclassAurocSamplingError,
  multiclassBusinessValueComponents,
  multiclassBusinessValueSamplingError,
  precisionClassComponents,
} from './multiclass';

const c = multiclassCounts(Int32Array.from([0, 0, 1, 1, 2, 2]), Int32Array.from([0, 1, 1, 1, 0, 2]), 3);

describe('multiclass sampling error (hand-checked)', () => {
  it('SE = sqrt(Σ v_c / (n f_c)) / K; ROC AUC × 1.2', () => {
    const comps = [
      { variance: 0.25, fraction: 0.5 },
      { variance: 0.16, fraction: 0.25 },
    ];
    const se = Math.sqrt(0.25 / 50 + 0.16 / 25) / 2;
    expect(combinedSamplingError(comps, 100)).toBeCloseTo(se, 15);
    expect(multiclassAurocSamplingError(comps, 100)).toBeCloseTo(se * 1.2, 15);
  });

  it('per-class precision and f1 components (no f1 correcting factor)', () => {
    const p = precisionClassComponents(c);
    // class a: TP 1, FP 1 (pred a: rows 0, 4) → var ¼, fraction 2/6
    expect(p[0].variance).toBeCloseTo(0.25, 15);
    expect(p[0].fraction).toBeCloseTo(2 / 6, 15);
    const f1 = f1ClassComponents(c);
    // class c: TP 1, FN 1, FP 0 → [1, 0] var ¼, fraction 2/6
    expect(f1[2].variance).toBeCloseTo(0.25, 15);
    expect(f1[2].fraction).toBeCloseTo(2 / 6, 15);
  });

  it('AP: sqrt(mean(v_c · size / n))', () => {
    expect(multiclassApSamplingError([{ variance: 0.01, sampleSize: 100 }, { variance: 0.03, sampleSize: 100 }], 50)).toBeCloseTo(Math.sqrt((0.02 + 0.06) / 2), 15);
  });

  it('confusion matrix: Bernoulli std per cell; true/pred use the row/column share', () => {
    const none = confusionMatrixComponents(c, null);
    expect(confusionMatrixSamplingErrors(none, 4)[0]).toBeCloseTo((Math.sqrt((1 / 6) * (5 / 6)) / 2) * 4, 14);
    const byTrue = confusionMatrixComponents(c, 'true');
    // cell (a, b): 1 of the 2 true-a rows
    expect(byTrue.stds[1]).toBeCloseTo(0.5, 15);
    expect(confusionMatrixSamplingErrors(byTrue, 12)[1]).toBeCloseTo(0.5 / Math.sqrt(12 * (2 / 6)), 15);
  });

  it('business value uses the sample std (pandas, ddof 1)', () => {
    const bv = [
      [1, 0, 0],
      [0, 1, 0],
      [5, 0, 1],
    ];
    // per-row values: (a,a) 1, (a,b) 0, (b,b) 1, (b,b) 1, (c,a) 5, (c,c) 1
    const v = [1, 0, 1, 1, 5, 1];
    const m = 9 / 6;
    const sd1 = Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / 5);
    const fit = multiclassBusinessValueComponents(c, bv, null);
    expect(fit.std).toBeCloseTo(sd1, 15);
    expect(multiclassBusinessValueSamplingError(fit, 9)).toBeCloseTo(sd1 * 3, 14);
  });
});
