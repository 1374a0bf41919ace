/**
 * Two-proportion z-test (Evidently `z`): the share of values other than the first category (sorted) in the
 * reference against that in the chunk, z = (p₁ − p₂)/√(P(1−P)(1/n₁ + 1/n₂)) with the pooled share P,
 * two-sided p = 2·P(Z > |z|). Both samples holding one and the same value give p = 1. The first category
 * is the reference's first (np.unique order); Evidently sorts the union, which differs only when the
 * chunk brings a new category that sorts first. Level 0.05.
 */
import { CategoricalMethod, CategoryCounts, MethodScore } from './methods';
import { normalSurvival } from './special';

export function zTest(reference: CategoryCounts, chunk: CategoryCounts): MethodScore {
  const n1 = reference.total;
  const n2 = chunk.total;
  const distinctChunk = chunk.seen.reduce((s, c) => s + (c > 0 ? 1 : 0), 0) + chunk.unseen.length;
  if (reference.seen.length === 1 && distinctChunk === 1 && chunk.seen[0] === n2) return { value: 0, pValue: 1 };
  const p1 = (n1 - reference.seen[0]) / n1;
  const p2 = (n2 - chunk.seen[0]) / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return { value: z, pValue: 2 * normalSurvival(Math.abs(z)) };
}

export const zTestMethod: CategoricalMethod<CategoryCounts> = {
  id: 'z_test',
  limits: { lower: null, upper: null },
  test: { alpha: 0.05 },
  fit: (reference) => reference,
  score: zTest,
};
