/**
 * Numbers in CSV fields, as pandas reads them, bitwise equal to JavaScript's `Number(text)`.
 *
 * `parseNumberBytes` reads a field straight from the UTF-8 bytes, with two exact fast paths:
 * - Clinger's: a decimal with at most 15 significant digits has an integer mantissa m < 2^53 (exact in
 *   a double), and 10^k is exact for |k| ≤ 22, so m * 10^k or m / 10^k is one correctly rounded IEEE
 *   operation, the same double `Number()` gives.
 * - up to 19 significant digits (the 16-17 digits of Python's float repr among them), or any exponent
 *   with a normal result: `digitsToDouble` (decimal-to-double.ts), exact whenever it answers.
 * Everything else (more than 19 digits unless the rest are zeros, halfway ambiguity, subnormal or
 * infinite results, inf, odd syntax) is decoded and handed to `parseNumber`, so the semantics are those
 * of the string path.
 */
import { digitsToDouble } from './decimal-to-double';

/** Significant digits in the first int32 accumulator: 10^9 - 1 < 2^31. */
const UPPER_DIGITS = 9;
/** Most significant digits that keep the mantissa exact: 10^15 - 1 < 2^53. */
const MAX_FAST_DIGITS = 15;
/** Most significant digits decimal-to-double takes: 10^19 - 1 < 2^64. */
const MAX_LONG_DIGITS = 19;
/** 10^22 is the largest power of ten exactly representable as a double. */
const MAX_EXACT_POW10 = 22;
const POW10 = Array.from({ length: MAX_EXACT_POW10 + 1 }, (_, k) => Number(`1e${k}`));

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
  // The significant digits (from the first non-zero one) go to int32 accumulators: the first 9 to
  // `upper`, the next 6 to `middle`, the next 4 to `tail`; later ones are only counted, and mark the
  // field inexact when one is not 0. (Integer multiply-adds: a double `x * 10 + d` per digit is a chain
  // of two floating operations, and that chain was most of the cost of a 17-digit field.)
  let upper = 0;
  let middle = 0;
  let tail = 0;
  let digits = 0;
  let droppedNonZero = false;
  let scale = 0; // decimal exponent adjustment from digits after the point
  const intStart = p;
  while (p < end && bytes[p] === D0) p++;
  while (p < end) {
    const d = bytes[p] - D0;
    if (d < 0 || d > 9) break;
    if (digits < UPPER_DIGITS) upper = upper * 10 + d;
    else if (digits < MAX_FAST_DIGITS) middle = middle * 10 + d;
    else if (digits < MAX_LONG_DIGITS) tail = tail * 10 + d;
    else if (d !== 0) droppedNonZero = true;
    digits++;
    p++;
  }
  let sawDigit = p > intStart;
  let integer = true;
  if (p < end && bytes[p] === DOT) {
    integer = false;
    p++;
    const fracStart = p;
    if (digits === 0) while (p < end && bytes[p] === D0) p++;
    while (p < end) {
      const d = bytes[p] - D0;
      if (d < 0 || d > 9) break;
      if (digits < UPPER_DIGITS) upper = upper * 10 + d;
      else if (digits < MAX_FAST_DIGITS) middle = middle * 10 + d;
      else if (digits < MAX_LONG_DIGITS) tail = tail * 10 + d;
      else if (d !== 0) droppedNonZero = true;
      digits++;
      p++;
    }
    scale = fracStart - p;
    if (p > fracStart) sawDigit = true;
  }
  if (!sawDigit) return slowPath(bytes, start, end);
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
  if (digits === 0) v = 0;
  else {
    // the first min(digits, 15) significant digits, exact (< 10^15)
    const head = digits <= UPPER_DIGITS ? upper : upper * POW10[(digits < MAX_FAST_DIGITS ? digits : MAX_FAST_DIGITS) - UPPER_DIGITS] + middle;
    if (digits <= MAX_FAST_DIGITS && scale === 0) v = head;
    else if (digits <= MAX_FAST_DIGITS && scale > 0 && scale <= MAX_EXACT_POW10) v = head * POW10[scale];
    else if (digits <= MAX_FAST_DIGITS && scale < 0 && scale >= -MAX_EXACT_POW10) v = head / POW10[-scale];
    else {
      if (droppedNonZero) return slowPath(bytes, start, end);
      const kept = digits < MAX_LONG_DIGITS ? digits : MAX_LONG_DIGITS;
      // N = (head · 10^k + tail) · 10^(digits - kept) exactly: the digits past the 19th are all 0
      const k = kept > MAX_FAST_DIGITS ? kept - MAX_FAST_DIGITS : 0;
      if (!digitsToDouble(head, POW10[k], tail, scale + digits - kept, converted)) return slowPath(bytes, start, end);
      v = converted[0];
    }
  }
  lastWasInteger = integer;
  return negative ? -v : v;
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

function slowPath(bytes: Uint8Array, start: number, end: number): number {
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

