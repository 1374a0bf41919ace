/**
 * One pass over two sorted samples as a pooled sample: for each distinct value in ascending order, how
 * many times it occurs in each. The rank-based tests (Anderson-Darling, Cramér-von Mises, Mann-Whitney)
 * read ranks, ties and empirical CDFs from these groups, in O(n₁ + n₂) after sorting.
 */
import { Limits } from '../../thresholds';
import { ContinuousMethod, ContinuousMethodId, MethodScore } from './methods';

export interface TieGroup {
  value: number;
  /** occurrences in the first sample */
  inA: number;
  /** occurrences in the second sample */
  inB: number;
  /** pooled values below this one */
  before: number;
}

export function tieGroups(a: Float64Array, b: Float64Array): TieGroup[] {
  const groups: TieGroup[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
    const before = i + j;
    let inA = 0;
    let inB = 0;
    while (i < a.length && a[i] === v) {
      i++;
      inA++;
    }
    while (j < b.length && b[j] === v) {
      j++;
      inB++;
    }
    groups.push({ value: v, inA, inB, before });
  }
  return groups;
}

/** Average (mid) rank of a tie group, 1-based, as scipy `rankdata(method='average')`. */
export const midRank = (g: TieGroup): number => g.before + (g.inA + g.inB + 1) / 2;

/**
 * The reference sorted once per column: the methods that keep it (the rank tests, energy distance, PSI and
 * KL) share one array in memory and in the saved fit (V8's serialiser keeps shared references).
 */
const sortedReferences = new WeakMap<Float64Array, Float64Array>();

export function sortedOnce(reference: Float64Array): Float64Array {
  let sorted = sortedReferences.get(reference);
  if (!sorted) sortedReferences.set(reference, (sorted = Float64Array.from(reference).sort()));
  return sorted;
}

/** A two-sample test on sorted values: the reference is sorted once at fit, each chunk once (shared). */
export function sortedSamplesTest(
  id: ContinuousMethodId,
  alpha: number,
  limits: Limits,
  test: (sortedReference: Float64Array, sortedChunk: Float64Array) => MethodScore,
): ContinuousMethod<Float64Array, MethodScore> {
  return {
    id,
    limits,
    test: { alpha },
    fit: sortedOnce,
    score: (sortedReference, chunk) => test(sortedReference, chunk.sorted()),
  };
}
