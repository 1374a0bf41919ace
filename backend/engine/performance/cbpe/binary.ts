/**
 * CBPE estimators for one binary classifier (spec §4.2): with p the calibrated probability of class 1
 * and ŷ the 0/1 prediction, the confusion matrix is estimated by expected counts
 * TP = Σ_{ŷ=1} p, FP = Σ_{ŷ=1} (1−p), FN = Σ_{ŷ=0} p, TN = Σ_{ŷ=0} (1−p).
 * The multiclass estimators reuse these one-vs-rest.
 */
import { stableAscendingOrder } from '../order';
import { BinaryCell, BusinessValueNormalization, ConfusionNormalization, Matrix, matrixBusinessValue } from '../metrics/binary';

export interface ExpectedCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** rows with both p and ŷ present */
  n: number;
}

const ratioOrZero = (a: number, b: number) => (b !== 0 ? a / b : 0);

export const estimatePrecision = (e: ExpectedCounts) => (e.n === 0 ? NaN : ratioOrZero(e.tp, e.tp + e.fp));
export const estimateRecall = (e: ExpectedCounts) => (e.n === 0 ? NaN : ratioOrZero(e.tp, e.tp + e.fn));
export const estimateSpecificity = (e: ExpectedCounts) => (e.n === 0 ? NaN : ratioOrZero(e.tn, e.tn + e.fp));
export const estimateF1 = (e: ExpectedCounts) => (e.n === 0 ? NaN : ratioOrZero(e.tp, e.tp + 0.5 * (e.fp + e.fn)));
export const estimateAccuracy = (e: ExpectedCounts) => (e.n === 0 ? NaN : (e.tp + e.tn) / e.n);

/**
 * One expected confusion-matrix cell. NannyML works with the cell means (sum/n): None gives mean·n,
 * `true`/`pred` divide by the row/column of means, `all` is the mean.
 */
export function estimateConfusionCell(e: ExpectedCounts, cell: BinaryCell, normalize: ConfusionNormalization): number {
  if (e.n === 0) return NaN;
  const tp = e.tp / e.n;
  const fp = e.fp / e.n;
  const fn = e.fn / e.n;
  const tn = e.tn / e.n;
  const ratio = { true_positive: tp, true_negative: tn, false_positive: fp, false_negative: fn }[cell];
  switch (normalize) {
    case null:
      return ratio * e.n;
    case 'all':
      return ratio;
    case 'true':
      return ratio * (1 / (cell === 'true_positive' || cell === 'false_negative' ? tp + fn : tn + fp));
    case 'pred':
      return ratio * (1 / (cell === 'true_positive' || cell === 'false_positive' ? tp + fp : tn + fn));
  }
}

/** Σ bv ⊙ E[cm] with the means·n matrix; `per_prediction` normalises its columns (0/0 → 0). */
export function estimateBusinessValue(e: ExpectedCounts, bv: Matrix, normalize: BusinessValueNormalization): number {
  if (e.n === 0) return NaN;
  const cm = [
    [(e.tn / e.n) * e.n, (e.fp / e.n) * e.n],
    [(e.fn / e.n) * e.n, (e.tp / e.n) * e.n],
  ];
  return matrixBusinessValue(cm, bv, normalize);
}

/** numpy's round(x, 5): rint(x·10⁵)/10⁵ with ties to even. */
export function round5(x: number): number {
  const y = x * 100000;
  let r = Math.round(y);
  if (r - y === 0.5 && r % 2 !== 0) r -= 1; // Math.round rounds .5 up; rint rounds it to even
  return r / 100000;
}

/**
 * Estimated ROC AUC (NannyML's `estimate_roc_auc`) from calibrated probabilities listed in descending
 * order of the uncalibrated score: expected TP/FP curves, both cumulative sums rounded to 5 decimals,
 * normalised by their last value, trapezoidal area.
 */
export function estimateRocAucSorted(pSorted: ArrayLike<number>): number {
  const n = pSorted.length;
  if (n === 0) return NaN;
  let cum = 0;
  for (let i = 0; i < n; i++) cum += pSorted[i];
  const tpsLast = round5(cum);
  const fpsLast = round5(n - cum);
  let area = 0;
  let prevX = 0;
  let prevY = 0;
  cum = 0;
  for (let i = 0; i < n; i++) {
    cum += pSorted[i];
    const x = round5(i + 1 - cum) / fpsLast;
    const y = round5(cum) / tpsLast;
    area += ((x - prevX) * (y + prevY)) / 2;
    prevX = x;
    prevY = y;
  }
  return area;
}

/**
 * Estimated average precision (NannyML's `estimate_ap`): tps = round(cumsum(p), 5), precision_k = tps_k/k,
 * recall_k = tps_k/tps_n, AP = Σ (recall_k − recall_{k−1})·precision_k.
 */
export function estimateApSorted(pSorted: ArrayLike<number>): number {
  const n = pSorted.length;
  if (n === 0) return NaN;
  let cum = 0;
  for (let i = 0; i < n; i++) cum += pSorted[i];
  const tpsLast = round5(cum);
  let ap = 0;
  let prevRecall = 0;
  cum = 0;
  for (let i = 0; i < n; i++) {
    cum += pSorted[i];
    const tps = round5(cum);
    const recall = tps / tpsLast;
    ap += (recall - prevRecall) * (tps / (i + 1));
    prevRecall = recall;
  }
  return ap;
}

/**
 * estimateRocAucSorted and estimateApSorted in one walk over score groups instead of sorted rows:
 * group r (ascending score) holds `rows[r]` rows of calibrated probability `calibrated[r]`. The sums
 * still add one row at a time, in descending score order, so both equal the row-wise results exactly.
 */
export function estimateRankingFromGroups(calibrated: Float64Array, rows: Float64Array): { rocAuc: number; averagePrecision: number } {
  let n = 0;
  let cum = 0;
  for (let r = calibrated.length - 1; r >= 0; r--) {
    const p = calibrated[r];
    const k = rows[r];
    for (let j = 0; j < k; j++) cum += p;
    n += k;
  }
  if (n === 0) return { rocAuc: NaN, averagePrecision: NaN };
  const tpsLast = round5(cum);
  const fpsLast = round5(n - cum);
  let area = 0;
  let prevX = 0;
  let prevY = 0;
  let ap = 0;
  let i = 0;
  cum = 0;
  for (let r = calibrated.length - 1; r >= 0; r--) {
    const p = calibrated[r];
    const k = rows[r];
    for (let j = 0; j < k; j++) {
      cum += p;
      i++;
      const tps = round5(cum);
      // ROC: x = expected false-positive rate, y = expected recall; AP: Σ Δrecall · precision
      const x = round5(i - cum) / fpsLast;
      const y = tps / tpsLast;
      area += ((x - prevX) * (y + prevY)) / 2;
      ap += (y - prevY) * (tps / i);
      prevX = x;
      prevY = y;
    }
  }
  return { rocAuc: area, averagePrecision: ap };
}

/**
 * Calibrated probabilities in descending order of the uncalibrated score, over rows where both are
 * present. NannyML reverses numpy's (unstable) ascending argsort; we reverse a stable one, so a tie
 * comes out in descending row order. Binary ties carry equal calibrated values, so there the order
 * cannot matter; multiclass ties can differ after renormalisation (spec §9.2).
 */
export function sortedByScoreDescending(p: Float64Array, uncalibrated: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < p.length; i++) if (!Number.isNaN(p[i]) && !Number.isNaN(uncalibrated[i])) n++;
  const rows = new Uint32Array(n);
  const u = new Float64Array(n);
  n = 0;
  for (let i = 0; i < p.length; i++) {
    if (Number.isNaN(p[i]) || Number.isNaN(uncalibrated[i])) continue;
    rows[n] = i;
    u[n++] = uncalibrated[i];
  }
  const ascending = stableAscendingOrder(u);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = p[rows[ascending[n - 1 - k]]];
  return out;
}
