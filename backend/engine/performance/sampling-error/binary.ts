/**
 * Sampling-error components of the binary-classification metrics (spec §4.5,
 * nannyml/sampling_error/binary_classification.py). Components are fitted once on the reference rows
 * where the needed columns are present; the chunk SE needs only n. Fits are plain data.
 */
import { BinaryCell, BinaryCounts, BusinessValueNormalization, ConfusionNormalization, Matrix } from '../metrics/binary';
import { RankedLabels, tallyRanked } from '../tally';
import { SeededRandom } from '../../random';

/** SE = std / sqrt(n · fraction) (NannyML's `_universal_sampling_error`). */
export interface ComponentFit {
  std: number;
  fraction: number;
}

export function universalSamplingError(fit: ComponentFit, n: number): number {
  if (!(n > 0)) return NaN;
  return fit.std / Math.sqrt(n * fit.fraction);
}

/**
 * Population std of a vector holding `ones` copies of `scale` and `zeros` zeros, written out the way
 * numpy's two-pass std sees it. Empty → NaN.
 */
export function scaledBernoulliStd(ones: number, zeros: number, scale = 1): number {
  const total = ones + zeros;
  if (total === 0) return NaN;
  const mean = (ones * scale) / total;
  return Math.sqrt((ones * (scale - mean) ** 2 + zeros * mean ** 2) / total);
}

/** f1: [c per TP, 0 per FN, 0 per FP] with c = len / ((FN+FP)/2 + TP); fraction (TP+FN+FP)/N. */
export function f1Components(c: BinaryCounts): ComponentFit {
  const len = c.tp + c.fn + c.fp;
  if (len === 0) return { std: NaN, fraction: 0 };
  const correcting = len / ((c.fn + c.fp) * 0.5 + c.tp);
  return { std: scaledBernoulliStd(c.tp, c.fn + c.fp, correcting), fraction: len / c.n };
}

/** precision: [1 per TP, 0 per FP]; fraction = #ŷ=1 / N. */
export function precisionComponents(c: BinaryCounts): ComponentFit {
  return { std: scaledBernoulliStd(c.tp, c.fp), fraction: (c.tp + c.fp) / c.n };
}

/** recall: [1 per TP, 0 per FN]; fraction = #y=1 / N. */
export function recallComponents(c: BinaryCounts): ComponentFit {
  return { std: scaledBernoulliStd(c.tp, c.fn), fraction: (c.tp + c.fn) / c.n };
}

/** specificity: [1 per TN, 0 per FP]; fraction (TN+FP)/N. */
export function specificityComponents(c: BinaryCounts): ComponentFit {
  return { std: scaledBernoulliStd(c.tn, c.fp), fraction: (c.tn + c.fp) / c.n };
}

/** accuracy: std₀(1[y = ŷ]); SE = std/√n. */
export function accuracyComponents(c: BinaryCounts): ComponentFit {
  return { std: scaledBernoulliStd(c.tp + c.tn, c.fp + c.fn), fraction: 1 };
}

/** A confusion-matrix cell: std and relevant proportion for its normalisation. */
export interface CellFit {
  std: number;
  proportion: number;
  normalize: ConfusionNormalization;
}

export function confusionCellComponents(c: BinaryCounts, cell: BinaryCell, normalize: ConfusionNormalization): CellFit {
  const count = { true_positive: c.tp, true_negative: c.tn, false_positive: c.fp, false_negative: c.fn }[cell];
  if (normalize === null || normalize === 'all') return { std: scaledBernoulliStd(count, c.n - count), proportion: 1, normalize };
  let group: number;
  if (normalize === 'true') group = cell === 'true_positive' || cell === 'false_negative' ? c.tp + c.fn : c.tn + c.fp;
  else group = cell === 'true_positive' || cell === 'false_positive' ? c.tp + c.fp : c.tn + c.fn;
  return { std: scaledBernoulliStd(count, group - count), proportion: group / c.n, normalize };
}

/** None: std/√n·n (counts); all: std/√n; true/pred: std/√(n·proportion). */
export function confusionCellSamplingError(fit: CellFit, n: number): number {
  if (!(n > 0)) return NaN;
  if (fit.normalize === null) return (fit.std / Math.sqrt(n)) * n;
  if (fit.normalize === 'all') return fit.std / Math.sqrt(n);
  return fit.std / Math.sqrt(n * fit.proportion);
}

export interface BusinessValueFit {
  std: number;
  normalize: BusinessValueNormalization;
}

/** std₀ of the per-row value bv[y][ŷ]. */
export function businessValueComponents(c: BinaryCounts, bv: Matrix, normalize: BusinessValueNormalization): BusinessValueFit {
  if (c.n === 0) return { std: NaN, normalize };
  const groups: [number, number][] = [
    [c.tn, bv[0][0]],
    [c.fp, bv[0][1]],
    [c.fn, bv[1][0]],
    [c.tp, bv[1][1]],
  ];
  let mean = 0;
  for (const [k, v] of groups) mean += k * v;
  mean /= c.n;
  let ss = 0;
  for (const [k, v] of groups) ss += k * (v - mean) ** 2;
  return { std: Math.sqrt(ss / c.n), normalize };
}

/** Not normalised: std·n/√n (a total); per_prediction: std/√n. */
export function businessValueSamplingError(fit: BusinessValueFit, n: number): number {
  if (!(n > 0)) return NaN;
  return ((fit.normalize === null ? fit.std * n : fit.std) / Math.sqrt(n));
}

/**
 * ROC AUC as a Mann-Whitney statistic (spec §4.5): flip when positives are the majority, sort by score,
 * ser_i = rank of the i-th positive − i (the negatives before it) over N_neg. NannyML drops a positive
 * at rank 0 (`np.unique(r·y)[1:]`), so we do too. NannyML's argsort is unstable and platform dependent;
 * we break ties by row order (spec §9.1: 0.5 % tolerance).
 *
 * Rather than sorting the rows, each row's place follows from the label counts of the lower scores plus
 * the rows of its own score seen so far: one pass in row order. `ranked`: the scores ranked with their
 * labels counted, when the caller has them.
 */
export function aurocComponents(yTrue: Float64Array, scores: Float64Array, ranked: RankedLabels = tallyRanked(yTrue, null, scores)): ComponentFit {
  const { values: distinct, rank, positives: posAt, negatives: negAt } = ranked;
  const d = distinct.length;
  let n = 0;
  let pos = 0;
  for (let r = 0; r < d; r++) {
    n += posAt[r] + negAt[r];
    pos += posAt[r];
  }
  if (n === 0) return { std: NaN, fraction: 0 };
  const flip = pos / n > 0.5;
  // Groups of equal (flipped) score, ascending. Flipped, 1 − s reverses the ranks and may merge
  // neighbours that differ by less than its rounding.
  const group = new Int32Array(d);
  let groups = 0;
  if (!flip) for (let r = 0; r < d; r++) group[r] = groups++;
  else {
    let last = NaN;
    for (let r = d - 1; r >= 0; r--) {
      const v = 1 - distinct[r];
      if (v !== last) groups++;
      group[r] = groups - 1;
      last = v;
    }
  }
  // the counted class (positives, or the negatives when flipped) and the other, per group
  const cursorPos = new Int32Array(groups + 1);
  const cursorNeg = new Int32Array(groups + 1);
  for (let r = 0; r < d; r++) {
    cursorPos[group[r] + 1] += flip ? negAt[r] : posAt[r];
    cursorNeg[group[r] + 1] += flip ? posAt[r] : negAt[r];
  }
  let lowest = -1;
  for (let g = 0; g < groups; g++) {
    if (lowest < 0 && cursorPos[g + 1] + cursorNeg[g + 1] > 0) lowest = g;
    cursorPos[g + 1] += cursorPos[g];
    cursorNeg[g + 1] += cursorNeg[g];
  }
  const counted = flip ? 0 : 1;
  // the first row in score order (row order within the lowest score) is dropped when it is counted
  let dropped = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (rank[i] < 0 || Number.isNaN(yTrue[i]) || group[rank[i]] !== lowest) continue;
    dropped = (yTrue[i] === 1 ? 1 : 0) === counted ? 1 : 0;
    break;
  }
  const nPos = flip ? n - pos : pos;
  const nNeg = n - nPos;
  const ser = new Float64Array(nPos - dropped);
  placeMannWhitney(yTrue, rank, group, counted, dropped, nNeg, cursorPos, cursorNeg, ser);
  return { std: populationStd(ser), fraction: nPos / n };
}

/**
 * aurocComponents' row pass (a loop of its own, see order.ts): each counted row's ser value, written at
 * its place in score order; `cursorPos`/`cursorNeg` start at the counted/other rows below each group.
 */
function placeMannWhitney(
  yTrue: Float64Array,
  rank: Int32Array,
  group: Int32Array,
  counted: number,
  dropped: number,
  nNeg: number,
  cursorPos: Int32Array,
  cursorNeg: Int32Array,
  ser: Float64Array,
): void {
  for (let i = 0; i < yTrue.length; i++) {
    const r = rank[i];
    const y = yTrue[i];
    if (r < 0 || y !== y) continue;
    const g = group[r];
    if ((y === 1 ? 1 : 0) !== counted) {
      cursorNeg[g]++;
      continue;
    }
    const before = cursorPos[g]++; // counted rows below this one in score order
    const negativesBefore = cursorNeg[g];
    if (before === 0 && negativesBefore === 0) continue; // the dropped first row
    ser[before - dropped] = (negativesBefore + dropped) / nNeg;
  }
}

export function populationStd(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return NaN;
  return Math.sqrt(squaredDeviations(values, sum(values) / n) / n);
}

// one loop per function, so each compiles on its own (see order.ts)
function sum(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}

function squaredDeviations(values: Float64Array, mean: number): number {
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i] - mean) * (values[i] - mean);
  return ss;
}

/** NannyML's AP bootstrap: 50 resamples (with replacement) of min(N//2, 50 000) rows. */
export const AP_BOOTSTRAP_EXPERIMENTS = 50;
export const AP_BOOTSTRAP_MAX_SAMPLE = 50_000;

export interface ApFit {
  /** std₀ (binary) of the bootstrap APs */
  std: number;
  sampleSize: number;
}

/**
 * The AP values of the bootstrap resamples (seeded: NannyML's are unseeded, spec §9.3). AP depends only
 * on the positive/negative counts per distinct score, so each resample is tallied per score rank.
 * `ranked`: the scores ranked with their labels counted, when the caller has them (the reference is
 * ranked once per fit).
 */
export function bootstrapAveragePrecisions(
  yTrue: Float64Array,
  scores: Float64Array,
  rng: SeededRandom,
  ranked: RankedLabels = tallyRanked(yTrue, null, scores),
): { values: Float64Array; sampleSize: number } {
  const { values: distinct, rank, positives, negatives } = ranked;
  let n = 0;
  for (let r = 0; r < distinct.length; r++) n += positives[r] + negatives[r];
  const sampleSize = Math.min(Math.floor(n / 2), AP_BOOTSTRAP_MAX_SAMPLE);
  if (sampleSize === 0) return { values: new Float64Array(0), sampleSize };
  const values = new Float64Array(AP_BOOTSTRAP_EXPERIMENTS);
  // One tally slot per (score rank, label) of each row with both: slot 2·rank + label. A single lookup
  // and no branch on the label per draw (the labels are a coin flip to the branch predictor). Ranks of
  // scores whose rows all lack a label stay empty, and AP skips empty ranks.
  const slot = new Int32Array(n);
  fillSlots(yTrue, rank, slot);
  const slots = 2 * distinct.length;
  const tally = new Int32Array(TALLY_LANES * slots);
  const pos = new Float64Array(distinct.length);
  const neg = new Float64Array(distinct.length);
  const draws = new Float64Array(sampleSize);
  for (let e = 0; e < AP_BOOTSTRAP_EXPERIMENTS; e++) {
    tally.fill(0);
    rng.fill(draws);
    tallyResample(tally, slot, draws, n, slots);
    let positives = 0;
    for (let r = 0; r < distinct.length; r++) {
      neg[r] = tally[2 * r] + tally[slots + 2 * r] + tally[2 * slots + 2 * r] + tally[3 * slots + 2 * r];
      pos[r] = tally[2 * r + 1] + tally[slots + 2 * r + 1] + tally[2 * slots + 2 * r + 1] + tally[3 * slots + 2 * r + 1];
      positives += pos[r];
    }
    values[e] = averagePrecisionFromCounts(pos, neg, positives);
  }
  return { values, sampleSize };
}

/** slot[k] = 2·rank + label of the k-th row with a label and a score. */
function fillSlots(yTrue: Float64Array, rank: Int32Array, slot: Int32Array): void {
  let k = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const y = yTrue[i];
    if (y !== y || rank[i] < 0) continue;
    slot[k++] = 2 * rank[i] + (y === 1 ? 1 : 0);
  }
}

/** Draws counted into this many interleaved copies of the tally (summed afterwards). */
const TALLY_LANES = 4;

/**
 * Counts one resample into `tally`: draw k picks row ⌊draws[k]·n⌋ (randomInt's formula). Its own small
 * function so the hot loop is compiled once and early, not re-entered cold on each experiment.
 * Consecutive draws go to TALLY_LANES copies of the `slots` counters, so an increment does not wait for
 * the previous one to the same counter (the counts are integers: lanes add up to the same totals).
 */
function tallyResample(tally: Int32Array, slot: Int32Array, draws: Float64Array, n: number, slots: number): void {
  const length = draws.length;
  // the odd draws first, so nothing runs after the main loop (code there would lack type feedback when
  // the loop is compiled mid-run, and drop back to the interpreter on every call)
  const rest = length % TALLY_LANES;
  for (let k = 0; k < rest; k++) tally[slot[Math.floor(draws[k] * n)]]++;
  for (let k = rest; k < length; k += TALLY_LANES) {
    tally[slot[Math.floor(draws[k] * n)]]++;
    tally[slots + slot[Math.floor(draws[k + 1] * n)]]++;
    tally[2 * slots + slot[Math.floor(draws[k + 2] * n)]]++;
    tally[3 * slots + slot[Math.floor(draws[k + 3] * n)]]++;
  }
}

/** sklearn's AP from positive/negative counts per distinct score (ascending ranks), walked from the top. */
export function averagePrecisionFromCounts(pos: Float64Array, neg: Float64Array, positives: number): number {
  if (positives === 0) return NaN;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  let prevRecall = 0;
  for (let r = pos.length - 1; r >= 0; r--) {
    if (pos[r] === 0 && neg[r] === 0) continue;
    tp += pos[r];
    fp += neg[r];
    const recall = tp / positives;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}

export function apComponents(yTrue: Float64Array, scores: Float64Array, rng: SeededRandom, ranked?: RankedLabels): ApFit {
  let hasPositive = false;
  for (let i = 0; i < yTrue.length && !hasPositive; i++) hasPositive = yTrue[i] === 1 && !Number.isNaN(scores[i]);
  if (!hasPositive) return { std: NaN, sampleSize: 0 }; // NannyML: no positive class in the reference
  const { values, sampleSize } = bootstrapAveragePrecisions(yTrue, scores, rng, ranked);
  return { std: populationStd(values), sampleSize };
}

/** SE = std · sqrt(sampleSize / n). */
export function apSamplingError(fit: ApFit, n: number): number {
  if (!(n > 0)) return NaN;
  return fit.std * Math.sqrt(fit.sampleSize / n);
}
