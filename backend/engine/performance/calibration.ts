/**
 * Probability calibration for CBPE (spec §4.1, nannyml/calibration.py):
 * - isotonic regression as scikit-learn's IsotonicRegression(increasing=True, out_of_bounds='clip'):
 *   equal scores merged (label mean weighted by count), pool-adjacent-violators, points inside flat runs
 *   trimmed, prediction by linear interpolation (np.interp, which scipy's interp1d uses) after clipping
 *   to the fitted score range;
 * - NannyML's `needs_calibration` rule: calibrate when isotonic calibration, cross-validated over 10
 *   stratified shuffle splits, lowers the expected calibration error.
 */
import { curveFromCounts, rocAucFromCurve } from './metrics/curves';
import { rankScores, stableAscendingOrder } from './order';
import { RankedLabels, tallyRanked } from './tally';
import { SeededRandom, shuffleInPlace } from '../random';
import { sklearnStratifiedTestSets } from './sklearn-split';

/** A fitted calibrator: the isotonic step function's points (plain data, storable). */
export interface IsotonicFit {
  x: Float64Array;
  y: Float64Array;
}

/** np.finfo(float64).resolution: sklearn merges scores closer than this. */
const FLOAT64_RESOLUTION = 1e-15;

/**
 * Fits on the rows where score and 0/1 label are present. `ranked`: the scores ranked with their labels
 * counted, when the caller has them.
 */
export function fitIsotonic(scores: Float64Array, labels: Float64Array, ranked: RankedLabels = tallyRanked(labels, null, scores)): IsotonicFit {
  const { positives, negatives } = ranked;
  return isotonicFromCounts(ranked.values, positives, positives.map((p, r) => p + negatives[r]));
}

/**
 * The isotonic fit from label counts per distinct score (ascending; entries with total 0 are skipped).
 * With 0/1 labels sklearn's merged target of equal scores is #ones/#rows; scores closer than
 * float64 resolution count as equal, as in sklearn's `_make_unique`.
 */
export function isotonicFromCounts(distinct: Float64Array, ones: Float64Array, total: Float64Array): IsotonicFit {
  const ux = new Float64Array(distinct.length);
  const uy = new Float64Array(distinct.length);
  const uw = new Float64Array(distinct.length);
  let m = 0;
  let cx = NaN;
  let cw = 0;
  let cy = 0;
  for (let r = 0; r < distinct.length; r++) {
    if (total[r] === 0) continue;
    const x = distinct[r];
    if (cw > 0 && x - cx >= FLOAT64_RESOLUTION) {
      ux[m] = cx;
      uy[m] = cy / cw;
      uw[m++] = cw;
      cw = 0;
      cy = 0;
    }
    if (cw === 0) cx = x;
    cw += total[r];
    cy += ones[r];
  }
  if (cw > 0) {
    ux[m] = cx;
    uy[m] = cy / cw;
    uw[m++] = cw;
  }
  const y = uy.slice(0, m);
  poolAdjacentViolators(y, uw.subarray(0, m));
  return trimFlatRuns(ux.subarray(0, m), y);
}

/**
 * In-place non-decreasing isotonic regression with weights, in scikit-learn's single-pass
 * block-merging form (`_inplace_contiguous_isotonic_regression`), so pooled means match its arithmetic.
 */
export function poolAdjacentViolators(y: Float64Array, w: Float64Array): void {
  const n = y.length;
  if (n === 0) return;
  // target[i] = end of the block starting at i, target[end] = its start
  const target = new Int32Array(n);
  for (let i = 0; i < n; i++) target[i] = i;
  let i = 0;
  while (i < n) {
    let k = target[i] + 1;
    if (k === n) break;
    if (y[i] < y[k]) {
      i = k;
      continue;
    }
    let sumWy = w[i] * y[i];
    let sumW = w[i];
    for (;;) {
      const prevY = y[k];
      sumWy += w[k] * y[k];
      sumW += w[k];
      k = target[k] + 1;
      if (k === n || prevY < y[k]) {
        y[i] = sumWy / sumW;
        w[i] = sumW;
        target[i] = k - 1;
        target[k - 1] = i;
        if (i > 0) i = target[i - 1];
        break;
      }
    }
  }
  i = 0;
  while (i < n) {
    const k = target[i] + 1;
    for (let m = i + 1; m < k; m++) y[m] = y[i];
    i = k;
  }
}

/** sklearn drops points whose value equals both neighbours (keeps the interpolation identical). */
function trimFlatRuns(x: Float64Array, y: Float64Array): IsotonicFit {
  const n = y.length;
  if (n <= 2) return { x: x.slice(), y: y.slice() };
  const kx = new Float64Array(n);
  const ky = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (i === 0 || i === n - 1 || y[i - 1] !== y[i] || y[i] !== y[i + 1]) {
      kx[m] = x[i];
      ky[m++] = y[i];
    }
  }
  return { x: kx.slice(0, m), y: ky.slice(0, m) };
}

/** Calibrated value of one score (NaN stays NaN). */
export function predictIsotonic(fit: IsotonicFit, score: number): number {
  const { x, y } = fit;
  const m = x.length;
  if (Number.isNaN(score) || m === 0) return NaN;
  if (m === 1) return y[0];
  const t = score < x[0] ? x[0] : score > x[m - 1] ? x[m - 1] : score;
  // scipy's interp1d hands 1-D float64 data to np.interp: j = last point with x[j] ≤ t; exact points
  // return their y, others slope·(t − x[j]) + y[j]
  let lo = 0;
  let hi = m - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (x[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  const j = lo;
  if (j === m - 1 || x[j] === t) return y[j];
  const slope = (y[j + 1] - y[j]) / (x[j + 1] - x[j]);
  return slope * (t - x[j]) + y[j];
}

export function calibrate(fit: IsotonicFit | null, scores: Float64Array): Float64Array {
  if (fit === null) return scores;
  const out = new Float64Array(scores.length);
  // Scores repeat a lot (rounded model outputs): remember the last lookup.
  let lastS = NaN;
  let lastV = NaN;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (s !== lastS) {
      lastS = s;
      lastV = predictIsotonic(fit, s);
    }
    out[i] = lastV;
  }
  return out;
}

// -------------------------------------------------------------------------------------------------
// needs_calibration

/** NannyML's needs_calibration defaults (nannyml/calibration.py). */
export const CALIBRATION_SPLITS = 10;
export const CALIBRATION_TEST_SIZE = 0.1;
export const CALIBRATION_BINS = 10;
/** Above this reference ROC AUC the scores are considered separated enough: no calibration. */
export const CALIBRATION_AUC_CUTOFF = 0.999;
/** random_state of NannyML's StratifiedShuffleSplit (spec §4.1), reproduced by ./sklearn-split. */
export const CALIBRATION_SEED = 42;

/** Index pairs [start, end) of `binCount` equal-count bins (NannyML's `_get_bin_index_edges`). */
export function binIndexEdges(length: number, binCount: number): [number, number][] {
  if (length <= 2 * binCount) {
    binCount = Math.floor(length / 2);
    if (binCount < 2) throw new Error(`cannot split ${length} rows into at least 2 calibration bins`);
  }
  const width = Math.floor(length / binCount);
  const edges: number[] = [];
  for (let e = 0; e <= length; e += width) edges.push(e);
  edges[edges.length - 1] = length;
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < edges.length; i++) out.push([edges[i], edges[i + 1]]);
  return out;
}

/**
 * ECE = Σ_bins (|bin|/n)·|mean(score) − mean(y)| over equal-count bins of the rows sorted by score (ties
 * in row order); `order` is that order when the caller has it.
 */
export function expectedCalibrationError(
  labels: ArrayLike<number>,
  scores: Float64Array,
  edges: [number, number][],
  order: Uint32Array = stableAscendingOrder(scores),
): number {
  const n = scores.length;
  let ece = 0;
  for (const [l, r] of edges) {
    let sp = 0;
    let sy = 0;
    for (let i = l; i < r; i++) {
      sp += scores[order[i]];
      sy += labels[order[i]];
    }
    const len = r - l;
    ece += (len / n) * Math.abs(sp / len - sy / len);
  }
  return ece;
}

/**
 * Test index sets of stratified shuffle splits of 0/1 labels: each class contributes its share of the
 * test set (the larger remainder gets the leftover row), rows drawn by a seeded shuffle.
 */
export function stratifiedTestSets(labels: Float64Array, nSplits: number, testSize: number, rng: SeededRandom): Int32Array[] {
  const n = labels.length;
  const nTest = Math.ceil(testSize * n);
  const members = classMembers(labels);
  const exact = members.map((m) => (m.length * nTest) / n);
  const counts = exact.map(Math.floor);
  if (counts[0] + counts[1] < nTest) counts[exact[1] - counts[1] > exact[0] - counts[0] ? 1 : 0]++;
  const splits: Int32Array[] = [];
  // every split shuffles a fresh copy of the class's rows: one buffer serves them all
  const idx = new Int32Array(Math.max(members[0].length, members[1].length));
  const draws = new Float64Array(idx.length);
  for (let s = 0; s < nSplits; s++) {
    const test = new Int32Array(counts[0] + counts[1]);
    let k = 0;
    for (let c = 0; c < 2; c++) {
      const shuffled = idx.subarray(0, members[c].length);
      shuffled.set(members[c]);
      shuffleInPlace(shuffled, rng, draws);
      test.set(shuffled.subarray(0, counts[c]), k);
      k += counts[c];
    }
    splits.push(test);
  }
  return splits;
}

/** The rows of class 0 (label not 1) and of class 1, each in row order. */
function classMembers(labels: Float64Array): Int32Array[] {
  const rows = new Int32Array(labels.length);
  let zero = 0;
  let one = labels.length - 1;
  // class 0 fills rows from the front, class 1 from the back (reversed), in one pass that does not
  // branch on the label
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i] === 1 ? 1 : 0;
    rows[c === 1 ? one : zero] = i;
    one -= c;
    zero += 1 - c;
  }
  return [rows.subarray(0, zero), rows.subarray(zero).reverse()];
}

/**
 * NannyML's needs_calibration: false for a single class or a reference ROC AUC above 0.999; otherwise
 * true when isotonic calibration lowers the ECE of the held-out rows of 10 stratified shuffle splits.
 * Rows must be complete (the caller rejects missing reference targets/scores, as NannyML does).
 * `ranked`: the scores ranked with their labels counted, when the caller has them.
 *
 * Nothing is sorted row by row: a split's fit needs label counts per distinct score (the training rows
 * are all rows minus the split's test rows), its calibration is a function of the score, and the ECE of
 * rows sorted by score (before) or calibrated score (after) follows from counts per group of equal
 * value.
 */
export function needsCalibration(
  labels: Float64Array,
  scores: Float64Array,
  seed = CALIBRATION_SEED,
  ranked: RankedLabels = tallyRanked(labels, null, scores),
): boolean {
  const n = labels.length;
  const { positives, negatives } = ranked;
  let ones = 0;
  for (let r = 0; r < positives.length; r++) ones += positives[r];
  if (ones === 0 || ones === n) return false;
  if (rocAucFromCurve(curveFromCounts(positives, negatives)) > CALIBRATION_AUC_CUTOFF) return false;
  const ece = heldOutErrors(labels, seed, ranked);
  return ece.before > ece.after;
}

/**
 * The ECE of the held-out rows of needs_calibration's splits: of the scores as they are, and after the
 * isotonic calibration fitted on the split's other rows.
 */
export function heldOutCalibrationErrors(labels: Float64Array, scores: Float64Array, seed = CALIBRATION_SEED): { before: number; after: number } {
  return heldOutErrors(labels, seed, tallyRanked(labels, null, scores));
}

function heldOutErrors(labels: Float64Array, seed: number, ranked: RankedLabels) {
  const { values: distinct, rank, positives, negatives } = ranked;
  const d = distinct.length;
  // scikit-learn's own splits (numpy's MT19937), so that the decision is NannyML's (docs/nannyml-differences.md)
  const splits = sklearnStratifiedTestSets(labels, CALIBRATION_SPLITS, CALIBRATION_TEST_SIZE, seed);
  // Per (split s, score rank r), at s·d + r: held-out rows, of them label 1, and the split's calibration
  // of the score, fitted on all rows less the split's held-out ones.
  const heldRows = new Float64Array(splits.length * d);
  const heldOnes = new Float64Array(splits.length * d);
  const calibrated = new Float64Array(splits.length * d);
  const trainOnes = new Float64Array(d);
  const trainRows = new Float64Array(d);
  splits.forEach((test, s) => {
    const at = s * d;
    countHeldOut(test, labels, rank, at, heldRows, heldOnes);
    for (let r = 0; r < d; r++) {
      trainOnes[r] = positives[r] - heldOnes[at + r];
      trainRows[r] = positives[r] + negatives[r] - heldRows[at + r];
    }
    const fit = isotonicFromCounts(distinct, trainOnes, trainRows);
    for (let r = 0; r < d; r++) calibrated[at + r] = predictIsotonic(fit, distinct[r]);
  });
  const total = splits.reduce((sum, t) => sum + t.length, 0);
  const edges = binIndexEdges(total, CALIBRATION_BINS);
  // Before: the held-out rows sorted by score, i.e. grouped by score rank, a group's rows in held-out
  // order (split after split).
  const rowsOfRank = new Float64Array(d);
  const onesOfRank = new Float64Array(d);
  for (let p = 0; p < heldRows.length; p++) {
    rowsOfRank[p % d] += heldRows[p];
    onesOfRank[p % d] += heldOnes[p];
  }
  const before = groupedCalibrationError(distinct, rowsOfRank, onesOfRank, edges, total, (r, m) => {
    let ones = 0;
    for (let s = 0; s < splits.length; s++) {
      const rows = heldRows[s * d + r];
      if (m <= rows) return ones + onesAmongFirst(splits[s], labels, rank, null, 0, r, m);
      ones += heldOnes[s * d + r];
      m -= rows;
    }
    return ones;
  });
  // After: sorted by calibrated score, i.e. grouped by the rank of the (split, score) pair's value.
  const pairs = rankScores(calibrated);
  const groups = pairs.distinct.length;
  const rowsOfGroup = new Float64Array(groups);
  const onesOfGroup = new Float64Array(groups);
  for (let p = 0; p < heldRows.length; p++) {
    rowsOfGroup[pairs.rank[p]] += heldRows[p];
    onesOfGroup[pairs.rank[p]] += heldOnes[p];
  }
  const after = groupedCalibrationError(pairs.distinct, rowsOfGroup, onesOfGroup, edges, total, (g, m) => {
    let ones = 0;
    for (let s = 0; s < splits.length; s++) {
      let rows = 0;
      let splitOnes = 0;
      for (let r = 0; r < d; r++) {
        if (pairs.rank[s * d + r] !== g) continue;
        rows += heldRows[s * d + r];
        splitOnes += heldOnes[s * d + r];
      }
      if (m <= rows) return ones + onesAmongFirst(splits[s], labels, rank, pairs.rank, s * d, g, m);
      ones += splitOnes;
      m -= rows;
    }
    return ones;
  });
  return { before, after };
}

/** Counts a split's held-out rows per score rank (rows[at + r], and label-1 rows ones[at + r]). */
function countHeldOut(test: Int32Array, labels: Float64Array, rank: Int32Array, at: number, rows: Float64Array, ones: Float64Array): void {
  for (let t = 0; t < test.length; t++) {
    const i = test[t];
    rows[at + rank[i]]++;
    ones[at + rank[i]] += labels[i] === 1 ? 1 : 0;
  }
}

/**
 * Label-1 rows among the first m held-out rows of a split that belong to group g: score rank g, or,
 * with `pairRank`, the group pairRank[at + rank] of the split's calibrated score.
 */
function onesAmongFirst(test: Int32Array, labels: Float64Array, rank: Int32Array, pairRank: Int32Array | null, at: number, g: number, m: number): number {
  let seen = 0;
  let ones = 0;
  for (let t = 0; t < test.length && seen < m; t++) {
    const i = test[t];
    if ((pairRank === null ? rank[i] : pairRank[at + rank[i]]) !== g) continue;
    seen++;
    if (labels[i] === 1) ones++;
  }
  return ones;
}

/**
 * expectedCalibrationError for rows sorted into groups of equal value (ascending; a group's rows in
 * their original order), from each group's value, rows and label-1 rows: no row is touched, except
 * where a bin edge cuts a group — `onesInFirst(g, m)` counts the label-1 rows among its first m. The
 * score sums still add one row at a time in sorted order, so the result is the same to the last bit.
 */
function groupedCalibrationError(
  value: Float64Array,
  rows: Float64Array,
  ones: Float64Array,
  edges: [number, number][],
  n: number,
  onesInFirst: (g: number, m: number) => number,
): number {
  let ece = 0;
  let g = 0;
  let used = 0; // rows of group g already in earlier bins
  let usedOnes = 0;
  for (const [l, r] of edges) {
    const len = r - l;
    let sp = 0;
    let sy = 0;
    let need = len;
    while (need > 0) {
      const take = Math.min(rows[g] - used, need);
      if (take > 0) {
        sp = addRepeatedly(sp, value[g], take);
        const end = used + take;
        const onesToEnd = end === rows[g] ? ones[g] : onesInFirst(g, end);
        sy += onesToEnd - usedOnes;
        used = end;
        usedOnes = onesToEnd;
        need -= take;
      }
      if (used === rows[g]) {
        g++;
        used = 0;
        usedOnes = 0;
      }
    }
    ece += (len / n) * Math.abs(sp / len - sy / len);
  }
  return ece;
}

/** sum + v + v + … (k times), added one at a time as a row-by-row sum would. */
function addRepeatedly(sum: number, v: number, k: number): number {
  for (let j = 0; j < k; j++) sum += v;
  return sum;
}

// -------------------------------------------------------------------------------------------------
// Multiclass: one-vs-rest calibrators, then rows renormalised to sum 1 (spec §4.3)

/**
 * Calibrated class probabilities: each class column through its calibrator (null = unchanged), then every
 * row divided by its sum; a row summing to 0 becomes uniform 1/K (NannyML's
 * `_calibrate_predicted_probabilities`). A missing score leaves the row missing.
 */
export function calibrateMulticlass(fits: (IsotonicFit | null)[], probas: Float64Array[]): Float64Array[] {
  const k = probas.length;
  const out = probas.map((p, c) => Float64Array.from(calibrate(fits[c], p)));
  const n = k === 0 ? 0 : out[0].length;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += out[c][i];
    if (s === 0) for (let c = 0; c < k; c++) out[c][i] = 1 / k;
    else for (let c = 0; c < k; c++) out[c][i] = out[c][i] / s;
  }
  return out;
}
