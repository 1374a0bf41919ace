/**
 * CBPE estimators for a multiclass classifier (spec §4.3). `probas[c]` are the calibrated, renormalised
 * class probabilities; `yPred` holds class indices (-1 = missing). Rows missing a prediction or any
 * class probability are dropped first.
 */
import { BusinessValueNormalization, ConfusionNormalization, Matrix, matrixBusinessValue } from '../metrics/binary';
import { toRows } from '../metrics/multiclass';
import {
  estimateApSorted,
  estimateF1,
  estimatePrecision,
  estimateRecall,
  estimateRocAucSorted,
  estimateSpecificity,
  ExpectedCounts,
  sortedByScoreDescending,
} from './binary';

/** Rows where the prediction and every class probability are present. */
export function completeRows(yPred: Int32Array | null, probas: Float64Array[]): Uint32Array {
  const n = probas[0].length;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) {
    if (yPred && yPred[i] < 0) continue;
    let ok = true;
    for (const p of probas) if (Number.isNaN(p[i])) ok = false;
    if (ok) rows.push(i);
  }
  return Uint32Array.from(rows);
}

/** Expected one-vs-rest counts of class c (ŷ_c = 1[y_pred = c], p = probas[c]). */
export function classExpectedCounts(yPred: Int32Array, probas: Float64Array[], rows: Uint32Array, c: number): ExpectedCounts {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  const p = probas[c];
  for (const i of rows) {
    if (yPred[i] === c) {
      tp += p[i];
      fp += 1 - p[i];
    } else {
      fn += p[i];
      tn += 1 - p[i];
    }
  }
  return { tp, fp, fn, tn, n: rows.length };
}

function macroEstimate(yPred: Int32Array, probas: Float64Array[], f: (e: ExpectedCounts) => number): number {
  const rows = completeRows(yPred, probas);
  if (rows.length === 0) return NaN;
  let s = 0;
  for (let c = 0; c < probas.length; c++) s += f(classExpectedCounts(yPred, probas, rows, c));
  return s / probas.length;
}

export const estimateMacroPrecision = (yPred: Int32Array, probas: Float64Array[]) => macroEstimate(yPred, probas, estimatePrecision);
export const estimateMacroRecall = (yPred: Int32Array, probas: Float64Array[]) => macroEstimate(yPred, probas, estimateRecall);
export const estimateMacroF1 = (yPred: Int32Array, probas: Float64Array[]) => macroEstimate(yPred, probas, estimateF1);
export const estimateMacroSpecificity = (yPred: Int32Array, probas: Float64Array[]) => macroEstimate(yPred, probas, estimateSpecificity);

/** Mean calibrated probability of the predicted class. */
export function estimateMulticlassAccuracy(yPred: Int32Array, probas: Float64Array[]): number {
  const rows = completeRows(yPred, probas);
  if (rows.length === 0) return NaN;
  let s = 0;
  for (const i of rows) s += probas[yPred[i]][i];
  return s / rows.length;
}

/** Per-class estimate over the calibrated scores ordered by the uncalibrated class score, then the mean. */
function macroRanked(probas: Float64Array[], uncalibrated: Float64Array[], f: (pSorted: Float64Array) => number): number {
  const rows = completeRows(null, [...probas, ...uncalibrated]);
  if (rows.length === 0) return NaN;
  let s = 0;
  for (let c = 0; c < probas.length; c++) {
    const p = Float64Array.from(rows, (i) => probas[c][i]);
    const u = Float64Array.from(rows, (i) => uncalibrated[c][i]);
    s += f(sortedByScoreDescending(p, u));
  }
  return s / probas.length;
}

export const estimateMacroRocAuc = (probas: Float64Array[], uncalibrated: Float64Array[]) => macroRanked(probas, uncalibrated, estimateRocAucSorted);
export const estimateMacroAp = (probas: Float64Array[], uncalibrated: Float64Array[]) => macroRanked(probas, uncalibrated, estimateApSorted);

/**
 * Expected confusion matrix E[i,j] = mean(1[ŷ = j]·p_i) (K×K, row-major); None multiplies by n, `true`
 * divides by row sums, `pred` by column sums, `all` by the total.
 */
export function estimateMulticlassConfusionMatrix(yPred: Int32Array, probas: Float64Array[], normalize: ConfusionNormalization): Float64Array {
  const k = probas.length;
  const rows = completeRows(yPred, probas);
  const e = new Float64Array(k * k);
  if (rows.length === 0) return e.fill(NaN);
  for (const i of rows) {
    const j = yPred[i];
    for (let c = 0; c < k; c++) e[c * k + j] += probas[c][i];
  }
  const n = rows.length;
  for (let x = 0; x < e.length; x++) e[x] /= n;
  if (normalize === null) return e.map((v) => v * n);
  const out = new Float64Array(k * k);
  let total = 0;
  for (const v of e) total += v;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let d = total;
      if (normalize === 'true') {
        d = 0;
        for (let m = 0; m < k; m++) d += e[i * k + m];
      } else if (normalize === 'pred') {
        d = 0;
        for (let m = 0; m < k; m++) d += e[m * k + j];
      }
      out[i * k + j] = e[i * k + j] / d;
    }
  }
  return out;
}

/** Σ bv ⊙ E[cm] with E[cm] the expected counts (sums); `per_prediction` normalises columns (0/0 → 0). */
export function estimateMulticlassBusinessValue(yPred: Int32Array, probas: Float64Array[], bv: Matrix, normalize: BusinessValueNormalization): number {
  const k = probas.length;
  const rows = completeRows(yPred, probas);
  if (rows.length === 0) return NaN;
  const cm = new Float64Array(k * k);
  for (const i of rows) {
    const j = yPred[i];
    for (let c = 0; c < k; c++) cm[c * k + j] += probas[c][i];
  }
  return matrixBusinessValue(toRows(cm, k), bv, normalize);
}
