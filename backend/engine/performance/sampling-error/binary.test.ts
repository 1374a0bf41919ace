import { binaryCounts } from '../../../../test/helpers/binary-counts';
import { averagePrecision } from '../metrics/curves';
import { randomInt, seededRandom } from '../../random';
import {
  apComponents,
  apSamplingError,
  aurocComponents,
  averagePrecisionFromCounts,
  bootstrapAveragePrecisions,
  businessValueComponents,
  businessValueSamplingError,
  confusionCellComponents,
  confusionCellSamplingError,
  f1Components,
  precisionComponents,
  recallComponents,
  scaledBernoulliStd,
  specificityComponents,
  universalSamplingError,
} from './binary';

const f = (xs: number[]) => Float64Array.from(xs);
// TP 2, FN 1, FP 1, TN 4 (N = 8)
const c = binaryCounts(f([1, 1, 1, 0, 0, 0, 0, 0]), f([1, 1, 0, 1, 0, 0, 0, 0]));

describe('binary sampling-error components (hand-checked)', () => {
  it('std₀ of a 0/1 vector is sqrt(p(1−p))', () => {
    expect(scaledBernoulliStd(1, 3)).toBeCloseTo(Math.sqrt(0.25 * 0.75), 15);
    expect(scaledBernoulliStd(2, 2, 4)).toBeCloseTo(2, 15); // [4, 4, 0, 0]
    expect(scaledBernoulliStd(0, 0)).toBeNaN();
  });

  it('precision: [1 per TP, 0 per FP], fraction #ŷ=1/N; SE = std/√(n·fraction)', () => {
    const fit = precisionComponents(c);
    expect(fit.std).toBeCloseTo(Math.sqrt((2 / 3) * (1 / 3)), 15);
    expect(fit.fraction).toBeCloseTo(3 / 8, 15);
    expect(universalSamplingError(fit, 100)).toBeCloseTo(fit.std / Math.sqrt(100 * 3 / 8), 15);
  });

  it('recall and specificity fractions are #y=1/N and (TN+FP)/N', () => {
    expect(recallComponents(c).fraction).toBeCloseTo(3 / 8, 15);
    const spec = specificityComponents(c);
    expect(spec.std).toBeCloseTo(Math.sqrt(0.8 * 0.2), 15);
    expect(spec.fraction).toBeCloseTo(5 / 8, 15);
  });

  it('f1 scales [TP ones, FN/FP zeros] by len/((FN+FP)/2 + TP)', () => {
    const fit = f1Components(c);
    const factor = 4 / (1 + 2); // len 4, (1+1)/2 + 2
    expect(fit.std).toBeCloseTo(factor * Math.sqrt(0.5 * 0.5), 15);
    expect(fit.fraction).toBeCloseTo(4 / 8, 15);
  });

  it('confusion-matrix cells: counts scale by n, rates by 1/√n, true/pred by the group share', () => {
    const none = confusionCellComponents(c, 'true_positive', null);
    expect(confusionCellSamplingError(none, 16)).toBeCloseTo((Math.sqrt(0.25 * 0.75) / 4) * 16, 14);
    const all = confusionCellComponents(c, 'true_positive', 'all');
    expect(confusionCellSamplingError(all, 16)).toBeCloseTo(Math.sqrt(0.25 * 0.75) / 4, 15);
    const byTrue = confusionCellComponents(c, 'false_negative', 'true'); // FN among the 3 positives
    expect(byTrue.std).toBeCloseTo(Math.sqrt((1 / 3) * (2 / 3)), 15);
    expect(confusionCellSamplingError(byTrue, 16)).toBeCloseTo(byTrue.std / Math.sqrt(16 * 3 / 8), 15);
    const byPred = confusionCellComponents(c, 'true_negative', 'pred'); // TN among the 5 predicted 0
    expect(byPred.proportion).toBeCloseTo(5 / 8, 15);
  });

  it('business value: std₀ of bv[y][ŷ] per row; a total scales by √n', () => {
    const bv = [
      [0, -1],
      [-2, 3],
    ];
    // per-row values: TP 3,3  FN -2  FP -1  TN 0,0,0,0 → mean 3/8
    const values = [3, 3, -2, -1, 0, 0, 0, 0];
    const m = 3 / 8;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / 8);
    const fit = businessValueComponents(c, bv, null);
    expect(fit.std).toBeCloseTo(sd, 15);
    expect(businessValueSamplingError(fit, 25)).toBeCloseTo(sd * 5, 14);
    expect(businessValueSamplingError(businessValueComponents(c, bv, 'per_prediction'), 25)).toBeCloseTo(sd / 5, 15);
  });

  it('ROC AUC: Mann-Whitney ranks of the positives, ser_i = r_i − i over N_neg', () => {
    // sorted scores: 0.1(n) 0.2(p) 0.3(n) 0.4(p) 0.5(n) → positive ranks 1, 3 → ser 1, 2 → /3
    const fit = aurocComponents(f([0, 1, 0, 1, 0]), f([0.1, 0.2, 0.3, 0.4, 0.5]));
    expect(fit.std).toBeCloseTo(0.5 / 3, 15);
    expect(fit.fraction).toBeCloseTo(2 / 5, 15);
  });

  it('ROC AUC: flips a positive majority and drops a positive at rank 0 (as NannyML does)', () => {
    // 3 of 4 positive → flip: labels 1 0 0 0 → only rank-0... use scores so the single new positive sits at rank 0
    const fit = aurocComponents(f([0, 1, 1, 1]), f([0.9, 0.2, 0.3, 0.4]));
    // flipped scores 0.1 0.8 0.7 0.6, positive (row 0) at rank 0 → no ser entries → std of empty = NaN
    expect(fit.std).toBeNaN();
    expect(fit.fraction).toBeCloseTo(1 / 4, 15);
  });

  it('ROC AUC: the one-pass placement equals sorting the rows (ties in row order, flips, NaN, tiny flipped gaps)', () => {
    // the definition written out: stable sort by (flipped) score, walk the positives
    const bySorting = (yTrue: Float64Array, scores: Float64Array) => {
      const rows = Array.from(yTrue.keys()).filter((i) => !Number.isNaN(yTrue[i]) && !Number.isNaN(scores[i]));
      const pos = rows.filter((i) => yTrue[i] === 1).length;
      const flip = pos / rows.length > 0.5;
      const label = (i: number) => (flip ? 1 - (yTrue[i] === 1 ? 1 : 0) : yTrue[i] === 1 ? 1 : 0);
      const score = (i: number) => (flip ? 1 - scores[i] : scores[i]);
      const order = rows.slice().sort((a, b) => score(a) - score(b) || a - b);
      const nPos = flip ? rows.length - pos : pos;
      const ser: number[] = [];
      let k = 0;
      for (let r = 1; r < order.length; r++) {
        if (label(order[r]) === 1) ser.push((r - k++) / (rows.length - nPos));
      }
      const mean = ser.reduce((a, b) => a + b, 0) / ser.length;
      return { std: Math.sqrt(ser.reduce((a, v) => a + (v - mean) * (v - mean), 0) / ser.length), fraction: nPos / rows.length };
    };
    const rng = seededRandom(21);
    for (const [n, decimals, positiveShare] of [
      [3000, 2, 0.3],
      [3000, 2, 0.7],
      [2500, 5, 0.6],
      [40, 1, 0.5],
    ]) {
      const yTrue = new Float64Array(n);
      const scores = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        scores[i] = rng() < 0.02 ? NaN : Math.round(rng() * 10 ** decimals) / 10 ** decimals;
        yTrue[i] = rng() < 0.02 ? NaN : rng() < positiveShare ? 1 : 0;
      }
      const fit = aurocComponents(yTrue, scores);
      const want = bySorting(yTrue, scores);
      expect(fit.std).toBe(want.std);
      expect(fit.fraction).toBe(want.fraction);
    }
    // flipped, 1e-17 and 2e-17 both become 1: one tie, broken by row order
    const tiny = aurocComponents(f([1, 0, 1, 1, 0, 1, 1]), f([2e-17, 1e-17, 0.5, 0.7, 1e-17, 0.6, 2e-17]));
    expect(tiny).toEqual(bySorting(f([1, 0, 1, 1, 0, 1, 1]), f([2e-17, 1e-17, 0.5, 0.7, 1e-17, 0.6, 2e-17])));
  });

  it('AP bootstrap: each resample is the AP of randomInt-drawn rows, as sklearn computes it', () => {
    const rng = seededRandom(8);
    const n = 1003; // an odd sample size (501)
    const labels = new Float64Array(n);
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      scores[i] = i % 50 === 7 ? NaN : Math.round(rng() * 100) / 100;
      labels[i] = i % 61 === 3 ? NaN : rng() < scores[i] ? 1 : 0;
    }
    const rows = Array.from(labels.keys()).filter((i) => !Number.isNaN(labels[i]) && !Number.isNaN(scores[i]));
    const draw = seededRandom(17);
    const size = Math.floor(rows.length / 2);
    const want = Array.from({ length: 50 }, () => {
      const picked = Array.from({ length: size }, () => rows[randomInt(draw, rows.length)]);
      return averagePrecision(Float64Array.from(picked, (i) => labels[i]), Float64Array.from(picked, (i) => scores[i]));
    });
    const got = bootstrapAveragePrecisions(labels, scores, seededRandom(17));
    expect(got.sampleSize).toBe(size);
    expect(Array.from(got.values)).toEqual(want);
  });

  it('AP bootstrap: counts per score give the same AP as sorting, and the SE scales with sqrt(size/n)', () => {
    const pos = f([0, 2, 1]);
    const neg = f([3, 1, 0]);
    // scores 0.1 (3 neg), 0.5 (2 pos, 1 neg), 0.9 (1 pos)
    const labels = f([0, 0, 0, 1, 1, 0, 1]);
    const scores = f([0.1, 0.1, 0.1, 0.5, 0.5, 0.5, 0.9]);
    expect(averagePrecisionFromCounts(pos, neg, 3)).toBeCloseTo(averagePrecision(labels, scores), 15);
    const rng = seededRandom(1);
    const many = (a: Float64Array) => Float64Array.from({ length: a.length * 10 }, (_, i) => a[i % a.length]);
    const { values, sampleSize } = bootstrapAveragePrecisions(many(labels), many(scores), rng);
    expect(values).toHaveLength(50);
    expect(sampleSize).toBe(35); // min(N//2, 50 000)
    for (const v of values) expect(v).toBeGreaterThan(0);
    const fit = apComponents(many(labels), many(scores), seededRandom(1));
    expect(fit.std).toBeGreaterThan(0);
    expect(apSamplingError(fit, 140)).toBeCloseTo(fit.std * Math.sqrt(35 / 140), 15);
    // seeded: the same seed gives the same components
    expect(apComponents(many(labels), many(scores), seededRandom(1)).std).toBe(fit.std);
    expect(apComponents(f([0, 0]), f([0.1, 0.2]), rng).std).toBeNaN();
  });
});
