/**
 * decimalToDouble(hi, lo, q) is w · 10^q with w = hi · 2^32 + lo correctly rounded — bitwise what
 * `Number(\`${w}e${q}\`)` gives — whenever it answers, and it answers for nearly all 16–19 digit inputs.
 * The expected values come from V8's correctly rounded string conversion, w from BigInt.
 */
import { seededRandom } from '../engine/random';
import { midpoint } from '../../test/helpers/doubles';
import { carryIntoBit64, decimalToDouble, MAX_EXP10, MIN_EXP10 } from './decimal-to-double';

/** Seeded, so a failure is reproducible. */
const rng = seededRandom;

const TWO_64 = 1n << 64n;

interface Tally {
  answered: number;
  undecided: number;
  wrong: string[];
}

function tally(): Tally {
  return { answered: 0, undecided: 0, wrong: [] };
}

function expectExact(t: Tally, w: bigint, q: number): void {
  const got = decimalToDouble(Number(w >> 32n), Number(w & 0xffffffffn), q);
  if (Number.isNaN(got)) {
    t.undecided++;
    return;
  }
  t.answered++;
  const want = Number(`${w}e${q}`);
  if (!Object.is(got, want) && t.wrong.length < 5) t.wrong.push(`${w}e${q}: got ${got}, want ${want}`);
}

/** Uniform w with 1..64 bits. */
function randomW(r: () => number): bigint {
  const bits = 1 + Math.floor(r() * 64);
  const hi = BigInt(Math.floor(r() * 4294967296));
  const lo = BigInt(Math.floor(r() * 4294967296));
  const w = ((hi << 32n) | lo) >> BigInt(64 - bits);
  return w === 0n ? 1n : w;
}

/** w with exactly n decimal digits. */
function randomDigits(r: () => number, n: number): bigint {
  let s = String(1 + Math.floor(r() * 9));
  for (let i = 1; i < n; i++) s += String(Math.floor(r() * 10));
  return BigInt(s);
}


describe('decimalToDouble', () => {
  it('equals Number() on random w across all bit lengths and the whole exponent range', () => {
    const r = rng(1);
    const t = tally();
    for (let i = 0; i < 150_000; i++) {
      const q = MIN_EXP10 + Math.floor(r() * (MAX_EXP10 - MIN_EXP10 + 1));
      expectExact(t, randomW(r), q);
    }
    expect(t.wrong).toEqual([]);
    expect(t.answered).toBeGreaterThan(140_000);
  });

  it('answers nearly all 16-19 digit mantissas with normal results (the point of the fast path)', () => {
    const r = rng(2);
    const t = tally();
    for (let i = 0; i < 100_000; i++) {
      const n = 16 + Math.floor(r() * 4);
      expectExact(t, randomDigits(r, n), -300 + Math.floor(r() * 580));
    }
    expect(t.wrong).toEqual([]);
    // the first stage's undecided band (~2^64 wide in a 2^73..2^74 step) leaves ~1 in 400; the second
    // stage's (2 in ~2^73) next to none
    expect(t.undecided / (t.answered + t.undecided)).toBeLessThan(0.0005);
  });

  it('decides the 17-19 digit spellings of doubles (just off the double itself: the second stage)', () => {
    const r = rng(5);
    const t = tally();
    const view = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 30_000; i++) {
      // |x| in [2^-40, 2^20): with 52 random fraction bits no 17-19 digit spelling is x exactly (those
      // with q < 0 are undecided by design: csv-number strips their trailing zeros first)
      const biased = 1023 - 40 + Math.floor(r() * 60);
      view.setUint32(0, (biased << 20) | Math.floor(r() * (1 << 20)));
      view.setUint32(4, Math.floor(r() * 4294967296));
      const x = view.getFloat64(0);
      for (const k of [17, 18, 19]) {
        const [digits, exp] = x.toExponential(k - 1).split('e');
        expectExact(t, BigInt(digits.replace('.', '')), Number(exp) - (k - 1));
      }
    }
    expect(t.wrong).toEqual([]);
    expect(t.undecided / (t.answered + t.undecided)).toBeLessThan(0.0005);
  });

  it('is exact next to the midpoints between adjacent doubles', () => {
    const r = rng(3);
    const t = tally();
    const view = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 6_000; i++) {
      // positive normal doubles, exponents weighted towards everyday magnitudes
      const biased = r() < 0.7 ? 1023 - 60 + Math.floor(r() * 120) : 1 + Math.floor(r() * 2045);
      view.setUint32(0, (biased << 20) | Math.floor(r() * (1 << 20)));
      view.setUint32(4, Math.floor(r() * 4294967296));
      const { digits, exp10 } = midpoint(view.getFloat64(0));
      for (let k = 16; k <= 19; k++) {
        if (digits.length <= k) {
          // the whole midpoint fits: an exact tie (e.g. 2^53 + 1) must be left undecided or be right
          expectExact(t, BigInt(digits), exp10);
          continue;
        }
        const q = exp10 + digits.length - k;
        const truncated = BigInt(digits.slice(0, k)); // just below the midpoint
        for (const w of [truncated - 1n, truncated, truncated + 1n, truncated + 2n]) if (w > 0n && w < TWO_64) expectExact(t, w, q);
      }
    }
    expect(t.wrong).toEqual([]);
    // 16-17 digits are ~10^-17 away from the midpoint: most of those must still be decided here
    expect(t.answered).toBeGreaterThan(t.undecided);
  });

  it('leaves exact ties, subnormal and overflowing results to the caller, and is right at the normal edges', () => {
    // 2^53 + 1 and 1e23 are exactly halfway between two doubles
    expect(decimalToDouble(0x200000, 1, 0)).toBeNaN();
    expect(decimalToDouble(0, 1, 23)).toBeNaN();
    // 2^53 + 3 is halfway too (rounds up to even): also undecided
    expect(decimalToDouble(0x200000, 3, 0)).toBeNaN();
    expect(decimalToDouble(0, 49, -325)).toBeNaN(); // 4.9e-324, subnormal
    expect(decimalToDouble(0, 18, 307)).toBeNaN(); // 1.8e308, infinite
    expect(decimalToDouble(0, 1, MIN_EXP10 - 1)).toBeNaN();
    expect(decimalToDouble(0, 1, MAX_EXP10 + 1)).toBeNaN();
    const t = tally();
    const edges: [bigint, number][] = [
      [22250738585072014n, -324], // least normal
      [22250738585072011n, -324], // greatest subnormal
      [22250738585072012n, -324],
      [22250738585072013n, -324],
      [17976931348623157n, 292], // greatest finite
      [17976931348623158n, 292],
      [17976931348623159n, 292], // rounds to infinity
      [1797693134862315807n, 290],
      [1797693134862315808n, 290],
      [18446744073709551615n, 0], // 2^64 - 1
      [18446744073709551615n, MAX_EXP10],
      [18446744073709551615n, MIN_EXP10],
      [1n, MAX_EXP10],
      [1n, -307],
      [1n, -308],
      [9007199254740993n, 0],
      [9007199254740995n, 0],
      [9007199254740992n, 0],
      [4503599627370497n, -1], // 2^52 + 0.5 (halfway) after scaling
    ];
    for (const [w, q] of edges) expectExact(t, w, q);
    for (let q = MIN_EXP10; q <= MAX_EXP10; q++) for (const w of [1n, 5n, 9999999999999999999n, TWO_64 - 1n, 1n << 63n]) expectExact(t, w, q);
    expect(t.wrong).toEqual([]);
  });

  it('carries into bit 64 exactly where the floating estimate rounds up to the next integer', () => {
    // Partial-product columns (from random 64-bit w' and T) whose floating sum / 2^64 rounds up across an
    // integer: found by a random search comparing the estimate with the exact carry chain.
    const hard = [
      [23487508980540, 33649779594060, 179944264447323, 261419840919407],
      [96114190754178, 113722685109702, 181312270730881, 221825884326676],
      [5778403733424, 79250162837008, 57376632084962, 263397443808806],
      [108417009837461, 68505833882356, 273461562529779, 215323386152550],
      [7174910389512, 118488865842312, 172599429831880, 378151933846664],
      [130719211498170, 179734690337670, 254057417197495, 348698623607405],
    ];
    const r = rng(4);
    const random = Array.from({ length: 20_000 }, () => {
      const limb16 = () => Math.floor(r() * 65536);
      const limb32 = () => Math.floor(r() * 4294967296);
      const [w0, w1, w2, w3, b0, b1] = [limb16(), limb16(), limb16(), limb16(), limb32(), limb32()];
      return [w0 * b0, w1 * b0, w2 * b0 + w0 * b1, w3 * b0 + w1 * b1];
    });
    // exact sums at integers (w' or T ending in zero bits)
    const exactSums = [[0, 0, 0, 65536 * 4294967295], [0, 0, 2 ** 48, 2 ** 48 - 1], [2 ** 48 - 1, 2 ** 48 - 1, 2 ** 49 - 1, 2 ** 49 - 1]];
    const wrong: string[] = [];
    for (const [c0, c1, c2, c3] of [...hard, ...random, ...exactSums]) {
      const low = BigInt(c0) + (BigInt(c1) << 16n) + (BigInt(c2) << 32n) + (BigInt(c3) << 48n);
      const want = Number(low >> 64n);
      const got = carryIntoBit64(c0, c1, c2, c3);
      if (got !== want) wrong.push(`${[c0, c1, c2, c3]}: got ${got}, want ${want}`);
    }
    expect(wrong).toEqual([]);
  });
});
