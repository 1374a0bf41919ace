/**
 * Chunking, as NannyML's chunkers (spec §1). Data is sorted by timestamp before chunking when a timestamp
 * column is given, so every chunk is a contiguous row range [start, end] (inclusive) of the sorted frame.
 */

export type Incomplete = 'keep' | 'append' | 'drop';

export type ChunkerSpec =
  | { type: 'size'; chunkSize: number; incomplete: Incomplete }
  | { type: 'number'; chunkNumber: number; incomplete: Incomplete }
  | { type: 'period'; period: PeriodAlias }
  | { type: 'default' };

export interface Chunk {
  key: string;
  index: number;
  /** first row (0-based, inclusive) */
  start: number;
  /** last row (inclusive) */
  end: number;
  /** epoch ms, or null without a timestamp column */
  startDate: number | null;
  endDate: number | null;
}

/** NannyML's DefaultChunker makes 10 chunks. */
export const DEFAULT_CHUNK_COUNT = 10;

export const PERIOD_ALIASES = ['min', 'T', 'h', 'H', 'D', 'W', 'M', 'Q', 'Y', 'A'] as const;
export type PeriodAlias = (typeof PERIOD_ALIASES)[number];

export class ChunkingError extends Error {}

export function chunkRows(n: number, spec: ChunkerSpec, timestamps: Float64Array | null): Chunk[] {
  switch (spec.type) {
    case 'size':
      return sizeChunks(n, spec.chunkSize, spec.incomplete, timestamps);
    case 'number': {
      const size = Math.floor(n / spec.chunkNumber);
      if (size < 1) throw new ChunkingError(`chunk_number ${spec.chunkNumber} is larger than the number of rows (${n})`);
      return sizeChunks(n, size, spec.incomplete, timestamps);
    }
    case 'default':
      return sizeChunks(n, Math.max(1, Math.floor(n / DEFAULT_CHUNK_COUNT)), 'keep', timestamps);
    case 'period':
      if (!timestamps) throw new ChunkingError('chunk_period needs a timestamp column (timestamp_column_name)');
      return periodChunks(timestamps, spec.period);
  }
}

function rangeDates(timestamps: Float64Array | null, start: number, end: number): [number | null, number | null] {
  if (!timestamps) return [null, null];
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = start; i <= end; i++) {
    const t = timestamps[i];
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  return Number.isFinite(lo) ? [lo, hi] : [null, null];
}

export function sizeChunks(n: number, size: number, incomplete: Incomplete, timestamps: Float64Array | null): Chunk[] {
  if (!(size >= 1) || !Number.isInteger(size)) throw new ChunkingError(`chunk_size must be a positive integer, got ${size}`);
  const ranges: [number, number][] = [];
  for (let i = 0; i + size - 1 < n; i += size) ranges.push([i, i + size - 1]);
  const rem = n % size;
  if (rem !== 0) {
    const tail: [number, number] = [n - rem, n - 1];
    if (incomplete === 'keep' || ranges.length === 0) {
      if (incomplete !== 'drop') ranges.push(tail);
    } else if (incomplete === 'append') {
      ranges[ranges.length - 1] = [ranges[ranges.length - 1][0], n - 1];
    }
  }
  // NannyML fails on a data set without chunks; say why instead of returning no rows.
  if (ranges.length === 0) throw new ChunkingError(`chunk size ${size} with incomplete='drop' leaves no chunk of the ${n} rows`);
  return ranges.map(([start, end], index) => {
    const [startDate, endDate] = rangeDates(timestamps, start, end);
    return { key: `[${start}:${end}]`, index, start, end, startDate, endDate };
  });
}

/**
 * pandas' period end is the next start minus 1 ns. Epoch-ms doubles cannot hold a nanosecond step (near 2020
 * one ulp is ~2.4e-4 ms, so `next − 1e-6` rounds back to `next` and prints as the next period's start); the
 * finest step they keep is a microsecond, which still truncates to `…23:59:59.999` in the output.
 */
const PERIOD_END_OFFSET_MS = 1e-3;

interface PeriodInfo {
  key: string;
  start: number;
  nextStart: number;
}

const pad = (v: number, w = 2) => String(v).padStart(w, '0');

export function periodOf(ms: number, alias: PeriodAlias): PeriodInfo {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  switch (alias) {
    case 'min':
    case 'T': {
      const start = Math.floor(ms / 60_000) * 60_000;
      const s = new Date(start);
      return {
        key: `${y}-${pad(m + 1)}-${pad(day)} ${pad(s.getUTCHours())}:${pad(s.getUTCMinutes())}`,
        start,
        nextStart: start + 60_000,
      };
    }
    case 'h':
    case 'H': {
      const start = Math.floor(ms / 3_600_000) * 3_600_000;
      return { key: `${y}-${pad(m + 1)}-${pad(day)} ${pad(new Date(start).getUTCHours())}:00`, start, nextStart: start + 3_600_000 };
    }
    case 'D': {
      const start = Date.UTC(y, m, day);
      return { key: `${y}-${pad(m + 1)}-${pad(day)}`, start, nextStart: start + 86_400_000 };
    }
    case 'W': {
      // pandas 'W' = 'W-SUN': weeks end on Sunday, so they run Monday..Sunday.
      const dow = (d.getUTCDay() + 6) % 7; // Monday = 0
      const start = Date.UTC(y, m, day - dow);
      const endDay = new Date(start + 6 * 86_400_000);
      const s = new Date(start);
      return {
        key: `${s.getUTCFullYear()}-${pad(s.getUTCMonth() + 1)}-${pad(s.getUTCDate())}/${endDay.getUTCFullYear()}-${pad(endDay.getUTCMonth() + 1)}-${pad(endDay.getUTCDate())}`,
        start,
        nextStart: start + 7 * 86_400_000,
      };
    }
    case 'M':
      return { key: `${y}-${pad(m + 1)}`, start: Date.UTC(y, m, 1), nextStart: Date.UTC(y, m + 1, 1) };
    case 'Q': {
      const q = Math.floor(m / 3);
      return { key: `${y}Q${q + 1}`, start: Date.UTC(y, q * 3, 1), nextStart: Date.UTC(y, q * 3 + 3, 1) };
    }
    case 'Y':
    case 'A':
      return { key: `${y}`, start: Date.UTC(y, 0, 1), nextStart: Date.UTC(y + 1, 0, 1) };
  }
}

/**
 * Groups rows by period. Rows are expected sorted by timestamp (the calculators sort first), but the
 * grouping does not rely on it: groups come in period order, and start/end index are the min/max row.
 */
export function periodChunks(timestamps: Float64Array, alias: PeriodAlias): Chunk[] {
  const groups = new Map<number, { info: PeriodInfo; start: number; end: number }>();
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i];
    if (!Number.isFinite(t)) continue;
    const info = periodOf(t, alias);
    const g = groups.get(info.start);
    if (g) g.end = i;
    else groups.set(info.start, { info, start: i, end: i });
  }
  return [...groups.values()]
    .sort((a, b) => a.info.start - b.info.start)
    .map((g, index) => ({
      key: g.info.key,
      index,
      start: g.start,
      end: g.end,
      startDate: g.info.start,
      endDate: g.info.nextStart - PERIOD_END_OFFSET_MS,
    }));
}
