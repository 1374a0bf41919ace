/**
 * Evidently's `get_binned_data`, shared by PSI and Kullback-Leibler: the reference and chunk shares on
 * - numeric columns whose reference has more than 20 distinct values: `np.histogram_bin_edges(reference ∪
 *   chunk, 'sturges')`, each sample's counts divided by its size;
 * - otherwise (fewer numeric values, or categories): one bin per value seen in either sample.
 * Empty bins get a small share instead of 0 (`feel_zeroes`): the smallest non-zero share / 10⁶ when that
 * is ≤ 0.0001, else 0.0001, separately for each sample.
 */
import { histogram, linspaceEdges, minMax } from './histogram';
import { CategoricalMethod, CategoryCounts, ContinuousMethod, ContinuousSample } from './methods';
import { sortedOnce } from './pooled';

/** Evidently bins by value below this many distinct reference values (numeric columns). */
export const VALUE_BINS_UP_TO = 20;

export interface EvidentlyBinsFit {
  sorted: Float64Array;
  /** Distinct reference values and their counts, when there are at most 20 of them. */
  distinct: { values: number[]; counts: number[] } | null;
}

export function fitEvidentlyBins(reference: Float64Array): EvidentlyBinsFit {
  const sorted = sortedOnce(reference);
  const values: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) counts[counts.length - 1]++;
    else {
      if (values.length === VALUE_BINS_UP_TO) return { sorted, distinct: null };
      values.push(sorted[i]);
      counts.push(1);
    }
  }
  return { sorted, distinct: { values, counts } };
}

/** np.histogram_bin_edges(x, 'sturges') from the pooled size and range. */
export function sturgesEdges(lo: number, hi: number, size: number) {
  let first = lo;
  let last = hi;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (hi - lo) / (Math.log2(size) + 1);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  return linspaceEdges(first, last, bins);
}

/** Evidently's zero filling, in place. */
function fillZeroes(shares: Float64Array): Float64Array {
  let smallest = Infinity;
  for (const s of shares) if (s !== 0 && s < smallest) smallest = s;
  const fill = smallest <= 0.0001 ? smallest / 10 ** 6 : 0.0001;
  for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
  return shares;
}

export interface BinnedShares {
  reference: Float64Array;
  chunk: Float64Array;
}

/** Shares of counts aligned by value (sorted distinct values of both samples). */
function valueShares(refValues: number[], refCounts: number[], refTotal: number, chunkSorted: Float64Array): BinnedShares {
  const byValue = new Map<number, [number, number]>();
  refValues.forEach((v, i) => byValue.set(v, [refCounts[i], 0]));
  for (const v of chunkSorted) {
    const e = byValue.get(v);
    if (e) e[1]++;
    else byValue.set(v, [0, 1]);
  }
  const entries = [...byValue.values()];
  return {
    reference: fillZeroes(Float64Array.from(entries, (e) => e[0] / refTotal)),
    chunk: fillZeroes(Float64Array.from(entries, (e) => e[1] / chunkSorted.length)),
  };
}

export function continuousShares(fit: EvidentlyBinsFit, chunk: ContinuousSample): BinnedShares {
  if (fit.distinct) return valueShares(fit.distinct.values, fit.distinct.counts, fit.sorted.length, chunk.sorted());
  const [clo, chi] = minMax(chunk.values);
  const lo = Math.min(fit.sorted[0], clo);
  const hi = Math.max(fit.sorted[fit.sorted.length - 1], chi);
  const edges = sturgesEdges(lo, hi, fit.sorted.length + chunk.size);
  const ref = histogram(fit.sorted, edges).counts;
  const cur = histogram(chunk.values, edges).counts;
  return {
    reference: fillZeroes(ref.map((c) => c / fit.sorted.length)),
    chunk: fillZeroes(cur.map((c) => c / chunk.size)),
  };
}

/** Shares over the reference categories, then the categories only the chunk has (reference share 0). */
export function categoricalShares(reference: CategoryCounts, chunk: CategoryCounts): BinnedShares {
  const k = reference.seen.length + chunk.unseen.length;
  const ref = new Float64Array(k);
  const cur = new Float64Array(k);
  reference.seen.forEach((c, i) => {
    ref[i] = c / reference.total;
    cur[i] = chunk.seen[i] / chunk.total;
  });
  chunk.unseen.forEach((c, i) => (cur[reference.seen.length + i] = c / chunk.total));
  return { reference: fillZeroes(ref), chunk: fillZeroes(cur) };
}

/**
 * The continuous and categorical methods of a distance over Evidently's bins (PSI, Kullback-Leibler):
 * both take the shares above, differ only in how they are made, and alert above Evidently's 0.1.
 */
export function binnedShareMethods(
  id: 'population_stability_index' | 'kullback_leibler',
  distance: (shares: BinnedShares) => number,
): { continuous: ContinuousMethod<EvidentlyBinsFit>; categorical: CategoricalMethod<CategoryCounts> } {
  const common = { id, limits: { lower: 0, upper: null }, defaultThreshold: { type: 'constant' as const, lower: null, upper: 0.1 } };
  return {
    continuous: { ...common, fit: fitEvidentlyBins, score: (fit, chunk) => distance(continuousShares(fit, chunk)) },
    categorical: { ...common, fit: (reference) => reference, score: (reference, chunk) => ({ value: distance(categoricalShares(reference, chunk)) }) },
  };
}
