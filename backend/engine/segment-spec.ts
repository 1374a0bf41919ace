/**
 * The segment parameters (`segment_by`, `segment_top_k`) of a run config or model definition. Light on
 * purpose (no calculators): the CLI and the service check configs before loading the engine.
 */
import { ConfigError } from './calculator';
import { compareCodePoints } from './frame';

export const OTHER_SEGMENT = '__other__';
export const MISSING_SEGMENT = '__missing__';
export const DEFAULT_SEGMENT_TOP_K = 10;
/** A bound on K: each segment is a full set of fitted calculators and stored series. */
export const MAX_SEGMENT_TOP_K = 1000;

export interface SegmentSpec {
  by: string[];
  topK: number;
}

/**
 * `segment_by` (a column or a list of columns) and `segment_top_k` (default 10); null when `segment_by`
 * is absent. `where` prefixes the keys in errors (e.g. `model 'm'` or the config file).
 */
export function parseSegmentSpec(by: unknown, topK: unknown, where = ''): SegmentSpec | null {
  const key = (k: string) => (where ? `${where}.${k}` : k);
  if (by === undefined || by === null) {
    if (topK !== undefined && topK !== null) throw new ConfigError(key('segment_top_k'), 'needs segment_by');
    return null;
  }
  const columns = typeof by === 'string' ? [by] : by;
  if (!Array.isArray(columns) || columns.length === 0 || columns.some((c) => typeof c !== 'string' || c === '')) {
    throw new ConfigError(key('segment_by'), 'must be a column name or a non-empty list of column names');
  }
  if (new Set(columns).size !== columns.length) throw new ConfigError(key('segment_by'), 'names a column twice');
  let k = DEFAULT_SEGMENT_TOP_K;
  if (topK !== undefined && topK !== null) {
    if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1 || topK > MAX_SEGMENT_TOP_K) {
      throw new ConfigError(key('segment_top_k'), `must be a whole number from 1 to ${MAX_SEGMENT_TOP_K}`);
    }
    k = topK;
  }
  return { by: columns as string[], topK: k };
}


/** The segments from each value's reference row count: the top K by count (ties by value), then `__other__` if values remain. */
export function rankSegments(counts: ReadonlyMap<string, number>, topK: number): string[] {
  const ranked = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || compareCodePoints(a, b));
  return ranked.length > topK ? [...ranked.slice(0, topK), OTHER_SEGMENT] : ranked;
}
