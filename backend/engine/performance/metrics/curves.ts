/**
 * Ranking curves with scikit-learn semantics (`_binary_clf_curve`, `roc_curve`, `precision_recall_curve`):
 * cumulative true/false positives at each distinct score threshold, thresholds descending. Ties form one
 * threshold, so the row order within a tie never matters (sklearn's average-rank AUC).
 */

export interface ThresholdCurve {
  /** cumulative true positives at each distinct threshold (descending score) */
  tps: Float64Array;
  /** cumulative false positives */
  fps: Float64Array;
}

/** Rows where label (0/1) and score are both present; labels other than 1 count as negatives. */
export function thresholdCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): ThresholdCurve {
  let np = 0;
  let nn = 0;
  for (let i = 0; i < labels.length; i++) {
    if (Number.isNaN(labels[i]) || Number.isNaN(scores[i])) continue;
    if (labels[i] === 1) np++;
    else nn++;
  }
  const pos = new Float64Array(np);
  const neg = new Float64Array(nn);
  np = 0;
  nn = 0;
  for (let i = 0; i < labels.length; i++) {
    if (Number.isNaN(labels[i]) || Number.isNaN(scores[i])) continue;
    if (labels[i] === 1) pos[np++] = scores[i];
    else neg[nn++] = scores[i];
  }
  return curveFromSorted(pos.sort(), neg.sort());
}

/** Walks two ascending score arrays from the top, one point per distinct score. */
export function curveFromSorted(pos: Float64Array, neg: Float64Array): ThresholdCurve {
  const tps = new Float64Array(pos.length + neg.length);
  const fps = new Float64Array(pos.length + neg.length);
  let i = pos.length - 1;
  let j = neg.length - 1;
  let tp = 0;
  let fp = 0;
  let k = 0;
  while (i >= 0 || j >= 0) {
    const v = i < 0 ? neg[j] : j < 0 ? pos[i] : Math.max(pos[i], neg[j]);
    while (i >= 0 && pos[i] === v) {
      tp++;
      i--;
    }
    while (j >= 0 && neg[j] === v) {
      fp++;
      j--;
    }
    tps[k] = tp;
    fps[k] = fp;
    k++;
  }
  return { tps: tps.subarray(0, k), fps: fps.subarray(0, k) };
}

/**
 * The same curve from label counts per distinct score (ascending): walked from the top, scores with no
 * labelled row skipped.
 */
export function curveFromCounts(positives: Float64Array, negatives: Float64Array): ThresholdCurve {
  const d = positives.length;
  const tps = new Float64Array(d);
  const fps = new Float64Array(d);
  let tp = 0;
  let fp = 0;
  let k = 0;
  for (let r = d - 1; r >= 0; r--) {
    if (positives[r] === 0 && negatives[r] === 0) continue;
    tp += positives[r];
    fp += negatives[r];
    tps[k] = tp;
    fps[k] = fp;
    k++;
  }
  return { tps: tps.subarray(0, k), fps: fps.subarray(0, k) };
}

/** sklearn's `auc`: trapezoids under (x, y), x monotonic. */
export function trapezoid(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return s;
}

/**
 * sklearn `roc_auc_score` (binary): roc_curve with drop_intermediate (collinear points dropped), (0, 0)
 * prepended, rates normalised by the last point, trapezoidal area. NaN when a class is absent.
 */
export function rocAucFromCurve(c: ThresholdCurve): number {
  const m = c.tps.length;
  if (m === 0) return NaN;
  const P = c.tps[m - 1];
  const N = c.fps[m - 1];
  if (!(P > 0) || !(N > 0)) return NaN;
  // drop_intermediate: keep the ends and every point where the curve bends
  const keep: number[] = [];
  for (let k = 0; k < m; k++) {
    if (k === 0 || k === m - 1 || m <= 2) keep.push(k);
    else {
      const d2f = c.fps[k + 1] - 2 * c.fps[k] + c.fps[k - 1];
      const d2t = c.tps[k + 1] - 2 * c.tps[k] + c.tps[k - 1];
      if (d2f !== 0 || d2t !== 0) keep.push(k);
    }
  }
  let area = 0;
  let px = 0;
  let py = 0;
  for (const k of keep) {
    const x = c.fps[k] / N;
    const y = c.tps[k] / P;
    area += ((x - px) * (y + py)) / 2;
    px = x;
    py = y;
  }
  return area;
}

/** sklearn `average_precision_score`: Σ (R_k − R_{k−1}) · P_k over thresholds descending. NaN without positives. */
export function averagePrecisionFromCurve(c: ThresholdCurve): number {
  const m = c.tps.length;
  if (m === 0) return NaN;
  const P = c.tps[m - 1];
  if (!(P > 0)) return NaN;
  let ap = 0;
  let prevRecall = 0;
  for (let k = 0; k < m; k++) {
    const recall = c.tps[k] / P;
    const ps = c.tps[k] + c.fps[k];
    const precision = ps === 0 ? 0 : c.tps[k] / ps;
    ap += (recall - prevRecall) * precision;
    prevRecall = recall;
  }
  return ap;
}

export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  return rocAucFromCurve(thresholdCurve(labels, scores));
}

export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  return averagePrecisionFromCurve(thresholdCurve(labels, scores));
}
