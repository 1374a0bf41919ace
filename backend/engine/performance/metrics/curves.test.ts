import { averagePrecision, rocAuc, thresholdCurve, trapezoid } from './curves';

const f = (xs: number[]) => Float64Array.from(xs);

describe('ranking curves (sklearn semantics)', () => {
  it('roc_auc of the sklearn docs example is 0.75', () => {
    expect(rocAuc(f([0, 0, 1, 1]), f([0.1, 0.4, 0.35, 0.8]))).toBeCloseTo(0.75, 15);
  });

  it('average_precision of the sklearn docs example is 0.8333…', () => {
    expect(averagePrecision(f([0, 0, 1, 1]), f([0.1, 0.4, 0.35, 0.8]))).toBeCloseTo(5 / 6, 15);
  });

  it('counts a tied positive/negative pair as one half (average ranks)', () => {
    // pairs (pos, neg): (0.5, 0.5) = ½, (0.5, 0.2) = 1, (0.9, 0.5) = 1, (0.9, 0.2) = 1 → 3.5 / 4
    expect(rocAuc(f([0, 1, 0, 1]), f([0.5, 0.5, 0.2, 0.9]))).toBeCloseTo(0.875, 15);
  });

  it('treats a tie as one threshold in AP: R 0→½ at P 1, ½→1 at P ⅔', () => {
    expect(averagePrecision(f([0, 1, 0, 1]), f([0.5, 0.5, 0.2, 0.9]))).toBeCloseTo(0.5 + 0.5 * (2 / 3), 15);
  });

  it('does not depend on row order within ties', () => {
    const y = f([1, 0, 1, 0, 1, 0]);
    const s = f([0.3, 0.3, 0.3, 0.7, 0.7, 0.1]);
    const perm = [5, 3, 1, 0, 4, 2];
    const yp = f(perm.map((i) => y[i]));
    const sp = f(perm.map((i) => s[i]));
    expect(rocAuc(yp, sp)).toBe(rocAuc(y, s));
    expect(averagePrecision(yp, sp)).toBe(averagePrecision(y, s));
  });

  it('skips rows with a missing label or score, and is NaN with one class', () => {
    expect(rocAuc(f([0, NaN, 1, 1]), f([0.1, 0.9, NaN, 0.8]))).toBe(1);
    expect(rocAuc(f([1, 1]), f([0.2, 0.4]))).toBeNaN();
    expect(averagePrecision(f([0, 0]), f([0.2, 0.4]))).toBeNaN();
  });

  it('builds cumulative counts per distinct threshold, descending', () => {
    const c = thresholdCurve(f([0, 1, 0, 1]), f([0.5, 0.5, 0.2, 0.9]));
    expect(Array.from(c.tps)).toEqual([1, 2, 2]);
    expect(Array.from(c.fps)).toEqual([0, 1, 2]);
  });

  it('trapezoid is the area under a polyline', () => {
    expect(trapezoid([0, 0.5, 1], [0, 1, 1])).toBeCloseTo(0.75, 15);
  });
});
