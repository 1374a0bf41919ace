/**
 * Two-sample Cramér-von Mises test (Evidently `cramer_von_mises`, whose code is scipy's
 * `cramervonmises_2samp`). Value: T = U/(n₁n₂N) − (4n₁n₂ − 1)/(6N) from the pooled average ranks; p-value:
 * as scipy's `auto`: exact when both samples have at most 20 values (the null distribution of U counted
 * over all arrangements, Xiao, Gordon & Yakovlev 2006), else the asymptotic distribution (Csörgő &
 * Faraway 1996, the series summed until a term is below 1e-7, as scipy does) of the standardized
 * statistic. Level 0.1.
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

/** scipy's `auto` uses the exact p-value when neither sample has more values than this. */
const EXACT_MAX_SIZE = 20;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * P(U ≥ u) under H₀ for sample sizes m, n: every arrangement of the pooled sample is a lattice path from
 * (0, 0) to (n, m); along it U (scaled by lcm(m, n)²/… to integers) adds (a·v − b·u)² at each point, with
 * a = lcm/m, b = lcm/n. The distribution is built point by point as value → count maps.
 */
function exactSurvival(s: number, m: number, n: number): number {
  const lcm = (m * n) / gcd(m, n);
  const a = lcm / m;
  const b = lcm / n;
  const mn = m * n;
  const zeta = Math.floor((lcm * lcm * (m + n) * (6 * s - mn * (4 * mn - 1))) / (6 * mn * mn));
  let gs: Map<number, number>[] = [new Map([[0, 1]]), ...Array.from({ length: m }, () => new Map<number, number>())];
  for (let u = 0; u <= n; u++) {
    const next: Map<number, number>[] = [];
    let tmp = new Map<number, number>();
    for (let v = 0; v <= m; v++) {
      const merged = new Map(tmp);
      for (const [value, count] of gs[v]) merged.set(value, (merged.get(value) ?? 0) + count);
      const step = (a * v - b * u) ** 2;
      tmp = new Map([...merged].map(([value, count]) => [value + step, count]));
      next.push(tmp);
    }
    gs = next;
  }
  let total = 0;
  let tail = 0;
  for (const [value, count] of gs[m]) {
    total += count;
    if (value >= zeta) tail += count;
  }
  return tail / total;
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
  if (Math.max(nx, ny) <= EXACT_MAX_SIZE) return { value: t, pValue: exactSurvival(u, nx, ny) };
  const et = (1 + 1 / N) / 6;
  const vt = ((N + 1) * (4 * k * N - 3 * (nx * nx + ny * ny) - 2 * k)) / (45 * N * N * 4 * k);
  const tn = 1 / 6 + (t - et) / Math.sqrt(45 * vt);
  const p = tn < 0.003 ? 1 : Math.max(0, 1 - cvmLimitingCdf(tn));
  return { value: t, pValue: p };
}

export const cramerVonMisesMethod = sortedSamplesTest('cramer_von_mises', 0.1, { lower: null, upper: null }, cramerVonMises);
