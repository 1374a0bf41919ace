/**
 * G-test (Evidently `g_test`: scipy `power_divergence(f_obs, f_exp, lambda_='log-likelihood')`). The
 * chunk's category counts are tested against the reference's, G = 2·Σ o·ln(o/e) with k − 1 degrees of
 * freedom over the k categories of either sample. Evidently passes the raw reference counts as `f_exp`,
 * which scipy only accepts when both samples have the same size; Vigil scales them to the chunk size
 * (e = reference share × chunk size), the same test when the sizes agree. A category the reference never
 * had makes G infinite (p = 0). Level 0.1.
 */
import { CategoricalMethod, CategoryCounts, MethodScore } from './methods';
import { chi2Survival } from './special';

export function gTest(reference: CategoryCounts, chunk: CategoryCounts): MethodScore {
  const k = reference.seen.length + chunk.unseen.length;
  let g = 0;
  for (let i = 0; i < reference.seen.length; i++) {
    const o = chunk.seen[i];
    if (o > 0) g += o * Math.log(o / ((reference.seen[i] * chunk.total) / reference.total));
  }
  if (chunk.unseen.length > 0) g = Infinity;
  g *= 2;
  return { value: g, pValue: k > 1 ? chi2Survival(g, k - 1) : NaN };
}

export const gTestMethod: CategoricalMethod<CategoryCounts> = {
  id: 'g_test',
  limits: { lower: 0, upper: null },
  test: { alpha: 0.1 },
  fit: (reference) => reference,
  score: gTest,
};
