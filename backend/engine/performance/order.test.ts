import { rankValues, stableAscendingOrder } from './order';
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
    const r = rankValues(Float64Array.from([0.3, 0.1, 0.3, 0.2]));
    expect(Array.from(r.distinct)).toEqual([0.1, 0.2, 0.3]);
    expect(Array.from(r.ranks)).toEqual([2, 0, 2, 1]);
  });
});
