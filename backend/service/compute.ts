/**
 * The compute core: calculators fitted on each model's reference, kept in memory, and the recompute
 * loop over dirty chunks. It runs in a worker thread (worker.ts) so that engine work never holds the
 * event loop that serves ingest and queries; tests and tools can run it inline (engine.ts).
 *
 * It reads rows and writes results through its own store connection; the main thread tells it what
 * changed (a reference fitted, a model scheduled or deleted).
 */
import { FittedCalculator } from '../engine/calculator';
import { familyOfCalculator } from '../engine/catalog';
import { periodChunks } from '../engine/chunking';
import { decodeFrame } from '../store/frame-codec';
import { ChunkFields, ErrorStage, ModelRecord, ResultRecord, Store, StoredChunk } from '../store/types';
import { ModelDefinition } from './definition';
import { buildFrames, toRecords } from './frames';
import { ColumnSpec, ModelLayout, ResolvedCalculator, SkippedCalculator } from './layout';
import { Logger } from './log';
import { FittedEntry, fitModel, sameCalculators } from './runtime';
import { loadScorer, ScoredRow } from './scoring';

/** What the core reports as it works (the service turns these into /metrics). */
export interface ComputeEvents {
  recomputed?(model: string, seconds: number, chunks: number): void;
  /** After each chunk's results are committed. */
  chunkComputed?(model: string): void;
  /** An error was recorded for the model (stored with it: GET /api/models/{name}). */
  error?(model: string, where: ErrorStage): void;
  queueDepth?(depth: number): void;
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
  fitted: FittedEntry[];
  pending: Map<number, FittedEntry[]>;
  deleted: boolean;
  status: ModelStatus;
}

const newStatus = (): ModelStatus => ({ fitted: [], fitError: null, chunksComputed: 0, lastRecomputeMs: null, lastRecomputeAt: null });

export class ComputeCore {
  private readonly models = new Map<string, ComputeModel>();
  private readonly queue = new Set<string>();
  private running = false;
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  private nextToken = 1;

  constructor(
    readonly store: Store,
    private readonly log: Logger,
    private readonly events: ComputeEvents = {},
  ) {}

  /** Loads every model with a reference and refits it from the stored reference. */
  async loadAll(): Promise<void> {
    for (const record of await this.store.listModels()) await this.load(record);
    for (const [name, m] of this.models) if (m.layout) this.schedule(name);
  }

  /** (Re)loads one model from the store: definition, layout, fitted calculators. */
  async load(record: ModelRecord): Promise<void> {
    const m: ComputeModel = {
      id: record.id,
      name: record.name,
      def: record.definition as ModelDefinition,
      layout: (record.layout as ModelLayout | null) ?? null,
      fitted: [],
      pending: new Map(),
      deleted: false,
      status: newStatus(),
    };
    this.models.set(record.name, m);
    if (!m.layout) return;
    const buf = await this.store.loadReference(record.id);
    if (!buf) {
      m.status.fitError = 'the stored reference is missing; upload it again';
      await this.recordError(m, 'fit', null, null, m.status.fitError);
      return;
    }
    const t0 = Date.now();
    try {
      const outcome = fitModel(m.def, specsOf(m.layout), decodeFrame(buf));
      const resolved = outcome.entries.map((e) => e.resolved);
      if (!sameCalculators(resolved, m.layout.calculators)) {
        // The engine gained (or lost) calculators since the model was fitted: adopt the new set.
        const layout: ModelLayout = { ...m.layout, calculators: resolved, skipped: outcome.skipped };
        await this.store.replaceReference(record.id, { layout, frame: buf, rows: record.referenceRows, newLevels: [], results: outcome.records });
        m.layout = layout;
        this.log.info('calculators changed since the last fit; results are recomputed', { model: record.name, calculators: resolved.map((c) => c.id) });
      }
      m.fitted = outcome.entries;
      m.status.fitted = m.fitted.map((e) => e.id);
      await this.store.resolveErrors(record.id, 'fit');
      this.log.info('model fitted', { model: record.name, calculators: m.fitted.length, ms: Date.now() - t0 });
    } catch (e) {
      m.status.fitError = (e as Error).message;
      this.log.error('model could not be refitted; its results are served but not recomputed', { model: record.name, error: m.status.fitError });
      await this.recordError(m, 'fit', null, null, m.status.fitError);
    }
  }

  /** Registers a model that has no reference yet. */
  register(record: ModelRecord): void {
    this.models.set(record.name, { id: record.id, name: record.name, def: record.definition as ModelDefinition, layout: null, fitted: [], pending: new Map(), deleted: false, status: newStatus() });
  }

  /**
   * Fits the calculators on an encoded reference frame. The fit is held under a token until `adopt`
   * (after the caller stored the reference) or `discard`. Throws ApiError for the user's mistakes.
   */
  fit(name: string, specs: ColumnSpec[], frame: Buffer): { token: number; result: FitResult } {
    const m = this.model(name);
    const outcome = fitModel(m.def, new Map(specs.map((s) => [s.name, s])), decodeFrame(frame));
    const token = this.nextToken++;
    m.pending.set(token, outcome.entries);
    return { token, result: { calculators: outcome.entries.map((e) => e.resolved), skipped: outcome.skipped, records: outcome.records } };
  }

  adopt(name: string, token: number, layout: ModelLayout): void {
    const m = this.model(name);
    const entries = m.pending.get(token);
    m.pending.delete(token);
    if (!entries) throw new Error(`no pending fit ${token} for model '${name}'`);
    m.layout = layout;
    m.fitted = entries;
    m.status.fitted = entries.map((e) => e.id);
    m.status.fitError = null;
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
  score(name: string, frame: Buffer): { calculatorId: string; threshold: number; rows: ScoredRow[] } | { error: 'not_available' | 'no_outlier_model' } {
    const m = this.model(name);
    const scorer = loadScorer();
    if (!scorer) return { error: 'not_available' };
    const entry = m.fitted.find((e) => scorer.owns(e.fitted as FittedCalculator));
    if (!entry) return { error: 'no_outlier_model' };
    const scored = scorer.score(entry.fitted, decodeFrame(frame));
    return { calculatorId: entry.id, threshold: scored.threshold, rows: scored.rows };
  }

  // ---------------------------------------------------------------------------------------------
  // recompute

  schedule(name: string): void {
    if (this.closing) return;
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
        try {
          await this.recomputeModel(name);
        } catch (e) {
          this.log.error('recompute failed', { model: name, error: (e as Error).message });
          const m = this.models.get(name);
          if (m && !m.deleted) await this.recordError(m, 'recompute', null, null, (e as Error).message);
        }
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

  private async recomputeModel(name: string): Promise<void> {
    const m = this.models.get(name);
    if (!m || m.deleted || !m.layout || m.status.fitError || m.fitted.length === 0) return;
    const t0 = performance.now();
    const all = await this.store.chunks(m.id);
    const dirty = all.filter((c) => c.dirty);
    if (dirty.length === 0) return;
    const levels = await this.store.loadLevels(m.id);
    const levelsOf = (column: string) => levels.get(column) ?? [];
    const positions = m.layout.chunker.type === 'period' ? periodPositions(all) : null;
    let computed = 0;
    for (const chunk of dirty) {
      if (this.closing || m.deleted) return;
      await this.computeChunk(m, chunk, positions, levelsOf);
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
    // A recompute run that got through resolves earlier failures of a whole run.
    await this.store.resolveErrors(m.id, 'recompute', { modelLevelOnly: true });
    const ms = performance.now() - t0;
    m.status.lastRecomputeMs = Math.round(ms * 10) / 10;
    m.status.lastRecomputeAt = new Date().toISOString();
    this.events.recomputed?.(name, ms / 1000, computed);
    this.log.debug('recomputed', { model: name, chunks: computed, ms: m.status.lastRecomputeMs });
  }

  private async computeChunk(m: ComputeModel, chunk: StoredChunk, positions: Map<number, ChunkPosition> | null, levelsOf: (c: string) => string[]): Promise<void> {
    const layout = m.layout!;
    const rows = await this.store.readChunkRows(m.id, chunk, layout.payload.length);
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
    if (rows.n > 0) {
      const { frame, withFlags } = buildFrames(layout, { ...rows, timestamps }, levelsOf);
      for (const entry of m.fitted) {
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
    await this.store.writeChunkResults(m.id, { chunk, nRows: rows.n, startDate, endDate, results, errors });
    for (let i = 0; i < errors.length; i++) this.events.error?.(m.name, 'recompute');
    m.status.chunksComputed++;
    this.events.chunkComputed?.(m.name);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.queue.clear();
    while (this.running) await new Promise((r) => setTimeout(r, 5));
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

export function specsOf(layout: Pick<ModelLayout, 'payload' | 'target'>): Map<string, ColumnSpec> {
  const m = new Map<string, ColumnSpec>();
  for (const s of layout.payload) m.set(s.name, s);
  if (layout.target) m.set(layout.target.name, layout.target);
  return m;
}

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
