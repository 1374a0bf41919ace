/**
 * Exact decimal facts about doubles for the number-parsing tests (backend/io): BigInt arithmetic, so the
 * expected values do not depend on the code under test.
 */

/** The exact midpoint between a positive finite double and the next one up, as digits D with x = D · 10^exp10. */
export function midpoint(x: number): { digits: string; exp10: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const e = (biased === 0 ? 1 : biased) - 1075; // x = mantissa · 2^e
  const odd = 2n * mantissa + 1n; // midpoint = odd · 2^(e-1)
  if (e - 1 >= 0) return { digits: (odd << BigInt(e - 1)).toString(), exp10: 0 };
  return { digits: (odd * 5n ** BigInt(1 - e)).toString(), exp10: e - 1 };
}
