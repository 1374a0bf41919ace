/**
 * Realized binary-classification metrics with NannyML's (scikit-learn) semantics (spec §6.1).
 * Labels and predictions are 0/1 Float64Arrays with NaN for missing; a metric first drops rows where a
 * column it needs is missing (NannyML's `common_nan_removal`).
 */
import { BINARY_CONFUSION_CELLS } from '../../catalog';

export type BinaryCell = (typeof BINARY_CONFUSION_CELLS)[number];
export type ConfusionNormalization = 'all' | 'true' | 'pred' | null;
export type BusinessValueNormalization = 'per_prediction' | null;

/** Confusion counts over the rows where y_true and y_pred are both present. */
export interface BinaryCounts {
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  n: number;
}


const bothClassesTrue = (c: BinaryCounts) => c.tp + c.fn > 0 && c.tn + c.fp > 0;
const bothClassesPred = (c: BinaryCounts) => c.tp + c.fp > 0 && c.tn + c.fn > 0;

/** NannyML returns NaN for precision, recall and f1 when y_true or y_pred holds a single class. */
function needsBothClasses(c: BinaryCounts, f: () => number): number {
  if (c.n === 0 || !bothClassesTrue(c) || !bothClassesPred(c)) return NaN;
  return f();
}

export const precision = (c: BinaryCounts) => needsBothClasses(c, () => c.tp / (c.tp + c.fp));
export const recall = (c: BinaryCounts) => needsBothClasses(c, () => c.tp / (c.tp + c.fn));
/** sklearn ≥ 1.2 writes F1 as 2·TP / (#true + #pred). */
export const f1 = (c: BinaryCounts) => needsBothClasses(c, () => (2 * c.tp) / (c.tp + c.fn + (c.tp + c.fp)));
export const accuracy = (c: BinaryCounts) => (c.n === 0 ? NaN : (c.tp + c.tn) / c.n);

/**
 * TN / (TN + FP). `labelsFixed`: CBPE passes labels=[0, 1] to sklearn; PerformanceCalculator does not,
 * and a chunk whose rows all carry one label then fails sklearn's 2×2 unpacking (NaN).
 */
export function specificity(c: BinaryCounts, labelsFixed: boolean): number {
  if (c.n === 0) return NaN;
  if (!labelsFixed && singleLabel(c)) return NaN;
  const d = c.tn + c.fp;
  return d === 0 ? NaN : c.tn / d;
}

/** Every labelled row has the same value in y_true and y_pred (sklearn then sees a single label). */
function singleLabel(c: BinaryCounts): boolean {
  return c.n === c.tp || c.n === c.tn;
}

/**
 * One confusion-matrix cell. `zeroForEmpty`: sklearn's `confusion_matrix(normalize=...)` turns 0/0 into 0
 * (CBPE's realized value); PerformanceCalculator divides itself and gets NaN.
 */
export function confusionCell(c: BinaryCounts, cell: BinaryCell, normalize: ConfusionNormalization, zeroForEmpty: boolean): number {
  if (c.n === 0) return NaN;
  const count = { true_positive: c.tp, true_negative: c.tn, false_positive: c.fp, false_negative: c.fn }[cell];
  let denominator: number;
  switch (normalize) {
    case null:
      return count;
    case 'all':
      denominator = c.n;
      break;
    case 'true': // by actual class: positives TP+FN, negatives TN+FP
      denominator = cell === 'true_positive' || cell === 'false_negative' ? c.tp + c.fn : c.tn + c.fp;
      break;
    case 'pred': // by predicted class: TP+FP, TN+FN
      denominator = cell === 'true_positive' || cell === 'false_positive' ? c.tp + c.fp : c.tn + c.fn;
      break;
  }
  if (denominator === 0) return zeroForEmpty ? 0 : NaN;
  return count / denominator;
}

/** A 2×2 business-value matrix [[TN, FP], [FN, TP]] (rows true 0/1, columns predicted 0/1). */
export type Matrix = number[][];

/**
 * Σ bv ⊙ cm; `per_prediction` divides each column of cm by its sum (0/0 → 0). With `labelsFixed` false
 * (PerformanceCalculator) a chunk with a single label overall gives sklearn a 1×1 matrix, which numpy
 * broadcasts over the 2×2 value matrix: NannyML then reports count·Σbv (or Σbv per prediction). We
 * reproduce that quirk rather than invent a different number.
 */
export function businessValue(c: BinaryCounts, bv: Matrix, normalize: BusinessValueNormalization, labelsFixed: boolean): number {
  if (c.n === 0) return NaN;
  const sumBv = bv[0][0] + bv[0][1] + bv[1][0] + bv[1][1];
  if (!labelsFixed && singleLabel(c)) return normalize === 'per_prediction' ? sumBv : c.n * sumBv;
  const cm = [
    [c.tn, c.fp],
    [c.fn, c.tp],
  ];
  return matrixBusinessValue(cm, bv, normalize);
}

/** Σ bv ⊙ cm with optional column normalisation (0/0 → 0), shared with the multiclass and CBPE paths. */
export function matrixBusinessValue(cm: number[][], bv: Matrix, normalize: BusinessValueNormalization): number {
  const k = cm.length;
  const colSum = new Array<number>(k).fill(0);
  if (normalize === 'per_prediction') for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) colSum[j] += cm[i][j];
  let total = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let v = cm[i][j];
      if (normalize === 'per_prediction') {
        v = v / colSum[j];
        if (!Number.isFinite(v)) v = 0; // np.nan_to_num
      }
      total += bv[i][j] * v;
    }
  }
  return total;
}
