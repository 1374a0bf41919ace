/** Empirical MMD's permutation p-value and its sample cap (the statistic is checked against Evidently in peers-parity). */
import { seededRandom } from '../../random';
import { empiricalMmd, medianSigma, MMD_MAX_VALUES, mmdOf, strided } from './empirical-mmd';

const rng = seededRandom(9);
const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
const sample = (n: number, shift = 0) => Float64Array.from({ length: n }, () => shift + normal());

it('the block-sum shortcut equals summing the whole kernel matrix under any labelling', () => {
  const size = 9;
  const nx = 5;
  const k = new Float64Array(size * size).map((_, i) => (Math.floor(i / size) === i % size ? 0 : rng()));
  const row = new Float64Array(size);
  const col = new Float64Array(size);
  let total = 0;
  for (let a = 0; a < size; a++) for (let b = 0; b < size; b++) (row[a] += k[a * size + b]), (col[b] += k[a * size + b]), (total += k[a * size + b]);
  /** MMD² over the whole matrix: x = the first nx of `order`, Evidently's y-rows × x-columns cross block. */
  const brute = (order: Int32Array, nx: number) => {
    const ny = size - nx;
    let xx = 0;
    let yy = 0;
    let yx = 0;
    for (let a = 0; a < size; a++) {
      for (let b = 0; b < size; b++) {
        const v = k[order[a] * size + order[b]];
        if (a < nx && b < nx) xx += v;
        else if (a >= nx && b >= nx) yy += v;
        else if (a >= nx) yx += v;
      }
    }
    return xx / (nx * (nx - 1)) + yy / (ny * (ny - 1)) - (2 * yx) / (nx * ny);
  };
  for (const order of [Int32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8), Int32Array.of(8, 3, 1, 7, 0, 2, 6, 4, 5)]) {
    // y the smaller group (nx = 5), and x the smaller group (nx = 4)
    expect(mmdOf(k, size, nx, order, { row, col, total })).toBeCloseTo(brute(order, nx), 13);
    expect(mmdOf(k, size, 4, order, { row, col, total })).toBeCloseTo(brute(order, 4), 13);
  }
});

it('p-value: a shifted chunk is never matched by a relabelling; a chunk of the same law usually is', () => {
  const reference = sample(300);
  const fit = { reference, sigma: medianSigma(reference) };
  expect(empiricalMmd(fit, sample(100, 1)).pValue).toBe(0);
  const same = [0, 1, 2, 3, 4].map(() => empiricalMmd(fit, sample(100)).pValue!);
  expect(same.filter((p) => p > 0.1).length).toBeGreaterThanOrEqual(4);
  // deterministic: the permutations are seeded
  const chunk = sample(80);
  expect(empiricalMmd(fit, chunk)).toEqual(empiricalMmd(fit, chunk));
});

it('cuts a sample to at most 500 values at even strides, in order', () => {
  expect(strided(Float64Array.from({ length: 10 }, (_, i) => i), 4)).toEqual(Float64Array.of(0, 3, 6, 9));
  expect(strided(sample(1_200)).length).toBeLessThanOrEqual(MMD_MAX_VALUES);
  expect(strided(sample(500)).length).toBe(500);
});
