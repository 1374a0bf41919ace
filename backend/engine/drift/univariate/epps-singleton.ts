/**
 * Epps-Singleton test (Evidently `es`: scipy `epps_singleton_2samp(reference, chunk)`, t = (0.4, 0.8)).
 * Both samples are mapped to the empirical characteristic function at t/σ (σ = half the pooled IQR); W is
 * the Mahalanobis norm of the difference of their means under the pooled (biased) covariance, inverted
 * by a pseudo-inverse; p = P(χ²_r > W), r the covariance rank. A small-sample correction applies when both
 * samples have fewer than 25 values. Evidently refuses a pooled IQR of 0; Vigil reports no value then.
 * Level 0.05.
 */
import { MethodScore } from './methods';
import { sortedSamplesTest } from './pooled';
import { chi2Survival } from './special';

const T = [0.4, 0.8];
/** scipy requires at least five values in each sample. */
const MIN_SIZE = 5;

/** np.percentile(sorted, q) with linear interpolation (numpy's `_lerp`, exact at both ends). */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const pos = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = pos - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Merges two sorted arrays. */
function mergeSorted(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/** Means and biased covariance (divided by n) of g(x) = (cos t₁x, cos t₂x, sin t₁x, sin t₂x). */
function characteristicMoments(values: Float64Array, ts: number[]): { mean: number[]; cov: number[][] } {
  const n = values.length;
  const dim = 2 * ts.length;
  const rows: Float64Array[] = [];
  for (const t of ts) rows.push(values.map((x) => Math.cos(t * x)));
  for (const t of ts) rows.push(values.map((x) => Math.sin(t * x)));
  const mean = rows.map((r) => r.reduce((s, v) => s + v, 0) / n);
  const cov = Array.from({ length: dim }, () => new Array<number>(dim).fill(0));
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (rows[a][i] - mean[a]) * (rows[b][i] - mean[b]);
      cov[a][b] = cov[b][a] = s / n;
    }
  }
  return { mean, cov };
}

/** Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations. */
export function symmetricEigen(matrix: number[][]): { values: number[]; vectors: number[][] } {
  const n = matrix.length;
  const a = matrix.map((r) => [...r]);
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (__, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
    if (off < 1e-300) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p][q] === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: a.map((r, i) => r[i]), vectors: v };
}

export function eppsSingleton(sortedReference: Float64Array, sortedChunk: Float64Array): MethodScore {
  const nx = sortedReference.length;
  const ny = sortedChunk.length;
  if (nx < MIN_SIZE || ny < MIN_SIZE) return { value: NaN, pValue: NaN };
  const pooled = mergeSorted(sortedReference, sortedChunk);
  const sigma = (percentileSorted(pooled, 75) - percentileSorted(pooled, 25)) / 2;
  if (!(sigma > 0)) return { value: NaN, pValue: NaN };
  const ts = T.map((t) => t / sigma);
  const x = characteristicMoments(sortedReference, ts);
  const y = characteristicMoments(sortedChunk, ts);
  const n = nx + ny;
  const dim = 2 * T.length;
  const cov = x.cov.map((row, a) => row.map((v, b) => (n / nx) * v + (n / ny) * y.cov[a][b]));
  // Pseudo-inverse and rank as numpy (singular values below max·dim·ε are dropped); the covariance is
  // symmetric positive semi-definite, so its eigenvalues are its singular values.
  const { values, vectors } = symmetricEigen(cov);
  const largest = Math.max(...values.map(Math.abs));
  const cutoff = largest * dim * Number.EPSILON;
  const diff = x.mean.map((m, i) => m - y.mean[i]);
  let w = 0;
  let rank = 0;
  for (let e = 0; e < dim; e++) {
    if (!(Math.abs(values[e]) > cutoff)) continue;
    rank++;
    let proj = 0;
    for (let i = 0; i < dim; i++) proj += vectors[i][e] * diff[i];
    w += (proj * proj) / values[e];
  }
  w *= n;
  if (Math.max(nx, ny) < 25) w *= 1 / (1 + n ** -0.45 + 10.1 * (nx ** -1.7 + ny ** -1.7));
  return { value: w, pValue: chi2Survival(w, rank) };
}

export const eppsSingletonMethod = sortedSamplesTest('epps_singleton', 0.05, { lower: 0, upper: null }, eppsSingleton);
