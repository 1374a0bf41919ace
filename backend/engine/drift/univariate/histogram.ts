/**
 * Equal-width histograms with numpy's exact semantics (spec §2.1).
 *
 * - Edges are `np.linspace(a, b, k+1)`: `edge_i = i·((b−a)/k) + a`, the last edge exactly `b`.
 * - `x` falls in bin i when `edge_i ≤ x < edge_{i+1}`; the last bin is closed; values outside
 *   [edge_0, edge_k] are not counted (np.histogram with an array of edges).
 *
 * Counting is one pass with a direct index `⌊(x−a)/(b−a)·k⌋`, corrected against the actual edges so that
 * rounding never moves a value across an edge (numpy does the same correction in its uniform-bin path).
 */
import { mean, pairwiseSum } from '../../stats/moments';

/**
 * Equal-width bin edges, as plain data (serialisable): `np.linspace(a, b, k + 1)` is kept as its three
 * parameters and each edge computed when needed by linspace's own formula (`edgeAt`), so a fit with 10 000
 * bins does not carry 10 001 doubles.
 */
export interface Edges {
  /** first edge */
  a: number;
  /** last edge */
  b: number;
  /** number of bins */
  k: number;
}

/** np.linspace(a, b, k + 1). */
export function linspaceEdges(a: number, b: number, k: number): Edges {
  return { a, b, k };
}

/**
 * Edge i of np.linspace(a, b, k + 1), bit for bit: `i·step + a` with `step = (b − a)/k`; with a zero step
 * numpy scales by delta instead (`(i/k)·(b − a) + a`); the last edge is exactly `b`.
 */
export function edgeAt(edges: Edges, i: number): number {
  const { a, b, k } = edges;
  if (i === k) return b;
  const step = (b - a) / k;
  return step === 0 ? (i / k) * (b - a) + a : i * step + a;
}

/** All k + 1 edges (tests and callers that want the array). */
export function edgeValues(edges: Edges): number[] {
  return Array.from({ length: edges.k + 1 }, (_, i) => edgeAt(edges, i));
}

/** Min and max of NaN-free values. */
export function minMax(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/**
 * `np.histogram_bin_edges(x, bins='doane')` for NaN-free float64 values (spec §2.1).
 * The bin count comes from Doane's width; edges are linspace(first, last, k+1).
 */
export function doaneEdges(x: Float64Array): Edges {
  const n = x.length;
  let [first, last] = n === 0 ? [0, 1] : minMax(x);
  if (first === last) {
    // numpy's _get_outer_edges widens a degenerate range by half a unit on each side.
    first -= 0.5;
    last += 0.5;
  }
  let width = 0;
  if (n > 2) {
    const sg1 = Math.sqrt((6.0 * (n - 2)) / ((n + 1.0) * (n + 3)));
    const m = mean(x);
    const sq = new Float64Array(n);
    for (let i = 0; i < n; i++) sq[i] = (x[i] - m) * (x[i] - m);
    const sigma = Math.sqrt(pairwiseSum(sq) / n);
    if (sigma > 0) {
      const cubes = sq; // reuse the buffer: ((x − mean)/σ)³
      for (let i = 0; i < n; i++) {
        const z = (x[i] - m) / sigma;
        cubes[i] = z * z * z;
      }
      const g1 = pairwiseSum(cubes) / n;
      const [lo, hi] = minMax(x);
      width = (hi - lo) / (1.0 + Math.log2(n) + Math.log2(1.0 + Math.abs(g1) / sg1));
    }
  }
  const k = width > 0 ? Math.ceil((last - first) / width) : 1;
  return linspaceEdges(first, last, k);
}

/**
 * Counts values into the bins (numpy semantics). Returns the number of values that fell in a bin; values
 * below the first edge are counted in `below`, above the last in `above` (NaN in neither).
 */
export function histogram(
  values: ArrayLike<number>,
  edges: Edges,
  counts: Float64Array = new Float64Array(edges.k),
): { counts: Float64Array; inRange: number; below: number; above: number } {
  const { a, b, k } = edges;
  let inRange = 0;
  let below = 0;
  let above = 0;
  if (!(b > a)) {
    // All edges equal (a degenerate linspace): numpy's searchsorted puts every x == a in the last bin.
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (x < a) below++;
      else if (x > b) above++;
      else if (x === a) {
        counts[k - 1]++;
        inRange++;
      }
    }
    return { counts, inRange, below, above };
  }
  const scale = k / (b - a);
  const last = k - 1;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (!(x >= a)) {
      if (x < a) below++; // NaN fails both tests and is not counted
      continue;
    }
    if (!(x <= b)) {
      above++;
      continue;
    }
    let idx = ((x - a) * scale) | 0; // x ≥ a, so truncation is floor
    if (idx > last) idx = last;
    // Rounding can put x one bin off; the edges decide.
    if (x < edgeAt(edges, idx)) {
      do idx--;
      while (idx > 0 && x < edgeAt(edges, idx));
    } else if (idx < last && x >= edgeAt(edges, idx + 1)) {
      do idx++;
      while (idx < last && x >= edgeAt(edges, idx + 1));
    }
    counts[idx]++;
    inRange++;
  }
  return { counts, inRange, below, above };
}

/**
 * NannyML's p/q pair for binned distances (spec §2.2): `q = chunk counts / n_chunk`; whatever share of the
 * chunk fell outside the reference bins (or categories) goes to an extra bin with reference share 0. The
 * `> 0` test on `1 − Σq` is exact floating point, as in NannyML.
 */
export function withLeftoverBin(referenceShares: ArrayLike<number>, chunkCounts: ArrayLike<number>, n: number): { p: Float64Array; q: Float64Array } {
  const k = referenceShares.length;
  const q0 = new Float64Array(k);
  for (let i = 0; i < k; i++) q0[i] = chunkCounts[i] / n;
  const leftover = 1 - pairwiseSum(q0);
  if (!(leftover > 0)) return { p: Float64Array.from(referenceShares), q: q0 };
  const p = new Float64Array(k + 1);
  const q = new Float64Array(k + 1);
  for (let i = 0; i < k; i++) {
    p[i] = referenceShares[i];
    q[i] = q0[i];
  }
  q[k] = leftover;
  return { p, q };
}

/**
 * A reference CDF on equal-width bins (KS and Wasserstein in `estimated` mode), kept as the bins' counts in
 * the smallest unsigned integer array that holds them (a byte per bin for most references) rather than as
 * 10 000 doubles: the CDF is `cumsum(counts / n)`, which `cdfStep` rebuilds bin by bin with the same
 * sequential additions, so every value is the same double.
 */
export interface EqualWidthCdf {
  edges: Edges;
  /** reference values per bin */
  referenceCounts: Uint8Array | Uint16Array | Uint32Array;
  /** reference values (NaN removed) */
  referenceSize: number;
}

/** The counts (integers) in the narrowest unsigned array that holds their largest. */
export function narrowCounts(counts: Float64Array): Uint8Array | Uint16Array | Uint32Array {
  let max = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i] > max) max = counts[i];
  if (max <= 0xff) return Uint8Array.from(counts);
  if (max <= 0xffff) return Uint16Array.from(counts);
  return Uint32Array.from(counts);
}

/** The reference CDF at bin i given its value at bin i − 1 (0 before the first): np.cumsum(counts / n). */
export const cdfStep = (fit: EqualWidthCdf, previous: number, i: number): number => previous + fit.referenceCounts[i] / fit.referenceSize;

/**
 * KS and Wasserstein bin the same reference on the same `linspace(min, max, n_bins+1)` edges; one shared fit
 * per (reference column, range, bins) lets a chunk be binned once for both (and the saved fit hold it once).
 */
const equalWidthCdfs = new WeakMap<Float64Array, Map<string, EqualWidthCdf>>();

export function equalWidthCdf(reference: Float64Array, lo: number, hi: number, nBins: number): EqualWidthCdf {
  let perReference = equalWidthCdfs.get(reference);
  if (!perReference) equalWidthCdfs.set(reference, (perReference = new Map()));
  const key = `${lo}|${hi}|${nBins}`;
  let fit = perReference.get(key);
  if (!fit) {
    const edges = linspaceEdges(lo, hi, nBins);
    fit = { edges, referenceCounts: narrowCounts(histogram(reference, edges).counts), referenceSize: reference.length };
    perReference.set(key, fit);
  }
  return fit;
}
