import { Matrix, SVD } from 'ml-matrix';
import { categorical, makeFrame, numeric } from '../frame';
import { bindEncoder, fitEncoder } from './encoding';
import { BLOCK_ROWS, componentCount, fitScaledPca, reconstructionErrors } from './pca';

const MEAN: { strategy: 'mean' } = { strategy: 'mean' };
const MODE: { strategy: 'most_frequent' } = { strategy: 'most_frequent' };

/** Deterministic pseudo-random numbers for test data. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function bound(frame: ReturnType<typeof makeFrame>) {
  return frame.names.map((n) => bindEncoder(fitEncoder(frame, n, MEAN, MODE), frame));
}

describe('componentCount (sklearn: searchsorted(cumsum, x, right) + 1)', () => {
  const ratio = Float64Array.from([0.5, 0.15, 0.2, 0.15]);
  it('keeps the fewest components whose cumulative share is strictly above the ratio', () => {
    expect(componentCount(ratio, { type: 'ratio', value: 0.6 })).toBe(2); // 0.5 ≤ 0.6 < 0.65
    expect(componentCount(ratio, { type: 'ratio', value: 0.4 })).toBe(1);
  });
  it('an exact tie with a cumulative share takes one more component (side=right)', () => {
    expect(componentCount(ratio, { type: 'ratio', value: 0.5 })).toBe(2);
  });
  it('never exceeds the feature count, and a count is taken as is', () => {
    expect(componentCount(ratio, { type: 'ratio', value: 0.999999 })).toBe(4);
    expect(componentCount(ratio, { type: 'count', value: 3 })).toBe(3);
  });
});

describe('fitScaledPca', () => {
  it('by hand: two perfectly correlated columns reconstruct exactly with one component', () => {
    const f = makeFrame([numeric('a', [1, 2, 3, 4]), numeric('b', [2, 4, 6, 8])]);
    const { scaler, pca } = fitScaledPca(bound(f), 4, { type: 'ratio', value: 0.65 });
    expect(pca.k).toBe(1);
    expect(Array.from(pca.explainedVarianceRatio)).toEqual([expect.closeTo(1, 12), expect.closeTo(0, 12)]);
    // scaled values: (x − 2.5)/sqrt(1.25); the first axis is ±(1,1)/√2
    expect(scaler.mean[0]).toBe(2.5);
    expect(scaler.scale[0]).toBeCloseTo(Math.sqrt(1.25), 14);
    expect(Math.abs(pca.components[0])).toBeCloseTo(Math.SQRT1_2, 12);
    const g = makeFrame([numeric('a', [1, 3]), numeric('b', [2, 2])]);
    const e = reconstructionErrors(bound(g).map((_, j) => bindEncoder(fitEncoder(f, f.names[j], MEAN, MODE), g)), 2, scaler, pca);
    // b has mean 5 and std 2·√1.25. Row (1,2): z = (−1.5, −1.5)/√1.25 lies on the axis → 0.
    // Row (3,2): z = (0.5, −1.5)/√1.25; its part across the axis is z·(1,−1)/√2 = √2/√1.25.
    expect(e[0]).toBeCloseTo(0, 12);
    expect(e[1]).toBeCloseTo(Math.sqrt(2 / 1.25), 12);
  });

  it('a constant column keeps scale 1 and adds no variance', () => {
    const f = makeFrame([numeric('a', [1, 2, 3, 5]), numeric('c', [7, 7, 7, 7]), numeric('b', [4, 1, 0, 2])]);
    const { scaler, pca } = fitScaledPca(bound(f), 4, { type: 'count', value: 2 });
    expect(scaler.scale[1]).toBe(1);
    expect(pca.explainedVariance[2]).toBeCloseTo(0, 12);
  });

  it('the covariance eigendecomposition equals the SVD of the centred data (values, axes, errors) across blocks', () => {
    const next = lcg(7);
    const n = BLOCK_ROWS * 2 + 123; // several blocks, the last one partial
    const d = 6;
    const cols: number[][] = Array.from({ length: d }, () => []);
    for (let i = 0; i < n; i++) {
      const u = next() - 0.5;
      const v = next() - 0.5;
      for (let j = 0; j < d; j++) cols[j].push((j + 1) * u + (j % 3) * v + 0.3 * (next() - 0.5) + j * 10);
    }
    const frame = makeFrame([...cols.map((c, j) => numeric(`x${j}`, c)), categorical('cat', cols[0].map((x) => (x > 0 ? 'p' : x > -1 ? 'q' : 'r')))]);
    const columns = bound(frame);
    const { scaler, pca } = fitScaledPca(columns, n, { type: 'ratio', value: 0.65 });

    // the same pipeline by SVD: build z, centre, decompose
    const dd = d + 1;
    const z = new Matrix(n, dd);
    const buf = new Float64Array(n);
    columns.forEach((c, j) => {
      c.write(0, n, buf, 0);
      for (let i = 0; i < n; i++) z.set(i, j, (buf[i] - scaler.mean[j]) / scaler.scale[j]);
    });
    const mu = z.mean('column');
    const centred = z.clone().subRowVector(mu);
    const svd = new SVD(centred, { autoTranspose: true });
    const variances = svd.diagonal.map((s) => (s * s) / (n - 1));
    variances.forEach((v, i) => expect(pca.explainedVariance[i]).toBeCloseTo(v, 9));
    // same subspace: the projectors VₖᵀVₖ agree (axes are defined up to sign)
    const V = svd.rightSingularVectors;
    for (let a = 0; a < dd; a++) {
      for (let b = 0; b < dd; b++) {
        let fromSvd = 0;
        let fromEig = 0;
        for (let c = 0; c < pca.k; c++) {
          fromSvd += V.get(a, c) * V.get(b, c);
          fromEig += pca.components[c * dd + a] * pca.components[c * dd + b];
        }
        expect(fromEig).toBeCloseTo(fromSvd, 9);
      }
    }
    // and so the row errors agree
    const errors = reconstructionErrors(columns, n, scaler, pca);
    const Vk = V.subMatrix(0, dd - 1, 0, pca.k - 1);
    const rec = centred.mmul(Vk).mmul(Vk.transpose());
    for (const i of [0, 1, BLOCK_ROWS - 1, BLOCK_ROWS, n - 1]) {
      let s = 0;
      for (let j = 0; j < dd; j++) s += (centred.get(i, j) - rec.get(i, j)) ** 2;
      expect(errors[i]).toBeCloseTo(Math.sqrt(s), 9);
    }
  });
});
