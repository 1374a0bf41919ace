/**
 * Two-sample Cramér-von Mises test (Evidently `cramer_von_mises`, whose code is scipy's
 * `cramervonmises_2samp`). Value: T = U/(n₁n₂N) − (4n₁n₂ − 1)/(6N) from the pooled average ranks; p-value:
 * the asymptotic distribution (Csörgő & Faraway 1996, the series summed until a term is below 1e-7, as
 * scipy does) of the standardized statistic. scipy switches to an exact p-value when both samples have
 * at most 20 values; Vigil always uses the asymptotic one (docs/drift-methods.md). Level 0.1.
 */
import { logGamma } from './gamma';
import { MethodScore } from './methods';
import { midRank, tieGroups, sortedSamplesTest } from './pooled';
import { besselK } from './special';

/** scipy's `_cdf_cvm_inf`: the limiting CDF of the statistic. */
export function cvmLimitingCdf(x: number): number {
  let total = 0;
  for (let k = 0; ; k++) {
    const u = Math.exp(logGamma(k + 0.5) - logGamma(k + 1)) / (Math.PI ** 1.5 * Math.sqrt(x));
    const y = 4 * k + 1;
    const q = (y * y) / (16 * x);
    const term = u * Math.sqrt(y) * Math.exp(-q) * besselK(0.25, q);
    total += term;
    if (!(Math.abs(term) >= 1e-7)) break;
  }
  return total;
}

export function cramerVonMises(sortedReference: Float64Array, sortedChunk: Float64Array): MethodScore {
  const nx = sortedReference.length;
  const ny = sortedChunk.length;
  if (nx <= 1 || ny <= 1) return { value: NaN, pValue: NaN };
  let u = 0;
  let ix = 0;
  let iy = 0;
  let sx = 0;
  let sy = 0;
  // Σ (rank − position)² over each sorted sample; all members of a tie group share the mid rank.
  for (const g of tieGroups(sortedReference, sortedChunk)) {
    const r = midRank(g);
    for (let j = 0; j < g.inA; j++) sx += (r - ++ix) ** 2;
    for (let j = 0; j < g.inB; j++) sy += (r - ++iy) ** 2;
  }
  u = nx * sx + ny * sy;
  const k = nx * ny;
  const N = nx + ny;
  const t = u / (k * N) - (4 * k - 1) / (6 * N);
  const et = (1 + 1 / N) / 6;
  const vt = ((N + 1) * (4 * k * N - 3 * (nx * nx + ny * ny) - 2 * k)) / (45 * N * N * 4 * k);
  const tn = 1 / 6 + (t - et) / Math.sqrt(45 * vt);
  const p = tn < 0.003 ? 1 : Math.max(0, 1 - cvmLimitingCdf(tn));
  return { value: t, pValue: p };
}

export const cramerVonMisesMethod = sortedSamplesTest('cramer_von_mises', 0.1, { lower: null, upper: null }, cramerVonMises);
