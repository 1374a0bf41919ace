/**
 * Retention of raw analysis rows (a model's `"retention": {"rows_max_age": "90d", "rows_max": N}`;
 * docs/server.md "Retention"). Results are kept: only the rows they were computed from go.
 *
 * Rows go a whole chunk at a time, and only from chunks that are closed and computed, so no result is
 * ever computed from part of a chunk's rows:
 * 1. one transaction marks the expired chunks (store.markRowsDropped, only chunks not dirty at that
 *    instant). From then on a marked chunk is never dirtied or recomputed (late rows, late targets, a new
 *    reference), and a result write for it is refused by the store;
 * 2. its rows are deleted in transactions of at most BATCH_ROWS rows, yielding to the event loop between
 *    two, so ingest (which writes on its own connection) waits for at most one small transaction.
 * The ids of deleted rows are kept: a re-sent row stays a duplicate, a late target for it is answered as
 * expired. A sweep runs every VIGIL_RETENTION_INTERVAL (default 1m) on the main thread.
 */
import type { Store, StoredChunk } from '../store/types';
import { ModelDefinition } from './definition';
import { Logger } from './log';

export const DEFAULT_RETENTION_INTERVAL_MS = 60_000;
/** Rows deleted per transaction: about 10 ms of SQLite work, short enough not to hold ingest up. */
export const BATCH_ROWS = 2_000;

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
export const AGE_PATTERN = /^([1-9]\d{0,5})(s|m|h|d|w)$/;

/** `90d`, `36h`, `2w`, ... in ms; null when not of that shape. */
export function parseAge(text: string): number | null {
  const m = AGE_PATTERN.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2]] : null;
}

export interface RetentionPolicy {
  /** Rows whose chunk ended longer ago than this (server clock) go. */
  maxAgeMs: number | null;
  /** Oldest chunks go while the model keeps more rows than this. */
  maxRows: number | null;
}

export function retentionPolicy(def: Pick<ModelDefinition, 'retention'>): RetentionPolicy | null {
  const r = def.retention;
  if (!r || (r.rows_max_age === null && r.rows_max === null)) return null;
  return { maxAgeMs: r.rows_max_age === null ? null : parseAge(r.rows_max_age), maxRows: r.rows_max };
}

/**
 * The chunks (ids, stream order) whose rows the policy drops now: closed (a size chunk that is full, a
 * period that has ended), computed (not dirty), not dropped yet, and either older than maxAge or among the
 * oldest while the rows kept exceed maxRows.
 */
export function expiredChunks(chunks: StoredChunk[], policy: RetentionPolicy, now: number, periodChunks: boolean): number[] {
  const endOf = (c: StoredChunk) => (periodChunks ? c.rangeEnd : c.endDate);
  const closed = (c: StoredChunk) => (periodChunks ? c.rangeEnd !== null && c.rangeEnd <= now : !c.partial);
  const candidates = [...chunks].filter((c) => !c.rowsDropped && !c.dirty && closed(c)).sort((a, b) => a.chunkId - b.chunkId);
  const out = new Set<number>();
  if (policy.maxAgeMs !== null) {
    const limit = now - policy.maxAgeMs;
    for (const c of candidates) {
      const end = endOf(c);
      if (end !== null && end <= limit) out.add(c.chunkId);
    }
  }
  if (policy.maxRows !== null) {
    let kept = chunks.reduce((a, c) => a + (c.rowsDropped || out.has(c.chunkId) ? 0 : c.nRows), 0);
    for (const c of candidates) {
      if (kept <= policy.maxRows) break;
      if (out.has(c.chunkId)) continue;
      out.add(c.chunkId);
      kept -= c.nRows;
    }
  }
  return candidates.filter((c) => out.has(c.chunkId)).map((c) => c.chunkId);
}

export interface RetentionModel {
  name: string;
  id: number;
  def: ModelDefinition;
  periodChunks: boolean;
}

export interface SweepOutcome {
  chunks: number;
  rows: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function retentionIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.VIGIL_RETENTION_INTERVAL?.trim();
  if (!raw) return DEFAULT_RETENTION_INTERVAL_MS;
  const ms = parseAge(raw);
  if (ms === null) throw new Error(`VIGIL_RETENTION_INTERVAL: '${raw}' is not a duration (e.g. 30s, 5m, 1h)`);
  return ms;
}

export class RetentionSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SweepOutcome> | null = null;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly models: () => RetentionModel[],
    private readonly now: () => number,
    private readonly log: Logger,
    private readonly intervalMs = DEFAULT_RETENTION_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.sweep().catch((e) => this.log.error('retention sweep failed', { error: (e as Error).message })), this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a sweep in progress (it stops between two transactions). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass over every model with a policy; concurrent callers share it. */
  sweep(): Promise<SweepOutcome> {
    this.running ??= this.sweepOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async sweepOnce(): Promise<SweepOutcome> {
    const total: SweepOutcome = { chunks: 0, rows: 0 };
    for (const m of this.models()) {
      const policy = retentionPolicy(m.def);
      if (!policy || this.stopped) continue;
      const chunks = await this.store.chunks(m.id);
      const expired = expiredChunks(chunks, policy, this.now(), m.periodChunks);
      const marked = expired.length > 0 ? new Set(await this.store.markRowsDropped(m.id, expired, this.now())) : new Set<number>();
      // Marked now, or marked before and not finished (a stop, a crash, or late rows that landed since).
      const pending = chunks.filter((c) => marked.has(c.chunkId) || (c.rowsDropped && !c.rowsGone)).map((c) => c.chunkId);
      let rows = 0;
      for (const chunkId of pending) {
        for (;;) {
          if (this.stopped) return total;
          const { deleted, done } = await this.store.deleteDroppedRows(m.id, chunkId, BATCH_ROWS);
          rows += deleted;
          await yieldToEventLoop();
          if (done) break;
        }
      }
      total.chunks += marked.size;
      total.rows += rows;
      if (marked.size > 0 || rows > 0) this.log.info('retention', { model: m.name, chunks_dropped: marked.size, rows_deleted: rows });
    }
    return total;
  }
}
