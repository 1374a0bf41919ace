/**
 * k-sample Anderson-Darling test for k = 2 (Evidently `anderson`: scipy `anderson_ksamp([reference, chunk])`,
 * midrank variant, Scholz & Stephens 1987). Value: the normalized statistic A2 = (A²akN − 1)/σ_N; p-value:
 * scipy's interpolation of log(significance) over the table of critical values (a degree-2 least-squares
 * fit), capped to [0.001, 0.25] as scipy caps it. Level 0.1.
 */
import { MethodScore } from './methods';
import { tieGroups, sortedSamplesTest } from './pooled';

/** Scholz & Stephens' table 2 interpolation coefficients and scipy's significance levels. */
const B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
const SIGNIFICANCE = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];

/** Critical values for k − 1 = 1 degree of freedom: b0 + b1/√1 + b2/1. */
const CRITICAL = B0.map((b0, i) => b0 + B1[i] + B2[i]);

/**
 * np.polyfit(x, y, 2): least squares on the Vandermonde matrix with columns scaled to unit norm, solved by
 * Householder QR (numpy uses an SVD; both give the least-squares solution, to rounding).
 */
export function quadraticFit(x: number[], y: number[]): [number, number, number] {
  const rows = x.length;
  const cols = 3;
  const a = x.map((xi) => [xi * xi, xi, 1]);
  const scale = [0, 1, 2].map((j) => Math.sqrt(a.reduce((s, r) => s + r[j] * r[j], 0)));
  for (const r of a) for (let j = 0; j < cols; j++) r[j] /= scale[j];
  const b = [...y];
  for (let j = 0; j < cols; j++) {
    let norm = 0;
    for (let i = j; i < rows; i++) norm += a[i][j] * a[i][j];
    norm = Math.sqrt(norm);
    const alpha = a[j][j] > 0 ? -norm : norm;
    const v = new Array<number>(rows).fill(0);
    for (let i = j; i < rows; i++) v[i] = a[i][j];
    v[j] -= alpha;
    const vv = v.reduce((s, vi) => s + vi * vi, 0);
    if (vv === 0) continue;
    for (let k = j; k < cols; k++) {
      let dot = 0;
      for (let i = j; i < rows; i++) dot += v[i] * a[i][k];
      for (let i = j; i < rows; i++) a[i][k] -= (2 * dot * v[i]) / vv;
    }
    let dot = 0;
    for (let i = j; i < rows; i++) dot += v[i] * b[i];
    for (let i = j; i < rows; i++) b[i] -= (2 * dot * v[i]) / vv;
  }
  const c = [0, 0, 0];
  for (let j = cols - 1; j >= 0; j--) {
    let s = b[j];
    for (let k = j + 1; k < cols; k++) s -= a[j][k] * c[k];
    c[j] = s / a[j][j];
  }
  return [c[0] / scale[0], c[1] / scale[1], c[2] / scale[2]];
}

const LOG_FIT = quadraticFit(CRITICAL, SIGNIFICANCE.map(Math.log));
const CRITICAL_MIN = Math.min(...CRITICAL);
const CRITICAL_MAX = Math.max(...CRITICAL);

/** scipy's p-value for a normalized statistic A2 with k = 2 samples. */
export function andersonPValue(a2: number): number {
  if (Number.isNaN(a2)) return NaN;
  if (a2 < CRITICAL_MIN) return 0.25;
  if (a2 > CRITICAL_MAX) return 0.001;
  return Math.exp((LOG_FIT[0] * a2 + LOG_FIT[1]) * a2 + LOG_FIT[2]);
}

/** The normalizing variance σ²_N of A²akN for k samples of sizes n (Scholz & Stephens, eq. 4). */
function sigmaSquared(k: number, sizes: number[], total: number): number {
  const N = total;
  const H = sizes.reduce((s, ni) => s + 1 / ni, 0);
  // hs_cs = cumsum(1/(N−1), 1/(N−2), ..., 1/2); h = Σ_{i<N} 1/i; g = Σ hs_cs[j]/(j+2)
  let cumulative = 0;
  let g = 0;
  for (let j = 0, d = N - 1; d > 1; j++, d--) {
    cumulative += 1 / d;
    g += cumulative / (j + 2);
  }
  const h = cumulative + 1;
  const a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
  const b = (2 * g - 4) * k * k + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
  const c = (6 * h + 2 * g - 2) * k * k + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h;
  const d = (2 * h + 6) * k * k - 4 * h * k;
  return (a * N ** 3 + b * N ** 2 + c * N + d) / ((N - 1) * (N - 2) * (N - 3));
}

export function andersonDarling(sortedReference: Float64Array, sortedChunk: Float64Array): MethodScore {
  const sizes = [sortedReference.length, sortedChunk.length];
  const N = sizes[0] + sizes[1];
  const groups = tieGroups(sortedReference, sortedChunk);
  // scipy raises with fewer than two distinct values; there is no statistic then.
  if (groups.length < 2) return { value: NaN, pValue: NaN };
  let sum0 = 0;
  let sum1 = 0;
  let m0 = 0;
  let m1 = 0;
  for (const g of groups) {
    const lj = g.inA + g.inB;
    const bj = g.before + lj / 2;
    // M_ij: sample values ≤ z_j minus half of those equal to it
    m0 += g.inA;
    m1 += g.inB;
    const mi0 = m0 - g.inA / 2;
    const mi1 = m1 - g.inB / 2;
    const denominator = bj * (N - bj) - (N * lj) / 4;
    sum0 += ((lj / N) * (N * mi0 - bj * sizes[0]) ** 2) / denominator;
    sum1 += ((lj / N) * (N * mi1 - bj * sizes[1]) ** 2) / denominator;
  }
  const a2akn = ((sum0 / sizes[0] + sum1 / sizes[1]) * (N - 1)) / N;
  const a2 = (a2akn - 1) / Math.sqrt(sigmaSquared(2, sizes, N));
  return { value: a2, pValue: andersonPValue(a2) };
}

export const andersonDarlingMethod = sortedSamplesTest('anderson_darling', 0.1, { lower: null, upper: null }, andersonDarling);
