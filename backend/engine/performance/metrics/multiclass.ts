/**
 * Realized multiclass metrics with NannyML's (scikit-learn) semantics (spec §6.1). Classes are the
 * sorted keys of `y_pred_proba`; labels and predictions are class indices (Int32Array, -1 = missing).
 * Matrices are K×K row-major Float64Arrays, rows = true class, columns = predicted class.
 */
import { BusinessValueNormalization, ConfusionNormalization, Matrix, matrixBusinessValue } from './binary';
import { rocAuc, averagePrecision } from './curves';

export interface MulticlassCounts {
  k: number;
  /** counts, K×K row-major */
  cm: Float64Array;
  n: number;
}

/** Counts over the rows where both the label and the prediction are present. */
export function multiclassCounts(yTrue: Int32Array, yPred: Int32Array, k: number): MulticlassCounts {
  const cm = new Float64Array(k * k);
  let n = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (t < 0 || p < 0) continue;
    cm[t * k + p]++;
    n++;
  }
  return { k, cm, n };
}

export function trueTotals(c: MulticlassCounts): Float64Array {
  const out = new Float64Array(c.k);
  for (let i = 0; i < c.k; i++) for (let j = 0; j < c.k; j++) out[i] += c.cm[i * c.k + j];
  return out;
}

export function predTotals(c: MulticlassCounts): Float64Array {
  const out = new Float64Array(c.k);
  for (let i = 0; i < c.k; i++) for (let j = 0; j < c.k; j++) out[j] += c.cm[i * c.k + j];
  return out;
}

const classesPresent = (totals: Float64Array) => totals.reduce((s, v) => s + (v > 0 ? 1 : 0), 0);

/** NannyML returns NaN when y_true or y_pred holds a single class (precision, recall, f1, specificity, CM). */
export function singleClass(c: MulticlassCounts): boolean {
  return c.n === 0 || classesPresent(trueTotals(c)) <= 1 || classesPresent(predTotals(c)) <= 1;
}

function macro(c: MulticlassCounts, perClass: (tp: number, trueTotal: number, predTotal: number) => number): number {
  if (singleClass(c)) return NaN;
  const t = trueTotals(c);
  const p = predTotals(c);
  let s = 0;
  for (let i = 0; i < c.k; i++) s += perClass(c.cm[i * c.k + i], t[i], p[i]);
  return s / c.k;
}

/** sklearn's zero_division='warn' counts an undefined per-class score as 0. */
const ratioOrZero = (a: number, b: number) => (b === 0 ? 0 : a / b);

export const macroPrecision = (c: MulticlassCounts) => macro(c, (tp, _t, p) => ratioOrZero(tp, p));
export const macroRecall = (c: MulticlassCounts) => macro(c, (tp, t) => ratioOrZero(tp, t));
export const macroF1 = (c: MulticlassCounts) => macro(c, (tp, t, p) => ratioOrZero(2 * tp, t + p));
/** Per class TN/(TN+FP) = (rows not predicted c among rows not truly c) / (rows not truly c). */
export const macroSpecificity = (c: MulticlassCounts) =>
  macro(c, (tp, t, p) => {
    const negatives = c.n - t;
    const fp = p - tp;
    return (negatives - fp) / negatives;
  });

/** `requireTwoClasses`: CBPE's realized accuracy is NaN for a single class; PerformanceCalculator's is not. */
export function multiclassAccuracy(c: MulticlassCounts, requireTwoClasses: boolean): number {
  if (c.n === 0 || (requireTwoClasses && singleClass(c))) return NaN;
  let correct = 0;
  for (let i = 0; i < c.k; i++) correct += c.cm[i * c.k + i];
  return correct / c.n;
}

/** sklearn confusion_matrix(normalize=...) with 0/0 → 0; all NaN for a single class (NannyML). */
export function multiclassConfusionMatrix(c: MulticlassCounts, normalize: ConfusionNormalization): Float64Array {
  const k = c.k;
  if (singleClass(c)) return new Float64Array(k * k).fill(NaN);
  const out = Float64Array.from(c.cm);
  if (normalize === null) return out;
  const t = trueTotals(c);
  const p = predTotals(c);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const d = normalize === 'all' ? c.n : normalize === 'true' ? t[i] : p[j];
      out[i * k + j] = d === 0 ? 0 : out[i * k + j] / d;
    }
  }
  return out;
}

export function toRows(flat: Float64Array, k: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < k; i++) rows.push(Array.from(flat.subarray(i * k, i * k + k)));
  return rows;
}

export function multiclassBusinessValue(c: MulticlassCounts, bv: Matrix, normalize: BusinessValueNormalization): number {
  if (c.n === 0) return NaN;
  return matrixBusinessValue(toRows(c.cm, c.k), bv, normalize);
}

/** Rows where the label and every class score are present. */
function completeRows(yTrue: Int32Array, probas: Float64Array[]): number[] {
  const rows: number[] = [];
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] < 0) continue;
    let ok = true;
    for (const p of probas) if (Number.isNaN(p[i])) ok = false;
    if (ok) rows.push(i);
  }
  return rows;
}

function allClassesPresent(yTrue: Int32Array, rows: number[], k: number): boolean {
  const seen = new Uint8Array(k);
  for (const i of rows) seen[yTrue[i]] = 1;
  return seen.every((v) => v === 1);
}

/** sklearn refuses multiclass roc_auc when the scores do not sum to 1 (np.allclose, rtol 1e-5, atol 1e-8). */
function scoresSumToOne(probas: Float64Array[], rows: number[]): boolean {
  for (const i of rows) {
    let s = 0;
    for (const p of probas) s += p[i];
    if (!(Math.abs(1 - s) <= 1e-8 + 1e-5 * Math.abs(s))) return false;
  }
  return true;
}

function oneVsRest(yTrue: Int32Array, probas: Float64Array[], rows: number[], score: (labels: Float64Array, scores: Float64Array) => number): number {
  const labels = new Float64Array(rows.length);
  const scores = new Float64Array(rows.length);
  let s = 0;
  for (let c = 0; c < probas.length; c++) {
    rows.forEach((i, r) => {
      labels[r] = yTrue[i] === c ? 1 : 0;
      scores[r] = probas[c][i];
    });
    s += score(labels, scores);
  }
  return s / probas.length;
}

/** Macro one-vs-rest ROC AUC; NaN unless every class occurs in the chunk. */
export function macroRocAuc(yTrue: Int32Array, probas: Float64Array[]): number {
  const rows = completeRows(yTrue, probas);
  if (rows.length === 0 || !allClassesPresent(yTrue, rows, probas.length) || !scoresSumToOne(probas, rows)) return NaN;
  return oneVsRest(yTrue, probas, rows, rocAuc);
}

/** Macro one-vs-rest average precision; NaN unless every class occurs in the chunk. */
export function macroAveragePrecision(yTrue: Int32Array, probas: Float64Array[]): number {
  const rows = completeRows(yTrue, probas);
  if (rows.length === 0 || !allClassesPresent(yTrue, rows, probas.length)) return NaN;
  return oneVsRest(yTrue, probas, rows, averagePrecision);
}
