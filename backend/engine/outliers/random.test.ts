import { seededRandom, xoshiro128ss } from './random';

describe('seeded random numbers', () => {
  it('xoshiro128** gives the reference sequence for state {1, 2, 3, 4}', () => {
    // first outputs of the authors' C reference implementation (xoshiro128starstar.c) for that state
    const next = xoshiro128ss([1, 2, 3, 4]);
    expect(Array.from({ length: 6 }, next)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('is a function of the seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it('is roughly uniform in [0, 1) and int(n) covers [0, n)', () => {
    const r = seededRandom(1);
    let sum = 0;
    const counts = new Array(7).fill(0);
    const N = 70000;
    for (let i = 0; i < N; i++) {
      const u = r.next();
      expect(u >= 0 && u < 1).toBe(true);
      sum += u;
      counts[r.int(7)]++;
    }
    expect(sum / N).toBeCloseTo(0.5, 2);
    for (const c of counts) expect(Math.abs(c - N / 7)).toBeLessThan(5 * Math.sqrt(N / 7));
  });
});
