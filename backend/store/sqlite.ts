/**
 * The SQLite store (better-sqlite3, WAL). Every statement is prepared once; statement variants for
 * optional filters are chosen from fixed SQL fragments, never built from user strings.
 */
import Database from 'better-sqlite3';
import * as fs from 'fs';
import * as path from 'path';
import { MIGRATIONS } from './migrations';
import {
  CHUNK_STAMP_COLUMNS,
  checkFitVersion,
  chunkFromRow,
  chunkStampFromRow,
  decodeRows,
  encodePayloads,
  InvalidMasks,
  invalidMasks,
  modelFromRow,
  matchTargets,
  nullIfNaN,
  payloadWidth,
  RESULT_INSERT_COLUMNS,
  RESULT_SELECT,
  resultFromRow,
  resultValues,
  Row,
  TargetRow,
  unresolvedByModel,
  MODEL_STAMP_SQL,
  modelStampFromRow,
} from './row-codec';
import {
  AcceptedRows,
  ChunkMark,
  ChunkStamp,
  zeroPerStage,
  ErrorStage,
  MAX_KEPT_ERRORS,
  ModelErrorRecord,
  ModelErrorSummary,
  ChunkPlan,
  ChunkResultWrite,
  ModelRecord,
  ModelStamp,
  NewLevel,
  ResultFilter,
  ResultRecord,
  RowBatch,
  SeriesKey,
  Store,
  StoreConflictError,
  StoredChunk,
  StoredFit,
  StoredRows,
  TargetUpdate,
} from './types';

export interface SqliteOptions {
  /**
   * `full` (default): every commit is fsynced, so an acknowledged batch survives power loss too;
   * `normal`: survives a crash of the process (WAL), not of the machine.
   */
  synchronous?: 'full' | 'normal';
}

/** Rows per INSERT statement (600 bound values, far below SQLite's 32766): per-statement overhead is
 * amortised; what is left is SQLite's B-tree work (docs/performance.md, "ingest"). */
const INSERT_ROWS = 100;
const INSERT_COLUMNS = 7;
function multiRowInsert(rows: number): string {
  const one = '(?, ?, ?, ?, ?, ?, ?)';
  return `INSERT OR IGNORE INTO analysis_rows (model_id, seq, row_id, ts, target, payload, invalid) VALUES ${new Array(rows).fill(one).join(', ')}`;
}

function setRowArgs(args: unknown[], o: number, modelId: number, seq: number, batch: RowBatch, i: number, payload: Buffer, invalid: InvalidMasks): void {
  args[o] = modelId;
  args[o + 1] = seq;
  args[o + 2] = batch.ids ? batch.ids[i] : null;
  args[o + 3] = batch.timestamps ? batch.timestamps[i] : null;
  args[o + 4] = batch.targets ? nullIfNaN(batch.targets[i]) : null;
  args[o + 5] = payload;
  args[o + 6] = invalid(i);
}

export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly stmts = new Map<string, Database.Statement>();
  /** Results-changing commits of this connection (data_version only counts other connections'). */
  private ownResultWrites = 0;

  constructor(
    readonly location: string,
    options: SqliteOptions = {},
  ) {
    if (location !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(location)), { recursive: true });
    this.db = new Database(location);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
  }

  private migrate(): void {
    // Each step re-reads the version inside its write transaction, so two connections opening a new
    // file at once (the main thread and the compute worker) cannot both run a migration.
    for (;;) {
      const done = this.write(() => {
        const version = this.db.pragma('user_version', { simple: true }) as number;
        if (version > MIGRATIONS.length) {
          throw new Error(`${this.location}: database schema version ${version} is newer than this Vigil (${MIGRATIONS.length}); upgrade Vigil`);
        }
        if (version === MIGRATIONS.length) return true;
        this.db.exec(MIGRATIONS[version]);
        this.db.pragma(`user_version = ${version + 1}`);
        return false;
      });
      if (done) return;
    }
  }

  /**
   * A write transaction, BEGIN IMMEDIATE: it takes the write lock up front (waiting up to busy_timeout),
   * because a deferred transaction that reads first cannot upgrade while the other connection (the
   * compute worker, or the main thread) has written since: SQLite answers SQLITE_BUSY at once then.
   */
  private write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  async close(): Promise<void> {
    if (this.db.open) {
      // Fold the WAL back into the main file so a copied .db file is complete.
      try {
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        /* another connection may hold it; the WAL stays valid */
      }
      this.db.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // models

  async listModels(): Promise<ModelRecord[]> {
    return (this.stmt('SELECT * FROM models ORDER BY name').all() as Row[]).map((r) => modelFromRow(r));
  }

  async modelStamps(): Promise<ModelStamp[]> {
    return (this.stmt(MODEL_STAMP_SQL).raw(true).all() as unknown[][]).map(modelStampFromRow);
  }

  async getModel(name: string): Promise<ModelRecord | null> {
    const r = this.stmt('SELECT * FROM models WHERE name = ?').get(name) as Row | undefined;
    return r ? modelFromRow(r) : null;
  }

  private modelById(id: number): ModelRecord {
    const r = this.stmt('SELECT * FROM models WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw new Error(`model #${id} not found`);
    return modelFromRow(r);
  }

  async createModel(name: string, definition: unknown): Promise<ModelRecord> {
    const now = Date.now();
    try {
      const info = this.stmt('INSERT INTO models (name, definition, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
        name,
        JSON.stringify(definition),
        now,
        now,
      );
      return this.modelById(Number(info.lastInsertRowid));
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new StoreConflictError(`model '${name}' already exists`);
      throw e;
    }
  }

  async deleteModel(modelId: number): Promise<void> {
    this.ownResultWrites++;
    this.write(() => {
      for (const table of ['results', 'chunks', 'analysis_rows', 'levels', 'reference_data', 'model_errors', 'model_error_totals', 'fits', 'dropped_ids']) {
        this.stmt(`DELETE FROM ${table} WHERE model_id = ?`).run(modelId);
      }
      this.stmt('DELETE FROM models WHERE id = ?').run(modelId);
      // Kept and moved, not deleted: a model registered again under a reused id must not find the
      // generation the series index last read.
      this.resultsChanged(modelId);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // reference

  private insertLevels(modelId: number, levels: NewLevel[]): void {
    const ins = this.stmt('INSERT INTO levels (model_id, column_name, code, value) VALUES (?, ?, ?, ?)');
    for (const l of levels) ins.run(modelId, l.column, l.code, l.value);
  }

  async replaceReference(
    modelId: number,
    args: { layout: unknown; frame: Buffer; rows: number; newLevels: NewLevel[]; results: ResultRecord[]; rechunk?: ChunkMark[] },
  ): Promise<void> {
    this.ownResultWrites++;
    this.write(() => {
      const now = Date.now();
      this.stmt('INSERT OR REPLACE INTO reference_data (model_id, frame, uploaded_at) VALUES (?, ?, ?)').run(modelId, args.frame, now);
      this.stmt('UPDATE models SET layout = ?, reference_rows = ?, fit_version = fit_version + 1, updated_at = ? WHERE id = ?').run(
        JSON.stringify(args.layout),
        args.rows,
        now,
        modelId,
      );
      this.insertLevels(modelId, args.newLevels);
      // Reference results are replaced; analysis results of chunks whose rows retention dropped are kept.
      this.stmt("DELETE FROM results WHERE model_id = ? AND (period = 'reference' OR chunk_id NOT IN (SELECT chunk_id FROM chunks WHERE model_id = ? AND rows_dropped_at IS NOT NULL))").run(modelId, modelId);
      this.insertResults(modelId, args.results);
      // Every chunk is recomputed with the new fit; a chunk that still fails records its error again.
      this.stmt("UPDATE model_errors SET resolved_at = ? WHERE model_id = ? AND stage = 'recompute' AND resolved_at IS NULL").run(now, modelId);
      if (args.rechunk) {
        // New generations above every old one, so a recompute still holding an old chunk cannot clear them.
        const gen = ((this.stmt('SELECT MAX(gen) AS g FROM chunks WHERE model_id = ?').get(modelId) as Row).g as number | null) ?? 0;
        this.stmt('DELETE FROM chunks WHERE model_id = ?').run(modelId);
        this.stmt("DELETE FROM results WHERE model_id = ? AND period = 'analysis'").run(modelId);
        const ins = this.stmt(
          'INSERT INTO chunks (model_id, chunk_id, key, start_seq, end_seq, range_start, range_end, partial, dirty, gen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)',
        );
        for (const c of args.rechunk) ins.run(modelId, c.chunkId, c.key, c.startSeq, c.endSeq, c.rangeStart, c.rangeEnd, c.partial ? 1 : 0, gen + 1);
      } else {
        // Chunks whose rows retention dropped cannot be recomputed: they keep their results (and thresholds).
        this.stmt('UPDATE chunks SET dirty = 1, gen = gen + 1 WHERE model_id = ? AND rows_dropped_at IS NULL').run(modelId);
      }
      this.resultsChanged(modelId);
    });
  }

  /** In a transaction that changes a model's results: moves its results generation (ModelStamp.resultsGen). */
  private resultsChanged(modelId: number): void {
    this.stmt('INSERT INTO model_results (model_id, gen) VALUES (?, 1) ON CONFLICT (model_id) DO UPDATE SET gen = gen + 1').run(modelId);
  }

  async loadFit(modelId: number): Promise<StoredFit | null> {
    const r = this.stmt('SELECT code_version, inputs_hash, checksum, blob FROM fits WHERE model_id = ?').get(modelId) as Row | undefined;
    if (!r) return null;
    return { codeVersion: r.code_version as string, inputsHash: r.inputs_hash as string, checksum: r.checksum as string, blob: r.blob as Buffer };
  }

  async saveFit(modelId: number, fit: StoredFit): Promise<void> {
    this.write(() => {
      this.stmt('INSERT OR REPLACE INTO fits (model_id, code_version, inputs_hash, checksum, blob, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        modelId,
        fit.codeVersion,
        fit.inputsHash,
        fit.checksum,
        fit.blob,
        Date.now(),
      );
    });
  }

  async loadReference(modelId: number): Promise<Buffer | null> {
    const r = this.stmt('SELECT frame FROM reference_data WHERE model_id = ?').get(modelId) as Row | undefined;
    return r ? (r.frame as Buffer) : null;
  }

  async loadLevels(modelId: number): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const r of this.stmt('SELECT column_name, code, value FROM levels WHERE model_id = ? ORDER BY column_name, code').all(modelId) as Row[]) {
      let list = out.get(r.column_name as string);
      if (!list) out.set(r.column_name as string, (list = []));
      list[r.code as number] = r.value as string;
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // ingest

  async ingestRows(modelId: number, batch: RowBatch, plan: (accepted: AcceptedRows) => ChunkPlan): Promise<{ inserted: number; duplicates: number }> {
    const width = batch.values.length;
    const { buf, offsets } = encodePayloads(batch);
    const invalid = invalidMasks(batch.invalidFlags, width);

    const upsertChunk = this.stmt(`
      INSERT INTO chunks (model_id, chunk_id, key, start_seq, end_seq, range_start, range_end, partial, dirty, gen)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 1)
      ON CONFLICT (model_id, chunk_id) DO UPDATE SET key = excluded.key, start_seq = excluded.start_seq,
        end_seq = excluded.end_seq, range_start = excluded.range_start, range_end = excluded.range_end,
        partial = excluded.partial, gen = gen + 1,
        dirty = CASE WHEN rows_dropped_at IS NULL THEN 1 ELSE dirty END, rows_gone = 0`);
    return this.write(() => {
      const model = this.modelById(modelId);
      checkFitVersion(batch, model.fitVersion);
      const before = model.analysisRows;
      let seq = before;
      let targets = 0;
      const acceptedTs = batch.timestamps ? new Float64Array(batch.n) : null;
      const accept = (i: number) => {
        if (acceptedTs) acceptedTs[seq - before] = batch.timestamps![i];
        if (batch.targets && !Number.isNaN(batch.targets[i])) targets++;
        seq++;
      };
      // Rows go in INSERT_ROWS at a time (one statement, one VM run) instead of one statement per row.
      // The tail uses statements of 10 and 1 rows, so only three statements are ever prepared. A row
      // whose id is already stored is ignored; when a statement ignored any, the rows it did insert get
      // wrong (gapped) sequence numbers, so they are deleted and that slice is redone row by row.
      const args: unknown[] = [];
      // Rows whose id retention deleted were stored once: they stay duplicates (the slice goes row by row).
      const dropped = this.droppedInBatch(modelId, batch);
      const sliceDropped = (a: number, count: number) => dropped !== null && dropped.some((i) => i >= a && i < a + count);
      for (let a = 0; a < batch.n; ) {
        const left = batch.n - a;
        const count = left >= INSERT_ROWS ? INSERT_ROWS : left >= 10 ? 10 : 1;
        args.length = count * INSERT_COLUMNS;
        for (let k = 0; k < count; k++) setRowArgs(args, k * INSERT_COLUMNS, modelId, seq + k, batch, a + k, buf.subarray(offsets[a + k], offsets[a + k + 1]), invalid);
        const changes = sliceDropped(a, count) ? -1 : this.stmt(multiRowInsert(count)).run(args).changes;
        if (changes === count) {
          for (let k = 0; k < count; k++) accept(a + k);
        } else {
          if (changes > 0) this.stmt('DELETE FROM analysis_rows WHERE model_id = ? AND seq BETWEEN ? AND ?').run(modelId, seq, seq + count - 1);
          const one = this.stmt(multiRowInsert(1));
          args.length = INSERT_COLUMNS;
          for (let k = 0; k < count; k++) {
            if (dropped !== null && dropped.includes(a + k)) continue;
            setRowArgs(args, 0, modelId, seq, batch, a + k, buf.subarray(offsets[a + k], offsets[a + k + 1]), invalid);
            if (one.run(args).changes === 1) accept(a + k);
          }
        }
        a += count;
      }
      const inserted = seq - before;
      this.insertLevels(modelId, batch.newLevels);
      const now = Date.now();
      this.stmt('UPDATE models SET next_seq = ?, targets = targets + ?, updated_at = ?, last_ingest_at = CASE WHEN ? > 0 THEN ? ELSE last_ingest_at END WHERE id = ?').run(
        seq,
        targets,
        now,
        seq - before,
        batch.receivedAt ?? now,
        modelId,
      );
      if (inserted > 0) {
        const p = plan({ before, count: inserted, timestamps: acceptedTs ? acceptedTs.subarray(0, inserted) : null });
        this.applyPlan(modelId, p, upsertChunk);
      }
      return { inserted, duplicates: batch.n - inserted };
    });
  }

  /** Batch positions whose id is one of a row retention deleted; null when none (the usual case: one probe). */
  private droppedInBatch(modelId: number, batch: RowBatch): number[] | null {
    if (!batch.ids || this.stmt('SELECT 1 FROM dropped_ids WHERE model_id = ? LIMIT 1').get(modelId) === undefined) return null;
    const seen = new Set(
      this.stmt('SELECT j.value FROM json_each(?) AS j JOIN dropped_ids AS d ON d.model_id = ? AND d.row_id = j.value')
        .pluck()
        .all(JSON.stringify(batch.ids), modelId) as string[],
    );
    if (seen.size === 0) return null;
    const out: number[] = [];
    batch.ids.forEach((id, i) => {
      if (id !== null && seen.has(id)) out.push(i);
    });
    return out;
  }

  private applyPlan(modelId: number, p: ChunkPlan, upsertChunk: Database.Statement): void {
    if (p.remove.length > 0) this.ownResultWrites++;
    for (const id of p.remove) {
      this.stmt('DELETE FROM chunks WHERE model_id = ? AND chunk_id = ?').run(modelId, id);
      this.stmt("DELETE FROM results WHERE model_id = ? AND period = 'analysis' AND chunk_id = ?").run(modelId, id);
    }
    if (p.remove.length > 0) this.resultsChanged(modelId);
    for (const c of p.upsert) {
      upsertChunk.run(modelId, c.chunkId, c.key, c.startSeq, c.endSeq, c.rangeStart, c.rangeEnd, c.partial ? 1 : 0);
    }
  }

  async attachTargets(modelId: number, update: TargetUpdate): Promise<{ attached: number; unknown: string[]; expired: { id: string; chunk: string }[] }> {
    const find = this.stmt('SELECT seq, ts, target, invalid FROM analysis_rows WHERE model_id = ? AND row_id = ?');
    const findDropped = this.stmt('SELECT chunk_id FROM dropped_ids WHERE model_id = ? AND row_id = ?');
    const set = this.stmt('UPDATE analysis_rows SET target = ?, invalid = ? WHERE model_id = ? AND seq = ?');
    // A computed chunk becomes dirty for its targets only (2); one already dirty for its rows stays so (1).
    const dirty = this.stmt('UPDATE chunks SET dirty = CASE WHEN dirty = 0 THEN 2 ELSE dirty END, gen = gen + 1 WHERE model_id = ? AND chunk_id = ?');
    return this.write(() => {
      const model = this.modelById(modelId);
      checkFitVersion(update, model.fitVersion);
      // Chunks retention dropped (their rows may still be being deleted): a target there changes nothing.
      const dropped = new Map(
        (this.stmt('SELECT chunk_id, key FROM chunks WHERE model_id = ? AND rows_dropped_at IS NOT NULL').all(modelId) as Row[]).map((c) => [c.chunk_id as number, c.key as string]),
      );
      const { attached, unknown, expired, newTargets, touched } = matchTargets(
        update,
        payloadWidth(model.layout),
        model.analysisRows,
        dropped,
        (id) => find.get(modelId, id) as TargetRow | undefined,
        (id) => (findDropped.get(modelId, id) as Row | undefined)?.chunk_id as number | undefined,
        (r, value, mask) => set.run(value, mask, modelId, r.seq),
      );
      this.insertLevels(modelId, update.newLevels);
      this.stmt('UPDATE models SET targets = targets + ?, updated_at = ? WHERE id = ?').run(newTargets, Date.now(), modelId);
      for (const c of touched) dirty.run(modelId, c);
      return { attached, unknown, expired };
    });
  }

  // ---------------------------------------------------------------------------------------------
  // chunks

  async chunks(modelId: number, opts: { dirtyOnly?: boolean } = {}): Promise<StoredChunk[]> {
    const sql = opts.dirtyOnly
      ? 'SELECT * FROM chunks WHERE model_id = ? AND dirty > 0 ORDER BY chunk_id'
      : 'SELECT * FROM chunks WHERE model_id = ? ORDER BY chunk_id';
    return (this.stmt(sql).all(modelId) as Row[]).map((r) => chunkFromRow(r));
  }

  async chunkStamps(modelIds?: readonly number[]): Promise<ChunkStamp[]> {
    const rows = modelIds
      ? this.stmt(`SELECT ${CHUNK_STAMP_COLUMNS} FROM chunks WHERE model_id IN (SELECT value FROM json_each(?)) ORDER BY model_id, chunk_id`).raw(true).all(JSON.stringify(modelIds))
      : this.stmt(`SELECT ${CHUNK_STAMP_COLUMNS} FROM chunks ORDER BY model_id, chunk_id`).raw(true).all();
    return (rows as unknown[][]).map(chunkStampFromRow);
  }

  async dirtyChunkCount(modelId: number): Promise<number> {
    return this.stmt('SELECT count(*) FROM chunks WHERE model_id = ? AND dirty > 0').pluck().get(modelId) as number;
  }

  async readChunkRows(modelId: number, chunk: ChunkMark, width: number): Promise<StoredRows> {
    const rows =
      chunk.startSeq !== null
        ? (this.stmt('SELECT seq, ts, target, payload, invalid FROM analysis_rows WHERE model_id = ? AND seq BETWEEN ? AND ? ORDER BY seq')
            .raw(true)
            .all(modelId, chunk.startSeq, chunk.endSeq) as unknown[][])
        : (this.stmt('SELECT seq, ts, target, payload, invalid FROM analysis_rows WHERE model_id = ? AND ts >= ? AND ts < ? ORDER BY ts, seq')
            .raw(true)
            .all(modelId, chunk.rangeStart, chunk.rangeEnd) as unknown[][]);
    return decodeRows(rows, width);
  }

  async writeChunkResults(modelId: number, w: ChunkResultWrite): Promise<boolean> {
    this.ownResultWrites++;
    return this.write(() => {
      const cur = this.stmt('SELECT gen, rows_dropped_at FROM chunks WHERE model_id = ? AND chunk_id = ?').get(modelId, w.chunk.chunkId) as Row | undefined;
      if (!cur) return false; // removed meanwhile
      // Retention dropped its rows: results computed from what is left would be of a partial row set.
      if (cur.rows_dropped_at !== null) return false;
      if (w.calculators) {
        this.stmt("DELETE FROM results WHERE model_id = ? AND period = 'analysis' AND chunk_id = ? AND calculator_id IN (SELECT value FROM json_each(?))").run(modelId, w.chunk.chunkId, JSON.stringify(w.calculators));
      } else this.stmt("DELETE FROM results WHERE model_id = ? AND period = 'analysis' AND chunk_id = ?").run(modelId, w.chunk.chunkId);
      this.insertResults(modelId, w.results);
      this.chunkErrors(modelId, w);
      const current = cur.gen === w.chunk.gen;
      this.stmt(
        // computed_at strictly increases per chunk (at least 1 ms past the last write): it marks each write.
        'UPDATE chunks SET n_rows = ?, start_date = ?, end_date = ?, computed_at = MAX(?, IFNULL(computed_at, 0) + 1), dirty = CASE WHEN gen = ? THEN 0 ELSE dirty END WHERE model_id = ? AND chunk_id = ?',
      ).run(w.nRows, w.startDate, w.endDate, Date.now(), w.chunk.gen, modelId, w.chunk.chunkId);
      this.resultsChanged(modelId);
      return current;
    });
  }

  async setChunkPositions(modelId: number, positions: { chunkId: number; index: number; startIndex: number; endIndex: number }[]): Promise<void> {
    // The results' positions are rewritten too: computed_at moves (marks every write of a chunk's result rows,
    // so the series index reads the chunk again even when the chunk's own positions were already these).
    const setChunk = this.stmt('UPDATE chunks SET chunk_index = ?, start_index = ?, end_index = ?, computed_at = computed_at + 1 WHERE model_id = ? AND chunk_id = ?');
    const setResults = this.stmt(
      "UPDATE results SET chunk_index = ?, start_index = ?, end_index = ? WHERE model_id = ? AND period = 'analysis' AND chunk_id = ?",
    );
    this.ownResultWrites++;
    this.write(() => {
      for (const p of positions) {
        setChunk.run(p.index, p.startIndex, p.endIndex, modelId, p.chunkId);
        setResults.run(p.index, p.startIndex, p.endIndex, modelId, p.chunkId);
      }
      if (positions.length > 0) this.resultsChanged(modelId);
    });
  }

  async markAllDirty(modelId: number): Promise<void> {
    this.stmt('UPDATE chunks SET dirty = 1, gen = gen + 1 WHERE model_id = ? AND rows_dropped_at IS NULL').run(modelId);
  }

  /**
   * One process owns a SQLite file, so claims live in this connection's memory (the compute scheduler's):
   * the same contract as PostgreSQL's claims, without a write per claim.
   */
  private readonly claims = new Map<number, Map<number, { owner: string; until: number }>>();

  async claimChunks(modelId: number, owner: string, leaseMs: number, max: number, only?: number[]): Promise<StoredChunk[]> {
    const now = Date.now();
    let held = this.claims.get(modelId);
    if (!held) this.claims.set(modelId, (held = new Map()));
    const out: StoredChunk[] = [];
    const among = only ? new Set(only) : null;
    for (const c of await this.chunks(modelId, { dirtyOnly: true })) {
      if (out.length >= max) break;
      if (among && !among.has(c.chunkId)) continue;
      const claim = held.get(c.chunkId);
      if (claim && claim.until >= now) continue;
      held.set(c.chunkId, { owner, until: now + leaseMs });
      out.push(c);
    }
    return out;
  }

  async releaseClaims(modelId: number, owner: string, chunkIds: number[]): Promise<void> {
    const held = this.claims.get(modelId);
    if (!held) return;
    for (const id of chunkIds) if (held.get(id)?.owner === owner) held.delete(id);
  }

  async renewClaims(modelId: number, owner: string, leaseMs: number, chunkIds: number[]): Promise<number[]> {
    const held = this.claims.get(modelId);
    if (!held) return [];
    const now = Date.now();
    return chunkIds.filter((id) => {
      const claim = held.get(id);
      if (!claim || claim.owner !== owner || claim.until < now) return false;
      claim.until = now + leaseMs;
      return true;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // retention

  async markRowsDropped(modelId: number, chunkIds: number[], at: number): Promise<number[]> {
    const mark = this.stmt('UPDATE chunks SET rows_dropped_at = ? WHERE model_id = ? AND chunk_id = ? AND dirty = 0 AND rows_dropped_at IS NULL');
    return this.write(() => chunkIds.filter((id) => mark.run(at, modelId, id).changes === 1));
  }

  async deleteDroppedRows(modelId: number, chunkId: number, maxRows: number): Promise<{ deleted: number; done: boolean }> {
    return this.write(() => {
      const c = this.stmt('SELECT * FROM chunks WHERE model_id = ? AND chunk_id = ? AND rows_dropped_at IS NOT NULL').get(modelId, chunkId) as Row | undefined;
      if (!c) return { deleted: 0, done: true };
      const chunk = chunkFromRow(c);
      const seqs = (
        chunk.startSeq !== null
          ? this.stmt('SELECT seq FROM analysis_rows WHERE model_id = ? AND seq BETWEEN ? AND ? ORDER BY seq LIMIT ?').pluck().all(modelId, chunk.startSeq, chunk.endSeq, maxRows)
          : this.stmt('SELECT seq FROM analysis_rows WHERE model_id = ? AND ts >= ? AND ts < ? LIMIT ?').pluck().all(modelId, chunk.rangeStart, chunk.rangeEnd, maxRows)
      ) as number[];
      if (seqs.length > 0) {
        const list = JSON.stringify(seqs);
        this.stmt(
          'INSERT OR IGNORE INTO dropped_ids (model_id, row_id, chunk_id) SELECT model_id, row_id, ? FROM analysis_rows WHERE model_id = ? AND row_id IS NOT NULL AND seq IN (SELECT value FROM json_each(?))',
        ).run(chunkId, modelId, list);
        this.stmt('DELETE FROM analysis_rows WHERE model_id = ? AND seq IN (SELECT value FROM json_each(?))').run(modelId, list);
      }
      const done = seqs.length < maxRows;
      if (done) this.stmt('UPDATE chunks SET rows_gone = 1 WHERE model_id = ? AND chunk_id = ?').run(modelId, chunkId);
      return { deleted: seqs.length, done };
    });
  }

  // ---------------------------------------------------------------------------------------------
  // results

  private insertResults(modelId: number, results: ResultRecord[]): void {
    const ins = this.stmt(`INSERT OR REPLACE INTO results (${RESULT_INSERT_COLUMNS}) VALUES (${new Array(26).fill('?').join(', ')})`);
    for (const r of results) ins.run(resultValues(modelId, r));
  }

  async queryResults(f: ResultFilter): Promise<ResultRecord[]> {
    // Fixed fragments chosen by which filters are present; every value is bound.
    const where = ['model_id = @model'];
    const params: Record<string, unknown> = { model: f.modelId };
    if (f.family) {
      where.push('family = @family');
      params.family = f.family;
    }
    if (f.calculatorId) {
      where.push('calculator_id = @calculator');
      params.calculator = f.calculatorId;
    }
    if (f.metrics && f.metrics.length > 0) {
      where.push('metric IN (SELECT value FROM json_each(@metrics))');
      params.metrics = JSON.stringify(f.metrics);
    }
    if (f.columns && f.columns.length > 0) {
      where.push('column_name IN (SELECT value FROM json_each(@columns))');
      params.columns = JSON.stringify(f.columns);
    }
    if (f.period && f.period !== 'both') {
      where.push('period = @period');
      params.period = f.period;
    }
    if (f.chunkIds) {
      where.push('chunk_id IN (SELECT value FROM json_each(@chunks))');
      params.chunks = JSON.stringify(f.chunkIds);
    }
    if (f.from !== null && f.from !== undefined) {
      where.push('end_date >= @from');
      params.from = f.from;
    }
    if (f.to !== null && f.to !== undefined) {
      where.push('start_date <= @to');
      params.to = f.to;
    }
    if (f.alertsOnly) where.push('alert = 1');
    // With a family, the series index (model, family, metric, column, time) is the selective one; left to
    // itself the planner prefers the primary key's (model, period) prefix and scans the whole period.
    const sql = `SELECT ${RESULT_SELECT}
      FROM results ${f.family ? 'INDEXED BY results_series' : ''} WHERE ${where.join(' AND ')}
      ORDER BY calc_order, series_order, period = 'analysis', chunk_index`;
    return (this.stmt(sql).raw(true).all(params) as unknown[][]).map(resultFromRow);
  }

  async resultsVersion(): Promise<string> {
    if (this.announcedWrites) return `announced:${this.ownResultWrites}`;
    return `${this.stmt('PRAGMA data_version').pluck().get() as number}:${this.ownResultWrites}`;
  }

  /** Whether result writes of other connections are announced (noteResultWrite) rather than detected. */
  private announcedWrites = false;

  announceResultWrites(): void {
    this.announcedWrites = true;
  }

  noteResultWrite(): void {
    this.ownResultWrites++;
  }

  localResultWrites(): number {
    return this.ownResultWrites;
  }

  async listSeries(modelId: number, family?: string | null): Promise<SeriesKey[]> {
    const sql = family
      ? `SELECT family, calculator_id, calculator, metric, column_name, MIN(calc_order) AS c, MIN(series_order) AS s FROM results
         WHERE model_id = ? AND family = ? GROUP BY family, calculator_id, calculator, metric, column_name ORDER BY c, s`
      : `SELECT family, calculator_id, calculator, metric, column_name, MIN(calc_order) AS c, MIN(series_order) AS s FROM results
         WHERE model_id = ? GROUP BY family, calculator_id, calculator, metric, column_name ORDER BY c, s`;
    const rows = (family ? this.stmt(sql).all(modelId, family) : this.stmt(sql).all(modelId)) as Row[];
    return rows.map((r) => ({
      family: r.family as string,
      calculator_id: r.calculator_id as string,
      calculator: r.calculator as string,
      metric: r.metric as string,
      column: r.column_name === '' ? null : (r.column_name as string),
    }));
  }

  // ---------------------------------------------------------------------------------------------
  // errors

  private insertError(modelId: number, time: number, e: { stage: ErrorStage; calculator: string | null; chunkId: number | null; chunkKey: string | null; message: string }): void {
    this.stmt('INSERT INTO model_errors (model_id, time, stage, calculator, chunk_id, chunk_key, message) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      modelId,
      time,
      e.stage,
      e.calculator,
      e.chunkId,
      e.chunkKey,
      e.message,
    );
    this.stmt(
      'INSERT INTO model_error_totals (model_id, stage, total) VALUES (?, ?, 1) ON CONFLICT (model_id, stage) DO UPDATE SET total = total + 1',
    ).run(modelId, e.stage);
  }

  /** Keeps the newest MAX_KEPT_ERRORS errors of a model. */
  private pruneErrors(modelId: number): void {
    this.stmt('DELETE FROM model_errors WHERE model_id = ? AND id <= (SELECT id FROM model_errors WHERE model_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)').run(
      modelId,
      modelId,
      MAX_KEPT_ERRORS,
    );
  }

  /** Inside writeChunkResults' transaction: this chunk's failures recorded, earlier ones of calculators that now succeeded resolved. */
  private chunkErrors(modelId: number, w: ChunkResultWrite): void {
    const failed = w.errors ?? [];
    const now = Date.now();
    // Errors of the calculators that ran (all, or w.calculators) and did not fail now are resolved.
    this.stmt(
      "UPDATE model_errors SET resolved_at = ? WHERE model_id = ? AND stage = 'recompute' AND chunk_id = ? AND resolved_at IS NULL AND calculator NOT IN (SELECT value FROM json_each(?)) AND (? IS NULL OR calculator IN (SELECT value FROM json_each(?)))",
    ).run(now, modelId, w.chunk.chunkId, JSON.stringify(failed.map((f) => f.calculator)), w.calculators ? 1 : null, JSON.stringify(w.calculators ?? []));
    if (failed.length === 0) return;
    for (const f of failed) this.insertError(modelId, now, { stage: 'recompute', calculator: f.calculator, chunkId: w.chunk.chunkId, chunkKey: w.chunk.key, message: f.message });
    this.pruneErrors(modelId);
  }

  async recordError(modelId: number, e: { stage: ErrorStage; calculator: string | null; chunkId: number | null; chunkKey: string | null; message: string }): Promise<void> {
    this.write(() => {
      this.insertError(modelId, Date.now(), e);
      this.pruneErrors(modelId);
    });
  }

  async resolveErrors(modelId: number, stage: ErrorStage, opts: { modelLevelOnly?: boolean } = {}): Promise<number> {
    const sql = opts.modelLevelOnly
      ? 'UPDATE model_errors SET resolved_at = ? WHERE model_id = ? AND stage = ? AND chunk_id IS NULL AND resolved_at IS NULL'
      : 'UPDATE model_errors SET resolved_at = ? WHERE model_id = ? AND stage = ? AND resolved_at IS NULL';
    return this.write(() => this.stmt(sql).run(Date.now(), modelId, stage).changes);
  }

  async listErrors(modelId: number): Promise<ModelErrorRecord[]> {
    const rows = this.stmt('SELECT time, stage, calculator, chunk_key, message, resolved_at FROM model_errors WHERE model_id = ? ORDER BY id DESC').all(modelId) as Row[];
    return rows.map((r) => ({
      time: r.time as number,
      stage: r.stage as ErrorStage,
      calculator: r.calculator as string | null,
      chunkKey: r.chunk_key as string | null,
      message: r.message as string,
      resolvedAt: r.resolved_at as number | null,
    }));
  }

  async unresolvedErrorCounts(): Promise<Map<number, Record<ErrorStage, number>>> {
    return unresolvedByModel(this.stmt('SELECT model_id, stage, COUNT(*) AS n FROM model_errors WHERE resolved_at IS NULL GROUP BY model_id, stage').all() as Row[]);
  }

  async errorSummary(modelId: number): Promise<ModelErrorSummary> {
    const totals = zeroPerStage();
    const unresolved = zeroPerStage();
    for (const r of this.stmt('SELECT stage, total FROM model_error_totals WHERE model_id = ?').all(modelId) as Row[]) totals[r.stage as ErrorStage] = r.total as number;
    for (const r of this.stmt('SELECT stage, COUNT(*) AS n FROM model_errors WHERE model_id = ? AND resolved_at IS NULL GROUP BY stage').all(modelId) as Row[]) {
      unresolved[r.stage as ErrorStage] = r.n as number;
    }
    return { totals, unresolved };
  }
}
