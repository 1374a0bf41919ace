/**
 * Mann-Whitney U test as Evidently calls it (`mannw`: scipy `mannwhitneyu(x=reference, y=chunk,
 * alternative='less')`, a one-sided test). Value: U₁, the reference's U; p-value: P(U₂ ≥ observed U₂) under
 * H₀, from the exact null distribution when a sample has at most 8 values and there are no ties, else
 * from the normal approximation with tie and continuity corrections (scipy's `auto`). Level 0.05.
 */
import { MethodScore } from './methods';
import { midRank, tieGroups, sortedSamplesTest } from './pooled';
import { normalSurvival } from './special';

/** scipy uses the exact distribution only when a sample is this small and there are no ties. */
const EXACT_MAX_SIZE = 8;

/**
 * P(U ≥ u) under H₀ for sample sizes m ≤ n: the number of arrangements with each U is the coefficient of
 * q^U in the Gaussian binomial [m+n choose m]_q = ∏_{i=1..m} (1 − q^{n+i}) / (1 − q^i), built by m
 * multiplications and divisions of polynomials (counts in doubles: relative error ~1e-16 per step).
 */
function exactSurvival(u: number, m: number, n: number): number {
  const size = m * n + 1;
  let poly = new Float64Array(size);
  poly[0] = 1;
  for (let i = 1; i <= m; i++) {
    const next = new Float64Array(size);
    // multiply by (1 − q^{n+i})
    for (let k = 0; k < size; k++) next[k] = poly[k] - (k >= n + i ? poly[k - n - i] : 0);
    // divide by (1 − q^i): running sum with stride i
    for (let k = i; k < size; k++) next[k] += next[k - i];
    poly = next;
  }
  let total = 0;
  let tail = 0;
  for (let k = 0; k < size; k++) {
    total += poly[k];
    if (k >= u) tail += poly[k];
  }
  return tail / total;
}

export function mannWhitneyLess(sortedReference: Float64Array, sortedChunk: Float64Array): MethodScore {
  const n1 = sortedReference.length;
  const n2 = sortedChunk.length;
  let r1 = 0;
  let tieTerm = 0;
  let ties = false;
  for (const g of tieGroups(sortedReference, sortedChunk)) {
    r1 += g.inA * midRank(g);
    const t = g.inA + g.inB;
    if (t > 1) {
      ties = true;
      tieTerm += t * t * t - t;
    }
  }
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  let p: number;
  if ((n1 <= EXACT_MAX_SIZE || n2 <= EXACT_MAX_SIZE) && !ties) {
    p = exactSurvival(Math.round(u2), Math.min(n1, n2), Math.max(n1, n2));
  } else {
    const n = n1 + n2;
    const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    p = normalSurvival((u2 - (n1 * n2) / 2 - 0.5) / s);
  }
  return { value: u1, pValue: Math.min(1, Math.max(0, p)) };
}

export const mannWhitney = sortedSamplesTest('mann_whitney', 0.05, { lower: 0, upper: null }, mannWhitneyLess);
