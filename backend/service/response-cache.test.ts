import { jsonAnswer, oncePerTurn, ResponseCache } from './response-cache';

describe('ResponseCache', () => {
  it('serves an answer while the version matches and the clock has not passed its validity', () => {
    const cache = new ResponseCache();
    const a = jsonAnswer('{"x":"é"}');
    expect(a.headers).toEqual(['content-type', 'application/json; charset=utf-8', 'content-length', '10']);
    cache.set('k', 'v1', a, 1000);
    expect(cache.get('k', 'v1', 1000)).toBe(a);
    expect(cache.get('k', 'v1', 1001)).toBeNull();
    expect(cache.get('k', 'v2', 0)).toBeNull();
    cache.set('forever', 'v1', a);
    expect(cache.get('forever', 'v1', Number.MAX_SAFE_INTEGER)).toBe(a);
    expect([cache.hits, cache.misses]).toEqual([2, 2]);
  });

  it('evicts the least recently served entry when full', () => {
    const cache = new ResponseCache();
    const a = jsonAnswer('1');
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, 'v', a);
    expect(cache.get('k0', 'v')).toBe(a);
    cache.set('new', 'v', a);
    expect(cache.size).toBe(1000);
    expect(cache.get('k0', 'v')).toBe(a);
    expect(cache.get('k1', 'v')).toBeNull();
    expect(cache.get('new', 'v')).toBe(a);
  });
});

describe('oncePerTurn', () => {
  it('reads once for every caller in a turn of the event loop, again in the next turn', async () => {
    let reads = 0;
    const version = oncePerTurn(async () => String(++reads));
    const same = await Promise.all([version(), version(), version()]);
    expect(same).toEqual(['1', '1', '1']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await version()).toBe('2');
    expect(reads).toBe(2);
  });
});
