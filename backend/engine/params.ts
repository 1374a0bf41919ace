/**
 * Reading NannyML-named calculator parameters with exact error locations. Every key must be consumed:
 * `done()` rejects unknown parameters (an unknown parameter is an error, never silently ignored).
 */
import { ChunkerSpec, Incomplete, PERIOD_ALIASES, PeriodAlias } from './chunking';
import { ChunkingParams, ConfigError } from './calculator';
import { parseThreshold, Threshold } from './thresholds';

/**
 * parseThreshold's messages start with the full key path (`…thresholds.jensen_shannon.upper: must be …`);
 * keep that path as the error's location so the user sees which threshold field is wrong.
 */
function thresholdError(e: unknown, where: string): ConfigError {
  if (e instanceof ConfigError) return e;
  const message = (e as Error).message;
  if (!message.startsWith(where)) return new ConfigError(where, message);
  const split = message.indexOf(': ', where.length);
  return split < 0 ? new ConfigError(where, message.slice(where.length)) : new ConfigError(message.slice(0, split), message.slice(split + 2));
}

/**
 * `parent.key` as error messages name a key the user wrote: a key that is empty or holds blanks, control
 * characters, quotes or the path's own separators is quoted as a JSON string (`params."": unknown
 * parameter`), so the message names it on one line whatever it is.
 */
export function keyIn(parent: string, key: string): string {
  const shown = key === '' || /[\s:.[\]"'\\\u0000-\u001f\u007f]/.test(key) ? JSON.stringify(key) : key;
  return parent === '' ? shown : `${parent}.${shown}`;
}

export class ParamReader {
  private readonly used = new Set<string>();

  constructor(
    readonly raw: Record<string, unknown>,
    readonly where: string,
  ) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(where, 'params must be a mapping');
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  private take(key: string): unknown {
    this.used.add(key);
    return this.raw[key];
  }

  private at(key: string): string {
    return keyIn(this.where, key);
  }

  fail(key: string, message: string): never {
    throw new ConfigError(this.at(key), message);
  }

  string(key: string): string | null;
  string(key: string, fallback: string): string;
  string(key: string, fallback: string | null = null): string | null {
    const v = this.take(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string' || v === '') this.fail(key, `must be a non-empty string, got ${JSON.stringify(v)}`);
    return v;
  }

  requiredString(key: string): string {
    const v = this.string(key);
    if (v === null) this.fail(key, 'is required');
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T;
  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: null): T | null;
  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T | null): T | null {
    const v = this.string(key);
    if (v === null) return fallback;
    if (!allowed.includes(v as T)) this.fail(key, `unknown value '${v}' (expected one of: ${allowed.join(', ')})`);
    return v as T;
  }

  /** A string or a list of strings (NannyML accepts both), duplicates rejected. */
  stringList(key: string): string[] | null {
    const v = this.take(key);
    if (v === undefined || v === null) return null;
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || x === '')) {
      this.fail(key, 'must be a string or a list of strings');
    }
    const seen = new Set<string>();
    for (const s of list as string[]) {
      if (seen.has(s)) this.fail(key, `'${s}' is listed twice`);
      seen.add(s);
    }
    return list as string[];
  }

  requiredStringList(key: string): string[] {
    const v = this.stringList(key);
    if (v === null || v.length === 0) this.fail(key, 'is required (one or more names)');
    return v;
  }

  number(key: string, fallback: number | null, opts: { integer?: boolean; min?: number; max?: number; exclusiveMin?: boolean } = {}): number | null {
    const v = this.take(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, `must be a number, got ${JSON.stringify(v)}`);
    if (opts.integer && !Number.isInteger(v)) this.fail(key, `must be an integer, got ${v}`);
    if (opts.min !== undefined && (opts.exclusiveMin ? v <= opts.min : v < opts.min)) {
      this.fail(key, `must be ${opts.exclusiveMin ? '>' : '≥'} ${opts.min}, got ${v}`);
    }
    if (opts.max !== undefined && v > opts.max) this.fail(key, `must be ≤ ${opts.max}, got ${v}`);
    return v;
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.take(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail(key, `must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  /** Any value, validated by the caller. */
  raw_(key: string): unknown {
    return this.take(key);
  }

  /** `threshold` (one object) for most classes. */
  threshold(key: string, fallback: Threshold): Threshold {
    const v = this.take(key);
    if (v === undefined || v === null) return fallback;
    try {
      return parseThreshold(v, this.at(key));
    } catch (e) {
      throw thresholdError(e, this.at(key));
    }
  }

  /** `thresholds` (a map per method/metric); keys must be in `allowedKeys`. */
  thresholdMap(key: string, allowedKeys: readonly string[]): Map<string, Threshold> {
    const v = this.take(key);
    const out = new Map<string, Threshold>();
    if (v === undefined || v === null) return out;
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(key, 'must be a mapping of method/metric → threshold');
    for (const [k, t] of Object.entries(v as Record<string, unknown>)) {
      if (!allowedKeys.includes(k)) throw new ConfigError(keyIn(this.at(key), k), `unknown method or metric (expected one of: ${allowedKeys.join(', ')})`);
      try {
        out.set(k, parseThreshold(t, `${this.at(key)}.${k}`));
      } catch (e) {
        throw thresholdError(e, `${this.at(key)}.${k}`);
      }
    }
    return out;
  }

  /** NannyML's chunk_size / chunk_number / chunk_period (+ incomplete) and timestamp_column_name. */
  chunking(): ChunkingParams {
    const timestampColumn = this.string('timestamp_column_name');
    const size = this.number('chunk_size', null, { integer: true, min: 1 });
    const count = this.number('chunk_number', null, { integer: true, min: 1 });
    const periodRaw = this.string('chunk_period');
    const incomplete = this.oneOf<Incomplete>('incomplete', ['keep', 'append', 'drop'], 'keep');
    let chunker: ChunkerSpec;
    if (size !== null) chunker = { type: 'size', chunkSize: size, incomplete };
    else if (count !== null) chunker = { type: 'number', chunkNumber: count, incomplete };
    else if (periodRaw !== null) {
      if (!PERIOD_ALIASES.includes(periodRaw as PeriodAlias)) {
        this.fail('chunk_period', `unknown period '${periodRaw}' (expected one of: ${PERIOD_ALIASES.join(', ')})`);
      }
      if (!timestampColumn) this.fail('chunk_period', 'needs timestamp_column_name');
      chunker = { type: 'period', period: periodRaw as PeriodAlias };
    } else chunker = { type: 'default' };
    // NannyML's period and default chunkers have no incomplete rule (its SizeBasedChunker has): refuse rather than ignore.
    if (chunker.type !== 'size' && chunker.type !== 'number' && incomplete !== 'keep') {
      this.fail('incomplete', `applies to chunk_size or chunk_number only (got '${incomplete}' with ${chunker.type === 'period' ? 'chunk_period' : 'the default chunker'})`);
    }
    return { chunker, timestampColumn };
  }

  /** Rejects keys that were never read. */
  done(): void {
    for (const k of Object.keys(this.raw)) {
      if (!this.used.has(k)) throw new ConfigError(keyIn(this.where, k), 'unknown parameter');
    }
  }
}
