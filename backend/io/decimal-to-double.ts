/**
 * Exact conversion of a decimal w · 10^q (1 ≤ w < 2^64) to the nearest double, without strings or
 * BigInt at parse time — or NaN when it cannot be decided cheaply, and the caller falls back to
 * `Number(text)`. It follows the Eisel–Lemire method (D. Lemire, "Number parsing at a gigabyte per
 * second", 2021): multiply w by a truncated power of five and round, unless the truncation could reach
 * a rounding boundary; first with 64 bits of 5^q, then, if that is undecided, with 128. Written for
 * this project from that description; arithmetic on 16/32-bit limbs held in doubles, where every
 * product and sum stays below 2^53 and so is exact.
 *
 * Why the answer is exact when one is given (the argument the code relies on):
 *
 *   Normalize w: w' = w · 2^l with 2^63 ≤ w' < 2^64. From the table, T = floor(5^q · 2^-E) with
 *   2^63 ≤ T < 2^64, so 5^q = (T + δ) · 2^E with 0 ≤ δ < 1. Then
 *       v = w · 10^q = X · 2^(E + q - l),   X = w' · (T + δ),
 *   and with P = w' · T (the 128-bit product we compute exactly), P ≤ X < P + w' < P + 2^64.
 *   P ≥ 2^126; let t be its top bit (126 or 127) and g = t - 52, so M = floor(P / 2^g) has 53 bits.
 *   Let r be bit g-1 of P (the rounding bit) and C the bits 64 .. g-2 (9 or 10 bits).
 *   - If C is not all ones, P mod 2^(g-1) < 2^(g-1) - 2^64, so the whole interval [P, P + 2^64) lies
 *     inside one half-step [M·2^g + r·2^(g-1), M·2^g + (r+1)·2^(g-1)): X has the same top bit and
 *     mantissa M as P, and lies on the same side of the midpoint M·2^g + 2^(g-1).
 *   - If r = 0, X is below the midpoint: round-to-nearest gives M · 2^g.
 *   - If r = 1 and C ≠ 0, X ≥ P ≥ midpoint + 2^64 > midpoint: it gives (M + 1) · 2^g (no tie).
 *   - If C is all ones, or r = 1 and C = 0, X may be on or across the midpoint: undecided (NaN).
 *   Scaling by 2^(E + q - l) is exact while the result is a normal double, so v rounds to
 *   (M + r) · 2^(g + E + q - l) when that exponent keeps M · 2^e at or above 2^-1022 and the rounded
 *   value finite; results that are (or may round to) subnormal or infinite are left undecided too.
 *
 * The first stage leaves about 1 in 400 random inputs undecided (C is uniformly spread), and about half
 * of the 19-digit spellings of doubles (their decimal lies within ~2^-63 of the double itself, so P's
 * low bits are near 0 or all ones); `secondStage` decides nearly all of those. What stays undecided:
 * exact ties such as 9007199254740993, exactly representable values with q < 0 and 16+ digits
 * (e.g. 1480610573704560.5: 5^q's truncation puts P just below them), values within ~2^-125 of a
 * midpoint, and subnormal or infinite results. The caller's string path is correct for all of them.
 */

/** Smallest and largest decimal exponent q with a table entry. Outside, w · 10^q is 0, subnormal or infinite. */
const MIN_EXP10 = -342;
const MAX_EXP10 = 308;
export { MIN_EXP10, MAX_EXP10 };

const TWO_16 = 65536;
const TWO_M16 = 1 / 65536;
const TWO_M32 = TWO_M16 * TWO_M16;
const TWO_M48 = TWO_M32 * TWO_M16;
const TWO_M64 = TWO_M32 * TWO_M32;
const TWO_M47 = 1 / 140737488355328;
/** Distance from an integer below which the floating carry estimate is not trusted (> 2^-18, see below). */
const CARRY_MARGIN = 2 ** -16;
const TWO_32 = 4294967296;
const TWO_52 = 4503599627370496;
const TWO_53 = 9007199254740992;
/** Smallest exponent e with 2^52 · 2^e normal (= 2^-1022, the least normal double). */
const MIN_NORMAL_EXP2 = -1074;
/** Largest exponent e with (2^53 - 1) · 2^e finite (< 2^1024). */
const MAX_FINITE_EXP2 = 971;

/**
 * Per q: 5^q truncated to 128 bits, T128 = floor(5^q · 2^(64-E)), 2^127 ≤ T128 < 2^128, as four 32-bit
 * limbs from the top. Its top half is T = floor(5^q · 2^-E) (the first stage); all of it, the second.
 */
const POW5_LIMBS = new Float64Array(4 * (MAX_EXP10 - MIN_EXP10 + 1));
/** Per q: E + q, the binary exponent of 10^q's truncation T (v = w·T·2^(E+q) up to δ). */
const POW10_EXP2 = new Int32Array(MAX_EXP10 - MIN_EXP10 + 1);
/** 2^e for e in [MIN_NORMAL_EXP2, MAX_FINITE_EXP2], built by exact doubling from the least subnormal. */
const POW2 = new Float64Array(MAX_FINITE_EXP2 - MIN_NORMAL_EXP2 + 1);

function bitLength(x: bigint): number {
  return x.toString(2).length;
}

function fillTables(): void {
  const low32 = (1n << 32n) - 1n;
  const store = (q: number, t128: bigint, e: number): void => {
    const i = q - MIN_EXP10;
    for (let k = 0; k < 4; k++) POW5_LIMBS[4 * i + k] = Number((t128 >> BigInt(96 - 32 * k)) & low32);
    POW10_EXP2[i] = e + q;
  };
  let p = 1n; // 5^q
  for (let q = 0; q <= MAX_EXP10; q++, p *= 5n) {
    const n = bitLength(p);
    // 5^q = T128 · 2^(n-128) + (bits shifted out), or exactly so when n ≤ 128; E = n - 64
    store(q, n <= 128 ? p << BigInt(128 - n) : p >> BigInt(n - 128), n - 64);
  }
  p = 5n; // 5^-q
  for (let q = -1; q >= MIN_EXP10; q--, p *= 5n) {
    // 2^k / 5^-q lies in (2^63, 2^64) for k = 63 + bitlength(5^-q) (never exactly 2^64: 5^-q is odd > 1);
    // floor(2^(k+64) / 5^-q) has the same top 64 bits (floor(floor(a / d) / 2^64) = floor(a / (d·2^64)))
    const k = 63 + bitLength(p);
    store(q, (1n << BigInt(k + 64)) / p, -k);
  }
  POW2[0] = Number.MIN_VALUE; // 2^-1074
  for (let i = 1; i < POW2.length; i++) POW2[i] = POW2[i - 1] * 2;
}
fillTables();

/**
 * The double nearest to (hi · 2^32 + lo) · 10^q, or NaN when undecided (see the module comment).
 * hi and lo are the unsigned 32-bit halves of w; w must not be 0.
 */
export function decimalToDouble(hi: number, lo: number, q: number): number {
  return roundToDouble(hi | 0, lo | 0, q, scratch) ? scratch[0] : NaN;
}

const scratch = new Float64Array(1);

/**
 * `decimalToDouble` for hot paths: writes the double to out[0] and returns true, or returns false when
 * undecided. hi and lo come as int32 (the same 32 bits) and the answer goes to a typed-array slot with
 * a boolean returned, because V8 does not inline this function, and a number crossing a call that is
 * not a 32-bit integer is boxed: a heap allocation each.
 */
function roundToDouble(hi: number, lo: number, q: number, out: Float64Array): boolean {
  if (q < MIN_EXP10 || q > MAX_EXP10) return false;
  // normalize w to w' = w · 2^l, top bit at 63
  let l: number;
  if (hi === 0) {
    hi = lo;
    lo = 0;
    l = 32 + Math.clz32(hi);
  } else l = Math.clz32(hi);
  const z = l & 31;
  if (z !== 0) {
    hi = (hi << z) | (lo >>> (32 - z));
    lo <<= z;
  }
  const w3 = hi >>> 16;
  const w2 = hi & 0xffff;
  const w1 = lo >>> 16;
  const w0 = lo & 0xffff;
  const i = q - MIN_EXP10;
  const b1 = POW5_LIMBS[4 * i];
  const b0 = POW5_LIMBS[4 * i + 1];
  // P = w' · T from 16-bit × 32-bit partial products (each < 2^48, so exact) in 16-bit columns:
  // P = c0 + c1·2^16 + c2·2^32 + c3·2^48 + c4·2^64 + c5·2^80.
  const c0 = w0 * b0;
  const c1 = w1 * b0;
  const c2 = w2 * b0 + w0 * b1;
  const c3 = w3 * b0 + w1 * b1;
  const c4 = w2 * b1;
  const c5 = w3 * b1;
  const carry = carryIntoBit64(c0, c1, c2, c3);
  const s = c4 + carry; // floor(P / 2^64) less c5·2^16, < 2^49
  const above = Math.floor(s * TWO_M16);
  const bits64to79 = s - above * TWO_16;
  const top48 = above + c5; // floor(P / 2^80) < 2^48
  // P's top bit is 127 (high = 1) or 126 (high = 0). Without a branch: which one is a coin toss per
  // input, and a mispredicted branch here cost more than the arithmetic.
  const high = Math.floor(top48 * TWO_M47);
  const bits = bits64to79 | 0;
  // M = floor(P / 2^g) with g = 74 + high; the rounding bit is bit g-1; C the bits 64 .. g-2
  let mantissa = top48 * (64 >> high) + (bits >>> (10 + high));
  const roundBit = (bits >>> (9 + high)) & 1;
  const allOnes = (512 << high) - 1;
  const between = bits & allOnes;
  let exp2 = POW10_EXP2[i] - l + 74 + high;
  if (between === allOnes || (roundBit === 1 && between === 0)) return secondStage(hi, lo, l, i, out);
  return assemble(mantissa, roundBit, exp2, out);
}

/**
 * Writes (mantissa + roundBit) · 2^exp2 to out[0] when that is a normal double and the rounding at 53
 * bits was the double's own (mantissa ≥ 2^52 at exp2 ≥ -1074: not subnormal), else returns false.
 */
function assemble(mantissa: number, roundBit: number, exp2: number, out: Float64Array): boolean {
  if (exp2 < MIN_NORMAL_EXP2) return false; // X · 2^s below 2^-1022: subnormal rounding differs
  mantissa += roundBit;
  if (mantissa === TWO_53) {
    mantissa = TWO_52;
    exp2++;
  }
  if (exp2 > MAX_FINITE_EXP2) return false;
  // exact: an integer below 2^53 times a power of two, with a normal result
  out[0] = mantissa * POW2[exp2 - MIN_NORMAL_EXP2];
  return true;
}

/**
 * The second stage, for what the first left undecided: the same decision with all 128 bits of the
 * power of five. With T128 = T · 2^64 + T' (T' < 2^64), X = w' · (T128 + δ') / 2^64 (0 ≤ δ' < 1) is
 * the X of the first stage, and with R = w'·T + floor(w'·T' / 2^64) — computed exactly here —
 * R ≤ X < R + 2 (the fraction of w'·T' / 2^64 plus w'·δ' / 2^64, each below 1). The argument of the
 * module comment then runs with 2 for 2^64: decided unless the bits of R below the rounding bit are
 * within 2 of all ones, or the rounding bit is 1 and those bits are all 0. What is left is a true tie
 * (X on a midpoint: only for q in [0, 55], where T128 is exact) or within ~2^-125 of one.
 * hi, lo: w' normalized (int32 bits); l: its shift; i: the table row of q.
 */
function secondStage(hi: number, lo: number, l: number, i: number, out: Float64Array): boolean {
  const w3 = hi >>> 16;
  const w2 = hi & 0xffff;
  const w1 = lo >>> 16;
  const w0 = lo & 0xffff;
  const t3 = POW5_LIMBS[4 * i];
  const t2 = POW5_LIMBS[4 * i + 1];
  const t1 = POW5_LIMBS[4 * i + 2];
  const t0 = POW5_LIMBS[4 * i + 3];
  // floor(w'·T' / 2^64) = d4 + d5·2^16 + (carry of its low 64 bits), in 16-bit columns like the first stage
  const d4 = w2 * t1;
  const d5 = w3 * t1;
  const carry = exactCarry(w0 * t0, w1 * t0, w2 * t0 + w0 * t1, w3 * t0 + w1 * t1);
  // R = w'·T + that, 16 bits at a time (every running sum < 2^51)
  let s = w0 * t2 + d4 + carry;
  const r0 = s % TWO_16;
  s = Math.floor(s * TWO_M16) + w1 * t2 + d5;
  const r1 = s % TWO_16;
  s = Math.floor(s * TWO_M16) + w2 * t2 + w0 * t3;
  const r2 = s % TWO_16;
  s = Math.floor(s * TWO_M16) + w3 * t2 + w1 * t3;
  const r3 = s % TWO_16;
  s = Math.floor(s * TWO_M16) + w2 * t3;
  const r4 = s % TWO_16; // bits 64..79
  const top48 = Math.floor(s * TWO_M16) + w3 * t3; // bits 80..127
  const high = Math.floor(top48 * TWO_M47);
  const mantissa = top48 * (64 >> high) + (r4 >>> (10 + high));
  const roundBit = (r4 >>> (9 + high)) & 1;
  const mask = (512 << high) - 1; // bits of r4 below the rounding bit
  const below = r4 & mask;
  if (below === mask && r3 === 0xffff && r2 === 0xffff && r1 === 0xffff && r0 >= 0xfffe) return false;
  if (roundBit === 1 && below === 0 && r3 === 0 && r2 === 0 && r1 === 0 && r0 === 0) return false;
  return assemble(mantissa, roundBit, POW10_EXP2[i] - l + 74 + high, out);
}

/**
 * floor((c0 + c1·2^16 + c2·2^32 + c3·2^48) / 2^64) for integers c0, c1 < 2^48 and c2, c3 < 2^49: the
 * carry from the low 64 bits of the product into the bits that decide the rounding.
 *
 * From one floating sum rather than a chain of exact 16-bit carries (the chain's latency was most of
 * the conversion's cost). The four scaled terms are exact (integers below 2^53 times powers of two);
 * the sum is below 2^34, so each of the three additions errs by at most 2^-20 (half an ulp below 2^34)
 * and the true quotient lies within 2^-18 of `low`. Unless `low` is within CARRY_MARGIN of an integer,
 * its floor is the exact carry. Near one — about 1 in 2^15 for long mantissas, often when w' ends in
 * many zero bits (short mantissas) or T does (small q ≥ 0) — the exact chain decides.
 */
export function carryIntoBit64(c0: number, c1: number, c2: number, c3: number): number {
  const low = c0 * TWO_M64 + c1 * TWO_M48 + c2 * TWO_M32 + c3 * TWO_M16;
  const carry = Math.floor(low);
  const fraction = low - carry; // exact
  if (fraction >= CARRY_MARGIN && fraction <= 1 - CARRY_MARGIN) return carry;
  return exactCarry(c0, c1, c2, c3);
}

/** carryIntoBit64 by exact 16-bit carries (each running sum < 2^51). */
function exactCarry(c0: number, c1: number, c2: number, c3: number): number {
  let s = Math.floor(c0 * TWO_M16) + c1;
  s = Math.floor(s * TWO_M16) + c2;
  s = Math.floor(s * TWO_M16) + c3;
  return Math.floor(s * TWO_M16);
}

/**
 * Writes the double nearest to (head · 10^k + tail) · 10^q to out[0] and returns true, or returns false
 * when undecided; pow10k = 10^k ≤ 10^6, head < 2^50, tail < 10^k, and the sum is in [1, 2^64) (how a
 * parser that knows the leading digits and the last k of them exactly hands its digits over).
 */
export function digitsToDouble(head: number, pow10k: number, tail: number, q: number, out: Float64Array): boolean {
  const headHi = Math.floor(head * TWO_M32);
  let lo = (head - headHi * TWO_32) * pow10k + tail; // < 2^32 · 10^6 + 10^6 < 2^53
  const carry = Math.floor(lo * TWO_M32);
  lo -= carry * TWO_32;
  return roundToDouble((headHi * pow10k + carry) | 0, lo | 0, q, out);
}
