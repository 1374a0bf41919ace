/**
 * Jensen-Shannon distance (spec §2.2, §2.3): scipy's `jensenshannon(p, q, base=2)` between the reference
 * distribution and the chunk's, on Doane bins (continuous) or the reference categories (categorical), with
 * NannyML's extra bin for chunk values outside the reference.
 */
import { pairwiseSum } from '../../stats/moments';
import { doaneEdges, Edges, histogram, withLeftoverBin } from './histogram';
import { CategoricalMethod, ContinuousMethod, shares } from './methods';

/** scipy.special.rel_entr: x·ln(x/y), 0 when x = 0, ∞ when y = 0 < x. */
function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/** scipy.spatial.distance.jensenshannon(p, q, base=2). */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const n = p.length;
  const ps = pairwiseSum(p);
  const qs = pairwiseSum(q);
  const left = new Float64Array(n);
  const right = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const pi = p[i] / ps;
    const qi = q[i] / qs;
    const m = (pi + qi) / 2.0;
    left[i] = relEntr(pi, m);
    right[i] = relEntr(qi, m);
  }
  const js = (pairwiseSum(left) + pairwiseSum(right)) / Math.LN2;
  return Math.sqrt(js / 2.0);
}

/** Reference fit on Doane bins: the edges and the reference share per bin. */
export interface BinnedFit {
  edges: Edges;
  referenceShares: number[];
}

/** Jensen-Shannon and Hellinger share one fit per reference column, so a chunk is binned once for both. */
const doaneFits = new WeakMap<Float64Array, BinnedFit>();

export function fitDoaneBins(reference: Float64Array): BinnedFit {
  let fit = doaneFits.get(reference);
  if (!fit) {
    const edges = doaneEdges(reference);
    fit = { edges, referenceShares: shares(histogram(reference, edges).counts, reference.length) };
    doaneFits.set(reference, fit);
  }
  return fit;
}

export const jensenShannonContinuous: ContinuousMethod<BinnedFit> = {
  id: 'jensen_shannon',
  limits: { lower: 0, upper: null },
  fit: fitDoaneBins,
  score(fit, chunk) {
    const { p, q } = withLeftoverBin(fit.referenceShares, chunk.histogram(fit.edges).counts, chunk.size);
    return jensenShannonDistance(p, q);
  },
};

/** Reference fit on categories: the share of each reference category (np.unique order). */
export interface CategoryFit {
  referenceShares: number[];
}

export function fitCategoryShares(reference: { seen: Float64Array; total: number }): CategoryFit {
  return { referenceShares: shares(reference.seen, reference.total) };
}

export const jensenShannonCategorical: CategoricalMethod<CategoryFit> = {
  id: 'jensen_shannon',
  limits: { lower: 0, upper: null },
  fit: fitCategoryShares,
  score(fit, chunk) {
    const { p, q } = withLeftoverBin(fit.referenceShares, chunk.seen, chunk.total);
    return { value: jensenShannonDistance(p, q) };
  },
};
