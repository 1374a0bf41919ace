/**
 * The level-by-level scorer (anomalyScores) against the depth-first scorer it replaced, kept here
 * verbatim as the oracle: every score must be the same double, bit for bit, on fixed seeds — rows inside
 * the training range, far outside it, ±∞ (unseen categories) and NaN.
 */
import { makeFrame, numeric } from '../frame';
import { BoundColumn, bindEncoder, fitEncoder } from '../multivariate/encoding';
import { BLOCK_ROWS, forEachBlock } from '../multivariate/pca';
import { anomalyScores, averagePathLength, fitIsolationForest, IsolationForest } from './isolation-forest';
import { seededRandom } from './random';

// ---- the previous implementation (commit b07d1e7), unchanged -------------------------------------
function previousIsolationChance(x: number, lo: number, hi: number): number {
  if (x > hi) return x === Infinity ? 1 : (x - hi) / (x - lo);
  if (x < lo) return x === -Infinity ? 1 : (lo - x) / (hi - x);
  return 0;
}
const PREVIOUS_TILE_ROWS = 256;
function previousAnomalyScores(forest: IsolationForest, columns: BoundColumn[], n: number): Float64Array {
  const out = new Float64Array(n);
  const d = columns.length;
  const adjust = Float64Array.from(forest.size, (s) => averagePathLength(s));
  const tile = new Float64Array(PREVIOUS_TILE_ROWS * d);
  const pathSum = new Float64Array(PREVIOUS_TILE_ROWS);
  const norm = forest.nTrees * averagePathLength(forest.sampleSize);
  const { feature, threshold, low, high, left, roots } = forest;
  forEachBlock(columns, n, (start, count, block) => {
    for (let t0 = 0; t0 < count; t0 += PREVIOUS_TILE_ROWS) {
      const rows = Math.min(PREVIOUS_TILE_ROWS, count - t0);
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
          let alive = 1;
          let expected = 0;
          let f = feature[node];
          while (f >= 0) {
            const x = tile[base + f];
            depth++;
            const lo = low[node];
            const hi = high[node];
            if (x > hi || x < lo) {
              const q = previousIsolationChance(x, lo, hi);
              expected += alive * q * depth;
              alive *= 1 - q;
            }
            node = left[node] + (((x >= threshold[node]) as unknown as number) | 0);
            f = feature[node];
          }
          pathSum[r] += expected + alive * (depth + adjust[node]);
        }
      }
      for (let r = 0; r < rows; r++) out[start + t0 + r] = norm > 0 ? Math.pow(2, -pathSum[r] / norm) : 1;
    }
  });
  return out;
}
// ----------------------------------------------------------------------------------------------------

const MEAN = { strategy: 'mean' as const };
const MODE = { strategy: 'most_frequent' as const };

/** d columns of mixed shapes; `wild` rows get values far outside, ±∞ or NaN. */
function frameOf(n: number, d: number, seed: number, wild: number) {
  const r = seededRandom(seed);
  const cols = Array.from({ length: d }, (_, j) =>
    numeric(
      `f${j}`,
      Array.from({ length: n }, () => {
        const u = r.next();
        if (u < wild) {
          const k = r.int(5);
          return [Infinity, -Infinity, NaN, 1e6 * (r.next() - 0.5), -3][k];
        }
        return j % 3 === 0 ? Math.floor(r.next() * 7) : j % 3 === 1 ? r.next() * r.next() * 100 : (r.next() - 0.5) * 2;
      }),
    ),
  );
  return makeFrame(cols);
}

const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('level-by-level scoring equals the previous depth-first scoring bit for bit', () => {
  const cases = [
    { d: 20, n: 10_000, trees: 100, psi: 256, seed: 0 },
    { d: 5, n: 5_000, trees: 37, psi: 100, seed: 42 },
    { d: 1, n: 600, trees: 10, psi: 2, seed: 7 },
    { d: 3, n: 4_097, trees: 20, psi: 4_000, seed: 3 }, // deep trees, a block boundary
  ];
  it.each(cases)('d=$d n=$n trees=$trees ψ=$psi seed=$seed', ({ d, n, trees, psi, seed }) => {
    const reference = frameOf(4_000, d, seed, 0);
    const encoders = reference.names.map((name) => fitEncoder(reference, name, MEAN, MODE));
    const forest = fitIsolationForest(encoders.map((e) => bindEncoder(e, reference)), 4_000, { nTrees: trees, sampleSize: psi, random: seededRandom(seed) });
    for (const [analysis, rows] of [
      [frameOf(n, d, seed + 1, 0.05), n],
      [reference, 4_000],
    ] as const) {
      const columns = encoders.map((e) => bindEncoder(e, analysis));
      const now = anomalyScores(forest, columns, rows);
      const before = previousAnomalyScores(forest, columns, rows);
      expect(bits(now).equals(bits(before))).toBe(true);
    }
  });

  it('a forest of single-leaf trees (constant reference) scores as before', () => {
    const reference = makeFrame([numeric('a', [1, 1, 1])]);
    const columns = [bindEncoder(fitEncoder(reference, 'a', MEAN, MODE), reference)];
    const forest = fitIsolationForest(columns, 3, { nTrees: 3, sampleSize: 256, random: seededRandom(1) });
    expect(bits(anomalyScores(forest, columns, 3)).equals(bits(previousAnomalyScores(forest, columns, 3)))).toBe(true);
  });
});
