/**
 * Row-by-row reference formulas for the binary performance tests: the confusion counts and CBPE's
 * expected counts as plainly as they can be written. The engine computes both from per-score tallies
 * (backend/engine/performance/tally.ts); the tests compare the two.
 */
import type { ExpectedCounts } from '../../backend/engine/performance/cbpe/binary';
import type { BinaryCounts } from '../../backend/engine/performance/metrics/binary';

/** Confusion counts, row by row, over the rows where y_true and y_pred are both present. */
export function binaryCounts(yTrue: Float64Array, yPred: Float64Array): BinaryCounts {
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (Number.isNaN(t) || Number.isNaN(p)) continue;
    if (p === 1) {
      if (t === 1) tp++;
      else fp++;
    } else if (t === 1) fn++;
    else tn++;
  }
  return { tp, tn, fp, fn, n: tp + tn + fp + fn };
}

/** CBPE's expected confusion counts, row by row (rows where p or the prediction is missing skipped). */
export function expectedCounts(yPred: Float64Array, p: Float64Array): ExpectedCounts {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  let n = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const y = yPred[i];
    if (Number.isNaN(pi) || Number.isNaN(y)) continue;
    n++;
    if (y === 1) {
      tp += pi;
      fp += 1 - pi;
    } else if (y === 0) {
      fn += pi;
      tn += 1 - pi;
    }
  }
  return { tp, fp, fn, tn, n };
}
