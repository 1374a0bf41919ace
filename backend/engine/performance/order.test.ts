import { distinctIds, rankScores, stableAscendingOrder } from './order';
import { seededRandom } from '../random';

function reference(values: Float64Array): number[] {
  return Array.from(values.keys()).sort((a, b) => values[a] - values[b] || a - b);
}

describe('stable ascending order (radix sort on float bits)', () => {
  it('matches a stable comparator sort on large inputs with ties, negatives, zeros and infinities', () => {
    const rng = seededRandom(3);
    const n = 20_000;
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = rng();
      values[i] = r < 0.3 ? Math.round(r * 100) / 100 : r < 0.6 ? -Math.round(r * 1e6) / 7 : r < 0.62 ? (i % 2 ? 0 : -0) : r < 0.63 ? -Infinity : r < 0.64 ? Infinity : (r - 0.8) * 1e-300;
    }
    expect(Array.from(stableAscendingOrder(values))).toEqual(reference(values));
  });

  it('matches it when few distinct values take the counting path (rounded scores, ±0, ±inf)', () => {
    const rng = seededRandom(5);
    const n = 30_000;
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = rng();
      values[i] = r < 0.8 ? Math.round(r * 100) / 100 : r < 0.85 ? -Math.round(r * 10) : r < 0.9 ? (i % 2 ? 0 : -0) : r < 0.95 ? -Infinity : Infinity;
    }
    expect(Array.from(stableAscendingOrder(values))).toEqual(reference(values));
  });

  it('matches it on either side of the distinct-value limit (4096)', () => {
    for (const distinct of [4096, 4097]) {
      const n = 3 * distinct;
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = ((i * 7919) % distinct) / 3 - 100;
      expect(Array.from(stableAscendingOrder(values))).toEqual(reference(values));
    }
  });

  it('handles small inputs', () => {
    const v = Float64Array.from([0.5, 0.1, 0.5, -2]);
    expect(Array.from(stableAscendingOrder(v))).toEqual([3, 1, 0, 2]);
  });

  it('ranks rows among the distinct values', () => {
    const r = rankScores(Float64Array.from([0.3, 0.1, 0.3, 0.2]));
    expect(Array.from(r.distinct)).toEqual([0.1, 0.2, 0.3]);
    expect(Array.from(r.rank)).toEqual([2, 0, 2, 1]);
  });
});

describe('grouping equal values', () => {
  it('numbers distinct values in order of first appearance, NaN as -1, -0 with 0 (kept as first read)', () => {
    const ids = new Int32Array(7);
    const distinct = distinctIds(Float64Array.from([0.5, NaN, -0, 0.25, 0, 0.5, NaN]), ids)!;
    expect(Array.from(ids)).toEqual([0, -1, 1, 2, 1, 0, -1]);
    expect(Array.from(distinct)).toEqual([0.5, -0, 0.25]);
    expect(Object.is(distinct[1], -0)).toBe(true);
  });

  it('gives up past maxDistinct, and leaves its scratch table clean for the next call', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => i % 40);
    expect(distinctIds(values, new Int32Array(100), 39)).toBeNull();
    const ids = new Int32Array(100);
    expect(distinctIds(values, ids, 40)!.length).toBe(40);
    expect(ids[99]).toBe(19);
  });

  it('ranks scores (large and near-continuous too) as a walk along the stable order does, with -1 for NaN', () => {
    // distinct values in ascending order, each as its first row in that order has it
    const rankValues = (values: Float64Array) => {
      const order = stableAscendingOrder(values);
      const ranks = new Int32Array(values.length);
      const distinct: number[] = [];
      for (const i of order) {
        if (distinct.length === 0 || values[i] !== distinct[distinct.length - 1]) distinct.push(values[i]);
        ranks[i] = distinct.length - 1;
      }
      return { distinct: Float64Array.from(distinct), ranks };
    };
    const rng = seededRandom(11);
    for (const [n, decimals] of [
      [50, 1],
      [20_000, 2],
      [20_000, 6],
    ]) {
      const values = Float64Array.from({ length: n }, () => Math.round(rng() * 10 ** decimals) / 10 ** decimals);
      const want = rankValues(values);
      const got = rankScores(values);
      expect(Array.from(got.distinct)).toEqual(Array.from(want.distinct));
      expect(Array.from(got.rank)).toEqual(Array.from(want.ranks));
    }
    const withNaN = rankScores(Float64Array.from([0.3, NaN, 0.1, 0.3]));
    expect(Array.from(withNaN.rank)).toEqual([1, -1, 0, 1]);
  });
});
