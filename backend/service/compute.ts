/**
 * The compute core: calculators fitted on each model's reference, kept in memory, and the recompute
 * loop over dirty chunks. It runs in a worker thread (worker.ts) so that engine work never holds the
 * event loop that serves ingest and queries; tests and tools can run it inline (engine.ts).
 *
 * It reads rows and writes results through its own store connection; the main thread tells it what
 * changed (a reference fitted, a model scheduled or deleted).
 */
import * as fs from 'fs';
import * as v8 from 'v8';
import { FittedCalculator } from '../engine/calculator';
import { familyOfCalculator } from '../engine/catalog';
import { periodChunks } from '../engine/chunking';
import { decodeFrame } from '../store/frame-codec';
import { ChunkFields, ErrorStage, ModelRecord, ResultRecord, Store, StoredChunk, StoredFit } from '../store/types';
import { ModelDefinition } from './definition';
import { buildFrames, toRecords } from './frames';
import { ColumnSpec, ModelLayout, ResolvedCalculator, SkippedCalculator } from './layout';
import { Logger } from './log';
import { resolveCalculators } from './calculators';
import { DEFAULT_FIT_CACHE_SIZE, FitCache, fitCacheBytesFromEnv } from './fit-cache';
import { FittedEntry, fitModel, sameCalculators } from './runtime';
import { compactFit, encodeFit, fitBytes, fitInputsHash, restoreFit, staleReason } from './saved-fits';
import { loadScorer, ScoredRow } from './scoring';

/** What the core reports as it works (the service turns these into /metrics). */
export interface ComputeEvents {
  /**
   * A recompute run of `chunks` chunks took `seconds` in all; `chunkSeconds` is what a backlog's estimate
   * charges for them: the thread's CPU time in the run (Linux /proc; else the chunks' wall time): reading
   * rows, the calculators, writing results, and loading the model's fit when it was not in memory (with
   * more models than the fit cache holds, fits are loaded again and again: part of the lag), without the
   * waits for the CPU and SQLite's write lock that ingest causes: the time they take once ingest stops.
   */
  recomputed?(model: string, seconds: number, chunks: number, chunkSeconds: number): void;
  /** After each chunk's results are committed. */
  chunkComputed?(model: string): void;
  /** An error was recorded for the model (stored with it: GET /api/models/{name}). */
  error?(model: string, where: ErrorStage): void;
  queueDepth?(depth: number): void;
  /** An adopted fit is saved (or failed to save): other compute threads can now load it. */
  fitSaved?(model: string): void;
}

export interface ModelStatus {
  fitted: string[];
  fitError: string | null;
  chunksComputed: number;
  lastRecomputeMs: number | null;
  lastRecomputeAt: string | null;
}

/** A fit that is not adopted yet (its results are stored by the caller first). */
export interface FitResult {
  calculators: ResolvedCalculator[];
  skipped: SkippedCalculator[];
  records: ResultRecord[];
}

/** Thrown by the reference callback of a restore that was tried without reading the reference. */
const NEEDS_REFERENCE = new Error('the saved fit needs the reference');

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

interface ChunkPosition {
  index: number;
  startIndex: number;
  endIndex: number;
}

interface ComputeModel {
  id: number;
  name: string;
  def: ModelDefinition;
  layout: ModelLayout | null;
  /** The fitted calculators while the model is in the fit cache; empty otherwise. */
  fitted: FittedEntry[];
  /** Fitted calculators are in memory (`fitted`); a model is loaded on first use. */
  loaded: boolean;
  /** A load in progress (a recompute and a score may ask at once). */
  loading: Promise<void> | null;
  pending: Map<number, { entries: FittedEntry[]; inputsHash: string }>;
  /**
   * The inputs hash of the model's current reference and layout, once known (a fit made or loaded): later
   * loads check the saved fit against it without reading and hashing the reference again.
   */
  inputsHash: string | null;
  deleted: boolean;
  status: ModelStatus;
}

const newStatus = (): ModelStatus => ({ fitted: [], fitError: null, chunksComputed: 0, lastRecomputeMs: null, lastRecomputeAt: null });

export class ComputeCore {
  private readonly models = new Map<string, ComputeModel>();
  private readonly queue = new Set<string>();
  private running = false;
  /** Recomputes under way (the pool's, which do not go through the queue). */
  private inFlight = 0;
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  private nextToken = 1;
  /** Models whose fitted calculators are in memory, least recently used first. */
  private readonly fitCache: FitCache;
  /** Fits restored from the store and fits made from the reference, since start. */
  readonly fitCounts = { restored: 0, refitted: 0 };
  /**
   * Where recompute time goes, since start (milliseconds of this thread; logged at close and with each
   * recompute at debug): a claim's setup (chunk list, levels), loading fits, reading rows, the
   * calculators, writing results.
   */
  readonly timings = { recomputes: 0, chunks: 0, setupMs: 0, fitLoadMs: 0, readMs: 0, computeMs: 0, writeMs: 0 };
  /**
   * Whether this core runs its own recompute queue (inline, or a single thread). In a pool of compute
   * threads (compute-pool.ts) the main thread hands each core the chunks it claimed instead.
   */
  private readonly ownQueue: boolean;

  constructor(
    readonly store: Store,
    private readonly log: Logger,
    private readonly events: ComputeEvents = {},
    opts: { fitCacheSize?: number; fitCacheBytes?: number; ownQueue?: boolean } = {},
  ) {
    this.ownQueue = opts.ownQueue ?? true;
    // Inline (one core), the whole VIGIL_FIT_CACHE_MB; a pool gives each thread its share.
    this.fitCache = new FitCache(opts.fitCacheSize ?? DEFAULT_FIT_CACHE_SIZE, (name) => this.unloadFit(name), opts.fitCacheBytes ?? fitCacheBytesFromEnv(process.env));
  }

  /**
   * Registers every stored model without fitting it (fits are loaded on first use), and schedules
   * those with chunks left dirty by the last run (with its own queue; they are returned either way).
   */
  async loadAll(): Promise<string[]> {
    for (const record of await this.store.listModels()) this.register(record);
    const dirty: string[] = [];
    for (const [name, m] of this.models) {
      if (m.layout && (await this.store.chunks(m.id, { dirtyOnly: true })).length > 0) dirty.push(name);
    }
    for (const name of dirty) this.schedule(name);
    return dirty;
  }

  /**
   * Another compute thread fitted the model on a new reference: takes the new layout and drops the fit
   * in memory, so the next use loads the saved fit.
   */
  relayout(name: string, layout: ModelLayout): void {
    const m = this.models.get(name);
    if (!m) return;
    m.layout = layout;
    m.inputsHash = null;
    this.unloadFit(name);
    this.fitCache.drop(name);
    m.status.fitted = layout.calculators.map((c) => c.id);
    m.status.fitError = null;
  }

  /** Registers a model (its fit is loaded on first use). */
  register(record: ModelRecord): void {
    const layout = (record.layout as ModelLayout | null) ?? null;
    const status = newStatus();
    if (layout) status.fitted = layout.calculators.map((c) => c.id);
    this.models.set(record.name, {
      id: record.id,
      name: record.name,
      def: record.definition as ModelDefinition,
      layout,
      fitted: [],
      loaded: false,
      loading: null,
      pending: new Map(),
      inputsHash: null,
      deleted: false,
      status,
    });
  }

  /** Brings the model's fitted calculators into memory (the saved fit, or a refit); false when it has none. */
  private async ensureFitted(m: ComputeModel): Promise<boolean> {
    if (m.loaded) {
      this.fitCache.use(m.name);
      return true;
    }
    if (!m.layout || m.status.fitError) return false;
    m.loading ??= this.loadFit(m).finally(() => (m.loading = null));
    await m.loading;
    return m.loaded;
  }

  private unloadFit(name: string): void {
    const m = this.models.get(name);
    if (!m) return;
    m.fitted = [];
    m.loaded = false;
  }

  private setFitted(m: ComputeModel, entries: FittedEntry[]): void {
    m.fitted = entries;
    m.loaded = true;
    m.status.fitted = entries.map((e) => e.id);
    m.status.fitError = null;
    this.fitCache.use(m.name, fitBytes(entries));
  }

  /** What a fit of this model is made from (a saved fit made from anything else is not reused). */
  private inputsHash(def: ModelDefinition, specs: Map<string, ColumnSpec>, fitted: ResolvedCalculator[], reference: Buffer): string {
    // The calculators the engine resolves today are part of it: a changed default set refits.
    const resolvedNow = resolveCalculators({ def, specs }).candidates.map((c) => c.resolved);
    return fitInputsHash(def, [...specs.values()], { fitted, resolvedNow }, reference);
  }

  /**
   * Restores the saved fit when it is valid; otherwise refits on the stored reference and saves the new fit.
   * Once the model's inputs hash is known, a saved fit whose calculators all restore needs no reference.
   */
  private async loadFit(m: ComputeModel): Promise<void> {
    const t0 = Date.now();
    const specs = specsOf(m.layout!);
    if (m.inputsHash !== null) {
      try {
        const stored = await this.store.loadFit(m.id);
        if (stored && staleReason(stored, m.inputsHash) === null) {
          const { entries, refitted } = restoreFit(stored, m.layout!, () => {
            throw NEEDS_REFERENCE;
          });
          this.restored(m, entries, refitted, t0);
          return;
        }
      } catch (e) {
        if (e !== NEEDS_REFERENCE) this.log.warn('saved fit not restored without its reference; reading the reference', { model: m.name, error: (e as Error).message });
      }
    }
    const buf = await this.store.loadReference(m.id);
    if (!buf) {
      m.status.fitError = 'the stored reference is missing; upload it again';
      await this.recordError(m, 'fit', null, null, m.status.fitError);
      return;
    }
    let reason: string | null;
    try {
      const stored = await this.store.loadFit(m.id);
      const hash = this.inputsHash(m.def, specs, m.layout!.calculators, buf);
      reason = stored ? staleReason(stored, hash) : 'no saved fit';
      if (stored && reason === null) {
        const { entries, refitted } = restoreFit(stored, m.layout!, () => decodeFrame(buf));
        m.inputsHash = hash;
        this.restored(m, entries, refitted, t0);
        return;
      }
    } catch (e) {
      reason = `the saved fit could not be restored: ${(e as Error).message}`;
    }
    let outcome: ReturnType<typeof fitModel>;
    try {
      outcome = fitModel(m.def, specs, decodeFrame(buf));
    } catch (e) {
      // The reference cannot be fitted (by this code): the model waits for a new one.
      m.status.fitError = (e as Error).message;
      this.log.error('model could not be refitted; its results are served but not recomputed', { model: m.name, error: m.status.fitError });
      await this.recordError(m, 'fit', null, null, m.status.fitError);
      return;
    }
    const resolved = outcome.entries.map((e) => e.resolved);
    if (!sameCalculators(resolved, m.layout!.calculators)) {
      // The engine gained (or lost) calculators since the model was fitted: adopt the new set.
      try {
        const record = await this.store.getModel(m.name);
        const layout: ModelLayout = { ...m.layout!, calculators: resolved, skipped: outcome.skipped };
        await this.store.replaceReference(m.id, { layout, frame: buf, rows: record?.referenceRows ?? 0, newLevels: [], results: outcome.records });
        m.layout = layout;
        this.log.info('calculators changed since the last fit; results are recomputed', { model: m.name, calculators: resolved.map((c) => c.id) });
      } catch (e) {
        // A store failure (e.g. SQLite's write lock not had within its timeout) is not the model's: it
        // stays unloaded, without a fit error, and the next recompute of it tries again.
        this.log.warn('new calculators could not be stored; the model is fitted again on its next recompute', { model: m.name, error: (e as Error).message });
        return;
      }
    }
    m.inputsHash = this.inputsHash(m.def, specs, resolved, buf);
    let saved: StoredFit;
    try {
      saved = encodeFit(outcome.entries, m.inputsHash);
      this.setFitted(m, compactFit(saved, outcome.entries));
    } catch (e) {
      this.setFitted(m, outcome.entries);
      this.log.warn('fit could not be encoded; it is kept as fitted and not saved', { model: m.name, error: (e as Error).message });
      return;
    } finally {
      this.fitCounts.refitted++;
      this.log.info('model fitted', { model: m.name, calculators: m.fitted.length, reason, ms: Date.now() - t0 });
    }
    try {
      await this.store.saveFit(m.id, saved);
      await this.store.resolveErrors(m.id, 'fit');
    } catch (e) {
      // The fit in memory is good; unsaved, it is made again when next loaded.
      this.log.warn('fit could not be saved; it is refitted when next loaded', { model: m.name, error: (e as Error).message });
    }
  }

  private restored(m: ComputeModel, entries: FittedEntry[], refitted: number, t0: number): void {
    this.setFitted(m, entries);
    this.fitCounts.restored++;
    this.log.info('model fit restored', { model: m.name, calculators: entries.length, refitted, ms: Date.now() - t0 });
  }

  /**
   * Fits the calculators on an encoded reference frame. The fit is held under a token until `adopt`
   * (after the caller stored the reference) or `discard`. Throws ApiError for the user's mistakes.
   */
  fit(name: string, specs: ColumnSpec[], frame: Buffer): { token: number; result: FitResult } {
    const m = this.model(name);
    const specMap = new Map(specs.map((s) => [s.name, s]));
    const outcome = fitModel(m.def, specMap, decodeFrame(frame));
    const token = this.nextToken++;
    const inputsHash = this.inputsHash(m.def, specMap, outcome.entries.map((e) => e.resolved), frame);
    m.pending.set(token, { entries: outcome.entries, inputsHash });
    return { token, result: { calculators: outcome.entries.map((e) => e.resolved), skipped: outcome.skipped, records: outcome.records } };
  }

  adopt(name: string, token: number, layout: ModelLayout): void {
    const m = this.model(name);
    const pending = m.pending.get(token);
    m.pending.delete(token);
    if (!pending) throw new Error(`no pending fit ${token} for model '${name}'`);
    m.layout = layout;
    m.inputsHash = pending.inputsHash;
    const saved = encodeFit(pending.entries, pending.inputsHash);
    this.setFitted(m, compactFit(saved, pending.entries));
    // Saved once the caller has stored the reference: a crash in between leaves the older fit, whose
    // inputs hash no longer matches, so the next load refits.
    void this.store
      .saveFit(m.id, saved)
      .catch((e) => this.log.error('fit could not be saved; it is refitted when next loaded', { model: name, error: (e as Error).message }))
      .finally(() => this.events.fitSaved?.(name));
    // A reference that fits resolves an earlier fit failure (replaceReference resolved the chunk errors).
    void this.store.resolveErrors(m.id, 'fit').catch((e) => this.log.error('could not mark fit errors resolved', { model: name, error: (e as Error).message }));
    this.schedule(name);
  }

  /** Stores an error with the model (it outlives the process) and reports it. Never throws. */
  private async recordError(m: ComputeModel, where: ErrorStage, calculator: string | null, chunk: StoredChunk | null, message: string): Promise<void> {
    try {
      await this.store.recordError(m.id, { stage: where, calculator, chunkId: chunk?.chunkId ?? null, chunkKey: chunk?.key ?? null, message });
    } catch (e) {
      this.log.error('could not store an error', { model: m.name, where, error: (e as Error).message });
    }
    this.events.error?.(m.name, where);
  }

  discard(name: string, token: number): void {
    this.models.get(name)?.pending.delete(token);
  }

  forget(name: string): void {
    const m = this.models.get(name);
    if (m) m.deleted = true;
    this.models.delete(name);
    this.fitCache.drop(name);
    this.queue.delete(name);
  }

  status(name: string): ModelStatus | null {
    return this.models.get(name)?.status ?? null;
  }

  private model(name: string): ComputeModel {
    const m = this.models.get(name);
    if (!m) throw new Error(`model '${name}' is not loaded in the compute core`);
    return m;
  }

  /** Outlier scores of an encoded frame of rows (not stored). */
  async score(name: string, frame: Buffer): Promise<{ calculatorId: string; threshold: number; rows: ScoredRow[] } | { error: 'not_available' | 'no_outlier_model' }> {
    const m = this.model(name);
    const scorer = loadScorer();
    if (!scorer) return { error: 'not_available' };
    await this.ensureFitted(m);
    const entry = m.fitted.find((e) => scorer.owns(e.fitted as FittedCalculator));
    if (!entry) return { error: 'no_outlier_model' };
    const scored = scorer.score(entry.fitted, decodeFrame(frame));
    return { calculatorId: entry.id, threshold: scored.threshold, rows: scored.rows };
  }

  // ---------------------------------------------------------------------------------------------
  // recompute

  schedule(name: string): void {
    if (this.closing || !this.ownQueue) return;
    this.queue.add(name);
    this.events.queueDepth?.(this.queue.size);
    if (!this.running) {
      this.running = true;
      setImmediate(() => void this.drain());
    }
  }

  idle(): Promise<void> {
    if (!this.running && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.size > 0 && !this.closing) {
        const name = this.queue.values().next().value as string;
        this.queue.delete(name);
        this.events.queueDepth?.(this.queue.size);
        await this.recompute(name);
      }
    } finally {
      this.running = false;
      if (this.queue.size > 0 && !this.closing) this.schedule(this.queue.values().next().value as string);
      else {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }

  /**
   * Recomputes the given chunks of a model (claimed for this thread by the pool), or every dirty chunk.
   * A failure of the whole run is stored with the model, never thrown. Returns the chunks computed.
   */
  async recompute(name: string, chunks?: StoredChunk[]): Promise<number> {
    this.inFlight++;
    try {
      return await this.recomputeModel(name, chunks);
    } catch (e) {
      this.log.error('recompute failed', { model: name, error: (e as Error).message });
      const m = this.models.get(name);
      if (m && !m.deleted) await this.recordError(m, 'recompute', null, null, (e as Error).message);
      return 0;
    } finally {
      this.inFlight--;
    }
  }

  private async recomputeModel(name: string, chunks?: StoredChunk[]): Promise<number> {
    const m = this.models.get(name);
    if (!m || m.deleted || !m.layout || m.status.fitError) return 0;
    const t0 = performance.now();
    const cpu0 = threadCpuMs();
    // Every chunk is read for period positions (ranks in time order), and when no chunks are given.
    const all = chunks && m.layout.chunker.type !== 'period' ? [] : await this.store.chunks(m.id);
    const dirty = chunks ?? all.filter((c) => c.dirty);
    if (dirty.length === 0) return 0;
    const tFit = performance.now();
    const fittedNow = await this.ensureFitted(m);
    this.timings.fitLoadMs += performance.now() - tFit;
    if (!fittedNow) return 0;
    // Held for this recompute: loading another model's fit may evict this one from the cache meanwhile.
    const fitted = m.fitted;
    if (fitted.length === 0) return 0;
    const tLevels = performance.now();
    const levels = await this.store.loadLevels(m.id);
    this.timings.setupMs += tFit - t0 + performance.now() - tLevels;
    this.timings.recomputes++;
    const levelsOf = (column: string) => levels.get(column) ?? [];
    const positions = m.layout.chunker.type === 'period' ? periodPositions(all) : null;
    let computed = 0;
    let chunkMs = 0;
    for (const chunk of dirty) {
      if (this.closing || m.deleted) return computed;
      const tChunk = performance.now();
      await this.computeChunk(m, fitted, chunk, positions, levelsOf);
      chunkMs += performance.now() - tChunk;
      computed++;
      await yieldToEventLoop();
    }
    if (positions && !m.deleted) {
      // Row counts changed: renumber the chunks that moved (a late row shifts later chunks).
      const fresh = await this.store.chunks(m.id);
      const next = periodPositions(fresh);
      const moved = fresh
        .filter((c) => {
          const p = next.get(c.chunkId)!;
          return c.chunkIndex !== p.index || c.startIndex !== p.startIndex || c.endIndex !== p.endIndex;
        })
        .map((c) => ({ chunkId: c.chunkId, ...next.get(c.chunkId)! }));
      if (moved.length > 0) await this.store.setChunkPositions(m.id, moved);
    }
    // A recompute run that got through resolves earlier failures of a whole run. Looked up first: the
    // resolving write takes the store's write lock, which every claim would otherwise wait for behind ingest.
    if ((await this.store.errorSummary(m.id)).unresolved.recompute > 0) await this.store.resolveErrors(m.id, 'recompute', { modelLevelOnly: true });
    const ms = performance.now() - t0;
    m.status.lastRecomputeMs = Math.round(ms * 10) / 10;
    m.status.lastRecomputeAt = new Date().toISOString();
    const cpu1 = threadCpuMs();
    this.events.recomputed?.(name, ms / 1000, computed, (cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : chunkMs) / 1000);
    this.log.debug('recomputed', { model: name, chunks: computed, ms: m.status.lastRecomputeMs });
    return computed;
  }

  private async computeChunk(m: ComputeModel, fitted: FittedEntry[], chunk: StoredChunk, positions: Map<number, ChunkPosition> | null, levelsOf: (c: string) => string[]): Promise<void> {
    const layout = m.layout!;
    const tRead = performance.now();
    const rows = await this.store.readChunkRows(m.id, chunk, layout.payload.length);
    const tCompute = performance.now();
    this.timings.readMs += tCompute - tRead;
    const timestamps = layout.timestamp ? rows.timestamps : null;
    let startDate: number | null = null;
    let endDate: number | null = null;
    let fields: ChunkFields;
    let partial: boolean;
    if (layout.chunker.type === 'period') {
      // The engine's own period bounds, so dates match `vigil run` to the bit.
      const p = rows.n > 0 ? periodChunks(rows.timestamps, layout.chunker.period)[0] : null;
      startDate = p ? p.startDate : chunk.rangeStart;
      endDate = p ? p.endDate : chunk.rangeEnd;
      const pos = positions?.get(chunk.chunkId) ?? { index: 0, startIndex: 0, endIndex: rows.n - 1 };
      fields = { key: chunk.key, index: pos.index, start_index: pos.startIndex, end_index: pos.startIndex + rows.n - 1, start_date: startDate, end_date: endDate };
      partial = endDate !== null && endDate >= Date.now();
    } else {
      if (timestamps && rows.n > 0) {
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = 0; i < rows.n; i++) {
          if (timestamps[i] < lo) lo = timestamps[i];
          if (timestamps[i] > hi) hi = timestamps[i];
        }
        startDate = lo;
        endDate = hi;
      }
      fields = { key: chunk.key, index: chunk.chunkId, start_index: chunk.startSeq!, end_index: chunk.endSeq!, start_date: startDate, end_date: endDate };
      partial = chunk.partial;
    }
    const results: ResultRecord[] = [];
    const errors: { calculator: string; message: string }[] = [];
    // Dirtied by late targets only: the calculators that read targets run; the others' stored rows stay.
    const targetsOnly = chunk.targetsOnly && layout.target !== null;
    const entries = targetsOnly ? fitted.filter((e) => readsTargets(e, layout.target!.name)) : fitted;
    if (rows.n > 0) {
      const { frame, withFlags } = buildFrames(layout, { ...rows, timestamps }, levelsOf);
      for (const entry of entries) {
        try {
          const metricRows = entry.fitted.calculate(entry.usesFlags ? withFlags : frame);
          // not push(...): a chunk of a wide model can have more records than spread arguments allow
          for (const r of toRecords(entry, 'analysis', chunk.chunkId, fields, metricRows, partial)) results.push(r);
        } catch (e) {
          const message = (e as Error).message;
          errors.push({ calculator: entry.id, message });
          this.log.warn('calculator failed on a chunk', { model: m.name, calculator: entry.id, chunk: chunk.key, error: message });
        }
      }
    }
    // The failures are stored with the chunk's results, in one transaction (store: chunkErrors).
    const calculators = targetsOnly ? entries.map((e) => e.id) : undefined;
    const tWrite = performance.now();
    this.timings.computeMs += tWrite - tCompute;
    await this.store.writeChunkResults(m.id, { chunk, nRows: rows.n, startDate, endDate, results, errors, calculators });
    this.timings.writeMs += performance.now() - tWrite;
    this.timings.chunks++;
    for (let i = 0; i < errors.length; i++) this.events.error?.(m.name, 'recompute');
    m.status.chunksComputed++;
    this.events.chunkComputed?.(m.name);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.queue.clear();
    while (this.running || this.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
    const heap = v8.getHeapStatistics();
    this.log.info('compute totals', {
      ...this.fitCounts,
      ...roundedTimings(this.timings),
      threadCpuMs: threadCpuMs(),
      fitsInMemory: this.fitCache.size,
      fitsMiB: Math.round(this.fitCache.bytes / 1048576),
      heapUsedMiB: Math.round(heap.used_heap_size / 1048576),
      heapTotalMiB: Math.round(heap.total_heap_size / 1048576),
      externalMiB: Math.round(heap.external_memory / 1048576),
    });
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/**
 * Whether a calculator reads the targets: its parameters name the target column (`y_true` of realized
 * performance, CBPE's and DLE's realized values, concept drift; `column_names` of the invalid-values
 * share). Calculators only read the columns their parameters name, so the others cannot change when
 * targets arrive (test/server/late-targets.test.ts compares with a full recompute).
 */
export function readsTargets(entry: Pick<FittedEntry, 'resolved'>, target: string): boolean {
  const names = (v: unknown): boolean =>
    v === target || (Array.isArray(v) ? v.some(names) : v !== null && typeof v === 'object' ? Object.values(v as object).some(names) : false);
  return names(entry.resolved.params);
}

export function specsOf(layout: Pick<ModelLayout, 'payload' | 'target'>): Map<string, ColumnSpec> {
  const m = new Map<string, ColumnSpec>();
  for (const s of layout.payload) m.set(s.name, s);
  if (layout.target) m.set(layout.target.name, layout.target);
  return m;
}

/** CPU time of the calling thread so far (Linux /proc; null elsewhere), for the totals logged at close. */
function threadCpuMs(): number | null {
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks (100/s).
    const rest = fs.readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(rest[11]) + Number(rest[12])) * 10;
  } catch {
    return null;
  }
}

const roundedTimings = (t: Record<string, number>) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)]));

/** Period chunks in time order: index and row range by cumulative row counts. */
function periodPositions(chunks: StoredChunk[]): Map<number, ChunkPosition> {
  const sorted = [...chunks].sort((a, b) => a.chunkId - b.chunkId);
  const out = new Map<number, ChunkPosition>();
  let start = 0;
  sorted.forEach((c, index) => {
    out.set(c.chunkId, { index, startIndex: start, endIndex: start + c.nRows - 1 });
    start += c.nRows;
  });
  return out;
}

export const familyOf = (className: string) => familyOfCalculator(className)?.id ?? 'other';
