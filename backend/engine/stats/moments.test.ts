import { expectClose, KERNELS } from '../../../test/fixtures/univariate/kernels';
import { centralMoment4, gaussianKdeScottAt, mean, median, pairwiseSum, std } from './moments';

describe('pairwiseSum (numpy pairwise order)', () => {
  it('sums short, blocked and split arrays', () => {
    expect(pairwiseSum([1, 2, 3])).toBe(6);
    expect(pairwiseSum(Array.from({ length: 100 }, (_, i) => i))).toBe(4950);
    expect(pairwiseSum(Array.from({ length: 1000 }, (_, i) => i))).toBe(499500);
    expect(pairwiseSum([])).toBe(-0);
  });

  it('is more accurate than a running sum on many small terms (numpy gives exactly 100000 here)', () => {
    const tenths = new Float64Array(1_000_000).fill(0.1);
    let naive = 0;
    for (const v of tenths) naive += v;
    expect(Math.abs(pairwiseSum(tenths) - 100000)).toBeLessThan(Math.abs(naive - 100000));
    expectClose(pairwiseSum(tenths), 100000, 1e-14);
  });

  it('sums a sub-range', () => {
    expect(pairwiseSum([5, 1, 2, 3, 5], 1, 3)).toBe(6);
  });
});

describe('moments', () => {
  it('by hand: [3.5, −1.25, 8, 0.5]', () => {
    expect(mean([3.5, -1.25, 8, 0.5])).toBe(2.6875);
    expect(median([3.5, -1.25, 8, 0.5])).toBe(2);
    expect(median([3, 1, 2])).toBe(2);
  });

  it('median by selection equals the middle of the sorted values (ties, odd and even lengths)', () => {
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 500; trial++) {
      const n = 1 + Math.floor(next() * 60);
      const values = Array.from({ length: n }, () => (trial % 2 ? Math.floor(next() * 5) : next() * 100 - 50));
      const sorted = values.slice().sort((a, b) => a - b);
      const h = n >> 1;
      expect(median(values)).toBe(n % 2 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2);
    }
    const input = new Float64Array([5, 1, 4]);
    median(input);
    expect(Array.from(input)).toEqual([5, 1, 4]); // the input is not reordered
  });

  it('empty or too short inputs give NaN', () => {
    expect(mean([])).toBeNaN();
    expect(median([])).toBeNaN();
    expect(std([4], 1)).toBeNaN();
    expect(std([4], 0)).toBe(0);
    expect(centralMoment4([])).toBeNaN();
  });

  it('the 4th central moment propagates NaN (scipy.stats.moment default)', () => {
    expect(centralMoment4([1, NaN, 3])).toBeNaN();
  });

  it('KDE density of zero spread is infinite (scipy: singular covariance)', () => {
    expect(gaussianKdeScottAt([2, 2, 2], 2)).toBe(Infinity);
  });

  it.each(KERNELS.moments.map((c) => [c.name, c] as const))('match numpy/scipy: %s', (_, c) => {
    expectClose(pairwiseSum(c.values), c.sum, 1e-15);
    expectClose(mean(c.values), c.mean, 1e-15);
    expectClose(std(c.values, 0), c.std0, 1e-13);
    expectClose(std(c.values, 1), c.std1, 1e-13);
    expectClose(centralMoment4(c.values), c.moment4, 1e-12);
    expect(median(c.values)).toBe(c.median);
    // scipy whitens before subtracting, which costs it ~1e-11 relative on the 1e9-magnitude sample.
    expectClose(gaussianKdeScottAt(c.values, c.median), c.kde_at_median, c.name === 'big magnitudes' ? 1e-9 : 1e-12);
  });
});
