/**
 * Numbers in CSV fields, as pandas reads them, bitwise equal to JavaScript's `Number(text)`.
 *
 * `parseNumberBytes` reads a field straight from the UTF-8 bytes. Its exact fast path is Clinger's:
 * a decimal with at most 15 significant digits has an integer mantissa m < 2^53 (exact in a double),
 * and 10^k is exact for |k| ≤ 22, so m * 10^k or m / 10^k is one correctly rounded IEEE operation,
 * the same double `Number()` gives. Everything else (more digits, larger exponents, inf, odd syntax)
 * is decoded and handed to `parseNumber`, so the semantics are those of the string path.
 */

/** Most significant digits that keep the mantissa exact: 10^15 - 1 < 2^53. */
const MAX_FAST_DIGITS = 15;
/** 10^22 is the largest power of ten exactly representable as a double. */
const MAX_EXACT_POW10 = 22;
const POW10 = Array.from({ length: MAX_EXACT_POW10 + 1 }, (_, k) => Number(`1e${k}`));

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
  if (p < end && bytes[p] === DOT) {
    integer = false;
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
  if (p !== end || digits > MAX_FAST_DIGITS) return slowPath(bytes, start, end);
  let v: number;
  if (mantissa === 0) v = 0;
  else if (scale === 0) v = mantissa;
  else if (scale > 0 && scale <= MAX_EXACT_POW10) v = mantissa * POW10[scale];
  else if (scale < 0 && scale >= -MAX_EXACT_POW10) v = mantissa / POW10[-scale];
  else return slowPath(bytes, start, end);
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

