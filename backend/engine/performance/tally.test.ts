import { binaryCounts, expectedCounts } from '../../../test/helpers/binary-counts';
import { estimateApSorted, estimateRankingFromGroups, estimateRocAucSorted, sortedByScoreDescending } from './cbpe/binary';
import { fitIsotonic, predictIsotonic } from './calibration';
import { averagePrecisionFromCurve, curveFromCounts, rocAucFromCurve, thresholdCurve } from './metrics/curves';
import { seededRandom } from '../random';
import { tallyBinary, tallyRanked } from './tally';

/** A chunk with repeated scores (2 decimals, or a few hundred near-continuous values), ±0 and missing cells. */
function chunk(seed: number, n: number, decimals: number) {
  const rng = seededRandom(seed);
  const scale = 10 ** decimals;
  const yTrue = new Float64Array(n);
  const yPred = new Float64Array(n);
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = Math.round(rng() * scale) / scale;
    scores[i] = rng() < 0.03 ? NaN : s === 0 && rng() < 0.5 ? -0 : s;
    yTrue[i] = rng() < 0.05 ? NaN : rng() < s ? 1 : 0;
    yPred[i] = rng() < 0.04 ? NaN : s >= 0.5 ? 1 : 0;
  }
  return { yTrue, yPred, scores };
}

/** The row-wise formulas the tally replaces: every value must come out bit for bit the same. */
function rowWise(yTrue: Float64Array, yPred: Float64Array, scores: Float64Array, calibrate: (s: number) => number) {
  const calibrated = scores.map((s) => (Number.isNaN(s) ? NaN : calibrate(s)));
  const ranked = sortedByScoreDescending(calibrated, scores);
  const curve = thresholdCurve(yTrue, scores);
  return {
    counts: binaryCounts(yTrue, yPred),
    expected: expectedCounts(yPred, calibrated),
    rocAuc: rocAucFromCurve(curve),
    averagePrecision: averagePrecisionFromCurve(curve),
    estimatedRocAuc: estimateRocAucSorted(ranked),
    estimatedAp: estimateApSorted(ranked),
  };
}

describe('binary tally (grouped by distinct score)', () => {
  const cases: [string, number, number][] = [
    ['two-decimal scores, 5000 rows', 5000, 2],
    ['five-decimal scores (mostly distinct), 3000 rows', 3000, 5],
    ['a small chunk', 23, 1],
  ];
  for (const [name, n, decimals] of cases) {
    const { yTrue, yPred, scores } = chunk(n + decimals, n, decimals);
    const present = scores.filter((s) => !Number.isNaN(s));
    const fit = fitIsotonic(present, yTrue.filter((_, i) => !Number.isNaN(scores[i])));
    for (const [how, calibrate] of [
      ['isotonic', (s: number) => predictIsotonic(fit, s)],
      ['uncalibrated', (s: number) => s],
    ] as const) {
      it(`${name}, ${how}: the same numbers as the row-wise formulas`, () => {
        const t = tallyBinary(yTrue, yPred, scores, calibrate);
        const want = rowWise(yTrue, yPred, scores, calibrate);
        expect(t.counts).toEqual(want.counts);
        expect(t.expected).toEqual(want.expected);
        const curve = curveFromCounts(t.positives, t.negatives);
        expect(rocAucFromCurve(curve)).toBe(want.rocAuc);
        expect(averagePrecisionFromCurve(curve)).toBe(want.averagePrecision);
        const est = estimateRankingFromGroups(t.calibrated!, t.rows);
        expect(est.rocAuc).toBe(want.estimatedRocAuc);
        expect(est.averagePrecision).toBe(want.estimatedAp);
        const both = (a: Float64Array, b: Float64Array) => a.filter((_, i) => !Number.isNaN(a[i]) && !Number.isNaN(b[i])).length;
        expect(t.scored).toBe(present.length);
        expect(t.scoredLabelled).toBe(both(scores, yTrue));
        expect(t.scoredPredicted).toBe(both(scores, yPred));
        expect(Array.from(t.values)).toEqual([...new Set(Array.from(present, (s) => (s === 0 ? 0 : s)))].sort((a, b) => a - b));
      });
    }
  }

  it('the reference tally with per-row ranks equals the grouped one, and ranks every row', () => {
    const { yTrue, yPred, scores } = chunk(4, 4000, 2);
    const ranked = tallyRanked(yTrue, yPred, scores);
    const grouped = tallyBinary(yTrue, yPred, scores);
    for (const key of ['values', 'rows', 'positives', 'negatives'] as const) expect(Array.from(ranked[key])).toEqual(Array.from(grouped[key]));
    expect(ranked.counts).toEqual(grouped.counts);
    // -0 and 0 share a rank; NaN has none
    const wrong = Array.from(ranked.rank).filter((r, i) => (r < 0 ? !Number.isNaN(scores[i]) : ranked.values[r] !== scores[i]));
    expect(wrong).toEqual([]);
  });

  it('tallies without targets, predictions or scores', () => {
    const { yTrue, yPred, scores } = chunk(9, 200, 2);
    const noTargets = tallyBinary(null, yPred, scores, (s) => s);
    expect(noTargets.counts).toBeNull();
    expect(noTargets.scoredLabelled).toBe(0);
    expect(noTargets.positives.every((v) => v === 0) && noTargets.negatives.every((v) => v === 0)).toBe(true);
    expect(noTargets.expected).toEqual(expectedCounts(yPred, scores));
    const noPredictions = tallyBinary(yTrue, null, scores, (s) => s);
    expect(noPredictions.counts).toBeNull();
    expect(noPredictions.expected).toBeNull();
    expect(noPredictions.scoredPredicted).toBe(0);
    const noScores = tallyBinary(yTrue, yPred, null);
    expect(noScores.counts).toEqual(binaryCounts(yTrue, yPred));
    expect(noScores.scored).toBe(0);
    expect(noScores.values.length).toBe(0);
    expect(noScores.expected).toBeNull();
  });

  it('an empty chunk gives NaN estimates', () => {
    const e = new Float64Array(0);
    const t = tallyBinary(e, e, e, (s) => s);
    expect(t.counts).toEqual({ tp: 0, tn: 0, fp: 0, fn: 0, n: 0 });
    expect(estimateRankingFromGroups(t.calibrated!, t.rows)).toEqual({ rocAuc: NaN, averagePrecision: NaN });
  });
});
