/**
 * The fit cache's bounds (fit-cache.ts): least recently used fits leave when the models kept pass the
 * count or their bytes pass the budget; the fit used last stays even when it alone is larger than the
 * budget (so its model still computes); and the settings are read strictly.
 */
import * as fc from 'fast-check';
import { FitCache, fitCacheBytesFromEnv, perThreadFitBytes } from './fit-cache';

function cache(capacity: number, maxBytes?: number) {
  const evicted: string[] = [];
  return { evicted, c: new FitCache(capacity, (m) => evicted.push(m), maxBytes) };
}

test('fits leave by size, least recently used first, once their bytes pass the budget', () => {
  const { c, evicted } = cache(100, 1000);
  c.use('a', 400);
  c.use('b', 400);
  expect(c.bytes).toBe(800);
  c.use('a'); // used again: b is now the oldest; a keeps its size
  expect(c.bytes).toBe(800);
  c.use('c', 300); // 1100 > 1000: b leaves
  expect(evicted).toEqual(['b']);
  expect(c.size).toBe(2);
  expect(c.bytes).toBe(700);
  c.use('d', 600); // 1300: a, then 900 <= 1000
  expect(evicted).toEqual(['b', 'a']);
  expect(c.bytes).toBe(900);
});

test('a fit larger than the whole budget stays while it is the one used last', () => {
  const { c, evicted } = cache(100, 1000);
  c.use('small', 10);
  c.use('huge', 5000);
  expect(evicted).toEqual(['small']);
  expect(c.size).toBe(1);
  expect(c.bytes).toBe(5000);
  c.use('huge'); // used again: nothing leaves
  expect(evicted).toEqual(['small']);
  c.use('next', 10); // the huge one is now the oldest, and over the budget with it
  expect(evicted).toEqual(['small', 'huge']);
  expect(c.bytes).toBe(10);
});

test('a reload with another size replaces the size counted', () => {
  const { c } = cache(100, 1000);
  c.use('a', 400);
  c.use('a', 100);
  expect(c.bytes).toBe(100);
  c.drop('a');
  expect(c.bytes).toBe(0);
  expect(c.size).toBe(0);
  c.drop('a'); // twice: nothing more
  expect(c.bytes).toBe(0);
});

test('after any uses: within both bounds (or only the fit used last), that one kept, the others the most recent of those not evicted', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 500 }), fc.array(fc.record({ m: fc.integer({ min: 0, max: 7 }), bytes: fc.integer({ min: 1, max: 300 }) }), { maxLength: 60 }), (capacity, budget, uses) => {
      const { c, evicted } = cache(capacity, budget);
      // A plain list as the reference: oldest first, each with its size.
      let kept: { name: string; bytes: number }[] = [];
      for (const u of uses) {
        const name = `m${u.m}`;
        kept = kept.filter((k) => k.name !== name);
        kept.push({ name, bytes: u.bytes });
        const out: string[] = [];
        const sum = () => kept.reduce((n, k) => n + k.bytes, 0);
        while (kept.length > capacity || (kept.length > 1 && sum() > budget)) out.push(kept.shift()!.name);
        const before = evicted.length;
        c.use(name, u.bytes);
        expect(evicted.slice(before)).toEqual(out);
        expect(c.size).toBe(kept.length);
        expect(c.bytes).toBe(sum());
        expect(c.size <= capacity && (c.bytes <= budget || c.size === 1)).toBe(true);
        expect(evicted.slice(before)).not.toContain(name);
      }
    }),
    { numRuns: 300 },
  );
});

test('VIGIL_FIT_CACHE_MB is read as MiB, and a bad value is refused naming the setting', () => {
  expect(fitCacheBytesFromEnv({})).toBe(64 * 1048576);
  expect(fitCacheBytesFromEnv({ VIGIL_FIT_CACHE_MB: '200' })).toBe(200 * 1048576);
  expect(fitCacheBytesFromEnv({ VIGIL_FIT_CACHE_MB: '0.5' })).toBe(524288);
  for (const bad of ['0', '-3', 'lots', 'Infinity']) expect(() => fitCacheBytesFromEnv({ VIGIL_FIT_CACHE_MB: bad })).toThrow(/VIGIL_FIT_CACHE_MB must be a positive number of MiB/);
  expect(() => new FitCache(4, () => undefined, 0)).toThrow(/fit cache bytes must be positive/);
  expect(perThreadFitBytes(1000, 4)).toBe(250);
});
