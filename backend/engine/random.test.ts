import { randomInt, seededRandom, shuffleInPlace } from './random';

describe('seeded random', () => {
  it('fill gives the numbers the calls would, and the calls carry on after it', () => {
    const one = seededRandom(13);
    const bulk = seededRandom(13);
    const want = Array.from({ length: 1000 }, () => one());
    const got = new Float64Array(1000);
    bulk.fill(got.subarray(0, 1), 1);
    bulk.fill(got.subarray(1, 400));
    got.set(Array.from({ length: 100 }, () => bulk()), 400);
    bulk.fill(got.subarray(500), 500);
    expect(Array.from(got)).toEqual(want);
    expect(bulk()).toBe(one());
    for (const x of want) expect(x >= 0 && x < 1).toBe(true);
  });

  it('shuffles as Fisher–Yates with one randomInt(i + 1) per step, top down', () => {
    const values = Int32Array.from({ length: 500 }, (_, i) => i);
    const rng = seededRandom(42);
    const want = Array.from(values);
    for (let i = want.length - 1; i > 0; i--) {
      const j = randomInt(rng, i + 1);
      [want[i], want[j]] = [want[j], want[i]];
    }
    const bulk = seededRandom(42);
    shuffleInPlace(values, bulk);
    expect(Array.from(values)).toEqual(want);
    expect(bulk()).toBe(rng());
  });
});
