/**
 * One pass over a binary classifier's chunk that every metric reads (realized and CBPE-estimated):
 * confusion counts, labels per distinct score, expected counts of the calibrated scores.
 *
 * Scores are grouped by distinct value instead of sorted: model scores repeat (the car-loan scores have
 * two decimals, about a hundred distinct values per 5000 rows), the ranking metrics only need each
 * group's counts in score order, and calibration is a function of the score, so it runs once per group.
 * Every sum that is not an integer count is still added up row by row in the order the sorted-row
 * formulas used, so the results are the same to the last bit.
 */
import { BinaryCounts } from './metrics/binary';
import { ExpectedCounts } from './cbpe/binary';
import { distinctIds, idsByValue, rankScores, ScoreRanks } from './order';

export interface BinaryTally {
  /** confusion counts over rows with y_true and y_pred; null without either column */
  counts: BinaryCounts | null;
  /** rows with a score */
  scored: number;
  /** rows with a score and y_pred */
  scoredPredicted: number;
  /** rows with a score and y_true (the ranking curve's rows) */
  scoredLabelled: number;
  /** the expected confusion counts of the calibrated scores; null unless calibrated scores were asked for */
  expected: ExpectedCounts | null;
  /** per distinct score, ascending: the score (as first read) */
  values: Float64Array;
  /** rows with that score */
  rows: Float64Array;
  /** of them, rows with y_true 1 */
  positives: Float64Array;
  /** rows with y_true present and not 1 */
  negatives: Float64Array;
  /** the calibrated score (CBPE), or null */
  calibrated: Float64Array | null;
}

/**
 * Scores ranked (ascending distinct `values`, each row's `rank`, -1 where the score is missing) with the
 * labels counted per rank over the rows that have one: what every reference-side fit reads (ROC AUC and
 * AP sampling error, needs_calibration, the isotonic calibrator).
 */
export interface RankedLabels {
  values: Float64Array;
  rank: Int32Array;
  /** rows with y_true 1 */
  positives: Float64Array;
  /** rows with y_true present and not 1 */
  negatives: Float64Array;
}

/** A whole reference in one pass: the tally (confusion counts too) and each row's score rank. */
export function tallyRanked(yTrue: Float64Array, yPred: Float64Array | null, scores: Float64Array): BinaryTally & RankedLabels {
  const ranks = rankScores(scores);
  return { ...tallyBinary(yTrue, yPred, scores, undefined, ranks), rank: ranks.rank };
}

// Slots of tallyRows' counters: confusion cells at 2·ŷ + y, expected sums at E_POS + slot (Σ p) and
// E_NEG + slot (Σ (1 − p)) with slot ŷ (2: neither 0 nor 1, not counted).
const TN = 0;
const FN = 1;
const FP = 2;
const TP = 3;
const E_POS = 4;
const E_FN = E_POS;
const E_TP = E_POS + 1;
const E_NEG = 7;
const E_TN = E_NEG;
const E_FP = E_NEG + 1;
const E_N = 10;
const SCORED_PREDICTED = 11;
const COUNTERS = 12;

/**
 * The row pass of tallyBinary, a function of its own (one loop, always the same argument types, so it
 * compiles once for every chunk). Counters are indexed by label instead of branching on it: the labels
 * are a coin flip to the branch predictor. Every sum still adds in row order.
 */
function tallyRows(
  t: Float64Array,
  p: Float64Array,
  ids: Int32Array,
  n: number,
  cal: Float64Array,
  withExpected: boolean,
  rowsById: Float64Array,
  labelsById: Float64Array,
  counters: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const ti = t[i];
    const pi = p[i];
    const y = ti === 1 ? 1 : 0;
    const yHat = pi === 1 ? 1 : 0;
    if (ti === ti && pi === pi) counters[2 * yHat + y]++;
    const id = ids[i];
    if (id < 0) continue;
    rowsById[id]++;
    if (ti === ti) labelsById[2 * id + y]++;
    if (pi !== pi) continue;
    counters[SCORED_PREDICTED]++;
    if (!withExpected) continue;
    // CBPE's expected counts (spec §4.2)
    const c = cal[id];
    if (c !== c) continue;
    counters[E_N]++;
    const slot = pi === 1 ? 1 : pi === 0 ? 0 : 2;
    counters[E_POS + slot] += c;
    counters[E_NEG + slot] += 1 - c;
  }
}

function identity(d: number): Uint32Array {
  const out = new Uint32Array(d);
  for (let i = 0; i < d; i++) out[i] = i;
  return out;
}

/**
 * Scratch reused chunk after chunk (grown on demand): per-row group ids, NaN stand-ins for absent
 * columns, and the per-group counters before they are put in score order.
 */
let idScratch = new Int32Array(0);
let nanScratch = new Float64Array(0);
let rowsScratch = new Float64Array(0);
let labelsScratch = new Float64Array(0);
let calibratedScratch = new Float64Array(0);

function nans(n: number): Float64Array {
  if (nanScratch.length < n) nanScratch = new Float64Array(n).fill(NaN);
  return nanScratch;
}

/**
 * Tallies a chunk: `yTrue`/`yPred` are 0/1 with NaN = missing (null = no such column); `scores` the
 * model's scores (null = not loaded). `calibrate` maps a distinct score to its calibrated probability
 * (CBPE) and asks for the expected counts; omit it for realized metrics only. `ranks`: the scores
 * already ranked (the whole reference is, once per fit), else they are grouped here.
 */
export function tallyBinary(
  yTrue: Float64Array | null,
  yPred: Float64Array | null,
  scores: Float64Array | null,
  calibrate?: (score: number) => number,
  ranks?: ScoreRanks,
): BinaryTally {
  const n = (yTrue ?? yPred ?? scores)?.length ?? 0;
  if (idScratch.length < n) idScratch = new Int32Array(n);
  let ids: Int32Array = idScratch;
  let firstSeen: Float64Array;
  if (ranks) {
    ids = ranks.rank;
    firstSeen = ranks.distinct;
  } else if (scores !== null) firstSeen = distinctIds(scores, ids)!;
  else {
    firstSeen = new Float64Array(0);
    ids.fill(-1, 0, n);
  }
  const d = firstSeen.length;
  if (rowsScratch.length < d) {
    rowsScratch = new Float64Array(d);
    labelsScratch = new Float64Array(2 * d);
    calibratedScratch = new Float64Array(d);
  }
  let calibratedById: Float64Array | null = null;
  if (calibrate) {
    calibratedById = calibratedScratch;
    for (let id = 0; id < d; id++) calibratedById[id] = calibrate(firstSeen[id]);
  }
  const rowsById = rowsScratch.fill(0, 0, d);
  // [negatives, positives] of score id at 2·id, 2·id + 1
  const labelsById = labelsScratch.fill(0, 0, 2 * d);
  const counters = new Float64Array(COUNTERS);
  tallyRows(yTrue ?? nans(n), yPred ?? nans(n), ids, n, calibratedById ?? new Float64Array(0), calibratedById !== null, rowsById, labelsById, counters);
  const byValue = ranks ? identity(firstSeen.length) : idsByValue(firstSeen);
  const values = new Float64Array(d);
  const rows = new Float64Array(d);
  const positives = new Float64Array(d);
  const negatives = new Float64Array(d);
  const calibrated = calibratedById ? new Float64Array(d) : null;
  let scored = 0;
  let scoredLabelled = 0;
  for (let r = 0; r < d; r++) {
    const id = byValue[r];
    values[r] = firstSeen[id];
    rows[r] = rowsById[id];
    positives[r] = labelsById[2 * id + 1];
    negatives[r] = labelsById[2 * id];
    if (calibrated) calibrated[r] = calibratedById![id];
    scored += rows[r];
    scoredLabelled += positives[r] + negatives[r];
  }
  const tn = counters[TN];
  const fn = counters[FN];
  const fp = counters[FP];
  const tp = counters[TP];
  return {
    counts: yTrue && yPred ? { tp, tn, fp, fn, n: tp + tn + fp + fn } : null,
    scored,
    scoredPredicted: yPred ? counters[SCORED_PREDICTED] : 0,
    scoredLabelled: yTrue ? scoredLabelled : 0,
    expected: calibratedById !== null && yPred ? { tp: counters[E_TP], fp: counters[E_FP], fn: counters[E_FN], tn: counters[E_TN], n: counters[E_N] } : null,
    values,
    rows,
    positives,
    negatives,
    calibrated,
  };
}
