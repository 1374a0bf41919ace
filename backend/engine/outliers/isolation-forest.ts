/**
 * Isolation forest (Liu, Ting & Zhou, "Isolation Forest", ICDM 2008), written for Vigil.
 *
 * Each tree is grown on `sampleSize` reference rows drawn without replacement: at every node a feature is
 * picked at random among those not constant in the node, and a split value uniformly between the node's
 * minimum and maximum of that feature; growth stops at height ⌈log₂ sampleSize⌉ or when a node holds one
 * row. A row's path length in a tree is its depth plus c(size of the leaf it lands in), where
 * c(n) = 2H(n−1) − 2(n−1)/n is the average path length of an unsuccessful binary-search-tree lookup.
 * The anomaly score is s = 2^(−E[h]/c(sampleSize)) ∈ (0, 1]: near 1 for rows isolated quickly.
 *
 * One departure from the paper, for values outside what a node saw (Vigil's "range-extended" path
 * length): in the plain algorithm a value beyond the training range follows the most extreme training
 * rows, so x = +8σ scores like the sample maximum (≈ +2.8σ) and an unseen category like the rarest seen
 * one. Here, at a node splitting feature f whose rows span [lo, hi], a value x > hi is treated as if the
 * split had been drawn uniformly on [lo, x] instead: with probability q = (x − hi)/(x − lo) the split
 * falls in (hi, x] and isolates the row at this node (path length depth + 1); otherwise it is uniform on
 * [lo, hi] — the stored split — and the row goes on down (x < lo likewise). The path length is the
 * expectation over that choice, computed exactly along the single path. Rows inside every node's range
 * (all training rows) get the plain path length; the further out a value, the shorter its path.
 *
 * Features are numbers (the caller encodes categoricals); the forest is plain typed arrays, so it can be
 * stored and reloaded. Rows are scored in column-major blocks (see multivariate/pca.ts).
 */
import { BoundColumn } from '../multivariate/encoding';
import { BLOCK_ROWS, forEachBlock } from '../multivariate/pca';
import { Random } from './random';

/** Euler–Mascheroni constant, for the harmonic number H(i) ≈ ln i + γ. */
const EULER_GAMMA = 0.5772156649015329;

export interface IsolationForest {
  nTrees: number;
  /** rows per tree (ψ) */
  sampleSize: number;
  /** feature count */
  d: number;
  /** first node of each tree */
  roots: Int32Array;
  /** per node: split feature, or −1 for a leaf */
  feature: Int32Array;
  /** per node: rows with value < threshold go left, the others right; right = left + 1 */
  threshold: Float64Array;
  /** per split node: the smallest and largest value of the split feature among the node's rows */
  low: Float64Array;
  high: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** per node: training rows that reached it */
  size: Int32Array;
}

/** c(n): average path length of an unsuccessful search in a binary search tree of n nodes (c(1) = 0, c(2) = 1). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

export interface ForestOptions {
  nTrees: number;
  sampleSize: number;
  random: Random;
}

/** Grows the forest on n rows of the bound (encoded) columns. */
export function fitIsolationForest(columns: BoundColumn[], n: number, options: ForestOptions): IsolationForest {
  const d = columns.length;
  const psi = Math.min(options.sampleSize, n);
  const heightLimit = Math.ceil(Math.log2(Math.max(psi, 2)));
  const { random, nTrees } = options;
  const maxNodes = nTrees * (2 * psi - 1);
  const feature = new Int32Array(maxNodes);
  const threshold = new Float64Array(maxNodes);
  const low = new Float64Array(maxNodes);
  const high = new Float64Array(maxNodes);
  const left = new Int32Array(maxNodes);
  const right = new Int32Array(maxNodes);
  const size = new Int32Array(maxNodes);
  const roots = new Int32Array(nTrees);
  let nodes = 0;

  const pool = new Int32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  const sample = new Float64Array(psi * d); // row-major: sample[r·d + j]
  const index = new Int32Array(psi);
  const featureOrder = new Int32Array(d);

  // children are stored side by side (right = left + 1), so scoring can pick one without a branch
  const grow = (node: number, lo: number, hi: number, depth: number): void => {
    size[node] = hi - lo;
    feature[node] = -1;
    if (hi - lo <= 1 || depth >= heightLimit) return;
    // features in random order; the first one that varies in this node splits it
    for (let j = 0; j < d; j++) featureOrder[j] = j;
    for (let t = 0; t < d; t++) {
      const pick = t + random.int(d - t);
      const f = featureOrder[pick];
      featureOrder[pick] = featureOrder[t];
      featureOrder[t] = f;
      let min = Infinity;
      let max = -Infinity;
      for (let i = lo; i < hi; i++) {
        const v = sample[index[i] * d + f];
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (!(max > min)) continue;
      let split = min + random.next() * (max - min);
      if (split <= min) split = max; // keeps both sides non-empty when the draw rounds to min
      // partition [lo, hi) into values < split, then the rest
      let a = lo;
      let b = hi - 1;
      while (a <= b) {
        if (sample[index[a] * d + f] < split) a++;
        else {
          const tmp = index[a];
          index[a] = index[b];
          index[b] = tmp;
          b--;
        }
      }
      feature[node] = f;
      threshold[node] = split;
      low[node] = min;
      high[node] = max;
      const child = nodes;
      nodes += 2;
      left[node] = child;
      right[node] = child + 1;
      grow(child, lo, a, depth + 1);
      grow(child + 1, a, hi, depth + 1);
      return;
    }
    // every feature constant: the node stays a leaf
  };

  for (let t = 0; t < nTrees; t++) {
    // partial Fisher–Yates: the first ψ entries of the pool become a uniform sample without replacement
    for (let r = 0; r < psi; r++) {
      const pick = r + random.int(n - r);
      const row = pool[pick];
      pool[pick] = pool[r];
      pool[r] = row;
      for (let j = 0; j < d; j++) columns[j].write(row, 1, sample, r * d + j);
      index[r] = r;
    }
    roots[t] = nodes++;
    grow(roots[t], 0, psi, 0);
  }
  return {
    nTrees,
    sampleSize: psi,
    d,
    roots,
    feature: feature.slice(0, nodes),
    threshold: threshold.slice(0, nodes),
    low: low.slice(0, nodes),
    high: high.slice(0, nodes),
    left: left.slice(0, nodes),
    right: right.slice(0, nodes),
    size: size.slice(0, nodes),
  };
}

/** c(size) of every node: the path length still expected below a leaf. */
function leafAdjustments(forest: IsolationForest): Float64Array {
  return Float64Array.from(forest.size, (s) => averagePathLength(s));
}

/** Probability that a split drawn on the node's range extended to x isolates x (0 inside [lo, hi]). */
function isolationChance(x: number, lo: number, hi: number): number {
  if (x > hi) return x === Infinity ? 1 : (x - hi) / (x - lo);
  if (x < lo) return x === -Infinity ? 1 : (lo - x) / (hi - x);
  return 0;
}

/**
 * Rows per scoring tile: the tile's rows are copied row-major (d values each) so that a traversal reads
 * one row's few cache lines; 256 rows × 20 features = 40 KB stays in cache while all trees walk it.
 */
const TILE_ROWS = 256;

/** Anomaly scores of n rows (column-major blocks of the bound columns, walked tile by tile). */
export function anomalyScores(forest: IsolationForest, columns: BoundColumn[], n: number): Float64Array {
  const out = new Float64Array(n);
  const d = columns.length;
  const adjust = leafAdjustments(forest);
  const tile = new Float64Array(TILE_ROWS * d);
  const pathSum = new Float64Array(TILE_ROWS);
  const norm = forest.nTrees * averagePathLength(forest.sampleSize);
  const { feature, threshold, low, high, left, right, roots } = forest;
  forEachBlock(columns, n, (start, count, block) => {
    for (let t0 = 0; t0 < count; t0 += TILE_ROWS) {
      const rows = Math.min(TILE_ROWS, count - t0);
      for (let j = 0; j < d; j++) {
        const off = j * BLOCK_ROWS + t0;
        for (let r = 0; r < rows; r++) tile[r * d + j] = block[off + r];
      }
      pathSum.fill(0);
      for (let t = 0; t < roots.length; t++) {
        const root = roots[t];
        for (let r = 0, base = 0; r < rows; r++, base += d) {
          let node = root;
          let depth = 0;
          let alive = 1; // probability that no extended split has isolated the row yet
          let expected = 0;
          let f = feature[node];
          while (f >= 0) {
            const x = tile[base + f];
            depth++;
            // isolationChance, inlined: this loop is the hot path of scoring
            const lo = low[node];
            const hi = high[node];
            if (x > hi || x < lo) {
              const q = isolationChance(x, lo, hi);
              expected += alive * q * depth;
              alive *= 1 - q;
            }
            // right = left + 1: the comparison as 0/1 compiles without a branch (≈ 1.5× faster than ?: here)
            node = left[node] + (((x >= threshold[node]) as unknown as number) | 0);
            f = feature[node];
          }
          pathSum[r] += expected + alive * (depth + adjust[node]);
        }
      }
      // a one-row sample has c = 0: no row can be told apart, every score is 2^0 = 1
      for (let r = 0; r < rows; r++) out[start + t0 + r] = norm > 0 ? Math.pow(2, -pathSum[r] / norm) : 1;
    }
  });
  return out;
}

/**
 * Path-length attribution for one row (values in feature order): every split on the row's path credits
 * its feature with the bits of isolation it contributed, log₂(rows in the node / rows in the child the row
 * goes to), or log₂(rows in the node) where an extended split isolates the row (with that probability);
 * averaged over the trees. A feature on which the row is extreme or rare isolates it in few, sharp splits
 * and collects most of the credit. `out` receives the bits per feature.
 */
export function pathAttribution(forest: IsolationForest, row: ArrayLike<number>, out: Float64Array): void {
  out.fill(0);
  const { feature, threshold, low, high, left, right, size, roots } = forest;
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t];
    let alive = 1;
    let f = feature[node];
    while (f >= 0) {
      const x = row[f];
      const q = isolationChance(x, low[node], high[node]);
      const child = x < threshold[node] ? left[node] : right[node];
      out[f] += alive * (q * Math.log2(size[node]) + (1 - q) * Math.log2(size[node] / size[child]));
      alive *= 1 - q;
      node = child;
      f = feature[node];
    }
  }
  for (let j = 0; j < out.length; j++) out[j] /= roots.length;
}
