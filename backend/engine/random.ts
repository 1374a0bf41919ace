/**
 * A small seeded PRNG (mulberry32), the one source of reproducible randomness for the engine and the
 * generators: the average-precision bootstrap (unseeded upstream, spec §9.3), the needs_calibration
 * shuffle splits (§4.1, §9.4), the GBDT's binning sample, demo and bench data. Seeding makes results
 * reproducible run to run and across platforms.
 */
export type Random = () => number;

/** A seeded generator: call it for one number, or `fill` a buffer with the next numbers in bulk. */
export interface SeededRandom extends Random {
  /**
   * out[0..count) = the next `count` numbers, exactly what `count` calls would return, without a call
   * per number: the performance fits draw millions (AP bootstrap, calibration splits).
   */
  fill(out: Float64Array, count?: number): void;
}

/** Uniform in [0, 1). */
export function seededRandom(seed: number): SeededRandom {
  let a = seed >>> 0;
  const next = (() => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as SeededRandom;
  // The same step written out in the loop: a call per number costs more than the number (cold code
  // especially), and the test pins the two to the same sequence. The state is kept as a signed 32-bit
  // integer here and when stored back (`| 0`, the same bits as `>>> 0`, which `next` reads alike): an
  // unsigned one above 2³¹ makes the compiler fall back to doubles, three times slower, and deoptimize.
  next.fill = (out, count = out.length) => {
    let s = a | 0;
    for (let k = 0; k < count; k++) {
      s = (s + 0x6d2b79f5) | 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[k] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }
    a = s;
  };
  return next;
}

/** Integer in [0, n). */
export function randomInt(rng: Random, n: number): number {
  return Math.floor(rng() * n);
}

/**
 * Fisher–Yates shuffle in place, its draws taken in bulk (the same draws, in the same order, as
 * randomInt(rng, i + 1) for i = length − 1 … 1). `draws`: a scratch buffer of at least length − 1.
 */
export function shuffleInPlace(values: Int32Array | Uint32Array | number[], rng: SeededRandom, draws = new Float64Array(values.length)): void {
  const n = values.length;
  if (n < 2) return;
  rng.fill(draws, n - 1);
  for (let i = n - 1, k = 0; i > 0; i--, k++) {
    const j = Math.floor(draws[k] * (i + 1));
    const t = values[i];
    values[i] = values[j];
    values[j] = t;
  }
}
