/**
 * Kolmogorov-Smirnov D statistic (spec §2.5), two-sided, between the reference and a chunk.
 *
 * - exact: `sup |F_ref − F_chunk|` over the pooled values (scipy `ks_2samp(...).statistic`), one merge
 *   pass over the sorted reference (fitted once) and the sorted chunk;
 * - estimated: the reference CDF on `n_bins` equal-width bins between its min and max, compared with the
 *   chunk's CDF on the same edges (chunk values below the first edge count from the start).
 * `auto` picks exact below 10 000 reference values.
 */
import { compactSortedOnce, SortedValues, sortedValues } from './decimal-sorted';
import { cdfStep, EqualWidthCdf, equalWidthCdf, minMax } from './histogram';
import { ComputationParams, ContinuousMethod, usesExact } from './methods';
import { sortedOnce } from './pooled';

/** The sorted reference (compact when it holds decimals) and the binned CDF are shared with Wasserstein. */
export type KsFit = { mode: 'exact'; sortedReference: SortedValues } | ({ mode: 'estimated' } & EqualWidthCdf);

/** scipy's two-sample D on sorted inputs: cdf1 − cdf2 at every pooled value, largest absolute gap. */
export function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  // Once one sample is exhausted its CDF is 1 and the gap only shrinks, so the loop can stop there.
  while (i < n1 && j < n2) {
    const v = a[i] <= b[j] ? a[i] : b[j];
    while (i < n1 && a[i] <= v) i++;
    while (j < n2 && b[j] <= v) j++;
    const gap = Math.abs(i / n1 - j / n2);
    if (gap > d) d = gap;
  }
  return d;
}

export const kolmogorovSmirnov: ContinuousMethod<KsFit> = {
  id: 'kolmogorov_smirnov',
  limits: { lower: 0, upper: 1 },
  fit(reference: Float64Array, params: ComputationParams): KsFit {
    if (usesExact(params, reference.length)) return { mode: 'exact', sortedReference: compactSortedOnce(sortedOnce(reference)) };
    const [lo, hi] = minMax(reference);
    return { mode: 'estimated', ...equalWidthCdf(reference, lo, hi, params.nBins) };
  },
  score(fit, chunk) {
    if (fit.mode === 'exact') return ksStatisticSorted(sortedValues(fit.sortedReference), chunk.sorted());
    const n = chunk.size;
    const h = chunk.histogram(fit.edges);
    const belowShare = h.below / n;
    let referenceCdf = 0;
    let cumulative = 0;
    let d = -Infinity;
    for (let i = 0; i < fit.edges.k; i++) {
      referenceCdf = cdfStep(fit, referenceCdf, i);
      cumulative += h.counts[i] / n;
      const gap = Math.abs(referenceCdf - (belowShare + cumulative));
      if (gap > d) d = gap;
    }
    return d;
  },
};
