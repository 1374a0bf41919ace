/**
 * A small seeded PRNG (mulberry32), the one source of reproducible randomness for the engine and the
 * generators: the average-precision bootstrap (unseeded upstream, spec §9.3), the needs_calibration
 * shuffle splits (§4.1, §9.4), the GBDT's binning sample, demo and bench data. Seeding makes results
 * reproducible run to run and across platforms.
 */
export type Random = () => number;

/** Uniform in [0, 1). */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [0, n). */
export function randomInt(rng: Random, n: number): number {
  return Math.floor(rng() * n);
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace(values: Int32Array | Uint32Array | number[], rng: Random): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const t = values[i];
    values[i] = values[j];
    values[j] = t;
  }
}
