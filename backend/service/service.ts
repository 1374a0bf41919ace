/**
 * The Vigil service: models, reference fits, ingestion, late targets, scoring, and the background
 * recompute of dirty chunks. Routers validate and call it; it owns the order of operations and the
 * recompute queue; the store owns the SQL.
 *
 * Request paths never compute monitoring results: an ingest stores the rows and marks the chunks they
 * touch dirty in one transaction, answers, and schedules the model; the recompute loop then recomputes
 * only dirty chunks, one at a time, yielding to the event loop between chunks, with the calculators
 * fitted on the reference once and kept in memory.
 */
import { familyOfCalculator } from '../engine/catalog';
import { periodChunks } from '../engine/chunking';
import { sortByColumn } from '../engine/frame';
import { decodeFrame, encodeFrame } from '../store/frame-codec';
import { ChunkFields, ModelRecord, Store, StoreConflictError, StoredChunk } from '../store/types';
import { BodyFormat, formatOf, parseRowsBody, ParsedRows, UnsupportedMediaType } from './body';
import { resolveCalculators } from './calculators';
import { chunkIdOf, planChunks, sizeChunkMarks } from './chunk-plan';
import { coerceColumn, coerceRows, readIds, sortByTime } from './coerce';
import { ModelDefinition, parseModelDefinition } from './definition';
import { ApiError, badRequest, conflict, unknownModel } from './errors';
import { buildFrames, toRecords } from './frames';
import { Dictionary, DictionaryOverlay, ModelLayout, resolveColumns, streamChunker } from './layout';
import { Logger, silentLogger } from './log';
import { fitModel, ModelRuntime, sameCalculators } from './runtime';
import { loadScorer } from './scoring';

export interface ServiceOptions {
  store: Store;
  logger?: Logger;
  hooks?: ServiceHooks;
}

/** What the service reports as it works (the server wires these to its /metrics registry). */
export interface ServiceHooks {
  modelsChanged?(count: number): void;
  ingested?(model: string, rows: number): void;
  ingestRejected?(model: string): void;
  targetsAttached?(model: string, count: number): void;
  recomputed?(model: string, seconds: number): void;
  queueDepth?(depth: number): void;
  error?(where: string): void;
}

export interface ModelSummary {
  name: string;
  problem_type: string | null;
  reference_rows: number;
  analysis_rows: number;
  targets: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Unknown ids listed in a targets response, at most (the count is always given). */
const MAX_LISTED_UNKNOWN_IDS = 100;

function parseBody(text: string, contentType: string | undefined): ParsedRows {
  let format: BodyFormat;
  try {
    format = formatOf(contentType);
  } catch (e) {
    if (e instanceof UnsupportedMediaType) throw new ApiError(415, 'unsupported_media_type', e.message, 'header.content-type');
    throw e;
  }
  return parseRowsBody(text, format);
}

export class VigilService {
  readonly store: Store;
  readonly log: Logger;
  private readonly models = new Map<string, ModelRuntime>();
  private readonly queue = new Set<string>();
  private running = false;
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  ready = false;
  /** Counters for /metrics and GET /api/health. */
  readonly counters = { rowsIngested: 0, batchesIngested: 0, chunksComputed: 0, recomputeErrors: 0, recomputeMsTotal: 0 };

  readonly hooks: ServiceHooks;

  constructor(opts: ServiceOptions) {
    this.store = opts.store;
    this.log = opts.logger ?? silentLogger;
    this.hooks = opts.hooks ?? {};
  }

  /** Loads every stored model and refits its calculators from the stored reference. */
  async start(): Promise<void> {
    for (const record of await this.store.listModels()) await this.loadModel(record);
    this.ready = true;
    this.hooks.modelsChanged?.(this.models.size);
    for (const [name, rt] of this.models) if (rt.layout) this.schedule(name);
  }

  private async loadModel(record: ModelRecord): Promise<void> {
    const rt = new ModelRuntime(record, record.definition as ModelDefinition);
    for (const [column, levels] of await this.store.loadLevels(record.id)) rt.dicts.set(column, new Dictionary(levels));
    this.models.set(record.name, rt);
    if (!rt.layout) return;
    const buf = await this.store.loadReference(record.id);
    if (!buf) {
      rt.fitError = 'the stored reference is missing; upload it again';
      return;
    }
    const t0 = Date.now();
    try {
      const outcome = fitModel(rt.def, rt.specs(), decodeFrame(buf));
      const resolved = outcome.entries.map((e) => e.resolved);
      if (!sameCalculators(resolved, rt.layout.calculators)) {
        // The engine gained (or lost) calculators since the model was fitted: adopt the new set.
        const layout: ModelLayout = { ...rt.layout, calculators: resolved, skipped: outcome.skipped };
        await this.store.replaceReference(record.id, { layout, frame: buf, rows: record.referenceRows, newLevels: [], results: outcome.records });
        rt.layout = layout;
        rt.record = (await this.store.getModel(record.name))!;
        this.log.info('calculators changed since the last fit; results are recomputed', { model: record.name, calculators: resolved.map((c) => c.id) });
      }
      rt.fitted = outcome.entries;
      this.log.info('model fitted', { model: record.name, calculators: rt.fitted.length, ms: Date.now() - t0 });
    } catch (e) {
      rt.fitError = (e as Error).message;
      this.log.error('model could not be refitted; its results are served but not recomputed', { model: record.name, error: rt.fitError });
    }
  }

  private runtime(name: string): ModelRuntime {
    const rt = this.models.get(name);
    if (!rt || rt.deleted) throw unknownModel(name);
    return rt;
  }

  modelNames(): string[] {
    return [...this.models.keys()].sort();
  }

  /** The runtime of a model, for the read paths (throws 404). */
  model(name: string): ModelRuntime {
    return this.runtime(name);
  }

  // ---------------------------------------------------------------------------------------------
  // models

  async registerModel(body: unknown): Promise<ModelRuntime> {
    const def = parseModelDefinition(body);
    // Validate the calculators with the declared columns (types are fixed later, by the reference).
    try {
      resolveCalculators({ def, specs: null });
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw badRequest('invalid_model', (e as Error).message.replace(/^[^:]*: /, ''), (e as { where?: string }).where ?? 'calculators');
    }
    if (this.models.has(def.name)) throw conflict('model_exists', `model '${def.name}' already exists (DELETE it first to redefine it)`, 'name');
    let record: ModelRecord;
    try {
      record = await this.store.createModel(def.name, def);
    } catch (e) {
      if (e instanceof StoreConflictError) throw conflict('model_exists', e.message, 'name');
      throw e;
    }
    const rt = new ModelRuntime(record, def);
    this.models.set(def.name, rt);
    this.hooks.modelsChanged?.(this.models.size);
    this.log.info('model registered', { model: def.name });
    return rt;
  }

  listModels(): ModelSummary[] {
    return this.modelNames().map((name) => {
      const rt = this.models.get(name)!;
      return {
        name,
        problem_type: rt.def.problem_type,
        reference_rows: rt.record.referenceRows,
        analysis_rows: rt.record.analysisRows,
        targets: rt.record.targets,
      };
    });
  }

  async deleteModel(name: string): Promise<void> {
    const rt = this.runtime(name);
    await rt.lock.run(async () => {
      rt.deleted = true;
      this.models.delete(name);
      this.queue.delete(name);
      await this.store.deleteModel(rt.record.id);
    });
    this.hooks.modelsChanged?.(this.models.size);
    this.log.info('model deleted', { model: name });
  }

  private async refreshRecord(rt: ModelRuntime): Promise<void> {
    const r = await this.store.getModel(rt.record.name);
    if (r) rt.record = r;
  }

  // ---------------------------------------------------------------------------------------------
  // reference

  async putReference(name: string, text: string, contentType: string | undefined) {
    const rt = this.runtime(name);
    const parsed = parseBody(text, contentType);
    return rt.lock.run(async () => {
      if (rt.deleted) throw unknownModel(name);
      const def = rt.def;
      for (const f of def.columns.features) {
        if (!parsed.columns.has(f)) throw badRequest('missing_column', `the reference lacks feature column '${f}'`, 'body');
      }
      const columns = rt.layout ?? resolveColumns(def, parsed.columns);
      const overlay = new DictionaryOverlay(rt.dicts);
      const rows = coerceRows(parsed, columns, overlay, { requireId: false });
      const { withFlags } = buildFrames(columns, rows, (c) => overlay.levelsOf(c), new Set(rows.missingColumns));
      // Sorted by time as `vigil run` sorts before chunking (stable).
      const reference = columns.timestamp ? sortByColumn(withFlags, columns.timestamp) : withFlags;
      const specs = new Map(columns.payload.map((s) => [s.name, s]));
      if (columns.target) specs.set(columns.target.name, columns.target);
      const outcome = fitModel(def, specs, reference);
      const chunker = streamChunker(def, rows.n);
      const layout: ModelLayout = {
        payload: columns.payload,
        target: columns.target,
        timestamp: columns.timestamp,
        id: columns.id,
        chunker,
        calculators: outcome.entries.map((e) => e.resolved),
        skipped: outcome.skipped,
      };
      const chunkerChanged = rt.layout !== null && JSON.stringify(rt.layout.chunker) !== JSON.stringify(chunker);
      const rechunk = chunkerChanged && chunker.type === 'size' ? sizeChunkMarks(rt.record.analysisRows, chunker) : undefined;
      await this.store.replaceReference(rt.record.id, {
        layout,
        frame: encodeFrame(reference),
        rows: rows.n,
        newLevels: overlay.newLevels(),
        results: outcome.records,
        rechunk,
      });
      overlay.commit();
      rt.layout = layout;
      rt.fitted = outcome.entries;
      rt.fitError = null;
      await this.refreshRecord(rt);
      this.schedule(name);
      this.log.info('reference fitted', { model: name, rows: rows.n, calculators: rt.fitted.map((e) => e.id) });
      return {
        model: name,
        rows: rows.n,
        unknown_columns: rows.unknownColumns,
        missing_columns: rows.missingColumns,
        type_inconsistent: rows.typeInconsistent,
        calculators: rt.fitted.map((e) => ({ class: e.className, id: e.id, family: e.family })),
        skipped_calculators: outcome.skipped.map((s) => ({ class: s.className, reason: s.reason })),
      };
    });
  }

  // ---------------------------------------------------------------------------------------------
  // ingest

  private requireLayout(rt: ModelRuntime): ModelLayout {
    if (!rt.layout) {
      throw conflict(
        'reference_required',
        `model '${rt.record.name}' has no reference yet: PUT /api/models/${rt.record.name}/reference first (it fixes the column types and fits the calculators)`,
        'path.model',
      );
    }
    return rt.layout;
  }

  async ingestRows(name: string, text: string, contentType: string | undefined) {
    try {
      return await this.ingestRowsUnchecked(name, text, contentType);
    } catch (e) {
      if (e instanceof ApiError && e.status !== 404) this.hooks.ingestRejected?.(name);
      throw e;
    }
  }

  private async ingestRowsUnchecked(name: string, text: string, contentType: string | undefined) {
    const rt = this.runtime(name);
    const parsed = parseBody(text, contentType);
    return rt.lock.run(async () => {
      if (rt.deleted) throw unknownModel(name);
      const layout = this.requireLayout(rt);
      const overlay = new DictionaryOverlay(rt.dicts);
      const rows = sortByTime(coerceRows(parsed, layout, overlay, { requireId: true }));
      const chunker = layout.chunker;
      const res = await this.store.ingestRows(
        rt.record.id,
        {
          n: rows.n,
          ids: rows.ids,
          timestamps: rows.timestamps,
          values: rows.values,
          typeFlags: rows.typeFlags,
          targets: rows.targets,
          newLevels: overlay.newLevels(),
        },
        (accepted) => planChunks(accepted, chunker),
      );
      overlay.commit();
      await this.refreshRecord(rt);
      this.counters.rowsIngested += res.inserted;
      this.counters.batchesIngested++;
      this.hooks.ingested?.(name, res.inserted);
      if (res.inserted > 0) this.schedule(name);
      const inconsistent = Object.values(rows.typeInconsistent).reduce((a, b) => a + b, 0);
      return {
        model: name,
        received: rows.n,
        inserted: res.inserted,
        duplicates: res.duplicates,
        unknown_columns: rows.unknownColumns,
        missing_columns: rows.missingColumns,
        type_inconsistent: rows.typeInconsistent,
        type_inconsistent_total: inconsistent,
      };
    });
  }

  async attachTargets(name: string, text: string, contentType: string | undefined) {
    const rt = this.runtime(name);
    const parsed = parseBody(text, contentType);
    return rt.lock.run(async () => {
      if (rt.deleted) throw unknownModel(name);
      const layout = this.requireLayout(rt);
      if (!layout.id) throw conflict('no_id_column', `model '${name}' has no id column (columns.id), so targets cannot be matched to rows`, 'path.model');
      if (!layout.target) throw conflict('no_target_column', `model '${name}' has no target column (columns.y_true)`, 'path.model');
      if (parsed.n === 0) throw badRequest('empty_body', 'the body holds no rows', 'body');
      const idSrc = parsed.columns.get(layout.id);
      if (!idSrc) throw badRequest('missing_column', `the id column '${layout.id}' is missing`, 'body');
      const targetSrc = parsed.columns.get(layout.target.name);
      if (!targetSrc) throw badRequest('missing_column', `the target column '${layout.target.name}' is missing`, 'body');
      const ids = readIds(idSrc, parsed.n, parsed);
      const overlay = new DictionaryOverlay(rt.dicts);
      const target = coerceColumn(layout.target, targetSrc, parsed.n, overlay);
      const keepIds: string[] = [];
      const keepValues: number[] = [];
      let missing = 0;
      for (let i = 0; i < parsed.n; i++) {
        if (Number.isNaN(target.values[i])) missing++;
        else {
          keepIds.push(ids[i]);
          keepValues.push(target.values[i]);
        }
      }
      const rows = rt.record.analysisRows;
      const res = await this.store.attachTargets(rt.record.id, {
        ids: keepIds,
        values: Float64Array.from(keepValues),
        newLevels: overlay.newLevels(),
        chunkOf: (seq, ts) => chunkIdOf(seq, ts, rows, layout.chunker),
      });
      overlay.commit();
      await this.refreshRecord(rt);
      this.hooks.targetsAttached?.(name, res.attached);
      if (res.attached > 0) this.schedule(name);
      return {
        model: name,
        received: parsed.n,
        attached: res.attached,
        unknown_ids: res.unknown.slice(0, MAX_LISTED_UNKNOWN_IDS),
        unknown_ids_count: res.unknown.length,
        missing_targets: missing - target.inconsistent,
        type_inconsistent: target.inconsistent,
        unknown_columns: parsed.names.filter((c) => c !== layout.id && c !== layout.target!.name),
      };
    });
  }

  // ---------------------------------------------------------------------------------------------
  // scoring

  async score(name: string, text: string, contentType: string | undefined) {
    const rt = this.runtime(name);
    const layout = this.requireLayout(rt);
    const parsed = parseBody(text, contentType);
    const scorer = loadScorer();
    if (!scorer) {
      throw new ApiError(501, 'not_implemented', 'outlier scoring is not available in this build (backend/engine/outliers does not export scoreRows)', 'path');
    }
    const entry = rt.fitted.find((e) => scorer.owns(e.fitted));
    if (!entry) {
      throw conflict('no_outlier_model', `model '${name}' has no fitted OutlierDetectionCalculator to score with`, 'path.model');
    }
    // Scoring needs the features only: no timestamp, and ids are echoed when present.
    const columns = { ...layout, timestamp: null };
    const overlay = new DictionaryOverlay(rt.dicts); // never committed: scored rows are not stored
    const rows = coerceRows(parsed, columns, overlay, { requireId: false });
    const { frame } = buildFrames(columns, rows, (c) => overlay.levelsOf(c));
    const scored = scorer.score(entry.fitted, frame);
    return {
      model: name,
      calculator_id: entry.id,
      threshold: scored.threshold,
      rows: scored.rows.map((r, i) => ({ ...(rows.ids ? { id: rows.ids[i] } : {}), ...r })),
      unknown_columns: rows.unknownColumns,
      missing_columns: rows.missingColumns,
      type_inconsistent: rows.typeInconsistent,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // recompute

  /** Queues a model for recompute of its dirty chunks (background; returns at once). */
  schedule(name: string): void {
    if (this.closing) return;
    this.queue.add(name);
    this.hooks.queueDepth?.(this.queue.size);
    if (!this.running) {
      this.running = true;
      setImmediate(() => void this.drain());
    }
  }

  /** Resolves when no recompute is queued or running. */
  idle(): Promise<void> {
    if (!this.running && this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.size > 0 && !this.closing) {
        const name = this.queue.values().next().value as string;
        this.queue.delete(name);
        this.hooks.queueDepth?.(this.queue.size);
        try {
          await this.recomputeModel(name);
        } catch (e) {
          this.counters.recomputeErrors++;
          this.hooks.error?.('recompute');
          this.log.error('recompute failed', { model: name, error: (e as Error).message });
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
    const rt = this.models.get(name);
    if (!rt || rt.deleted || !rt.layout || rt.fitError) return;
    const t0 = performance.now();
    const all = await this.store.chunks(rt.record.id);
    const dirty = all.filter((c) => c.dirty);
    if (dirty.length === 0) return;
    const positions = rt.layout.chunker.type === 'period' ? periodPositions(all) : null;
    let computed = 0;
    for (const chunk of dirty) {
      if (this.closing || rt.deleted) return;
      await this.computeChunk(rt, chunk, positions);
      computed++;
      await yieldToEventLoop();
    }
    if (positions && !rt.deleted) {
      // Row counts changed: renumber the chunks that moved (a late row shifts later chunks).
      const fresh = await this.store.chunks(rt.record.id);
      const next = periodPositions(fresh);
      const moved = fresh
        .filter((c) => {
          const p = next.get(c.chunkId)!;
          return c.chunkIndex !== p.index || c.startIndex !== p.startIndex || c.endIndex !== p.endIndex;
        })
        .map((c) => ({ chunkId: c.chunkId, ...next.get(c.chunkId)! }));
      if (moved.length > 0) await this.store.setChunkPositions(rt.record.id, moved);
    }
    const ms = performance.now() - t0;
    rt.stats.lastRecomputeMs = Math.round(ms * 10) / 10;
    rt.stats.lastRecomputeAt = new Date().toISOString();
    this.counters.recomputeMsTotal += ms;
    this.hooks.recomputed?.(name, ms / 1000);
    this.log.debug('recomputed', { model: name, chunks: computed, ms: rt.stats.lastRecomputeMs });
  }

  private async computeChunk(rt: ModelRuntime, chunk: StoredChunk, positions: Map<number, ChunkPosition> | null): Promise<void> {
    const layout = rt.layout!;
    const rows = await this.store.readChunkRows(rt.record.id, chunk, layout.payload.length);
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
    const results = [];
    if (rows.n > 0) {
      const { frame, withFlags } = buildFrames(layout, { ...rows, timestamps }, rt.levelsOf);
      for (const entry of rt.fitted) {
        try {
          const metricRows = entry.fitted.calculate(entry.usesFlags ? withFlags : frame);
          results.push(...toRecords(entry, 'analysis', chunk.chunkId, fields, metricRows, partial));
        } catch (e) {
          this.counters.recomputeErrors++;
          this.hooks.error?.('recompute');
          const message = (e as Error).message;
          rt.noteError({ time: new Date().toISOString(), calculator: entry.id, chunk: chunk.key, message });
          this.log.warn('calculator failed on a chunk', { model: rt.record.name, calculator: entry.id, chunk: chunk.key, error: message });
        }
      }
    }
    await this.store.writeChunkResults(rt.record.id, { chunk, nRows: rows.n, startDate, endDate, results });
    rt.stats.chunksComputed++;
    this.counters.chunksComputed++;
  }

  /** Pending (dirty) and total chunks of a model. */
  async chunkCounts(name: string): Promise<{ pending: number; total: number }> {
    const rt = this.runtime(name);
    const chunks = await this.store.chunks(rt.record.id);
    return { pending: chunks.filter((c) => c.dirty).length, total: chunks.length };
  }

  async close(): Promise<void> {
    this.closing = true;
    this.queue.clear();
    while (this.running) await new Promise((r) => setTimeout(r, 5));
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
    await this.store.close();
  }

  /** The family of a stored calculator class (catalog), for callers that only have the class. */
  static familyOf(className: string): string {
    return familyOfCalculator(className)?.id ?? 'other';
  }
}

export interface ChunkPosition {
  index: number;
  startIndex: number;
  endIndex: number;
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
