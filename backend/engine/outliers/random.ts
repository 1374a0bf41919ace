/**
 * A seeded pseudo-random generator, so that a fitted isolation forest is a function of (data, random_state).
 * xoshiro128** (Blackman & Vigna, 2018) seeded through splitmix32: 32-bit integer arithmetic only, so the
 * sequence is identical on every platform and Node version.
 */
export interface Random {
  /** uniform in [0, 1) with 32 random bits */
  next(): number;
  /** uniform integer in [0, n) */
  int(n: number): number;
}

export function seededRandom(seed: number): Random {
  // splitmix32 expands the seed into the four state words (a zero state would be stuck)
  let x = seed >>> 0;
  const splitmix = () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const nextUint = xoshiro128ss([splitmix(), splitmix(), splitmix(), splitmix()]);
  return {
    next: () => nextUint() / 4294967296,
    int: (n: number) => Math.floor((nextUint() / 4294967296) * n),
  };
}

/** The raw generator on an explicit state (four 32-bit words), returning uint32 values. */
export function xoshiro128ss(state: [number, number, number, number]): () => number {
  let [s0, s1, s2, s3] = state.map((v) => v >>> 0);
  return () => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    s0 >>>= 0;
    s1 >>>= 0;
    s2 >>>= 0;
    return result;
  };
}

function rotl(v: number, k: number): number {
  return ((v << k) | (v >>> (32 - k))) >>> 0;
}
