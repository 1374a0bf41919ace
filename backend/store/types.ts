/**
 * The storage interface of the Vigil server. The SQLite implementation (sqlite.ts) is the default and
 * PostgreSQL (postgres.ts) the shared one; the interface is asynchronous and made of whole operations
 * (one call = one transaction), so the service does not know which one it runs on.
 *
 * Layout: one row per ingested analysis record, its feature values as a fixed-width float64 payload
 * (numbers, or dictionary codes for categorical columns; NaN = missing), the id, timestamp and target in
 * their own columns so that dedup, time-range chunk scans and late targets are index lookups. Results of
 * every calculator live in one long table that every read path uses.
 */

import type { MetricRow, Period } from '../engine/calculator';

export type { Period };

/** A model as stored. `definition` and `layout` are JSON documents owned by the service. */
export interface ModelRecord {
  id: number;
  name: string;
  definition: unknown;
  /** Resolved column layout (kinds, payload order); null until the reference fixes it. */
  layout: unknown | null;
  createdAt: number;
  updatedAt: number;
  referenceRows: number;
  analysisRows: number;
  targets: number;
  /** Increments every time the reference is replaced. */
  fitVersion: number;
  /** When the last analysis row was accepted (epoch ms), null before any. */
  lastIngestAt: number | null;
}

/** What per-query readers need of every model: identity and versions, without definition or layout. */
export type ModelStamp = Pick<ModelRecord, 'id' | 'name' | 'createdAt' | 'fitVersion' | 'lastIngestAt'> & {
  /**
   * Moved by every transaction that changes the model's results (result writes, renumbering, chunks
   * removed, a new reference): the series index reads the chunk stamps only of models whose value moved.
   */
  resultsGen: number;
};

/** A new categorical level discovered while coercing a batch; persisted in the batch's transaction. */
export interface NewLevel {
  column: string;
  code: number;
  value: string;
}

/** Analysis rows to store, columnar. Every array has `n` entries. */
export interface RowBatch {
  n: number;
  /** Row ids (null entries, or null for a model without an id column: never deduplicated). */
  ids: (string | null)[] | null;
  /** Epoch ms, or null for a model without a timestamp column. */
  timestamps: Float64Array | null;
  /** One array per payload column: the number, or the categorical code; NaN = missing. */
  values: Float64Array[];
  /** Per payload column, 1 where the value had the wrong type (stored as missing); null when none. */
  typeFlags: (Uint8Array | null)[];
  /** Target value or code (NaN = missing), or null when the batch carries no target column. */
  targets: Float64Array | null;
  /**
   * 1 where a value had the right type but is not a valid model output or target (a class the model does
   * not have, a probability outside [0, 1]); stored as missing. Per payload column, then the target at
   * index `values.length`; null (or absent) when none.
   */
  invalidFlags?: (Uint8Array | null)[] | null;
  newLevels: NewLevel[];
  /** When the batch arrived by the server's clock (epoch ms; default: now): the model's last ingest time. */
  receivedAt?: number;
  /**
   * The model's fit version the batch was coded and planned with (its layout and chunking). When the
   * stored one differs (another replica replaced the reference meanwhile) the batch is refused with
   * StoreConflictError and nothing is stored. Absent: not checked.
   */
  fitVersion?: number;
}

/** What was accepted, handed to the chunk planner inside the ingest transaction. */
export interface AcceptedRows {
  /** Rows in the model before this batch. */
  before: number;
  /** Rows accepted (not duplicates), with sequence numbers before .. before+count-1. */
  count: number;
  /** Timestamps of the accepted rows in sequence order (null without a timestamp column). */
  timestamps: Float64Array | null;
}

/** A chunk of the analysis stream: a sequence range (size chunking) or a time range (period chunking). */
export interface ChunkMark {
  /** Stable identity: the chunk number (size chunking) or the period start in ms (period chunking). */
  chunkId: number;
  key: string;
  startSeq: number | null;
  endSeq: number | null;
  rangeStart: number | null;
  rangeEnd: number | null;
  /** For size chunks: the chunk holds fewer rows than it will (the last, still filling). */
  partial: boolean;
}

export interface ChunkPlan {
  upsert: ChunkMark[];
  /** Chunks that no longer exist (e.g. a merged remainder split off); their results are deleted. */
  remove: number[];
}

export interface StoredChunk extends ChunkMark {
  chunkIndex: number | null;
  startIndex: number | null;
  endIndex: number | null;
  startDate: number | null;
  endDate: number | null;
  nRows: number;
  dirty: boolean;
  /** Bumped by every change; a recompute clears `dirty` only if the generation it read is current. */
  gen: number;
  /**
   * Dirty because of late targets only (no row added since it was computed): only the calculators that
   * read targets need to run again. Stored as dirty = 2; rows, a new reference or a rechunk make it 1.
   */
  targetsOnly: boolean;
  /**
   * Retention deleted (or is deleting) the chunk's rows: it is never dirtied or recomputed again and its
   * results are kept (service/retention.ts).
   */
  rowsDropped: boolean;
  /** The deletion of a dropped chunk's rows finished (false again when a late row lands in it). */
  rowsGone: boolean;
  /**
   * When its results were last written (epoch ms, null before any), strictly increasing per chunk: every
   * write of its result rows (a recompute, and a renumbering, which rewrites their positions) changes it,
   * so it tells the Prometheus series index which chunks' results to read again (store-source.ts).
   */
  computedAt?: number | null;
  /**
   * The compute scheduler holding the chunk and until when (epoch ms): only where claims are stored
   * (PostgreSQL, shared by replicas); absent on SQLite, whose claims live in one process.
   */
  claimOwner?: string | null;
  claimUntil?: number | null;
}

/** What the Prometheus series index compares per chunk (every model's chunks in one read). */
export type ChunkStamp = Pick<StoredChunk, 'chunkId' | 'computedAt' | 'chunkIndex' | 'startIndex' | 'endIndex' | 'startDate' | 'endDate'> & { modelId: number };

/** Rows of one chunk read back for computing. */
export interface StoredRows {
  n: number;
  seq: Float64Array;
  timestamps: Float64Array;
  targets: Float64Array;
  values: Float64Array[];
  typeFlags: (Uint8Array | null)[];
  /** Invalid-value flags: per payload column, then the target (width + 1 entries; null = none). */
  invalidFlags: (Uint8Array | null)[];
}

export interface ChunkFields {
  key: string;
  index: number;
  start_index: number;
  end_index: number;
  start_date: number | null;
  end_date: number | null;
}

/** One stored result: a run-contract row plus what the read paths filter and order on. */
export interface ResultRecord extends MetricRow {
  calculator: string;
  id: string;
  family: string;
  period: Period;
  chunkId: number;
  chunk: ChunkFields;
  partial: boolean;
  /** Position of the calculator in the model, and of the series in the calculator's output. */
  calcOrder: number;
  seriesOrder: number;
}

export interface ResultFilter {
  modelId: number;
  family?: string | null;
  calculatorId?: string | null;
  /** Empty or missing = all. */
  metrics?: string[] | null;
  /** Empty or missing = all; `''` selects model-level series (column null). */
  columns?: string[] | null;
  period?: Period | 'both';
  /** Only these analysis chunks (ids); missing = all. */
  chunkIds?: number[] | null;
  /** Epoch ms: a chunk is returned when [start_date, end_date] overlaps [from, to]. */
  from?: number | null;
  to?: number | null;
  alertsOnly?: boolean;
}

export interface SeriesKey {
  family: string;
  calculator_id: string;
  calculator: string;
  metric: string;
  column: string | null;
}

export interface ChunkResultWrite {
  chunk: StoredChunk;
  /** Positional fields and row count found when the rows were read. */
  nRows: number;
  startDate: number | null;
  endDate: number | null;
  results: ResultRecord[];
  /**
   * Calculators that failed on this chunk. In the same transaction they are recorded as `recompute`
   * errors, and earlier unresolved errors of this chunk from calculators that did not fail now are
   * marked resolved.
   */
  errors?: { calculator: string; message: string }[];
  /**
   * Only these calculators were recomputed (a chunk dirtied by late targets only): only their results
   * and errors are replaced; every other calculator's stored rows stay as they are.
   */
  calculators?: string[];
}

/** Where a model's error happened: fitting the reference at start-up, or computing a chunk. */
export type ErrorStage = 'fit' | 'recompute';
export const ERROR_STAGES: readonly ErrorStage[] = ['fit', 'recompute'];

/** A count of 0 for every stage (a model without errors). */
export function zeroPerStage(): Record<ErrorStage, number> {
  return Object.fromEntries(ERROR_STAGES.map((s) => [s, 0])) as Record<ErrorStage, number>;
}

export interface ModelErrorRecord {
  /** epoch ms */
  time: number;
  stage: ErrorStage;
  calculator: string | null;
  chunkKey: string | null;
  message: string;
  /** epoch ms, or null while unresolved */
  resolvedAt: number | null;
}

export interface ModelErrorSummary {
  /** Errors ever recorded, per stage (pruning the history does not lower these). */
  totals: Record<ErrorStage, number>;
  /** Unresolved errors among the kept history, per stage. */
  unresolved: Record<ErrorStage, number>;
}

export interface TargetUpdate {
  ids: string[];
  values: Float64Array;
  /** 1 where the target was invalid (its value is NaN): stored as missing and flagged. */
  invalid?: Uint8Array | null;
  newLevels: NewLevel[];
  /**
   * Maps a matched row (seq, timestamp) to the chunk it belongs to, to mark it dirty; `rows` is the
   * model's row count as stored in the same transaction (another replica may have added rows since the
   * caller last looked).
   */
  chunkOf: (seq: number, ts: number | null, rows: number) => number;
  /** As RowBatch.fitVersion: the fit version whose chunking `chunkOf` follows (absent: not checked). */
  fitVersion?: number;
}

/** A model's persisted fit (service/saved-fits.ts decides whether it is still valid). */
export interface StoredFit {
  codeVersion: string;
  /** Hash of what the fit was made from: reference, definition, calculators. */
  inputsHash: string;
  /** SHA-256 of `blob`. */
  checksum: string;
  blob: Buffer;
}

export interface Store {
  /** Where it lives (file path, or postgres:// URL), for logs and for other threads to open it too. */
  readonly location: string;
  /**
   * Other processes may write to it (PostgreSQL: replicas share the database): the service then looks
   * for models and reference changes made elsewhere (service/replica-sync.ts).
   */
  readonly shared?: boolean;
  close(): Promise<void>;

  listModels(): Promise<ModelRecord[]>;
  /** Every model's stamp, by name (no JSON parsed: the Prometheus series and health read it per query). */
  modelStamps(): Promise<ModelStamp[]>;
  loadFit(modelId: number): Promise<StoredFit | null>;
  saveFit(modelId: number, fit: StoredFit): Promise<void>;
  getModel(name: string): Promise<ModelRecord | null>;
  /** Throws StoreConflictError when the name is taken. */
  createModel(name: string, definition: unknown): Promise<ModelRecord>;
  deleteModel(modelId: number): Promise<void>;

  /**
   * Replaces the reference in one transaction: the encoded frame, the fixed layout, the reference-period
   * results; deletes analysis results and marks every analysis chunk dirty (thresholds changed).
   */
  replaceReference(
    modelId: number,
    args: {
      layout: unknown;
      frame: Buffer;
      rows: number;
      newLevels: NewLevel[];
      results: ResultRecord[];
      /** When the stream's chunking changed (its size derives from the reference): the new chunks. */
      rechunk?: ChunkMark[];
    },
  ): Promise<void>;
  loadReference(modelId: number): Promise<Buffer | null>;
  /** Categorical dictionaries: column → levels by code. */
  loadLevels(modelId: number): Promise<Map<string, string[]>>;

  /**
   * Appends rows in one transaction: rows whose id is already stored (or repeated in the batch) are
   * skipped; `plan` decides which chunks the accepted rows dirty. All or nothing.
   */
  ingestRows(modelId: number, batch: RowBatch, plan: (accepted: AcceptedRows) => ChunkPlan): Promise<{ inserted: number; duplicates: number }>;
  /**
   * Attaches targets to stored rows by id (one transaction); ids not stored are returned, not stored:
   * `expired` those whose row retention deleted (or whose chunk it dropped), with the chunk's key.
   */
  attachTargets(modelId: number, update: TargetUpdate): Promise<{ attached: number; unknown: string[]; expired: { id: string; chunk: string }[] }>;

  chunks(modelId: number, opts?: { dirtyOnly?: boolean }): Promise<StoredChunk[]>;
  /** Every analysis chunk's stamp, of every model or of the given ones, by model and chunk id (one read). */
  chunkStamps(modelIds?: readonly number[]): Promise<ChunkStamp[]>;
  /** Chunks waiting for a recompute (dirty): the model's backlog. */
  dirtyChunkCount(modelId: number): Promise<number>;
  readChunkRows(modelId: number, chunk: ChunkMark, width: number): Promise<StoredRows>;
  /**
   * Replaces the results of one analysis chunk and records its row count and dates; clears `dirty`
   * when the chunk's generation is still the one read. Returns false when the chunk changed meanwhile.
   */
  writeChunkResults(modelId: number, write: ChunkResultWrite): Promise<boolean>;
  /** Renumbers analysis chunks (period chunking: a late row shifts later chunks' indices). */
  setChunkPositions(modelId: number, positions: { chunkId: number; index: number; startIndex: number; endIndex: number }[]): Promise<void>;
  /** Marks every analysis chunk dirty (after a refit), but those whose rows retention dropped. */
  markAllDirty(modelId: number): Promise<void>;

  /**
   * Claims up to `max` dirty chunks of a model for `owner` (a compute scheduler) until now + leaseMs:
   * chunks no live claim holds (`only`: among these chunk ids). With replicas sharing a database
   * (PostgreSQL) no chunk is handed to two of them at once, and a claim whose replica died is taken over
   * once its lease ends. The chunks are returned as read at the claim (their generation is the one the
   * recompute checks).
   */
  claimChunks(modelId: number, owner: string, leaseMs: number, max: number, only?: number[]): Promise<StoredChunk[]>;
  /** Ends `owner`'s claims on these chunks (computed, or given back). */
  releaseClaims(modelId: number, owner: string, chunkIds: number[]): Promise<void>;
  /**
   * Extends `owner`'s live claims on these chunks to now + leaseMs (the scheduler renews while a compute
   * runs, so a long compute is not taken over by another replica). Returns the chunk ids still held: a
   * claim that already ended (and may have been taken over) is not revived.
   */
  renewClaims(modelId: number, owner: string, leaseMs: number, chunkIds: number[]): Promise<number[]>;

  /**
   * Retention, step 1 (one transaction): marks the chunks' rows dropped, only those that are computed
   * (not dirty) and not marked yet. Returns the chunk ids marked.
   */
  markRowsDropped(modelId: number, chunkIds: number[], at: number): Promise<number[]>;
  /**
   * Retention, step 2 (one small transaction per call): deletes up to `maxRows` rows of a marked chunk,
   * keeping their ids; `done` once none is left (the chunk is then `rowsGone`).
   */
  deleteDroppedRows(modelId: number, chunkId: number, maxRows: number): Promise<{ deleted: number; done: boolean }>;

  queryResults(filter: ResultFilter): Promise<ResultRecord[]>;
  /**
   * Changes whenever stored results may have changed, by any connection (for response caches). Cheap:
   * called on every query.
   */
  resultsVersion(): Promise<string>;
  /**
   * From now on, other connections' result writes are announced (noteResultWrite) instead of detected
   * by any commit of another connection: the server's ingest writer thread commits rows on a connection
   * of its own, which change no result (ingest-pipeline.ts).
   */
  announceResultWrites?(): void;
  /** A result write made elsewhere (the compute worker, the ingest writer): resultsVersion changes. */
  noteResultWrite?(): void;
  /**
   * How many result writes this process knows of: the ones committed through this store object and the
   * ones announced by noteResultWrite. A synchronous counter read, no I/O: it moves at least whenever
   * resultsVersion moves for a cause inside this process (other replicas' writes do not move it). The
   * query thread's watch uses it to skip resultsVersion's database round trip on a shared store while
   * nothing changed here (api/prometheus/query-thread.ts).
   */
  localResultWrites?(): number;
  listSeries(modelId: number, family?: string | null): Promise<SeriesKey[]>;

  /** Records a model-level error (a failed fit, a failed recompute run) in its own transaction. */
  recordError(modelId: number, e: { stage: ErrorStage; calculator: string | null; chunkId: number | null; chunkKey: string | null; message: string }): Promise<void>;
  /** Marks unresolved errors of a stage resolved; `modelLevelOnly`: only those not tied to a chunk. */
  resolveErrors(modelId: number, stage: ErrorStage, opts?: { modelLevelOnly?: boolean }): Promise<number>;
  /** The kept error history of a model, newest first. */
  listErrors(modelId: number): Promise<ModelErrorRecord[]>;
  errorSummary(modelId: number): Promise<ModelErrorSummary>;
  /** Every model's unresolved errors per stage, in one read (models without any are left out). */
  unresolvedErrorCounts(): Promise<Map<number, Record<ErrorStage, number>>>;
}

/** Errors kept per model (older ones are pruned; the totals keep counting). */
export const MAX_KEPT_ERRORS = 100;

export class StoreConflictError extends Error {}
