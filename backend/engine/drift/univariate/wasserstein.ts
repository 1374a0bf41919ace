/**
 * Wasserstein-1 distance (spec §2.8), in the data's units.
 *
 * - exact: scipy `wasserstein_distance(ref, chunk) = ∫ |F_ref − F_chunk| dx`, one merge pass over the sorted
 *   reference (fitted once) and the sorted chunk;
 * - estimated: the reference CDF on `n_bins` equal-width bins, the chunk's CDF on the same edges, plus
 *   NannyML's tail terms for chunk values beyond the reference range.
 * `auto` picks exact below 10 000 reference values.
 */
import { pairwiseSum } from '../../stats/moments';
import { compactSortedOnce, SortedValues, sortedValues } from './decimal-sorted';
import { cdfStep, edgeAt, EqualWidthCdf, equalWidthCdf, minMax } from './histogram';
import { ComputationParams, ContinuousMethod, ContinuousSample, usesExact } from './methods';
import { sortedOnce } from './pooled';

/**
 * Exact: the column's sorted reference, as decimals in 1–4 bytes a value when it holds such (decimal-sorted.ts),
 * shared with KS. Estimated: the binned reference shared with KS (edges as linspace parameters, counts as
 * small integers: about 10 KB a column instead of 160 KB).
 */
export type WassersteinFit = { mode: 'exact'; sortedReference: SortedValues } | ({ mode: 'estimated'; binWidth: number } & EqualWidthCdf);

/** ∫|F_a − F_b| over the pooled sorted values (both inputs sorted ascending). */
export function wassersteinSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  const terms = new Float64Array(n1 + n2 - 1);
  let i = 0;
  let j = 0;
  let k = 0;
  let current = a[0] <= b[0] ? a[0] : b[0];
  // Walk the merged order; a tie adds a zero-width term, so counts up to the current element suffice.
  while (k < terms.length) {
    if (j >= n2 || (i < n1 && a[i] <= b[j])) i++;
    else j++;
    const next = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    terms[k++] = Math.abs(i / n1 - j / n2) * (next - current);
    current = next;
  }
  return pairwiseSum(terms);
}

/** NannyML's `_ecdf`: sorted unique values and cumulative shares `cumsum(counts)/len`. */
function ecdf(values: Float64Array): { x: number[]; y: number[] } {
  const sorted = Float64Array.from(values).sort();
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i + 1 < sorted.length && sorted[i + 1] === sorted[i]) continue;
    x.push(sorted[i]);
    y.push((i + 1) / sorted.length);
  }
  return { x, y };
}

/** Values of the chunk strictly below `lo` (or above `hi`), with the reference boundary added. */
function tail(chunk: ContinuousSample, boundary: number, side: 'below' | 'above', count: number): Float64Array {
  const out = new Float64Array(count + 1);
  let k = 0;
  out[k++] = boundary;
  const v = chunk.values;
  for (let i = 0; i < v.length; i++) {
    if (side === 'below' ? v[i] < boundary : v[i] > boundary) out[k++] = v[i];
  }
  return out;
}

export const wasserstein: ContinuousMethod<WassersteinFit> = {
  id: 'wasserstein',
  limits: { lower: 0, upper: null },
  fit(reference: Float64Array, params: ComputationParams): WassersteinFit {
    if (usesExact(params, reference.length)) return { mode: 'exact', sortedReference: compactSortedOnce(sortedOnce(reference)) };
    let [lo, hi] = minMax(reference);
    // np.histogram(x, bins=n) widens a degenerate range by half a unit on each side.
    if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    }
    const cdf = equalWidthCdf(reference, lo, hi, params.nBins);
    return { mode: 'estimated', ...cdf, binWidth: edgeAt(cdf.edges, 1) - edgeAt(cdf.edges, 0) };
  },
  score(fit, chunk) {
    if (fit.mode === 'exact') return wassersteinSorted(sortedValues(fit.sortedReference), chunk.sorted());
    const n = chunk.size;
    const h = chunk.histogram(fit.edges);
    let smallerShare = 0;
    let termSmaller = 0;
    if (h.below > 0) {
      smallerShare = (h.below + 1) / n;
      const { x, y } = ecdf(tail(chunk, fit.edges.a, 'below', h.below));
      const t = new Float64Array(x.length - 1);
      for (let i = 0; i < t.length; i++) t[i] = y[i] * (x[i + 1] - x[i]);
      termSmaller = pairwiseSum(t) * smallerShare;
    }
    let termBigger = 0;
    if (h.above > 0) {
      const biggerShare = (h.above + 1) / n;
      const { x, y } = ecdf(tail(chunk, fit.edges.b, 'above', h.above));
      const t = new Float64Array(x.length - 1);
      for (let i = 0; i < t.length; i++) t[i] = (1 - y[i]) * (x[i + 1] - x[i]);
      termBigger = pairwiseSum(t) * biggerShare;
    }
    const within = new Float64Array(fit.edges.k);
    let referenceCdf = 0;
    let cumulative = 0;
    for (let i = 0; i < within.length; i++) {
      referenceCdf = cdfStep(fit, referenceCdf, i);
      cumulative += h.counts[i] / n;
      within[i] = Math.abs(referenceCdf - (cumulative + smallerShare)) * fit.binWidth;
    }
    return pairwiseSum(within) + termSmaller + termBigger;
  },
};
