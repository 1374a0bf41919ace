/**
 * The server's compute threads: a pool of worker threads (worker.ts), each a ComputeCore with its own
 * SQLite connection and fit cache, and the main thread as the only scheduler.
 *
 * Claims. The main thread keeps the models that may have dirty chunks (`wanted`). When a thread is free
 * it reads the model's dirty chunks (one indexed query), leaves out those another thread holds, claims a
 * few and hands them to the thread; the claims are released when the thread answers, and the model is
 * looked at again. So no chunk is ever computed by two threads at once, and the store's generation check
 * (writeChunkResults clears `dirty` only if the chunk's generation is the one read) stays exact: the
 * generation is read here before the thread reads the rows, and a chunk changed meanwhile stays dirty and
 * is handed out again. A model with many dirty chunks is spread over every free thread; models take turns.
 *
 * Fits. A reference is fitted on one thread, which adopts and saves it; the others drop their fit of the
 * model and load the saved one on next use. Until the save is done the model's chunks go to the fitting
 * thread only (`pinned`), so no other thread refits it meanwhile.
 */
import { ModelRecord, Store, StoredChunk } from '../store/types';
import { Thread } from '../threads/thread';
import { ComputeEvents, FitResult, ModelStatus } from './compute';
import { defaultComputeThreads } from './compute-env';
import { ChunkPace, ComputeEngine, deserializeError, FromWorker, ScoreReply, ToWorker, WithoutId, WORKER_FILE, WorkerOptions } from './engine';
import { ColumnSpec, ModelLayout } from './layout';
import { Logger } from './log';

/**
 * Chunks handed to a thread at once, at most: few, so that a backlog spreads over the threads, other
 * models get a turn, and results land chunk by chunk.
 */
const BATCH_CHUNKS = 4;

/** One compute thread (threads/thread.ts starts, watches and stops it) and what the scheduler knows of it. */
class ComputeThread {
  private readonly thread: Thread;
  busy = false;
  /** Each model's status as this thread last posted it. */
  readonly statuses = new Map<string, ModelStatus | null>();
  /** Models this thread computed lately (their fit is likely in its cache). */
  readonly recent = new Set<string>();

  constructor(
    readonly index: number,
    opts: WorkerOptions,
    log: Logger,
    onMessage: (t: ComputeThread, m: Exclude<FromWorker, { type: 'reply' }>) => void,
  ) {
    this.thread = new Thread(WORKER_FILE, {
      name: `compute worker ${index}`,
      workerData: opts,
      onMessage: (m) => onMessage(this, m),
      reviveError: deserializeError,
      onFailure: (e) => log.error('compute worker failed', { thread: index, error: e.stack ?? e.message }),
    });
  }

  get failed(): Error | null {
    return this.thread.failed;
  }

  get free(): boolean {
    return !this.busy && !this.failed;
  }

  request<T>(msg: WithoutId<Extract<ToWorker, { id: number }>>): Promise<T> {
    return this.thread.request<T>(msg);
  }

  send(msg: Exclude<ToWorker, { id: number }>): void {
    this.thread.post(msg);
  }

  stop(): Promise<void> {
    return this.thread.stop();
  }
}

export class ComputePool implements ComputeEngine {
  readonly kind = 'worker' as const;
  readonly threads: number;
  private readonly pool: ComputeThread[];
  /** Store ids of the registered models (the dirty chunks are read by id). */
  private readonly ids = new Map<string, number>();
  /** Models that may have dirty chunks no thread holds, in turn order. */
  private readonly wanted = new Set<string>();
  /** Chunk ids being computed, per model. */
  private readonly claims = new Map<string, Set<number>>();
  /** Models whose new fit is not saved yet: only the thread that fitted it computes them. */
  private readonly pinned = new Map<string, ComputeThread>();
  /** The thread holding each pending fit (`model#token`). */
  private readonly fitOwners = new Map<string, ComputeThread>();
  private readonly pace = new ChunkPace();
  /** Claims handed out and the main thread's time reading dirty chunks for them, since start (logged at close). */
  private readonly claimStats = { claims: 0, chunks: 0, lookups: 0, lookupMs: 0 };
  private pumping = false;
  private pumpAgain = false;
  private closing = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    opts: WorkerOptions,
    private readonly log: Logger,
    private readonly events: ComputeEvents,
  ) {
    this.threads = opts.threads ?? defaultComputeThreads();
    this.pool = Array.from({ length: this.threads }, (_, i) => new ComputeThread(i, opts, log, (t, m) => this.onMessage(t, m)));
  }

  private onMessage(t: ComputeThread, m: Exclude<FromWorker, { type: 'reply' }>): void {
    if (m.type === 'status') {
      t.statuses.set(m.model, m.status);
      // A thread posts a status after each chunk's results are committed (and on a few other changes).
      this.events.chunkComputed?.(m.model);
    } else if (m.type === 'event') {
      if (m.event === 'recomputed') {
        this.pace.note(m.seconds, m.chunks);
        this.events.recomputed?.(m.model, m.seconds, m.chunks);
      } else if (m.event === 'error') this.events.error?.(m.model, m.where);
      else if (m.event === 'fitSaved') {
        if (this.pinned.get(m.model) === t) this.pinned.delete(m.model);
        void this.pump();
      }
    }
  }

  async start(): Promise<void> {
    const dirty = await Promise.all(this.pool.map((t) => t.request<string[]>({ type: 'start' })));
    for (const r of await this.store.listModels()) this.ids.set(r.name, r.id);
    for (const name of dirty[0]) this.schedule(name);
  }

  register(record: ModelRecord): void {
    this.ids.set(record.name, record.id);
    for (const t of this.pool) t.send({ type: 'register', record });
  }

  /** Fits on a free thread (the first, when all are busy); that thread keeps the fit until adopt/discard. */
  async fit(model: string, specs: ColumnSpec[], frame: Buffer): Promise<{ token: number; result: FitResult }> {
    const t = this.pool.find((x) => x.free) ?? this.live();
    const reply = await t.request<{ token: number; result: FitResult }>({ type: 'fit', model, specs, frame });
    this.fitOwners.set(`${model}#${reply.token}`, t);
    return reply;
  }

  adopt(model: string, token: number, layout: ModelLayout): void {
    const owner = this.takeOwner(model, token);
    owner.send({ type: 'adopt', model, token, layout });
    for (const t of this.pool) if (t !== owner) t.send({ type: 'relayout', model, layout });
    this.pinned.set(model, owner);
    this.schedule(model);
  }

  discard(model: string, token: number): void {
    this.takeOwner(model, token).send({ type: 'discard', model, token });
  }

  private takeOwner(model: string, token: number): ComputeThread {
    const key = `${model}#${token}`;
    const owner = this.fitOwners.get(key);
    if (!owner) throw new Error(`no pending fit ${token} for model '${model}'`);
    this.fitOwners.delete(key);
    return owner;
  }

  forget(model: string): void {
    this.ids.delete(model);
    this.wanted.delete(model);
    this.pinned.delete(model);
    for (const t of this.pool) {
      t.statuses.delete(model);
      t.recent.delete(model);
      t.send({ type: 'forget', model });
    }
  }

  schedule(model: string): void {
    if (this.closing || !this.ids.has(model)) return;
    this.wanted.add(model);
    this.events.queueDepth?.(this.wanted.size);
    void this.pump();
  }

  idle(): Promise<void> {
    if (this.settled()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Scores on the thread that has the model's fit in memory if any, else a free one. */
  score(model: string, frame: Buffer): Promise<ScoreReply> {
    const t = this.pinned.get(model) ?? this.pool.find((x) => !x.failed && x.recent.has(model)) ?? this.pool.find((x) => x.free) ?? this.live();
    t.recent.add(model);
    return t.request<ScoreReply>({ type: 'score', model, frame });
  }

  /** The threads' statuses of a model, merged: chunks computed add up; the latest recompute wins. */
  status(model: string): ModelStatus | null {
    let out: ModelStatus | null = null;
    for (const t of this.pool) {
      const s = t.statuses.get(model);
      if (!s) continue;
      if (!out) {
        out = { ...s };
        continue;
      }
      out.chunksComputed += s.chunksComputed;
      out.fitError ??= s.fitError;
      if (s.lastRecomputeAt !== null && (out.lastRecomputeAt === null || s.lastRecomputeAt > out.lastRecomputeAt)) {
        out.lastRecomputeAt = s.lastRecomputeAt;
        out.lastRecomputeMs = s.lastRecomputeMs;
      }
    }
    return out;
  }

  secondsPerChunk(): number | null {
    return this.pace.get();
  }

  private live(): ComputeThread {
    const t = this.pool.find((x) => !x.failed);
    if (!t) throw this.pool[0].failed!;
    return t;
  }

  private settled(): boolean {
    return !this.pumping && this.wanted.size === 0 && !this.pool.some((t) => t.busy && !t.failed);
  }

  /** Hands the wanted models' unclaimed dirty chunks to free threads, until none is free or nothing is left. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        for (const name of [...this.wanted]) {
          if (this.closing || !this.pool.some((t) => t.free)) break;
          await this.dispatch(name);
        }
      } while (this.pumpAgain && !this.closing && this.pool.some((t) => t.free));
    } catch (e) {
      this.log.error('recompute scheduling failed', { error: (e as Error).message });
    } finally {
      this.pumping = false;
      this.events.queueDepth?.(this.wanted.size);
      if (this.settled()) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }

  private async dispatch(name: string): Promise<void> {
    const id = this.ids.get(name);
    if (id === undefined) return void this.wanted.delete(name);
    const held = this.claims.get(name);
    const t0 = performance.now();
    const open = (await this.store.chunks(id, { dirtyOnly: true })).filter((c) => !held?.has(c.chunkId));
    this.claimStats.lookups++;
    this.claimStats.lookupMs += performance.now() - t0;
    if (!this.wanted.has(name)) return; // forgotten meanwhile
    // Nothing left to hand out: the model is looked at again when its claims are released.
    if (open.length === 0) return void this.wanted.delete(name);
    const pin = this.pinned.get(name);
    const free = pin ? (pin.free ? [pin] : []) : this.pool.filter((t) => t.free).sort((a, b) => Number(b.recent.has(name)) - Number(a.recent.has(name)));
    if (free.length === 0) return;
    const size = Math.min(BATCH_CHUNKS, Math.ceil(open.length / free.length));
    let next = 0;
    for (const t of free) {
      if (next >= open.length) break;
      this.run(t, name, open.slice(next, next + size));
      next += size;
    }
    // Its turn is over: it goes to the back of the line if chunks are left.
    this.wanted.delete(name);
    if (next < open.length) this.wanted.add(name);
  }

  private run(t: ComputeThread, name: string, chunks: StoredChunk[]): void {
    t.busy = true;
    t.recent.add(name);
    let held = this.claims.get(name);
    if (!held) this.claims.set(name, (held = new Set()));
    for (const c of chunks) held.add(c.chunkId);
    this.claimStats.claims++;
    this.claimStats.chunks += chunks.length;
    t.request<number>({ type: 'compute', model: name, chunks })
      .catch((e) => this.log.error('compute thread failed a recompute', { thread: t.index, model: name, error: (e as Error).message }))
      .finally(() => {
        t.busy = false;
        for (const c of chunks) held!.delete(c.chunkId);
        if (held!.size === 0 && this.claims.get(name) === held) this.claims.delete(name);
        // A chunk that changed while it was computed is still dirty: look at the model again.
        if (this.ids.has(name) && !this.closing) this.wanted.add(name);
        void this.pump();
      });
  }

  async close(): Promise<void> {
    this.closing = true;
    this.wanted.clear();
    this.log.info('compute pool totals', { ...this.claimStats, lookupMs: Math.round(this.claimStats.lookupMs) });
    await Promise.all(
      this.pool.map(async (t) => {
        if (!t.failed) {
          try {
            await t.request<void>({ type: 'close' });
          } catch {
            /* already gone */
          }
        }
        await t.stop();
      }),
    );
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
