/**
 * The Vigil service: models, reference fits, ingestion, late targets, scoring, and the background
 * recompute of dirty chunks. Routers validate and call it; it owns the order of operations and the
 * recompute queue; the store owns the SQL.
 *
 * Request paths never compute monitoring results: an ingest stores the rows and marks the chunks they
 * touch dirty in one transaction, answers, and schedules the model; the compute core (compute.ts, in a
 * worker thread by default: engine.ts) then recomputes only dirty chunks, with the calculators fitted on
 * the reference once and kept in memory.
 */
import { familyOfCalculator } from '../engine/catalog';
import { prepareFrame } from '../engine/sorted-frames';
import { encodeFrame } from '../store/frame-codec';
import { ModelRecord, RowBatch, Store, StoreConflictError } from '../store/types';
import { BodyFormat, formatOf, ParsedRows, RowsBody, UnsupportedMediaType } from './body';
import { resolveCalculators } from './calculators';
import { chunkIdOf, sizeChunkMarks } from './chunk-plan';
import { coerceColumn, CoercedRows, coerceRows, readIds, sortByTime } from './coerce';
import { ModelStatus } from './compute';
import { BacklogLag } from './backlog-lag';
import { DEFAULT_MAX_BACKLOG_CHUNKS, DEFAULT_MAX_LAG_SECONDS, retryAfterOf, retryAfterSeconds } from './compute-env';
import { ModelDefinition, parseModelDefinition } from './definition';
import { ComputeEngine, createEngine } from './engine';
import { Coalescer, createIngestPipeline, IngestPipeline, retryLater } from './ingest-pipeline';
import { ApiError, badRequest, conflict, unknownModel } from './errors';
import { buildFrames } from './frames';
import { Dictionary, DictionaryOverlay, ModelLayout, resolveColumns, streamChunker } from './layout';
import { Logger, LogLevel, silentLogger } from './log';
import { ReplicaSync, syncIntervalFromEnv } from './replica-sync';
import { retentionIntervalFromEnv, RetentionSweeper } from './retention';
import { ModelRuntime } from './runtime';
import { planSegmentsOfRows, rowSegments, segmentDefinition, segmentOfModelName, splitParsed } from './segment-models';
import { markInvalid, validityRules } from './validity';

export interface ServiceOptions {
  store: Store;
  logger?: Logger;
  hooks?: ServiceHooks;
  /** Where fits and recomputes run: a worker thread (default when built), or inline on this thread. */
  compute?: 'worker' | 'inline' | 'auto';
  /** For the worker's own store connection and logger. */
  synchronous?: 'full' | 'normal';
  logLevel?: LogLevel;
  /** Models whose fitted calculators stay in memory at once (VIGIL_FIT_CACHE). */
  fitCacheSize?: number;
  /** The clock that decides which chunks are open (epoch ms; `vigil demo --now` pins it). */
  now?: () => number;
  /** How often retention deletes expired rows (default: VIGIL_RETENTION_INTERVAL, else 1m; retention.ts). */
  retentionIntervalMs?: number;
  /** Compute worker threads (VIGIL_COMPUTE_THREADS; compute-pool.ts default). */
  computeThreads?: number;
  /**
   * Back-pressure (VIGIL_MAX_BACKLOG): a rows batch is refused with 429 while the model has more dirty
   * chunks than this; 0 turns it off. Default DEFAULT_MAX_BACKLOG_CHUNKS.
   */
  maxBacklogChunks?: number;
  /**
   * Back-pressure on the whole pool (VIGIL_MAX_LAG): a rows batch is refused with 429 while the estimated
   * time to compute every model's waiting chunks (backlog-lag.ts) is above this many seconds; 0 turns it
   * off. Default DEFAULT_MAX_LAG_SECONDS.
   */
  maxLagSeconds?: number;
  /**
   * With a shared store (PostgreSQL): `api` ingests and answers but leaves recomputes to other replicas,
   * `worker` and `all` compute (VIGIL_ROLE, --role). Default all.
   */
  role?: ReplicaRole;
  /** With a shared store: how often models changed by other replicas are looked for (replica-sync.ts). */
  syncIntervalMs?: number;
}

export type ReplicaRole = 'api' | 'worker' | 'all';

/** What the service reports as it works (the server wires these to its /metrics registry). */
export interface ServiceHooks {
  modelsChanged?(count: number): void;
  /** `at`: the server's clock when the batch was stored (epoch ms). */
  ingested?(model: string, rows: number, at: number): void;
  ingestRejected?(model: string): void;
  targetsAttached?(model: string, count: number): void;
  recomputed?(model: string, seconds: number): void;
  queueDepth?(depth: number): void;
  /** A model's backlog: chunks waiting to be recomputed (after ingest, targets and each computed chunk). */
  backlog?(model: string, chunks: number): void;
  /** The estimated seconds to compute every model's waiting chunks (backlog-lag.ts), after each backlog change. */
  lagEstimate?(seconds: number): void;
  /** An error; `model` for the errors stored with a model (fit, recompute). */
  error?(where: string, model?: string): void;
  /** A model is known (at start-up or registered): its stored error totals and last ingest time. */
  modelLoaded?(model: string, state: { errorTotals: Record<string, number>; lastIngestAt: number | null }): void;
  modelDeleted?(model: string): void;
}

export interface ModelSummary {
  name: string;
  problem_type: string | null;
  reference_rows: number;
  analysis_rows: number;
  targets: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The answer to one ingested batch (POST /api/models/{name}/rows). */
export interface IngestAnswer {
  model: string;
  received: number;
  inserted: number;
  duplicates: number;
  unknown_columns: string[];
  missing_columns: string[];
  type_inconsistent: Record<string, number>;
  type_inconsistent_total: number;
  invalid: Record<string, number>;
  invalid_total: number;
}

/** Unknown (or expired) ids listed in a targets response, at most (the count is always given). */
const MAX_LISTED_UNKNOWN_IDS = 100;

/** A 429 refusing a rows batch, with its Retry-After (seconds). */
function backPressure(code: string, message: string, retryAfter: number): ApiError {
  const e = new ApiError(429, code, message, 'path.model');
  e.headers['Retry-After'] = String(retryAfter);
  return e;
}

function bodyFormat(contentType: string | undefined): BodyFormat {
  try {
    return formatOf(contentType);
  } catch (e) {
    if (e instanceof UnsupportedMediaType) throw new ApiError(415, 'unsupported_media_type', e.message, 'header.content-type');
    throw e;
  }
}

export class VigilService {
  readonly store: Store;
  readonly log: Logger;
  readonly engine: ComputeEngine;
  /** Where rows bodies are parsed and ingested batches written (worker threads in the server). */
  private readonly ingest: IngestPipeline;
  private readonly ingestGroups = new WeakMap<ModelRuntime, Coalescer<ParsedRows, IngestAnswer>>();
  private readonly models = new Map<string, ModelRuntime>();
  private closing = false;
  ready = false;
  /** Counters for /metrics and the bench. */
  readonly counters = { rowsIngested: 0, batchesIngested: 0, chunksComputed: 0, recomputeErrors: 0, recomputeMsTotal: 0 };
  readonly hooks: ServiceHooks;
  /** The server's clock (epoch ms): a period chunk is open while its period has not ended by it. */
  readonly now: () => number;
  /** Dirty chunks per model beyond which ingest answers 429 (0: never). */
  readonly maxBacklogChunks: number;
  /** Estimated seconds to clear every model's backlog beyond which ingest answers 429 (0: never). */
  readonly maxLagSeconds: number;
  /** Every model's backlog and recompute pace: the estimated lag of the results. */
  private readonly lag = new BacklogLag();
  /** Deletes analysis rows past their model's retention (retention.ts). */
  readonly retention: RetentionSweeper;
  /** Looks for models other replicas changed (only with a shared store). */
  readonly replicaSync: ReplicaSync | null;
  readonly role: ReplicaRole;

  constructor(opts: ServiceOptions) {
    this.store = opts.store;
    this.now = opts.now ?? (() => Date.now());
    this.log = opts.logger ?? silentLogger;
    this.retention = new RetentionSweeper(
      this.store,
      () => [...this.models.values()].filter((rt) => !rt.deleted && rt.def.retention).map((rt) => ({ name: rt.record.name, id: rt.record.id, def: rt.def, periodChunks: rt.layout?.chunker.type === 'period' })),
      this.now,
      this.log,
      opts.retentionIntervalMs ?? retentionIntervalFromEnv(process.env),
    );
    this.hooks = opts.hooks ?? {};
    this.maxBacklogChunks = opts.maxBacklogChunks ?? DEFAULT_MAX_BACKLOG_CHUNKS;
    this.maxLagSeconds = opts.maxLagSeconds ?? DEFAULT_MAX_LAG_SECONDS;
    const engineOpts = { synchronous: opts.synchronous, logLevel: opts.logLevel ?? 'info', fitCacheSize: opts.fitCacheSize, threads: opts.computeThreads };
    this.engine = createEngine(opts.compute ?? 'auto', this.store, engineOpts, this.log, {
      // Result writes of the compute worker change the store's results version (cached answers).
      chunkComputed: (model) => {
        this.store.noteResultWrite?.();
        void this.reportBacklog(model);
      },
      recomputed: (model, seconds, chunks, chunkSeconds) => {
        this.store.noteResultWrite?.();
        this.lag.noteRecompute(model, chunkSeconds, chunks);
        this.counters.chunksComputed += chunks;
        this.counters.recomputeMsTotal += seconds * 1000;
        this.hooks.recomputed?.(model, seconds);
      },
      error: (model, where) => {
        if (where === 'recompute') this.counters.recomputeErrors++;
        this.hooks.error?.(where, model);
      },
      queueDepth: (depth) => this.hooks.queueDepth?.(depth),
    });
    this.ingest = createIngestPipeline(opts.compute ?? 'auto', this.store, opts.synchronous);
    this.role = opts.role ?? 'all';
    if (this.role === 'api') this.engine.computeChunks = false;
    this.replicaSync = this.store.shared
      ? new ReplicaSync(
          { store: this.store, engine: this.engine, log: this.log, hooks: this.hooks, models: this.models, computes: this.role !== 'api' },
          opts.syncIntervalMs ?? syncIntervalFromEnv(process.env),
        )
      : null;
  }

  /** A rows body parsed (in the ingest parse thread when there is one), its format from the Content-Type. */
  private parseBody(body: RowsBody, contentType: string | undefined): Promise<ParsedRows> {
    return this.ingest.parse(body, bodyFormat(contentType));
  }

  /** Registers every stored model in the compute core (which loads fits on first use), then here. */
  async start(): Promise<void> {
    await this.engine.start();
    for (const record of await this.store.listModels()) {
      const rt = new ModelRuntime(record, record.definition as ModelDefinition);
      for (const [column, levels] of await this.store.loadLevels(record.id)) rt.dicts.set(column, new Dictionary(levels));
      this.models.set(record.name, rt);
      this.hooks.modelLoaded?.(record.name, { errorTotals: (await this.store.errorSummary(record.id)).totals, lastIngestAt: record.lastIngestAt });
      await this.reportBacklog(record.name);
    }
    this.ready = true;
    this.hooks.modelsChanged?.(this.models.size);
    this.retention.start();
    this.replicaSync?.start();
  }

  /** Fit and recompute status of a model (from the compute core). */
  status(name: string): ModelStatus | null {
    return this.engine.status(name);
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
    return this.addModel(def);
  }

  private async addModel(def: ModelDefinition): Promise<ModelRuntime> {
    let record: ModelRecord;
    try {
      record = await this.store.createModel(def.name, def);
    } catch (e) {
      if (e instanceof StoreConflictError) throw conflict('model_exists', e.message, 'name');
      throw e;
    }
    const rt = new ModelRuntime(record, def);
    this.models.set(def.name, rt);
    this.engine.register(record);
    this.hooks.modelLoaded?.(def.name, { errorTotals: (await this.store.errorSummary(record.id)).totals, lastIngestAt: null });
    this.hooks.backlog?.(def.name, 0);
    this.hooks.modelsChanged?.(this.models.size);
    this.log.info('model registered', { model: def.name });
    return rt;
  }

  listModels(): ModelSummary[] {
    return this.modelNames().filter((name) => !segmentOfModelName(name)).map((name) => {
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
      this.engine.forget(name);
      this.lag.forget(name);
      await this.store.deleteModel(rt.record.id);
    });
    this.hooks.modelDeleted?.(name);
    this.hooks.modelsChanged?.(this.models.size);
    this.log.info('model deleted', { model: name });
    for (const segment of this.segmentModels(name)) await this.deleteModel(segment);
  }

  private async refreshRecord(rt: ModelRuntime): Promise<void> {
    const r = await this.store.getModel(rt.record.name);
    if (r) rt.record = r;
  }

  // ---------------------------------------------------------------------------------------------
  // reference

  async putReference(name: string, body: RowsBody, contentType: string | undefined) {
    const rt = this.runtime(name);
    const parsed = await this.parseBody(body, contentType);
    const answer = await this.putParsedReference(rt, parsed);
    if (rt.def.segments) await this.putSegmentReferences(rt, parsed);
    return answer;
  }

  /**
   * A segmented model's segments from its reference: the top K values get a model of their own each
   * (segment-models.ts), made on first use, fitted on their rows; segments no longer in the top K are
   * deleted with their results.
   */
  private async putSegmentReferences(rt: ModelRuntime, parsed: ParsedRows): Promise<void> {
    const spec = rt.def.segments!;
    const segments = rowSegments(parsed, spec.by);
    const plan = planSegmentsOfRows(segments, spec.top_k);
    const parts = splitParsed(parsed, segments, plan);
    for (const old of this.segmentModels(rt.def.name)) {
      if (!plan.includes(segmentOfModelName(old)!.segment)) await this.deleteModel(old);
    }
    for (const [segment, rows] of parts) {
      const def = segmentDefinition(rt.def, segment);
      const child = this.models.get(def.name) ?? (await this.addModel(def));
      try {
        await this.putParsedReference(child, rows);
      } catch (e) {
        // A segment the calculators cannot be fitted on (too few rows...) has no results; the model does.
        this.log.warn('segment reference not fitted', { model: rt.def.name, segment, error: (e as Error).message });
      }
    }
  }

  /** The models of a segmented model's segments. */
  private segmentModels(model: string): string[] {
    return [...this.models.keys()].filter((n) => segmentOfModelName(n)?.model === model);
  }

  /** A segmented model's segments (the values a query's `segment` takes), by name. */
  segmentsOf(model: string): string[] {
    return this.segmentModels(model)
      .map((n) => segmentOfModelName(n)!.segment)
      .sort();
  }

  private async putParsedReference(rt: ModelRuntime, parsed: ParsedRows) {
    const name = rt.record.name;
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
      // Prepared as `vigil run` prepares its reference, by the same function (sorted by time, stable).
      const reference = prepareFrame(withFlags, 'reference', columns.timestamp);
      const specs = [...columns.payload, ...(columns.target ? [columns.target] : [])];
      const frame = encodeFrame(reference);
      const { token, result } = await this.engine.fit(name, specs, frame);
      const chunker = streamChunker(def, rows.n);
      const layout: ModelLayout = {
        payload: columns.payload,
        target: columns.target,
        timestamp: columns.timestamp,
        id: columns.id,
        chunker,
        calculators: result.calculators,
        skipped: result.skipped,
      };
      const chunkerChanged = rt.layout !== null && JSON.stringify(rt.layout.chunker) !== JSON.stringify(chunker);
      const rechunk = chunkerChanged && chunker.type === 'size' ? sizeChunkMarks(rt.record.analysisRows, chunker) : undefined;
      try {
        await this.store.replaceReference(rt.record.id, { layout, frame, rows: rows.n, newLevels: overlay.newLevels(), results: result.records, rechunk });
      } catch (e) {
        this.engine.discard(name, token);
        throw e;
      }
      overlay.commit();
      rt.layout = layout;
      this.engine.adopt(name, token, layout);
      void this.reportBacklog(name);
      await this.refreshRecord(rt);
      this.log.info('reference fitted', { model: name, rows: rows.n, calculators: layout.calculators.map((c) => c.id) });
      return {
        model: name,
        rows: rows.n,
        unknown_columns: rows.unknownColumns,
        missing_columns: rows.missingColumns,
        type_inconsistent: rows.typeInconsistent,
        calculators: layout.calculators.map((c) => ({ class: c.className, id: c.id, family: familyOfCalculator(c.className)?.id ?? 'other' })),
        skipped_calculators: layout.skipped.map((s) => ({ class: s.className, reason: s.reason })),
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

  async ingestRows(name: string, body: RowsBody, contentType: string | undefined) {
    try {
      return await this.ingestRowsUnchecked(name, body, contentType);
    } catch (e) {
      if (e instanceof ApiError && e.status !== 404) this.hooks.ingestRejected?.(name);
      throw e;
    }
  }

  private async ingestRowsUnchecked(name: string, body: RowsBody, contentType: string | undefined) {
    const rt = this.runtime(name);
    await this.refuseOverBacklog(rt);
    const parsed = await this.parseBody(body, contentType);
    const answer = await this.submitRows(rt, parsed);
    if (rt.def.segments && !(answer instanceof Error)) await this.ingestSegmentRows(rt, parsed);
    return answer;
  }

  private submitRows(rt: ModelRuntime, parsed: ParsedRows) {
    // Batches parsed while the model's previous ones are being written are written together.
    let group = this.ingestGroups.get(rt);
    if (!group) this.ingestGroups.set(rt, (group = new Coalescer((batches: ParsedRows[]) => this.ingestGroup(rt, batches))));
    return group.submit(parsed);
  }

  /**
   * A segmented model's rows, once stored, to its segments' models (a value outside the top K to
   * `__other__`). A segment's refusal (e.g. its reference could not be fitted) is logged: the model's
   * own answer stands.
   */
  private async ingestSegmentRows(rt: ModelRuntime, parsed: ParsedRows): Promise<void> {
    const children = this.segmentModels(rt.def.name).map((n) => this.models.get(n)!);
    const plan = children.map((c) => c.def.segment_of!.segment);
    const parts = splitParsed(parsed, rowSegments(parsed, rt.def.segments!.by), plan);
    await Promise.all(
      children.map(async (child) => {
        const rows = parts.get(child.def.segment_of!.segment);
        if (!rows || !child.layout) return;
        try {
          await this.submitRows(child, rows);
        } catch (e) {
          this.log.warn('segment rows not stored', { model: rt.def.name, segment: child.def.segment_of!.segment, error: (e as Error).message });
        }
      }),
    );
  }

  /**
   * Coerces batches of one model in arrival order, each with the levels of the ones before it, and has
   * the ingest writer store them (each batch in a transaction of its own). A batch refused by coercion
   * (400) leaves the others alone; when a write fails, the levels kept in memory are reloaded from the
   * store, where only the batches written before the failure put theirs.
   */
  private ingestGroup(rt: ModelRuntime, group: ParsedRows[]) {
    const name = rt.record.name;
    return rt.lock.run(async () => {
      if (rt.deleted) throw unknownModel(name);
      const layout = this.requireLayout(rt);
      const answers: (IngestAnswer | Error)[] = new Array(group.length);
      const coerced: { k: number; rows: CoercedRows; batch: RowBatch }[] = [];
      for (let k = 0; k < group.length; k++) {
        const overlay = new DictionaryOverlay(rt.dicts);
        try {
          const rows = sortByTime(coerceRows(group[k], layout, overlay, { requireId: true, validity: validityRules(rt.def) }));
          const batch: RowBatch = {
            n: rows.n,
            ids: rows.ids,
            timestamps: rows.timestamps,
            values: rows.values,
            typeFlags: rows.typeFlags,
            targets: rows.targets,
            invalidFlags: rows.invalidFlags,
            receivedAt: this.now(),
            // Coded with this layout: refused if another replica replaced the reference since (503, resent once synced).
            fitVersion: rt.record.fitVersion,
            newLevels: overlay.newLevels(),
          };
          overlay.commit();
          coerced.push({ k, rows, batch });
        } catch (e) {
          answers[k] = e as Error;
        }
      }
      // Written by the ingest writer thread (ingest-pipeline.ts): the commits do not hold this thread.
      const replies = await this.ingest.writeMany(
        rt.record.id,
        coerced.map((c) => c.batch),
        layout.chunker,
      );
      if (replies.some((r) => r instanceof Error)) {
        rt.dicts.clear();
        for (const [column, levels] of await this.store.loadLevels(rt.record.id)) rt.dicts.set(column, new Dictionary(levels));
      }
      await this.refreshRecord(rt);
      let inserted = 0;
      coerced.forEach(({ k, rows }, i) => {
        const res = replies[i];
        if (res instanceof Error) {
          answers[k] = res;
          return;
        }
        if (res.resultsRemoved) this.store.noteResultWrite?.();
        inserted += res.inserted;
        this.counters.rowsIngested += res.inserted;
        this.counters.batchesIngested++;
        this.hooks.ingested?.(name, res.inserted, coerced[i].batch.receivedAt ?? this.now());
        const inconsistent = Object.values(rows.typeInconsistent).reduce((a, b) => a + b, 0);
        answers[k] = {
          model: name,
          received: rows.n,
          inserted: res.inserted,
          duplicates: res.duplicates,
          unknown_columns: rows.unknownColumns,
          // Targets usually come later (POST .../targets): a rows body without the target column is expected.
          missing_columns: rows.missingColumns.filter((c) => c !== layout.target?.name),
          type_inconsistent: rows.typeInconsistent,
          type_inconsistent_total: inconsistent,
          invalid: rows.invalid,
          invalid_total: Object.values(rows.invalid).reduce((a, b) => a + b, 0),
        };
      });
      if (inserted > 0) this.engine.schedule(name);
      void this.reportBacklog(name);
      return answers;
    });
  }

  /**
   * Back-pressure: while the model has more dirty chunks than the bound, a rows batch is refused (429,
   * nothing stored) with a Retry-After from the recent pace of the compute threads, rather than letting
   * results fall further behind.
   */
  private async refuseOverBacklog(rt: ModelRuntime): Promise<void> {
    if (!rt.layout) return;
    if (this.maxBacklogChunks > 0) {
      const pending = await this.store.dirtyChunkCount(rt.record.id);
      if (pending > this.maxBacklogChunks) {
        const retryAfter = retryAfterSeconds(pending - this.maxBacklogChunks, this.lag.secondsPerChunk(), this.engine.threads);
        throw backPressure('backlog', `model '${rt.record.name}' has ${pending} chunks waiting to be recomputed, more than the bound of ${this.maxBacklogChunks} (VIGIL_MAX_BACKLOG); nothing was stored: retry in ${retryAfter} s`, retryAfter);
      }
    }
    this.refuseOverLag(rt);
  }

  /**
   * Back-pressure on the whole pool: while the estimated time to compute every model's waiting chunks is
   * above VIGIL_MAX_LAG, a rows batch is refused (429, nothing stored), whichever model it is for, with a
   * Retry-After of the time to get back under the bound. The estimate reads no store (backlog-lag.ts).
   */
  private refuseOverLag(rt: ModelRuntime): void {
    if (this.maxLagSeconds <= 0) return;
    const estimate = this.lagEstimate();
    if (estimate <= this.maxLagSeconds) return;
    const retryAfter = retryAfterOf(estimate - this.maxLagSeconds);
    throw backPressure(
      'lag',
      `the compute threads have an estimated ${estimate.toFixed(1)} s of work waiting (${this.lag.totalPending()} chunks across all models), more than the bound of ${this.maxLagSeconds} s (VIGIL_MAX_LAG); nothing was stored for model '${rt.record.name}': retry in ${retryAfter} s`,
      retryAfter,
    );
  }

  /** Estimated seconds for the compute threads to compute every model's waiting chunks (backlog-lag.ts). */
  lagEstimate(): number {
    return this.lag.estimateSeconds(this.engine.threads);
  }

  async attachTargets(name: string, body: RowsBody, contentType: string | undefined) {
    const rt = this.runtime(name);
    const parsed = await this.parseBody(body, contentType);
    const answer = await this.attachParsedTargets(rt, parsed);
    // Targets bodies carry ids, not segments: every segment's model takes the ids it has.
    for (const segment of rt.def.segments ? this.segmentModels(name) : []) {
      const child = this.models.get(segment)!;
      if (child.layout) await this.attachParsedTargets(child, parsed).catch((e) => this.log.warn('segment targets not stored', { model: name, segment, error: (e as Error).message }));
    }
    return answer;
  }

  private async attachParsedTargets(rt: ModelRuntime, parsed: ParsedRows) {
    const name = rt.record.name;
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
      // A target of the right type that is not one of the model's classes is stored as missing and flagged.
      const rule = validityRules(rt.def)[layout.target.name];
      const invalid = rule ? markInvalid(rule, layout.target.kind, target.values, () => overlay.levelsOf(layout.target!.name)) : { flags: null, count: 0 };
      const keepIds: string[] = [];
      const keepValues: number[] = [];
      const keepInvalid: number[] = [];
      let missing = 0;
      for (let i = 0; i < parsed.n; i++) {
        const bad = invalid.flags?.[i] === 1;
        if (Number.isNaN(target.values[i]) && !bad) missing++;
        else {
          keepIds.push(ids[i]);
          keepValues.push(target.values[i]);
          keepInvalid.push(bad ? 1 : 0);
        }
      }
      const res = await this.store.attachTargets(rt.record.id, {
        ids: keepIds,
        values: Float64Array.from(keepValues),
        invalid: invalid.count > 0 ? Uint8Array.from(keepInvalid) : null,
        newLevels: overlay.newLevels(),
        chunkOf: (seq, ts, stored) => chunkIdOf(seq, ts, stored, layout.chunker),
        fitVersion: rt.record.fitVersion,
      }).catch((e) => {
        throw e instanceof StoreConflictError ? retryLater(e) : e;
      });
      overlay.commit();
      await this.refreshRecord(rt);
      this.hooks.targetsAttached?.(name, res.attached);
      if (res.attached > 0) this.engine.schedule(name);
      void this.reportBacklog(name);
      return {
        model: name,
        received: parsed.n,
        attached: res.attached,
        unknown_ids: res.unknown.slice(0, MAX_LISTED_UNKNOWN_IDS),
        unknown_ids_count: res.unknown.length,
        // Rows retention deleted: their chunks keep the results computed without these targets.
        expired_ids: res.expired.slice(0, MAX_LISTED_UNKNOWN_IDS).map((e) => e.id),
        expired_ids_count: res.expired.length,
        expired_chunks: [...new Set(res.expired.map((e) => e.chunk))].slice(0, MAX_LISTED_UNKNOWN_IDS),
        missing_targets: missing - target.inconsistent,
        type_inconsistent: target.inconsistent,
        invalid: invalid.count,
        unknown_columns: parsed.names.filter((c) => c !== layout.id && c !== layout.target!.name),
      };
    });
  }

  // ---------------------------------------------------------------------------------------------
  // scoring

  async score(name: string, body: RowsBody, contentType: string | undefined) {
    const rt = this.runtime(name);
    const layout = this.requireLayout(rt);
    const parsed = await this.parseBody(body, contentType);
    // Scoring needs the features only: no timestamp, and ids are echoed when present.
    const columns = { ...layout, timestamp: null };
    const overlay = new DictionaryOverlay(rt.dicts); // never committed: scored rows are not stored
    const rows = coerceRows(parsed, columns, overlay, { requireId: false });
    const { frame } = buildFrames(columns, rows, (c) => overlay.levelsOf(c));
    const scored = await this.engine.score(name, encodeFrame(frame));
    if ('error' in scored) {
      if (scored.error === 'not_available') {
        throw new ApiError(501, 'not_implemented', 'outlier scoring is not available in this build (backend/engine/outliers does not export scoreRows)', 'path');
      }
      throw conflict('no_outlier_model', `model '${name}' has no fitted OutlierDetectionCalculator to score with`, 'path.model');
    }
    return {
      model: name,
      calculator_id: scored.calculatorId,
      threshold: scored.threshold,
      rows: scored.rows.map((r, i) => ({ ...(rows.ids ? { id: rows.ids[i] } : {}), ...r })),
      unknown_columns: rows.unknownColumns,
      missing_columns: rows.missingColumns.filter((c) => c !== columns.target?.name), // scoring reads no target
      type_inconsistent: rows.typeInconsistent,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // recompute

  /** Resolves when no recompute is queued or running. */
  idle(): Promise<void> {
    return this.engine.idle();
  }

  /** Records a model's backlog for the lag estimate and reports both (hooks.backlog, hooks.lagEstimate); never throws. */
  private async reportBacklog(name: string): Promise<void> {
    const rt = this.models.get(name);
    if (!rt || rt.deleted) return;
    try {
      const chunks = await this.store.dirtyChunkCount(rt.record.id);
      if (rt.deleted) return;
      this.lag.setPending(name, chunks);
      this.hooks.backlog?.(name, chunks);
      this.hooks.lagEstimate?.(this.lagEstimate());
    } catch (e) {
      this.log.warn('could not read the recompute backlog', { model: name, error: (e as Error).message });
    }
  }

  /** Pending (dirty) and total chunks of a model. */
  async chunkCounts(name: string): Promise<{ pending: number; total: number }> {
    const rt = this.runtime(name);
    const chunks = await this.store.chunks(rt.record.id);
    return { pending: chunks.filter((c) => c.dirty).length, total: chunks.length };
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.replicaSync?.stop();
    await this.retention.stop();
    await this.engine.close();
    await this.ingest.close();
    await this.store.close();
  }

  /** The family of a stored calculator class (catalog), for callers that only have the class. */
  static familyOf(className: string): string {
    return familyOfCalculator(className)?.id ?? 'other';
  }
}
