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
 * is handed out again. Models take turns. Which chunks go to which thread is decided in `handOut`, the
 * one place a claim is made.
 *
 * Homes. Every model has a home thread (the one with the fewest models when it is first handed out), and
 * its chunks go there first, so each thread's fit cache holds its share of the models instead of every
 * thread loading every model in turn. A free thread with nothing of its own takes a busy thread's work
 * (a model with a large backlog is spread over every thread).
 *
 * Open chunks. A size chunk still filling (`partial`) is dirtied again by the model's next batch, so while
 * other work waits it is deferred, at most OPEN_CHUNK_DELAY_MS, and computed once it closes or its home
 * thread is idle: under sustained ingest across many models a chunk is then computed about once, not after
 * every batch.
 *
 * Fits. A reference is fitted on one thread, which adopts and saves it; the others drop their fit of the
 * model and load the saved one on next use. Until the save is done the model's chunks go to the fitting
 * thread only (`pinned`), so no other thread refits it meanwhile.
 */
import { ModelRecord, Store, StoredChunk } from '../store/types';
import { claimLeaseFromEnv, claimOwner } from './replica-sync';
import { Thread } from '../threads/thread';
import { ComputeEvents, FitResult, ModelStatus } from './compute';
import { defaultComputeThreads } from './compute-env';
import { DEFAULT_FIT_CACHE_SIZE, fitCacheBytesFromEnv, perThreadFitBytes, perThreadFitCache } from './fit-cache';
import { ComputeEngine, deserializeError, FromWorker, ScoreReply, ToWorker, WithoutId, WORKER_FILE, WorkerOptions } from './engine';
import { ColumnSpec, ModelLayout } from './layout';
import { Logger } from './log';

/**
 * Chunks handed to a thread at once, at most: few, so that a backlog spreads over the threads, other
 * models get a turn, and results land chunk by chunk.
 */
const BATCH_CHUNKS = 4;

/** The longest a filling chunk's recompute is deferred while other chunks wait (see Open chunks above). */
export const OPEN_CHUNK_DELAY_MS = 2_000;

/** One compute thread (threads/thread.ts starts, watches and stops it) and what the scheduler knows of it. */
class ComputeThread {
  private readonly thread: Thread;
  busy = false;
  /** Each model's status as this thread last posted it. */
  readonly statuses = new Map<string, ModelStatus | null>();
  /** Models whose home this thread is. */
  homes = 0;

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
  /** Each model's home thread (see Homes above). */
  private readonly home = new Map<string, ComputeThread>();
  /** Since when each model's filling chunk has waited (epoch ms), while it is deferred. */
  private readonly openSince = new Map<string, number>();
  /** Claims handed out and the main thread's time reading dirty chunks for them, since start (logged at close). */
  private readonly claimStats = { claims: 0, chunks: 0, lookups: 0, lookupMs: 0 };
  /**
   * Replicas (a store other processes share, Store.shared): a claim is also made in the store, under this
   * owner and lease, so no other replica computes the chunk meanwhile; chunks another replica holds are
   * left alone until its lease ends (docs/scaling.md).
   */
  private readonly owner = claimOwner();
  private readonly leaseMs = claimLeaseFromEnv(process.env);
  /** `--role api`: fits and scores, but hands no chunk out (other replicas compute). */
  computeChunks = true;
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
    // Models stay on their home thread, so each thread caches its share of the pool's fits.
    const threadOpts = {
      ...opts,
      fitCacheSize: perThreadFitCache(opts.fitCacheSize ?? DEFAULT_FIT_CACHE_SIZE, this.threads),
      fitCacheBytes: perThreadFitBytes(opts.fitCacheBytes ?? fitCacheBytesFromEnv(process.env), this.threads),
    };
    this.pool = Array.from({ length: this.threads }, (_, i) => new ComputeThread(i, threadOpts, log, (t, m) => this.onMessage(t, m)));
  }

  private onMessage(t: ComputeThread, m: Exclude<FromWorker, { type: 'reply' }>): void {
    if (m.type === 'status') {
      t.statuses.set(m.model, m.status);
      // A thread posts a status after each chunk's results are committed (and on a few other changes).
      this.events.chunkComputed?.(m.model);
    } else if (m.type === 'event') {
      if (m.event === 'recomputed') {
        this.events.recomputed?.(m.model, m.seconds, m.chunks, m.chunkSeconds);
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

  /**
   * Fits on the model's home thread, so the adopted fit lands in the cache of the thread that computes the
   * model (on another free thread while the home is busy or failed); that thread keeps the fit until
   * adopt/discard.
   */
  async fit(model: string, specs: ColumnSpec[], frame: Buffer): Promise<{ token: number; result: FitResult }> {
    const h = this.homeOf(model);
    const t = h.free ? h : this.pool.find((x) => x.free) ?? (h.failed ? this.live() : h);
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
    this.openSince.delete(model);
    const h = this.home.get(model);
    if (h) h.homes--;
    this.home.delete(model);
    for (const t of this.pool) {
      t.statuses.delete(model);
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

  /** Scores on the thread that has the model's fit in memory (its pinned or home thread) if live, else a free one. */
  score(model: string, frame: Buffer): Promise<ScoreReply> {
    const h = this.pinned.get(model) ?? this.homeOf(model);
    const t = !h.failed ? h : this.pool.find((x) => x.free) ?? this.live();
    return t.request<ScoreReply>({ type: 'score', model, frame });
  }

  /** The model's home thread, given on first use to the live thread with the fewest models. */
  private homeOf(model: string): ComputeThread {
    let h = this.home.get(model);
    if (!h) {
      h = this.pool.filter((t) => !t.failed).reduce((a, b) => (b.homes < a.homes ? b : a), this.live());
      h.homes++;
      this.home.set(model, h);
    }
    return h;
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
        await this.handOut();
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

  /**
   * One round of claims, the wanted models in turn: (1) each model whose home thread is free gets its
   * closed dirty chunks claimed for it, and its filling chunk once deferred long enough; (2) free threads
   * with nothing of their own take the models waiting on a busy home; (3) home threads still idle take
   * their deferred filling chunks. A model's dirty chunks are read only when a free thread may take them.
   */
  private async handOut(): Promise<void> {
    if (!this.computeChunks) return void this.wanted.clear();
    const now = Date.now();
    const waiting: string[] = [];
    const deferred: [string, StoredChunk[]][] = [];
    /**
     * Hands `t` what it may take of the model now (nothing with `t` null). A model with more closed chunks
     * than one claim goes to `waiting` for another free thread.
     */
    const offer = async (name: string, t: ComputeThread | null): Promise<void> => {
      const open = await this.unclaimedDirty(name);
      if (open === null) return;
      // Nothing left to hand out: the model is looked at again when its claims are released.
      if (open.length === 0) {
        this.wanted.delete(name);
        this.openSince.delete(name);
        return;
      }
      const filling = open.filter((c) => c.partial);
      if (filling.length === 0) this.openSince.delete(name);
      else if (!this.openSince.has(name)) this.openSince.set(name, now);
      const due = filling.length > 0 && now - this.openSince.get(name)! >= OPEN_CHUNK_DELAY_MS;
      const closed = due ? open : open.filter((c) => !c.partial);
      if (closed.length === 0) deferred.push([name, filling]);
      else if (t) {
        this.hand(t, name, closed, due);
        if (closed.length > BATCH_CHUNKS) waiting.push(name);
      }
    };
    for (const name of [...this.wanted]) {
      if (this.closing || !this.pool.some((t) => t.free)) return;
      const h = this.pinned.get(name) ?? this.homeOf(name);
      if (h.free) await offer(name, h);
      else if (!this.pinned.has(name)) waiting.push(name);
    }
    for (const name of waiting) {
      if (this.closing) return;
      const t = this.pool.find((x) => x.free);
      if (!t) return;
      if (this.wanted.has(name)) await offer(name, t);
    }
    // A filling chunk is not worth loading a fit on another thread: it waits for its home (or its delay).
    for (const [name, filling] of deferred) {
      if (this.closing || !this.pool.some((x) => x.free)) return;
      const h = this.pinned.get(name) ?? this.homeOf(name);
      if (h.free) this.hand(h, name, filling, true);
    }
  }

  /** The model's dirty chunks no thread holds, or null when it is no longer registered. */
  private async unclaimedDirty(name: string): Promise<StoredChunk[] | null> {
    const id = this.ids.get(name);
    if (id === undefined) {
      this.wanted.delete(name);
      return null;
    }
    const held = this.claims.get(name);
    const t0 = performance.now();
    const now = Date.now();
    const heldElsewhere = (c: StoredChunk) => !!c.claimOwner && c.claimOwner !== this.owner && (c.claimUntil ?? 0) >= now;
    const open = (await this.store.chunks(id, { dirtyOnly: true })).filter((c) => !held?.has(c.chunkId) && !heldElsewhere(c));
    this.claimStats.lookups++;
    this.claimStats.lookupMs += performance.now() - t0;
    // Forgotten meanwhile.
    if (!this.wanted.has(name)) return null;
    return open;
  }

  /**
   * Claims the first BATCH_CHUNKS of `chunks` for thread `t` (the rest go to the next free thread: a lone
   * model's backlog spreads). Its turn is over: it goes to the back of the line.
   */
  private hand(t: ComputeThread, name: string, chunks: StoredChunk[], withFilling: boolean): void {
    const claimed = chunks.slice(0, BATCH_CHUNKS);
    if (withFilling && claimed.some((c) => c.partial)) this.openSince.delete(name);
    this.run(t, name, claimed);
    this.wanted.delete(name);
    this.wanted.add(name);
  }

  private run(t: ComputeThread, name: string, chunks: StoredChunk[]): void {
    t.busy = true;
    let held = this.claims.get(name);
    if (!held) this.claims.set(name, (held = new Set()));
    for (const c of chunks) held.add(c.chunkId);
    this.claimStats.claims++;
    this.claimStats.chunks += chunks.length;
    // Replicas: claimed in the store first (another replica may have taken some since they were read).
    const id = this.ids.get(name)!;
    const ids = chunks.map((c) => c.chunkId);
    const claimed = this.store.shared ? this.store.claimChunks(id, this.owner, this.leaseMs, chunks.length, ids) : Promise.resolve(chunks);
    // While the compute runs the claims are renewed every third of the lease, so a compute that outlasts
    // the lease (a slow machine, a large chunk) is not taken over and done twice by another replica.
    const renewal = this.store.shared ? setInterval(() => this.renew(id, name, ids), Math.max(1, Math.floor(this.leaseMs / 3))) : null;
    renewal?.unref();
    claimed
      .then((mine) => (mine.length > 0 ? t.request<number>({ type: 'compute', model: name, chunks: mine }) : 0))
      .catch((e) => this.log.error('compute thread failed a recompute', { thread: t.index, model: name, error: (e as Error).message }))
      .finally(() => {
        if (renewal) clearInterval(renewal);
        if (this.store.shared) void this.store.releaseClaims(id, this.owner, ids).catch((e) => this.log.warn('could not release claims (they end with their lease)', { model: name, error: (e as Error).message }));
        t.busy = false;
        for (const c of chunks) held!.delete(c.chunkId);
        if (held!.size === 0 && this.claims.get(name) === held) this.claims.delete(name);
        // A chunk that changed while it was computed is still dirty: look at the model again.
        if (this.ids.has(name) && !this.closing) this.wanted.add(name);
        void this.pump();
      });
  }

  private renew(modelId: number, name: string, ids: number[]): void {
    this.store.renewClaims(modelId, this.owner, this.leaseMs, ids).then(
      (held) => {
        if (held.length < ids.length) this.log.warn('claims ended before their compute did (another replica may compute them too)', { model: name, lost: ids.length - held.length });
      },
      (e) => this.log.warn('could not renew claims', { model: name, error: (e as Error).message }),
    );
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
