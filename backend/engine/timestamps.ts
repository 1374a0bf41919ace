/**
 * Timestamp parsing and formatting. Timestamps are epoch milliseconds (float: fractional ms keep
 * microseconds). Accepted: `YYYY-MM-DD[ HH:MM[:SS[.ffffff]]]` or ISO 8601 (`T`, optional `Z` or ±HH:MM);
 * without a zone they are UTC (run contract).
 */
import { CategoricalColumn, Column, MISSING_CODE, NumericColumn } from './frame';

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch ms, or NaN when the text is not a timestamp. */
export function parseTimestamp(text: string): number {
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
