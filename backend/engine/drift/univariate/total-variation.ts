/**
 * Total variation distance (Evidently `TVD`): ½·Σ|r − c| over the category shares of both samples.
 * Evidently turns it into a permutation p-value (1 000 shuffles drawn from numpy's global generator);
 * Vigil reports the distance itself, with NannyML's std threshold by default (docs/drift-methods.md).
 */
import { pairwiseSum } from '../../stats/moments';
import { CategoricalMethod, CategoryCounts } from './methods';

export function totalVariation(reference: CategoryCounts, chunk: CategoryCounts): number {
  const k = reference.seen.length;
  const terms = new Float64Array(k + chunk.unseen.length);
  for (let i = 0; i < k; i++) terms[i] = Math.abs(reference.seen[i] / reference.total - chunk.seen[i] / chunk.total);
  chunk.unseen.forEach((c, i) => (terms[k + i] = c / chunk.total));
  return 0.5 * pairwiseSum(terms);
}

export const totalVariationMethod: CategoricalMethod<CategoryCounts> = {
  id: 'total_variation',
  limits: { lower: 0, upper: 1 },
  fit: (reference) => reference,
  score: (reference, chunk) => ({ value: totalVariation(reference, chunk) }),
};
