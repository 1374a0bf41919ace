/**
 * Numbers in CSV fields, as pandas reads them, bitwise equal to JavaScript's `Number(text)`.
 *
 * `parseNumberBytes` reads a field straight from the UTF-8 bytes, with two exact fast paths:
 * - Clinger's: a decimal with at most 15 significant digits has an integer mantissa m < 2^53 (exact in
 *   a double), and 10^k is exact for |k| ≤ 22, so m * 10^k or m / 10^k is one correctly rounded IEEE
 *   operation, the same double `Number()` gives.
 * - 16 to 19 significant digits (the 16-17 of Python's float repr among them), or up to 15 with a larger
 *   exponent: the exact integer of the digits (see `exactSignificand`) goes to `digitsToDouble`
 *   (decimal-to-double.ts), which is exact whenever it answers.
 * Everything else (more than 19 significant digits, halfway ambiguity, subnormal or infinite results,
 * inf, odd syntax) is decoded and handed to `parseNumber`, so the semantics are those of the string path.
 */
import { digitsToDouble } from './decimal-to-double';

/** Most significant digits that keep the mantissa exact: 10^15 - 1 < 2^53. */
const MAX_FAST_DIGITS = 15;
/** Most significant digits decimal-to-double takes: 10^19 - 1 < 2^64. */
const MAX_LONG_DIGITS = 19;
/** 10^22 is the largest power of ten exactly representable as a double. */
const MAX_EXACT_POW10 = 22;
const POW10 = Array.from({ length: MAX_EXACT_POW10 + 1 }, (_, k) => Number(`1e${k}`));
/** Trailing digits read again exactly for a long significand (see `exactSignificand`). */
const LOW_DIGITS = 6;
const LOW_SCALE = 1e6;

/** digitsToDouble's answer slot. */
const converted = new Float64Array(1);

const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const D0 = 48;
const D9 = 57;

let lastWasInteger = false;

/** Whether the last field `parseNumberBytes` accepted was written as an integer (pandas' int64 rule). */
export function numberIsInteger(): boolean {
  return lastWasInteger;
}

const decoder = new TextDecoder('utf-8');

/**
 * The number in bytes[start, end), or NaN when the field is not a number (then the caller checks NA
 * tokens / text). Sets `numberIsInteger()` for accepted fields.
 */
export function parseNumberBytes(bytes: Uint8Array, start: number, end: number): number {
  if (start >= end) return NaN;
  let p = start;
  let c = bytes[p];
  let negative = false;
  if (c === MINUS || c === PLUS) {
    negative = c === MINUS;
    p++;
  }
  let mantissa = 0;
  let digits = 0; // significant digits taken into the mantissa
  let scale = 0; // decimal exponent adjustment from digits after the point
  let sawDigit = false;
  // integer part
  while (p < end) {
    c = bytes[p];
    if (c < D0 || c > D9) break;
    sawDigit = true;
    if (mantissa !== 0 || c !== D0) {
      mantissa = mantissa * 10 + (c - D0);
      digits++;
    }
    p++;
  }
  let integer = true;
  let dot = -1;
  if (p < end && bytes[p] === DOT) {
    integer = false;
    dot = p;
    p++;
    while (p < end) {
      c = bytes[p];
      if (c < D0 || c > D9) break;
      sawDigit = true;
      if (mantissa !== 0 || c !== D0) {
        mantissa = mantissa * 10 + (c - D0);
        digits++;
      }
      scale--;
      p++;
    }
  }
  if (!sawDigit) return slowPath(bytes, start, end);
  const digitsEnd = p;
  if (p < end && (bytes[p] | 32) === 101 /* e */) {
    integer = false;
    p++;
    let expNegative = false;
    if (p < end && (bytes[p] === MINUS || bytes[p] === PLUS)) {
      expNegative = bytes[p] === MINUS;
      p++;
    }
    const expStart = p;
    let exp = 0;
    while (p < end) {
      c = bytes[p];
      if (c < D0 || c > D9) break;
      if (exp < 100000) exp = exp * 10 + (c - D0);
      p++;
    }
    if (p === expStart) return slowPath(bytes, start, end);
    scale += expNegative ? -exp : exp;
  }
  if (p !== end) return slowPath(bytes, start, end);
  let v: number;
  if (mantissa === 0) v = 0;
  else if (digits <= MAX_FAST_DIGITS && scale === 0) v = mantissa;
  else if (digits <= MAX_FAST_DIGITS && scale > 0 && scale <= MAX_EXACT_POW10) v = mantissa * POW10[scale];
  else if (digits <= MAX_FAST_DIGITS && scale < 0 && scale >= -MAX_EXACT_POW10) v = mantissa / POW10[-scale];
  else if (digits > MAX_LONG_DIGITS) return slowPath(bytes, start, end);
  else {
    const exact = digits <= MAX_FAST_DIGITS ? digitsToDouble(mantissa, 1, 0, scale, converted) : exactSignificand(bytes, digitsEnd, mantissa, digits, scale);
    if (!exact) return slowPath(bytes, start, end);
    v = converted[0];
  }
  lastWasInteger = integer;
  return negative ? -v : v;
}

/**
 * digitsToDouble for 16-19 significant digits, whose integer N the loop above accumulated only
 * approximately: `mantissa` = N up to rounding. N is recovered exactly from `mantissa` and its last
 * six digits L (read again from the bytes): N = H · 10^6 + L with H = round((mantissa - L) / 10^6).
 *
 * Why H is exact: each step of `mantissa * 10 + d` rounds twice (the product, the sum), each time by
 * at most 2^-53 of a value below N's prefix · (1 + 2^-50); later steps multiply that error by 10 per
 * digit, so each of the 2 · 19 roundings contributes at most 2^-53 · N · (1 + 2^-50), in all
 * |mantissa - N| < 38 · 2^-53 · 10^19 < 43,000. `mantissa - L` adds at most half an ulp of 10^19
 * (1,024), the division by 10^6 at most 2^-10: the quotient is within 0.05 of the integer H, and
 * Math.round finds it. (H < 10^13 and (H mod 2^32) · 10^6 + L < 2^53: within digitsToDouble's limits.)
 *
 * Trailing zeros are dropped first when what is left has at most 15 digits: fixed-width output such
 * as numpy's "%.18e" of 0.5 ("5.000000000000000000e-01") is then Clinger's 5 / 10, where the truncated
 * power of ten would leave the exactly representable value undecided.
 */
function exactSignificand(bytes: Uint8Array, digitsEnd: number, mantissa: number, digits: number, scale: number): boolean {
  let low = 0;
  let unit = 1;
  let zeros = 0; // trailing zeros among the last six digits
  for (let i = digitsEnd - 1, n = 0; n < LOW_DIGITS; i--) {
    const c = bytes[i];
    if (c === DOT) continue;
    if (c === D0 && zeros === n) zeros++;
    low += (c - D0) * unit;
    unit *= 10;
    n++;
  }
  const high = Math.round((mantissa - low) / LOW_SCALE);
  if (zeros === 0 || digits - zeros > MAX_FAST_DIGITS) return digitsToDouble(high, LOW_SCALE, low, scale, converted);
  return withoutTrailingZeros(high, low, zeros, scale);
}

/** N = high · 10^6 + low ending in `zeros` zeros (1-6), with at most 15 digits before them, as a double. */
function withoutTrailingZeros(high: number, low: number, zeros: number, scale: number): boolean {
  // N / 10^zeros: at most 15 digits (with 6 trailing zeros, at most 13), so every step is exact
  let short: number;
  if (zeros < LOW_DIGITS) short = high * POW10[LOW_DIGITS - zeros] + low / POW10[zeros];
  else {
    short = high;
    while (short % 10 === 0) {
      short /= 10;
      zeros++;
    }
  }
  const q = scale + zeros;
  if (q >= 0 && q <= MAX_EXACT_POW10) converted[0] = short * POW10[q];
  else if (q < 0 && q >= -MAX_EXACT_POW10) converted[0] = short / POW10[-q];
  else return digitsToDouble(short, 1, 0, q, converted);
  return true;
}

/** Fields up to this long are turned into strings byte by byte when they are ASCII. */
const MAX_ASCII_FIELD = 64;

/**
 * The field as a string. ASCII decodes to the same characters byte for byte, and building the short
 * string directly skips a subarray and a TextDecoder call per field (the car-loan data's 16-17 digit
 * floats all come this way).
 */
function fieldText(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= MAX_ASCII_FIELD) {
    let s = '';
    let p = start;
    for (; p < end; p++) {
      const c = bytes[p];
      if (c >= 128) break;
      s += String.fromCharCode(c);
    }
    if (p === end) return s;
  }
  return decoder.decode(bytes.subarray(start, end));
}

let stringFallbacks = 0;

/** How many fields so far went the string way (`Number()`): the fast paths' misses, for tests. */
export function stringFallbackCount(): number {
  return stringFallbacks;
}

function slowPath(bytes: Uint8Array, start: number, end: number): number {
  stringFallbacks++;
  const s = fieldText(bytes, start, end);
  const v = parseNumber(s);
  if (!Number.isNaN(v)) lastWasInteger = isIntegerLiteral(s);
  return v;
}

/** Parses a number as pandas would (plain decimal, exponent, inf). NaN means "not a number". */
export function parseNumber(s: string): number {
  if (s.length === 0) return NaN;
  const c = s.charCodeAt(0);
  // Fast reject: a number starts with a digit, sign, dot, or i/I (inf).
  if (!((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 105 || c === 73)) return NaN;
  const v = Number(s);
  if (!Number.isNaN(v)) {
    // Number() accepts hex/binary/octal literals and surrounding spaces, pandas does not.
    if (c === 48 && s.length > 1) {
      const c1 = s.charCodeAt(1) | 32;
      if (c1 === 120 || c1 === 98 || c1 === 111) return NaN;
    }
    return v;
  }
  const lower = s.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return NaN;
}

/**
 * pandas gives int64 only when every field is written as an integer: `1.0`, `1e3` or `inf` make float64
 * even when the value is whole. (The dtype matters: UnseenValuesCalculator accepts int columns only.)
 */
export function isIntegerLiteral(s: string): boolean {
  let i = s.charCodeAt(0) === 45 || s.charCodeAt(0) === 43 ? 1 : 0;
  if (i === s.length) return false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

