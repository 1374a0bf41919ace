/**
 * Standard scaling + PCA + reconstruction error over encoded feature columns (spec §3.1 steps 5–6 and the
 * per-chunk error), as sklearn's StandardScaler and PCA compute them.
 *
 * Speed: rows are processed in column-major blocks of BLOCK_ROWS, so a million-row reference is never
 * copied whole. The principal axes come from the eigendecomposition of the d×d covariance matrix built
 * in one pass (what sklearn's `covariance_eigh` solver does); it equals the SVD of the centred data
 * (V = right singular vectors, eigenvalues = s²/(n−1)), which `pca.test.ts` checks against ml-matrix's SVD.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { BoundColumn } from './encoding';

/** Rows per block: large enough for tight loops, small enough to stay in cache (d × 4096 × 8 bytes). */
export const BLOCK_ROWS = 4096;

export interface ScalerFit {
  mean: Float64Array;
  /** std₀ of each column, 1 where it is 0 (sklearn's StandardScaler) */
  scale: Float64Array;
}

export interface PcaFit {
  /** feature count */
  d: number;
  /** number of components kept */
  k: number;
  /** mean of the scaled training rows (sklearn's PCA.mean_, ≈ 0) */
  mean: Float64Array;
  /** k × d principal axes, row-major (sklearn's components_) */
  components: Float64Array;
  /** all d explained variances, descending (s²/(n−1)) */
  explainedVariance: Float64Array;
  explainedVarianceRatio: Float64Array;
}

/** Calls `f(start, count, block)` for consecutive blocks; `block[j·BLOCK_ROWS + r]` holds column j of row start+r. */
export function forEachBlock(columns: BoundColumn[], n: number, f: (start: number, count: number, block: Float64Array) => void): void {
  const block = new Float64Array(columns.length * BLOCK_ROWS);
  for (let start = 0; start < n; start += BLOCK_ROWS) {
    const count = Math.min(BLOCK_ROWS, n - start);
    for (let j = 0; j < columns.length; j++) columns[j].write(start, count, block, j * BLOCK_ROWS);
    f(start, count, block);
  }
}

// The row loops are small functions of their own: called for every column and block, they are optimized
// after a few calls, where a loop inlined in a longer function runs its first blocks unoptimized.

/** Σ values[start..start+count), in order. */
function sumOf(values: Float64Array, start: number, count: number): number {
  let s = 0;
  for (let r = 0; r < count; r++) s += values[start + r];
  return s;
}

/** Σ (values[i] − m)² over the first n, in order. */
function squaredDeviations(values: Float64Array, n: number, m: number): number {
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - m) * (values[i] - m);
  return ss;
}

/** Σ block[a + r]·block[b + r] over count rows, in order. */
function dot(block: Float64Array, a: number, b: number, count: number): number {
  let p = 0;
  for (let r = 0; r < count; r++) p += block[a + r] * block[b + r];
  return p;
}

/** x[at + r] −= m for count rows. */
function subtract(x: Float64Array, at: number, m: number, count: number): void {
  for (let r = 0; r < count; r++) x[at + r] -= m;
}

/** y[ya + r] += v · x[xa + r] for count rows. */
function addScaled(y: Float64Array, ya: number, v: number, x: Float64Array, xa: number, count: number): void {
  for (let r = 0; r < count; r++) y[ya + r] += v * x[xa + r];
}

/** acc[aa + r] += (x[xa + r] − rec[r])² for count rows. */
function addSquaredResiduals(acc: Float64Array, aa: number, x: Float64Array, xa: number, rec: Float64Array, count: number): void {
  for (let r = 0; r < count; r++) {
    const res = x[xa + r] - rec[r];
    acc[aa + r] += res * res;
  }
}

/** StandardScaler.fit: per-column mean and std₀ (two passes per column over a reused buffer). */
export function fitScaler(columns: BoundColumn[], n: number): ScalerFit {
  const d = columns.length;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  const buf = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    columns[j].write(0, n, buf, 0);
    const m = sumOf(buf, 0, n) / n;
    const variance = squaredDeviations(buf, n, m) / n;
    mean[j] = m;
    // sklearn's _is_constant_feature: a variance within rounding of 0 counts as constant and keeps scale 1
    const eps = Number.EPSILON;
    const constant = variance <= n * eps * variance + (n * m * eps) ** 2;
    scale[j] = constant ? 1 : Math.sqrt(variance);
  }
  return { mean, scale };
}

/** Applies the scaler to a block in place. */
export function scaleBlock(block: Float64Array, count: number, scaler: ScalerFit): void {
  for (let j = 0; j < scaler.mean.length; j++) {
    const off = j * BLOCK_ROWS;
    const m = scaler.mean[j];
    const s = scaler.scale[j];
    for (let r = 0; r < count; r++) block[off + r] = (block[off + r] - m) / s;
  }
}

export type ComponentCount = { type: 'ratio'; value: number } | { type: 'count'; value: number };

/** k from sklearn's rule: a ratio keeps the fewest components whose cumulative ratio is > value. */
export function componentCount(ratio: Float64Array, n: ComponentCount): number {
  if (n.type === 'count') return n.value;
  let cum = 0;
  let k = 0;
  // searchsorted(cumsum, value, side='right') + 1: count the cumulative sums ≤ value, plus one
  for (let i = 0; i < ratio.length; i++) {
    cum += ratio[i];
    if (cum <= n.value) k++;
    else break;
  }
  return Math.min(k + 1, ratio.length);
}

/** Fits scaler and PCA on n rows of the bound columns. */
export function fitScaledPca(columns: BoundColumn[], n: number, nComponents: ComponentCount): { scaler: ScalerFit; pca: PcaFit } {
  const d = columns.length;
  const scaler = fitScaler(columns, n);
  // One pass: Σz and Σ z zᵀ. The columns are standardised, so the mean is ≈ 0 and the centred covariance
  // (Σ z zᵀ − n μ μᵀ)/(n−1) loses no precision.
  const sums = new Float64Array(d);
  const cross = new Float64Array(d * d);
  forEachBlock(columns, n, (_start, count, block) => {
    scaleBlock(block, count, scaler);
    for (let a = 0; a < d; a++) {
      const oa = a * BLOCK_ROWS;
      sums[a] += sumOf(block, oa, count);
      for (let b = a; b < d; b++) cross[a * d + b] += dot(block, oa, b * BLOCK_ROWS, count);
    }
  });
  const mean = sums.map((s) => s / n);
  const cov = new Matrix(d, d);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const c = (cross[a * d + b] - n * mean[a] * mean[b]) / (n - 1);
      cov.set(a, b, c);
      cov.set(b, a, c);
    }
  }
  const evd = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((i, j) => values[j] - values[i]);
  // rounding can leave tiny negative eigenvalues where the SVD would give s² = 0
  const explainedVariance = Float64Array.from(order, (i) => Math.max(values[i], 0));
  let total = 0;
  for (const v of explainedVariance) total += v;
  const explainedVarianceRatio = explainedVariance.map((v) => (total > 0 ? v / total : 0));
  const k = componentCount(explainedVarianceRatio, nComponents);
  const components = new Float64Array(k * d);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) components[c * d + j] = vectors.get(j, order[c]);
  return { scaler, pca: { d, k, mean, components, explainedVariance, explainedVarianceRatio } };
}

/** One feature's reconstruction over a block's rows (per thread: each worker has its own module). */
const reconstructionBuffer = new Float64Array(BLOCK_ROWS);

/**
 * Row errors ‖z − ẑ‖₂ with ẑ = (z − μ)VₖᵀVₖ + μ, written to `out[start..start+count)`.
 * `block` holds scaled rows (column-major); `scratch` needs k × BLOCK_ROWS + BLOCK_ROWS numbers.
 */
export function reconstructionErrorsOfBlock(block: Float64Array, count: number, pca: PcaFit, out: Float64Array, outOffset: number, scratch: Float64Array): void {
  const { d, k, mean, components } = pca;
  // centre in place
  for (let j = 0; j < d; j++) subtract(block, j * BLOCK_ROWS, mean[j], count);
  // projections p_c = Σ_j V[c,j]·c_j
  scratch.fill(0, 0, k * BLOCK_ROWS);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) addScaled(scratch, c * BLOCK_ROWS, components[c * d + j], block, j * BLOCK_ROWS, count);
  }
  // squared residuals Σ_j (c_j − Σ_c V[c,j]·p_c)²; the reconstruction of feature j is accumulated over
  // contiguous rows, component by component (the same summation order as a per-row loop over c, so the
  // same numbers, but about a quarter faster than striding through the projections row by row)
  const err = k * BLOCK_ROWS;
  scratch.fill(0, err, err + count);
  const rec = reconstructionBuffer;
  for (let j = 0; j < d; j++) {
    rec.fill(0, 0, count);
    for (let c = 0; c < k; c++) addScaled(rec, 0, components[c * d + j], scratch, c * BLOCK_ROWS, count);
    addSquaredResiduals(scratch, err, block, j * BLOCK_ROWS, rec, count);
  }
  for (let r = 0; r < count; r++) out[outOffset + r] = Math.sqrt(scratch[err + r]);
}

/** Reconstruction error of every row of the bound columns (imputed and encoded by the caller's binding). */
export function reconstructionErrors(columns: BoundColumn[], n: number, scaler: ScalerFit, pca: PcaFit): Float64Array {
  const out = new Float64Array(n);
  const scratch = new Float64Array((pca.k + 1) * BLOCK_ROWS);
  forEachBlock(columns, n, (start, count, block) => {
    scaleBlock(block, count, scaler);
    reconstructionErrorsOfBlock(block, count, pca, out, start, scratch);
  });
  return out;
}
