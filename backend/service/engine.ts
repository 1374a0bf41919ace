/**
 * Where the compute core runs: in a worker thread (the default when the compiled worker exists), so
 * fitting, recomputing and scoring use the second core and never block ingest or queries; or inline,
 * on the caller's thread (unit tests running from TypeScript sources, VIGIL_COMPUTE=inline).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { ErrorStage, ModelRecord, Store } from '../store/types';
import { ComputeCore, ComputeEvents, FitResult, ModelStatus } from './compute';
import { ApiError } from './errors';
import { ColumnSpec, ModelLayout } from './layout';
import { Logger, LogLevel } from './log';
import { ScoredRow } from './scoring';

export type ScoreReply = { calculatorId: string; threshold: number; rows: ScoredRow[] } | { error: 'not_available' | 'no_outlier_model' };

export interface ComputeEngine {
  readonly kind: 'worker' | 'inline';
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
  close(): Promise<void>;
}

export class InlineEngine implements ComputeEngine {
  readonly kind = 'inline' as const;
  private readonly core: ComputeCore;

  constructor(store: Store, log: Logger, events: ComputeEvents, fitCacheSize?: number) {
    this.core = new ComputeCore(store, log, events, { fitCacheSize });
  }

  start = () => this.core.loadAll();
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
  | { type: 'schedule'; model: string }
  | { type: 'idle'; id: number }
  | { type: 'score'; id: number; model: string; frame: Uint8Array }
  | { type: 'close'; id: number };

/** Omit over each member of a union. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export type FromWorker =
  | { type: 'reply'; id: number; value?: unknown; error?: SerializedError }
  | { type: 'status'; model: string; status: ModelStatus | null }
  | { type: 'event'; event: 'recomputed'; model: string; seconds: number; chunks: number }
  | { type: 'event'; event: 'error'; model: string; where: ErrorStage }
  | { type: 'event'; event: 'queueDepth'; depth: number };

export interface SerializedError {
  message: string;
  api?: { status: number; code: string; where: string | null };
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof ApiError) return { message: e.message, api: { status: e.status, code: e.code, where: e.where } };
  return { message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}

export function deserializeError(s: SerializedError): Error {
  if (s.api) return new ApiError(s.api.status, s.api.code, s.message, s.api.where);
  return new Error(`compute worker: ${s.message}`);
}

export interface WorkerOptions {
  dbPath: string;
  synchronous?: 'full' | 'normal';
  logLevel: LogLevel;
  /** Models whose fitted calculators stay in memory (fit-cache.ts DEFAULT_FIT_CACHE_SIZE when absent). */
  fitCacheSize?: number;
}

export class WorkerEngine implements ComputeEngine {
  readonly kind = 'worker' as const;
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private readonly statuses = new Map<string, ModelStatus | null>();
  private failed: Error | null = null;

  constructor(
    opts: WorkerOptions,
    private readonly log: Logger,
    private readonly events: ComputeEvents,
  ) {
    this.worker = new Worker(WORKER_FILE, { workerData: opts });
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    this.worker.on('error', (e) => {
      this.failed = e;
      this.log.error('compute worker failed', { error: e.stack ?? e.message });
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
    });
    this.worker.on('exit', (code) => {
      if (code !== 0 && !this.failed) {
        this.failed = new Error(`compute worker exited with code ${code}`);
        for (const w of this.waiting.values()) w.reject(this.failed);
        this.waiting.clear();
      }
    });
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'reply') {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.error) w.reject(deserializeError(m.error));
      else w.resolve(m.value);
    } else if (m.type === 'status') {
      this.statuses.set(m.model, m.status);
      // The worker posts a status after each chunk's results are committed (and on a few other changes).
      this.events.chunkComputed?.(m.model);
    }
    else if (m.event === 'recomputed') this.events.recomputed?.(m.model, m.seconds, m.chunks);
    else if (m.event === 'error') this.events.error?.(m.model, m.where);
    else if (m.event === 'queueDepth') this.events.queueDepth?.(m.depth);
  }

  private request<T>(msg: WithoutId<Extract<ToWorker, { id: number }>>): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id });
    });
  }

  private send(msg: Exclude<ToWorker, { id: number }>): void {
    if (!this.failed) this.worker.postMessage(msg);
  }

  start = () => this.request<void>({ type: 'start' });
  register = (record: ModelRecord) => this.send({ type: 'register', record });
  fit = (model: string, specs: ColumnSpec[], frame: Buffer) => this.request<{ token: number; result: FitResult }>({ type: 'fit', model, specs, frame });
  adopt = (model: string, token: number, layout: ModelLayout) => this.send({ type: 'adopt', model, token, layout });
  discard = (model: string, token: number) => this.send({ type: 'discard', model, token });
  forget = (model: string) => {
    this.statuses.delete(model);
    this.send({ type: 'forget', model });
  };
  schedule = (model: string) => this.send({ type: 'schedule', model });
  idle = () => this.request<void>({ type: 'idle' });
  score = (model: string, frame: Buffer) => this.request<ScoreReply>({ type: 'score', model, frame });
  status = (model: string) => this.statuses.get(model) ?? null;

  async close(): Promise<void> {
    if (!this.failed) {
      try {
        await this.request<void>({ type: 'close' });
      } catch {
        /* already gone */
      }
    }
    await this.worker.terminate();
  }
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
  if (useWorker) return new WorkerEngine({ dbPath: store.location, ...opts }, log, events);
  return new InlineEngine(store, log, events, opts.fitCacheSize);
}
