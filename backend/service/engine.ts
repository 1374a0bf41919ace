/**
 * Where the compute core runs: in a pool of worker threads (the default when the compiled worker exists;
 * compute-pool.ts), so fitting, recomputing and scoring use the other cores and never block ingest or
 * queries; or inline, on the caller's thread (unit tests running from TypeScript sources,
 * VIGIL_COMPUTE=inline).
 */
import * as fs from 'fs';
import * as path from 'path';
import { reviveError, SerializedError } from '../threads/errors';
import type { Reply } from '../threads/thread';
import { ErrorStage, ModelRecord, Store, StoredChunk } from '../store/types';
import { ComputeCore, ComputeEvents, FitResult, ModelStatus } from './compute';
import { ComputePool } from './compute-pool';
import { ApiError } from './errors';
import { ColumnSpec, ModelLayout } from './layout';
import { Logger, LogLevel } from './log';
import { ScoredRow } from './scoring';

export type ScoreReply = { calculatorId: string; threshold: number; rows: ScoredRow[] } | { error: 'not_available' | 'no_outlier_model' };

export interface ComputeEngine {
  readonly kind: 'worker' | 'inline';
  /** Compute threads (1 inline). */
  readonly threads: number;
  start(): Promise<void>;
  register(record: ModelRecord): void;
  fit(model: string, specs: ColumnSpec[], frame: Buffer): Promise<{ token: number; result: FitResult }>;
  adopt(model: string, token: number, layout: ModelLayout): void;
  discard(model: string, token: number): void;
  forget(model: string): void;
  schedule(model: string): void;
  idle(): Promise<void>;
  score(model: string, frame: Buffer): Promise<ScoreReply>;
  status(model: string): ModelStatus | null;
  /** False for `--role api` (the pool then hands no chunk out; the inline engine ignores it). */
  computeChunks?: boolean;
  close(): Promise<void>;
}

export class InlineEngine implements ComputeEngine {
  readonly kind = 'inline' as const;
  readonly threads = 1;
  private readonly core: ComputeCore;

  constructor(store: Store, log: Logger, events: ComputeEvents, fitCacheSize?: number) {
    this.core = new ComputeCore(store, log, events, { fitCacheSize });
  }

  start = async () => {
    await this.core.loadAll();
  };
  register = (r: ModelRecord) => this.core.register(r);
  fit = async (model: string, specs: ColumnSpec[], frame: Buffer) => this.core.fit(model, specs, frame);
  adopt = (model: string, token: number, layout: ModelLayout) => this.core.adopt(model, token, layout);
  discard = (model: string, token: number) => this.core.discard(model, token);
  forget = (model: string) => this.core.forget(model);
  schedule = (model: string) => this.core.schedule(model);
  idle = () => this.core.idle();
  score = (model: string, frame: Buffer) => this.core.score(model, frame);
  status = (model: string) => this.core.status(model);
  close = () => this.core.close();
}

/** Messages to the worker; those with an `id` get a reply. */
export type ToWorker =
  | { type: 'start'; id: number }
  | { type: 'register'; record: ModelRecord }
  | { type: 'fit'; id: number; model: string; specs: ColumnSpec[]; frame: Uint8Array }
  | { type: 'adopt'; model: string; token: number; layout: ModelLayout }
  | { type: 'discard'; model: string; token: number }
  | { type: 'forget'; model: string }
  | { type: 'relayout'; model: string; layout: ModelLayout }
  | { type: 'compute'; id: number; model: string; chunks: StoredChunk[] }
  | { type: 'score'; id: number; model: string; frame: Uint8Array }
  | { type: 'close'; id: number };

/** Omit over each member of a union. */
export type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export type FromWorker =
  | Reply
  | { type: 'status'; model: string; status: ModelStatus | null }
  | { type: 'event'; event: 'recomputed'; model: string; seconds: number; chunks: number; chunkSeconds: number }
  | { type: 'event'; event: 'error'; model: string; where: ErrorStage }
  | { type: 'event'; event: 'queueDepth'; depth: number }
  | { type: 'event'; event: 'fitSaved'; model: string };

/**
 * A compute thread's error as the main thread rethrows it (threads/errors.ts carries it): an ApiError
 * keeps its status, code and place (a 4xx found while fitting); anything else is the thread's failure,
 * with its stack.
 */
export function deserializeError(s: SerializedError): Error {
  const e = reviveError(s, { ApiError });
  if (e instanceof ApiError) return new ApiError(e.status, e.code, e.message, e.where);
  return new Error(`compute worker: ${s.stack ?? s.message}`);
}

export interface WorkerOptions {
  dbPath: string;
  /** The server's setting, for its ingest connection; compute threads write with NORMAL (worker.ts says why). */
  synchronous?: 'full' | 'normal';
  logLevel: LogLevel;
  /**
   * Models whose fitted calculators stay in memory (fit-cache.ts DEFAULT_FIT_CACHE_SIZE when absent): across
   * the pool, which gives each thread its share; a worker receives its own share here.
   */
  fitCacheSize?: number;
  /** The bytes those fits may take (VIGIL_FIT_CACHE_MB when absent), shared out like fitCacheSize. */
  fitCacheBytes?: number;
  /** Compute worker threads (VIGIL_COMPUTE_THREADS; default computeThreadsDefault()). */
  threads?: number;
}

/** The compiled worker entry (absent when running from TypeScript sources). */
export const WORKER_FILE = path.join(__dirname, 'worker.js');

export function createEngine(
  mode: 'worker' | 'inline' | 'auto',
  store: Store,
  opts: Omit<WorkerOptions, 'dbPath'>,
  log: Logger,
  events: ComputeEvents,
): ComputeEngine {
  const useWorker = mode === 'worker' || (mode === 'auto' && fs.existsSync(WORKER_FILE) && store.location !== ':memory:');
  if (useWorker) return new ComputePool(store, { dbPath: store.location, ...opts }, log, events);
  return new InlineEngine(store, log, events, opts.fitCacheSize);
}
