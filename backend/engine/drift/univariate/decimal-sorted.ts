/**
 * A sorted reference kept in fewer bytes, losslessly, when its values are decimals with few digits (what
 * a CSV column usually holds): value_i = m_i / 10^d for integers m_i, kept as m_0 and the gaps
 * m_i − m_{i−1} (≥ 0, the values being sorted) in the narrowest unsigned array — 1–4 bytes a value instead
 * of 8. Every value is checked when encoding to decode to the very same double (Object.is, so −0 too);
 * when no d ≤ 9 does that for all of them, the Float64Array itself is kept.
 *
 * Used by the exact KS and Wasserstein fits, which would otherwise keep 8 bytes per reference value per
 * column (auto picks exact Wasserstein for numeric columns of 1,000–10,000 reference values).
 */
export interface DecimalSorted {
  /** 10^d, the divisor of every value */
  divisor: number;
  /** m_0 */
  first: number;
  /** m_i − m_{i−1}, for i = 1..n−1 */
  gaps: Uint8Array | Uint16Array | Uint32Array;
}

export type SortedValues = Float64Array | DecimalSorted;

const MAX_DECIMALS = 9;

function gapsArray(n: number, maxGap: number): Uint8Array | Uint16Array | Uint32Array {
  if (maxGap <= 0xff) return new Uint8Array(n);
  if (maxGap <= 0xffff) return new Uint16Array(n);
  return new Uint32Array(n);
}

/** The integers m_i for `divisor`, or null when one value is not m / divisor exactly (or m is not safe). */
function scaled(sorted: Float64Array, divisor: number): Float64Array | null {
  const m = new Float64Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    const k = Math.round(sorted[i] * divisor);
    if (!Number.isSafeInteger(k) || !Object.is(k / divisor, sorted[i])) return null;
    m[i] = k;
  }
  return m;
}

/** `sorted` (ascending, no NaN) in its decimal form when one fits in fewer bytes; else `sorted` itself. */
export function compactSorted(sorted: Float64Array): SortedValues {
  if (sorted.length < 2) return sorted;
  for (let d = 0; d <= MAX_DECIMALS; d++) {
    const divisor = 10 ** d;
    const m = scaled(sorted, divisor);
    if (!m) continue;
    let maxGap = 0;
    for (let i = 1; i < m.length; i++) maxGap = Math.max(maxGap, m[i] - m[i - 1]);
    if (maxGap > 0xffffffff) return sorted;
    const gaps = gapsArray(m.length - 1, maxGap);
    for (let i = 1; i < m.length; i++) gaps[i - 1] = m[i] - m[i - 1];
    const compact: DecimalSorted = { divisor, first: m[0], gaps };
    // The same arithmetic as decodeSorted, value by value: what is kept decodes to the input bit for bit.
    let k = compact.first;
    for (let i = 0; i < sorted.length; i++) {
      if (i > 0) k += gaps[i - 1];
      if (!Object.is(k / divisor, sorted[i])) return sorted;
    }
    return compact;
  }
  return sorted;
}

/** Reused for decoding: a decoded reference is read once per chunk and not kept. */
let scratch = new Float64Array(0);

/**
 * The sorted values. A decimal form is decoded into a buffer shared by every call: the array is valid until
 * the next call (scores use it at once, one chunk at a time per thread).
 */
export function sortedValues(v: SortedValues): Float64Array {
  // The doubles themselves: a typed array (of any realm), or a plain array when a fit went through JSON.
  if (ArrayBuffer.isView(v) || Array.isArray(v)) return v as Float64Array;
  const n = v.gaps.length + 1;
  if (scratch.length < n) scratch = new Float64Array(n);
  const out = scratch.subarray(0, n);
  let k = v.first;
  out[0] = k / v.divisor;
  for (let i = 1; i < n; i++) {
    k += v.gaps[i - 1];
    out[i] = k / v.divisor;
  }
  return out;
}

/** One compact form per sorted reference, so KS and Wasserstein on a column share it (and the saved fit holds it once). */
const compactForms = new WeakMap<Float64Array, SortedValues>();

export function compactSortedOnce(sorted: Float64Array): SortedValues {
  let compact = compactForms.get(sorted);
  if (!compact) compactForms.set(sorted, (compact = compactSorted(sorted)));
  return compact;
}
