/**
 * Empirical maximum mean discrepancy test (Evidently `empirical_mmd`). Value: the unbiased MMD² of the
 * reference and the chunk under an RBF kernel whose width comes from the reference (σ² = ½·median of the
 * reference's pairwise squared distances, numpy's 'nearest' median; 1 when that is 0); p-value: the share
 * of 100 random relabelings of the pooled sample whose MMD² is at least the observed one.
 *
 * Differences from Evidently, for bounded cost and reproducible results (docs/drift-methods.md):
 * - the permutations come from Vigil's seeded generator (seed 0 for every chunk), not numpy's unseeded
 *   global one, so the p-value is deterministic but not Evidently's draw;
 * - each sample is cut to at most 500 values, taken at even strides in row order (the kernel matrix is
 *   quadratic in the pooled size). Below the cap the statistic is Evidently's exactly.
 * Level 0.1.
 */
import { seededRandom, shuffleInPlace } from '../../random';
import { ContinuousMethod, MethodScore } from './methods';

/** Largest number of values of each sample the kernel matrix is built on. */
export const MMD_MAX_VALUES = 500;
export const MMD_PERMUTATIONS = 100;
const MMD_SEED = 0;

/** Every ⌈n/max⌉-th value, in order (the whole sample when it fits). */
export function strided(values: ArrayLike<number>, max = MMD_MAX_VALUES): Float64Array {
  if (values.length <= max) return Float64Array.from(values);
  const step = Math.ceil(values.length / max);
  const out = new Float64Array(Math.ceil(values.length / step));
  for (let i = 0, j = 0; i < values.length; i += step, j++) out[j] = values[i];
  return out;
}

/** Evidently's squared distance, in its floating-point order: (y² − 2xy) + x². */
const squaredDistance = (x: number, y: number): number => y * y - 2 * (x * y) + x * x;

/** σ of the kernel from the reference: √(½·median) of all n² pairwise squared distances. */
export function medianSigma(reference: Float64Array): number {
  const n = reference.length;
  const all = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) all[i * n + j] = squaredDistance(reference[i], reference[j]);
  all.sort();
  const position = (all.length - 1) * 0.5;
  // np.around: halves to even
  let index = Math.round(position);
  if (Math.abs(position - Math.trunc(position)) === 0.5) index = 2 * Math.round(position / 2);
  const sigma = Math.sqrt(0.5 * all[index]);
  return sigma === 0 ? Math.sqrt(0.5) : sigma;
}

export interface MmdFit {
  reference: Float64Array;
  sigma: number;
}

/**
 * MMD² of a labelling of the pooled sample (`order[0..nx)` are x, the rest y) from its kernel matrix `k`
 * (size N, zero diagonal) with precomputed row and column sums and total: only the block of the smaller
 * group is summed (O(min(nx, ny)²)), the cross blocks come from the row/column sums and the larger group's
 * block from the total.
 */
export function mmdOf(k: Float64Array, size: number, nx: number, order: Int32Array, sums: { row: Float64Array; col: Float64Array; total: number }): number {
  const ny = size - nx;
  const ySmaller = ny <= nx;
  const from = ySmaller ? nx : 0;
  const to = ySmaller ? size : nx;
  let inner = 0;
  let rows = 0;
  let cols = 0;
  for (let a = from; a < to; a++) {
    const i = order[a];
    const base = i * size;
    rows += sums.row[i];
    cols += sums.col[i];
    for (let b = from; b < to; b++) inner += k[base + order[b]];
  }
  // rows − inner: the small group's rows against the other group; cols − inner: the other group's rows
  // against the small group.
  const outer = sums.total - inner - (rows - inner) - (cols - inner);
  const [xx, yy] = ySmaller ? [outer, inner] : [inner, outer];
  // Evidently's cross term is the mean of the block with y rows and x columns.
  const yx = ySmaller ? rows - inner : cols - inner;
  return xx / (nx * (nx - 1)) + yy / (ny * (ny - 1)) - (2 * yx) / (nx * ny);
}

export function empiricalMmd(fit: MmdFit, chunkValues: ArrayLike<number>): MethodScore {
  const x = fit.reference;
  const y = strided(chunkValues);
  const nx = x.length;
  const ny = y.length;
  if (nx < 2 || ny < 2) return { value: NaN, pValue: NaN };
  const size = nx + ny;
  const gamma = 1 / (2 * fit.sigma * fit.sigma);
  const pooled = new Float64Array(size);
  pooled.set(x);
  pooled.set(y, nx);
  const k = new Float64Array(size * size);
  for (let a = 0; a < size; a++) {
    for (let b = 0; b < size; b++) {
      if (a === b) continue; // Evidently zeroes the diagonal
      // Evidently builds Kxx, Kxy (x rows, y columns) and Kyy; Kyx is Kxy transposed.
      const d = a >= nx && b < nx ? squaredDistance(pooled[b], pooled[a]) : squaredDistance(pooled[a], pooled[b]);
      k[a * size + b] = Math.exp(-gamma * d);
    }
  }
  const sums = { row: new Float64Array(size), col: new Float64Array(size), total: 0 };
  for (let a = 0; a < size; a++) {
    for (let b = 0; b < size; b++) {
      const v = k[a * size + b];
      sums.row[a] += v;
      sums.col[b] += v;
    }
    sums.total += sums.row[a];
  }
  const order = Int32Array.from({ length: size }, (_, i) => i);
  const observed = mmdOf(k, size, nx, order, sums);
  const rng = seededRandom(MMD_SEED);
  let atLeast = 0;
  for (let i = 0; i < MMD_PERMUTATIONS; i++) {
    shuffleInPlace(order, rng);
    if (observed <= mmdOf(k, size, nx, order, sums)) atLeast++;
  }
  return { value: observed, pValue: atLeast / MMD_PERMUTATIONS };
}

export const empiricalMmdMethod: ContinuousMethod<MmdFit, MethodScore> = {
  id: 'empirical_mmd',
  limits: { lower: null, upper: null },
  test: { alpha: 0.1 },
  fit(values) {
    const reference = strided(values);
    return { reference, sigma: medianSigma(reference) };
  },
  score: (fit, chunk) => empiricalMmd(fit, chunk.values),
};
