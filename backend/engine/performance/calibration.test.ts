import {
  binIndexEdges,
  calibrate,
  calibrateMulticlass,
  expectedCalibrationError,
  fitIsotonic,
  heldOutCalibrationErrors,
  needsCalibration,
  poolAdjacentViolators,
  predictIsotonic,
  stratifiedTestSets,
} from './calibration';
import { seededRandom } from '../random';
import { sklearnStratifiedTestSets } from './sklearn-split';

const f = (xs: number[]) => Float64Array.from(xs);

describe('isotonic regression (sklearn semantics)', () => {
  it('pools adjacent violators with weights', () => {
    const y = f([1, 3, 2, 4]);
    poolAdjacentViolators(y, f([1, 1, 1, 1]));
    expect(Array.from(y)).toEqual([1, 2.5, 2.5, 4]);
    const w = f([1, 3, 1]);
    const z = f([3, 1, 5]);
    poolAdjacentViolators(z, w);
    expect(Array.from(z)).toEqual([1.5, 1.5, 5]); // (3·1 + 1·3)/4
  });

  it('pools back across earlier blocks', () => {
    const y = f([2, 3, 1]);
    poolAdjacentViolators(y, f([1, 1, 1]));
    expect(Array.from(y)).toEqual([2, 2, 2]);
  });

  it('merges equal scores into their label mean, then fits a non-decreasing step', () => {
    // score 0.2: labels 0,1 → 0.5; 0.4: 0 → 0; 0.6: 1,1 → 1; 0.8: 1 → 1
    const fit = fitIsotonic(f([0.2, 0.2, 0.4, 0.6, 0.6, 0.8]), f([0, 1, 0, 1, 1, 1]));
    // 0.5 > 0 violates: pooled (0.5·2 + 0·1)/3 = 1/3 over 0.2, 0.4; the flat run 0.6..0.8 keeps its ends
    expect(Array.from(fit.x)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(fit.y[0]).toBeCloseTo(1 / 3, 15);
    expect(fit.y[1]).toBeCloseTo(1 / 3, 15);
    expect(Array.from(fit.y.subarray(2))).toEqual([1, 1]);
  });

  it('drops interior points of flat runs', () => {
    const fit = fitIsotonic(f([0.1, 0.2, 0.3, 0.4, 0.5]), f([0, 0, 0, 0, 1]));
    expect(Array.from(fit.x)).toEqual([0.1, 0.4, 0.5]);
  });

  it('interpolates linearly between points and clips outside the fitted range', () => {
    const fit = { x: f([0.2, 0.6]), y: f([0.1, 0.5]) };
    expect(predictIsotonic(fit, 0.4)).toBeCloseTo(0.3, 15);
    expect(predictIsotonic(fit, 0.0)).toBe(0.1);
    // a fitted point returns its value exactly (np.interp), not 0.1 + slope·0.4 = 0.5000000000000001
    expect(predictIsotonic(fit, 0.9)).toBe(0.5);
    expect(predictIsotonic({ x: f([0, 0.2, 0.6, 1]), y: f([0, 0.1, 0.5, 1]) }, 0.6)).toBe(0.5);
    expect(predictIsotonic(fit, 0.2)).toBe(0.1);
    expect(predictIsotonic(fit, NaN)).toBeNaN();
    expect(Array.from(calibrate(fit, f([0.2, 0.2, 0.6])))).toEqual([0.1, 0.1, 0.5]);
    expect(calibrate(null, f([0.3]))[0]).toBe(0.3);
  });
});

describe('needs_calibration', () => {
  it('bins by equal counts, the last edge forced to n (NannyML docstring example)', () => {
    expect(binIndexEdges(20, 4)).toEqual([
      [0, 5],
      [5, 10],
      [10, 15],
      [15, 20],
    ]);
    // range(0, 24, 2) has 12 edges: NannyML then gets 11 bins, the last one wider
    const edges = binIndexEdges(23, 10);
    expect(edges).toHaveLength(11);
    expect(edges[10]).toEqual([20, 23]);
  });

  it('ECE weighs each bin’s |mean score − mean label|', () => {
    const labels = f([0, 1, 1, 1]);
    const scores = f([0.2, 0.4, 0.6, 0.8]);
    // bins [0.2, 0.4] → |0.3 − 0.5|, [0.6, 0.8] → |0.7 − 1|
    expect(expectedCalibrationError(labels, scores, [[0, 2], [2, 4]])).toBeCloseTo(0.5 * 0.2 + 0.5 * 0.3, 15);
  });

  it('splits stratified: every test set keeps the class shares and is reproducible', () => {
    const labels = Float64Array.from({ length: 100 }, (_, i) => (i < 30 ? 1 : 0));
    const sets = stratifiedTestSets(labels, 10, 0.1, seededRandom(42));
    expect(sets).toHaveLength(10);
    for (const t of sets) {
      expect(t.length).toBe(10);
      expect(Array.from(t).filter((i) => labels[i] === 1)).toHaveLength(3);
      expect(new Set(t).size).toBe(10);
    }
    expect(stratifiedTestSets(labels, 10, 0.1, seededRandom(42))).toEqual(sets);
  });

  it('says no for one class or nearly separable scores, yes for miscalibrated scores', () => {
    const n = 2000;
    const rng = seededRandom(7);
    const scores = new Float64Array(n);
    const labels = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      scores[i] = Math.round(rng() * 100) / 100;
      // true probability is score², so raw scores are overconfident
      labels[i] = rng() < scores[i] ** 2 ? 1 : 0;
    }
    expect(needsCalibration(labels, scores)).toBe(true);
    expect(needsCalibration(new Float64Array(n), scores)).toBe(false);
    const separable = Float64Array.from(labels, (y) => (y === 1 ? 0.9 : 0.1));
    expect(needsCalibration(labels, separable)).toBe(false);
  });

  it('held-out ECEs equal the row-wise computation (fit on each split\'s other rows, predict, stable sort)', () => {
    const stableOrder = (v: Float64Array) => Uint32Array.from(Array.from(v.keys()).sort((a, b) => v[a] - v[b] || a - b));
    for (const [n, decimals, seed] of [
      [3000, 2, 1],
      [1500, 4, 2],
      [2000, 0.5, 3], // three distinct scores: each group spans several bins
    ]) {
      const rng = seededRandom(seed);
      const scores = new Float64Array(n);
      const labels = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        scores[i] = Math.round(rng() * 10 ** decimals) / 10 ** decimals;
        labels[i] = rng() < scores[i] ** 2 ? 1 : 0;
      }
      const splits = sklearnStratifiedTestSets(labels, 10, 0.1, 42);
      const y: number[] = [];
      const before: number[] = [];
      const after: number[] = [];
      for (const test of splits) {
        const held = new Set(test);
        const train = Array.from(scores.keys()).filter((i) => !held.has(i));
        const fit = fitIsotonic(Float64Array.from(train, (i) => scores[i]), Float64Array.from(train, (i) => labels[i]));
        for (const i of test) {
          y.push(labels[i]);
          before.push(scores[i]);
          after.push(predictIsotonic(fit, scores[i]));
        }
      }
      const edges = binIndexEdges(y.length, 10);
      const want = {
        before: expectedCalibrationError(y, f(before), edges, stableOrder(f(before))),
        after: expectedCalibrationError(y, f(after), edges, stableOrder(f(after))),
      };
      expect(heldOutCalibrationErrors(labels, scores)).toEqual(want);
      expect(needsCalibration(labels, scores)).toBe(want.before > want.after);
    }
  });
});

describe('multiclass calibration', () => {
  it('renormalises rows to sum 1; a zero row becomes uniform', () => {
    const out = calibrateMulticlass([null, null, null], [f([0.2, 0]), f([0.2, 0]), f([0.6, 0])]);
    expect(out.map((c) => c[0])).toEqual([0.2, 0.2, 0.6].map((v) => v / 1));
    expect(out.map((c) => c[1])).toEqual([1 / 3, 1 / 3, 1 / 3]);
    const scaled = calibrateMulticlass([null, null], [f([0.2]), f([0.6])]);
    expect(scaled[0][0]).toBeCloseTo(0.25, 15);
  });
});
