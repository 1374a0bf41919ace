/**
 * Hellinger distance (spec §2.4): `sqrt(Σ (√p − √q)²) / √2` on the same p/q as Jensen-Shannon (Doane bins
 * or reference categories, plus the leftover bin for values outside the reference).
 */
import { pairwiseSum } from '../../stats/moments';
import { withLeftoverBin } from './histogram';
import { BinnedFit, CategoryFit, fitCategoryShares, fitDoaneBins } from './jensen-shannon';
import { CategoricalMethod, ContinuousMethod } from './methods';

export function hellingerDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const sq = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const d = Math.sqrt(p[i]) - Math.sqrt(q[i]);
    sq[i] = d * d;
  }
  return Math.sqrt(pairwiseSum(sq)) / Math.SQRT2;
}

export const hellingerContinuous: ContinuousMethod<BinnedFit> = {
  id: 'hellinger',
  limits: { lower: 0, upper: null },
  fit: fitDoaneBins,
  score(fit, chunk) {
    const { p, q } = withLeftoverBin(fit.referenceShares, chunk.histogram(fit.edges).counts, chunk.size);
    return hellingerDistance(p, q);
  },
};

export const hellingerCategorical: CategoricalMethod<CategoryFit> = {
  id: 'hellinger',
  limits: { lower: 0, upper: null },
  fit: fitCategoryShares,
  score(fit, chunk) {
    const { p, q } = withLeftoverBin(fit.referenceShares, chunk.seen, chunk.total);
    return { value: hellingerDistance(p, q) };
  },
};
