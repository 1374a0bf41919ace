/**
 * Timestamp parsing and formatting. Timestamps are epoch milliseconds (float: fractional ms keep
 * microseconds). Accepted: `YYYY-MM-DD[ HH:MM[:SS[.ffffff]]]` or ISO 8601 (`T`, optional `Z` or ±HH:MM);
 * without a zone they are UTC (run contract).
 */
import { CategoricalColumn, Column, MISSING_CODE, NumericColumn } from './frame';

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch ms, or NaN when the text is not a timestamp. */
export function parseTimestamp(text: string): number {
  const fast = parseCanonicalTimestamp(text);
  return fast === undefined ? parseTimestampPattern(text) : fast;
}

const DIGIT_0 = 48;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two ASCII digits at `i` as a number, or -1. */
function twoDigits(bytes: Uint8Array, i: number): number {
  const a = bytes[i] - DIGIT_0;
  const b = bytes[i + 1] - DIGIT_0;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Longest canonical timestamp: 19 characters, a 9-digit fraction and `Z`. */
const MAX_CANONICAL_LENGTH = 30;
const textCodes = new Uint8Array(MAX_CANONICAL_LENGTH);

function parseCanonicalTimestamp(text: string): number | undefined {
  const n = text.length;
  if (n > MAX_CANONICAL_LENGTH) return undefined;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return undefined;
    textCodes[i] = c;
  }
  return parseCanonicalTimestampBytes(textCodes, 0, n);
}

/**
 * The common shape `YYYY-MM-DD[ T]HH:MM:SS[.f…][Z]` read by character codes: a column of a million
 * distinct timestamps spent most of its parse time in the regular expression and in building a Date per
 * value for the days-in-month check (`npm run bench -- --profile`). Returns undefined for any other
 * shape, which the general pattern then handles; both give the same number for the same text. Reads
 * bytes [start, end) of ASCII text, so the CSV reader parses timestamps straight from the file's bytes.
 */
export function parseCanonicalTimestampBytes(bytes: Uint8Array, start: number, end: number): number | undefined {
  const n = end - start;
  if (n < 19 || n > MAX_CANONICAL_LENGTH) return undefined;
  const at = (i: number) => bytes[start + i];
  const sep = at(10);
  if (at(4) !== 45 || at(7) !== 45 || (sep !== 32 && sep !== 84) || at(13) !== 58 || at(16) !== 58) {
    return undefined;
  }
  const century = twoDigits(bytes, start);
  const yy = twoDigits(bytes, start + 2);
  const month = twoDigits(bytes, start + 5);
  const day = twoDigits(bytes, start + 8);
  const hour = twoDigits(bytes, start + 11);
  const minute = twoDigits(bytes, start + 14);
  const second = twoDigits(bytes, start + 17);
  if (century < 0 || yy < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let last = n;
  if (at(last - 1) === 90) last--; // Z
  let fracEnd = 19;
  let fraction = 0;
  if (last > 19) {
    if (at(19) !== 46) return undefined;
    fracEnd = 20;
    while (fracEnd < last) {
      const c = at(fracEnd) - DIGIT_0;
      if (c < 0 || c > 9) return undefined;
      fraction = fraction * 10 + c;
      fracEnd++;
    }
    if (fracEnd === 20 || fracEnd - 20 > 9) return undefined;
  }
  const year = century * 100 + yy;
  if (year < 100) return undefined; // Date.UTC maps years 0–99 to 1900–1999: the general path keeps that quirk
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (month < 1 || month > 12 || day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) return NaN;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // At most 9 digits: an integer below 2^53 over an exact power of ten is one correctly rounded division,
  // the same double as the general path's Number('0.' + digits).
  if (fracEnd > 20) ms += (fraction / POW10[fracEnd - 20]) * 1000;
  return ms;
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/** The general pattern (see the module comment); exported for the tests that compare both paths. */
export function parseTimestampPattern(text: string): number {
  const m = TS_RE.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = +y;
  const month = +mo;
  const day = +d;
  const hour = h ? +h : 0;
  const minute = mi ? +mi : 0;
  const second = s ? +s : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    return NaN;
  }
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (frac) ms += Number(`0.${frac}`) * 1000;
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (+digits.slice(0, 2) * 60 + +digits.slice(2, 4)) * 60_000;
  }
  return ms;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export class TimestampError extends Error {}

/**
 * Converts a column read from CSV/JSON into epoch-ms. Numbers are taken as epoch seconds when below 1e11,
 * else epoch ms. Throws naming the first unparsable row (1-based data row) and value.
 */
export function toTimestampColumn(c: Column, allowMissing = false): NumericColumn {
  if (c.kind === 'numeric' && c.epochMs) return c;
  if (c.kind === 'numeric') {
    const values = new Float64Array(c.values.length);
    for (let i = 0; i < values.length; i++) {
      const v = c.values[i];
      if (!Number.isFinite(v)) {
        if (allowMissing && Number.isNaN(v)) {
          values[i] = NaN;
          continue;
        }
        throw new TimestampError(`column '${c.name}', row ${i + 1}: missing or invalid timestamp`);
      }
      values[i] = Math.abs(v) < 1e11 ? v * 1000 : v;
    }
    return { kind: 'numeric', name: c.name, dtype: 'float', values };
  }
  const levelMs = new Float64Array(c.levels.length);
  c.levels.forEach((l, i) => (levelMs[i] = parseTimestamp(l)));
  const values = new Float64Array(c.codes.length);
  for (let i = 0; i < values.length; i++) {
    const code = (c as CategoricalColumn).codes[i];
    if (code === MISSING_CODE) {
      if (allowMissing) {
        values[i] = NaN;
        continue;
      }
      throw new TimestampError(`column '${c.name}', row ${i + 1}: missing timestamp`);
    }
    const v = levelMs[code];
    if (Number.isNaN(v)) throw new TimestampError(`column '${c.name}', row ${i + 1}: unparsable timestamp '${c.levels[code]}'`);
    values[i] = v;
  }
  return { kind: 'numeric', name: c.name, dtype: 'float', values };
}

/** ISO 8601 UTC with milliseconds, truncated (not rounded), ending in Z (run contract). */
export function formatIsoMs(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  return new Date(Math.floor(ms)).toISOString();
}
