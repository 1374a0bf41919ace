/**
 * Fisher's exact test on a binary column (Evidently `fisher_exact`: scipy `fisher_exact` on the 2×2 table
 * [[chunk ones, chunk zeros], [reference ones, reference zeros]], two-sided). "Zero" is the reference's
 * first category (np.unique order), "one" the other. Value: the sample odds ratio; p-value: the sum of the
 * hypergeometric probabilities of all tables with the same margins that are no more likely than the one
 * observed (relative tolerance 1e-14, as scipy). The probabilities are built by the ratio recurrence from
 * the mode and normalized, so no log-factorials of large counts are needed.
 *
 * Evidently also requires the reference and chunk to have the same size; Vigil does not. A reference with
 * more than two categories is a configuration error; a chunk that brings a third category has no value.
 * Level 0.1.
 */
import { DataError } from '../../calculator';
import { CategoricalMethod, CategoryCounts, MethodScore } from './methods';

/** Two-sided Fisher exact p-value and odds ratio of [[a, b], [c, d]]. */
export function fisherExact(a: number, b: number, c: number, d: number): MethodScore {
  const odds = c > 0 && b > 0 ? (a * d) / (c * b) : Infinity;
  if (a + b === 0 || c + d === 0 || a + c === 0 || b + d === 0) return { value: NaN, pValue: 1 };
  const n1 = a + b; // first row
  const n2 = c + d;
  const n = a + c; // first column
  const lo = Math.max(0, n - n2);
  const hi = Math.min(n, n1);
  const mode = Math.floor(((n + 1) * (n1 + 1)) / (n1 + n2 + 2));
  // Relative probabilities w[x] ∝ C(n1, x)·C(n2, n − x), w[mode] = 1.
  const w = new Float64Array(hi - lo + 1);
  w[mode - lo] = 1;
  for (let x = mode; x < hi; x++) w[x + 1 - lo] = (w[x - lo] * (n1 - x) * (n - x)) / ((x + 1) * (n2 - n + x + 1));
  for (let x = mode; x > lo; x--) w[x - 1 - lo] = (w[x - lo] * x * (n2 - n + x)) / ((n1 - x + 1) * (n - x + 1));
  let total = 0;
  for (const v of w) total += v;
  const observed = w[a - lo];
  if (Math.abs(observed - 1) <= 1e-14) return { value: odds, pValue: 1 };
  const bound = observed * (1 + 1e-14);
  let p = 0;
  for (const v of w) if (v <= bound) p += v;
  return { value: odds, pValue: Math.min(1, p / total) };
}


export const fisherExactMethod: CategoricalMethod<CategoryCounts> = {
  id: 'fisher_exact',
  limits: { lower: 0, upper: null },
  test: { alpha: 0.1 },
  fit(reference) {
    if (reference.seen.length > 2) {
      throw new DataError('reference', `fisher_exact needs a binary column; the reference has ${reference.seen.length} categories`);
    }
    return reference;
  },
  score(reference, chunk) {
    const categories = reference.seen.length + chunk.unseen.length;
    if (categories > 2) return { value: NaN, pValue: NaN };
    const refZero = reference.seen[0];
    const refOne = reference.total - refZero;
    const chunkZero = chunk.seen[0];
    const chunkOne = chunk.total - chunkZero;
    return fisherExact(chunkOne, chunkZero, refOne, refZero);
  },
};
