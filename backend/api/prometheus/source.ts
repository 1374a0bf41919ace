/**
 * Where the evaluator reads series from. The results store is adapted to this (store-source.ts); tests and
 * the oracle comparison use the in-memory implementation below.
 */
import { LabelMatcher } from './ast';
import { compareLabels, Labels } from './labels';
import { matchesValue } from './parser';

export interface Series {
  /** All labels, `__name__` included. */
  labels: Labels;
  /** Sample times in ms, strictly ascending. */
  timestamps: Float64Array;
  values: Float64Array;
  /**
   * Under the chunk lookback: the time (ms, exclusive) until which the last sample is still the current
   * value. Defaults to the last timestamp plus the lookback window.
   */
  currentUntil?: number;
}

export interface TimeHint {
  /** ms, inclusive; samples outside may be returned and are ignored. */
  start: number;
  end: number;
  /**
   * The caller reads each series at `end` alone (a vector selector of an instant query, or one with `@`):
   * only the last sample at or before `end` counts. A source that makes samples on demand (the health
   * series) may then make that one instead of every sample since `start`.
   */
  atEndOnly?: boolean;
}

export interface SeriesSource {
  /**
   * Series whose labels satisfy every matcher (an empty list selects all), sorted by labels as
   * Prometheus sorts them. `hint` bounds the samples the caller will look at.
   */
  select(matchers: readonly LabelMatcher[], hint?: TimeHint): Series[];
}

export function seriesMatches(labels: Labels, matchers: readonly LabelMatcher[]): boolean {
  for (const m of matchers) if (!matchesValue(m, labels[m.name] ?? '')) return false;
  return true;
}

/** Index of the last timestamp ≤ t, or -1. */
export function lastIndexAtOrBefore(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** A fixed set of series held in memory, sorted once. */
export class MemorySeriesSource implements SeriesSource {
  private readonly series: Series[];

  constructor(series: Series[]) {
    this.series = [...series].sort((a, b) => compareLabels(a.labels, b.labels));
  }

  select(matchers: readonly LabelMatcher[]): Series[] {
    return matchers.length === 0 ? this.series : this.series.filter((s) => seriesMatches(s.labels, matchers));
  }

  get size(): number {
    return this.series.length;
  }
}

/** Builds series from (labels, time ms, value) samples; samples of one label set are sorted by time. */
export function seriesFromSamples(samples: Iterable<{ labels: Labels; t: number; v: number }>): Series[] {
  const byKey = new Map<string, { labels: Labels; points: [number, number][] }>();
  for (const s of samples) {
    const key = JSON.stringify(Object.entries(s.labels).sort());
    let entry = byKey.get(key);
    if (!entry) byKey.set(key, (entry = { labels: s.labels, points: [] }));
    entry.points.push([s.t, s.v]);
  }
  return [...byKey.values()].map(({ labels, points }) => {
    points.sort((a, b) => a[0] - b[0]);
    return { labels, timestamps: Float64Array.from(points, (p) => p[0]), values: Float64Array.from(points, (p) => p[1]) };
  });
}
