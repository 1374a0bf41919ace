/**
 * Run parameters of the property-based (fast-check) tests of the PromQL code: a bounded number of runs so
 * `npm test` stays fast, and a fixed seed so a run is reproducible. fast-check prints the seed and the
 * shrunk counterexample's path on failure; `VIGIL_FUZZ_SEED=<n>` replays or explores another seed.
 * Failures found are kept as explicit regression cases next to the property.
 */
import type { Parameters } from 'fast-check';

export const FUZZ_SEED = Number(process.env.VIGIL_FUZZ_SEED ?? 20_240_612);

export function fuzzParams<T>(numRuns: number): Parameters<T> {
  return { numRuns, seed: FUZZ_SEED, endOnFailure: false };
}
