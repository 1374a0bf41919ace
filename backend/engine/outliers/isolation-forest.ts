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
 * stored and reloaded. Rows are scored in column-major blocks (see multivariate/pca.ts), each tree walked
 * a fixed number of steps by two rows at once (`FixedWalk`).
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
 * The forest laid out for walks of a fixed length: every leaf becomes a node that keeps a row where it is
 * (its threshold NaN, so `x >= threshold` is false, and `next` = itself) and never extends (range ±∞).
 * Every row then takes exactly the tree's height in steps, so the loop branches the same way for every row
 * and four rows walk together, their chains of dependent loads (node → feature → value → child)
 * overlapping — instead of a mispredicted exit at each row's leaf. A node's values sit side by side (two
 * arrays, not six), and no depth is counted along the walk: an extended split can only isolate a row at a
 * split node, all of whose ancestors are splits, so its depth + 1 is the level + 1; and a leaf's depth +
 * c(size) is added up once, here (the same addition a walk that counts depth makes at the leaf). A row's
 * arithmetic is thus the same operations on the same values as a walk that stops at its leaf, so scores
 * are bit-for-bit the same (backend/engine/outliers/scoring-oracle.test.ts keeps the earlier scorer as the
 * oracle). About 25 % less CPU per chunk than that walk; this layout and the four rows another ~20 % of
 * scoring (docs/performance.md).
 */
interface FixedWalk {
  /** per node, 3 values side by side: threshold, low, high */
  bounds: Float64Array;
  /** per node, 2 values side by side: feature, next (left child of a split, right = left + 1; the node itself for a leaf) */
  links: Int32Array;
  /** per leaf: its depth + c(size), the row's path length when no extended split isolated it */
  leafPath: Float64Array;
  /** levels to walk per tree: its height */
  height: Int32Array;
}

const walks = new WeakMap<IsolationForest, FixedWalk>();

function fixedWalk(forest: IsolationForest): FixedWalk {
  let w = walks.get(forest);
  if (w) return w;
  const nodes = forest.feature.length;
  const bounds = new Float64Array(nodes * 3);
  const links = new Int32Array(nodes * 2);
  const leafPath = new Float64Array(nodes);
  const adjust = leafAdjustments(forest);
  const height = new Int32Array(forest.roots.length);
  const visit = (node: number, depth: number): number => {
    if (forest.feature[node] < 0) {
      bounds[node * 3] = NaN;
      bounds[node * 3 + 1] = -Infinity;
      bounds[node * 3 + 2] = Infinity;
      links[node * 2 + 1] = node;
      leafPath[node] = depth + adjust[node];
      return 0;
    }
    bounds[node * 3] = forest.threshold[node];
    bounds[node * 3 + 1] = forest.low[node];
    bounds[node * 3 + 2] = forest.high[node];
    links[node * 2] = forest.feature[node];
    links[node * 2 + 1] = forest.left[node];
    return 1 + Math.max(visit(forest.left[node], depth + 1), visit(forest.right[node], depth + 1));
  };
  forest.roots.forEach((root, t) => (height[t] = visit(root, 0)));
  w = { bounds, links, leafPath, height };
  walks.set(forest, w);
  return w;
}

/** Rows per scoring tile (a multiple of 4: rows walk in fours): the tile (row-major, d values a row) and the walk state stay in cache. */
const TILE_ROWS = 256;

/** Anomaly scores of n rows (column-major blocks of the bound columns, walked tile by tile). */
export function anomalyScores(forest: IsolationForest, columns: BoundColumn[], n: number): Float64Array {
  const out = new Float64Array(n);
  const d = columns.length;
  const walk = fixedWalk(forest);
  const tile = new Float64Array(TILE_ROWS * d);
  const pathSum = new Float64Array(TILE_ROWS);
  const norm = forest.nTrees * averagePathLength(forest.sampleSize);
  forEachBlock(columns, n, (start, count, block) => {
    for (let t0 = 0; t0 < count; t0 += TILE_ROWS) {
      const rows = Math.min(TILE_ROWS, count - t0);
      for (let j = 0; j < d; j++) {
        const off = j * BLOCK_ROWS + t0;
        for (let r = 0; r < rows; r++) tile[r * d + j] = block[off + r];
      }
      pathSum.fill(0);
      // whole quads of rows: a last tile's 1-3 extra rows walk whatever the tile held; their sums are not read
      const quads = (rows + 3) & ~3;
      for (let t = 0; t < forest.roots.length; t++) walkTree(walk, forest.roots[t], walk.height[t], tile, d, quads, pathSum);
      // a one-row sample has c = 0: no row can be told apart, every score is 2^0 = 1
      for (let r = 0; r < rows; r++) out[start + t0 + r] = norm > 0 ? Math.pow(2, -pathSum[r] / norm) : 1;
    }
  });
  return out;
}

/**
 * Adds one tree's path length of tile rows [0, rows), a multiple of 4, to `pathSum`: four rows at a time,
 * their chains of dependent loads (node → feature → value → child) overlapping. (A small function of its
 * own: V8 optimizes it early.)
 */
function walkTree(w: FixedWalk, root: number, height: number, tile: Float64Array, d: number, rows: number, pathSum: Float64Array): void {
  const { bounds, links, leafPath } = w;
  for (let r = 0; r < rows; r += 4) {
    const b0 = r * d;
    const b1 = b0 + d;
    const b2 = b1 + d;
    const b3 = b2 + d;
    let n0 = root;
    let n1 = root;
    let n2 = root;
    let n3 = root;
    let alive0 = 1;
    let alive1 = 1;
    let alive2 = 1;
    let alive3 = 1;
    let expected0 = 0;
    let expected1 = 0;
    let expected2 = 0;
    let expected3 = 0;
    for (let level = 0; level < height; level++) {
      // a split node's depth + 1 (a leaf is never beyond its range ±∞)
      const depth = level + 1;
      const l0 = n0 << 1;
      const k0 = n0 * 3;
      const l1 = n1 << 1;
      const k1 = n1 * 3;
      const l2 = n2 << 1;
      const k2 = n2 * 3;
      const l3 = n3 << 1;
      const k3 = n3 * 3;
      const x0 = tile[b0 + links[l0]];
      const x1 = tile[b1 + links[l1]];
      const x2 = tile[b2 + links[l2]];
      const x3 = tile[b3 + links[l3]];
      const lo0 = bounds[k0 + 1];
      const hi0 = bounds[k0 + 2];
      if (x0 > hi0 || x0 < lo0) {
        const q = isolationChance(x0, lo0, hi0);
        expected0 += alive0 * q * depth;
        alive0 *= 1 - q;
      }
      const lo1 = bounds[k1 + 1];
      const hi1 = bounds[k1 + 2];
      if (x1 > hi1 || x1 < lo1) {
        const q = isolationChance(x1, lo1, hi1);
        expected1 += alive1 * q * depth;
        alive1 *= 1 - q;
      }
      const lo2 = bounds[k2 + 1];
      const hi2 = bounds[k2 + 2];
      if (x2 > hi2 || x2 < lo2) {
        const q = isolationChance(x2, lo2, hi2);
        expected2 += alive2 * q * depth;
        alive2 *= 1 - q;
      }
      const lo3 = bounds[k3 + 1];
      const hi3 = bounds[k3 + 2];
      if (x3 > hi3 || x3 < lo3) {
        const q = isolationChance(x3, lo3, hi3);
        expected3 += alive3 * q * depth;
        alive3 *= 1 - q;
      }
      n0 = links[l0 + 1] + (((x0 >= bounds[k0]) as unknown as number) | 0);
      n1 = links[l1 + 1] + (((x1 >= bounds[k1]) as unknown as number) | 0);
      n2 = links[l2 + 1] + (((x2 >= bounds[k2]) as unknown as number) | 0);
      n3 = links[l3 + 1] + (((x3 >= bounds[k3]) as unknown as number) | 0);
    }
    pathSum[r] += expected0 + alive0 * leafPath[n0];
    pathSum[r + 1] += expected1 + alive1 * leafPath[n1];
    pathSum[r + 2] += expected2 + alive2 * leafPath[n2];
    pathSum[r + 3] += expected3 + alive3 * leafPath[n3];
  }
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
