/**
 * The PostgreSQL store (`pg` 8): the same Store as sqlite.ts, on a database several Vigil replicas share.
 *
 * - Opening is synchronous (the caller gets a Store at once, as with SQLite); the pool connects and the
 *   migrations run on first use, under an advisory lock, so replicas starting together migrate once.
 * - Every call is one transaction on one pooled connection. A batch of rows locks its model's row first
 *   (`SELECT ... FOR UPDATE`), so the ingests of one model are serialised across replicas: sequence
 *   numbers stay dense and the id check against stored rows cannot race. Rows go in with multi-row
 *   `INSERT ... SELECT FROM unnest(arrays)` statements, a few thousand rows each.
 * - A result write locks its chunk's row and checks the generation it read, as on SQLite, and bumps the
 *   one `results_version` row in the same transaction: resultsVersion() is that number, so every
 *   replica's response caches see every replica's writes, with no message between them.
 * - Locks are taken in one order everywhere, so concurrent transactions of replicas never deadlock: the
 *   model's row, then chunk rows in chunk id order (lockChunks), then results, then the results version
 *   row last (a transaction holding it waits for nothing more).
 * - Recompute work is claimed through the database: claimChunks takes dirty chunks whose claim is free or
 *   expired with `FOR UPDATE SKIP LOCKED`, and marks them with the owner and a lease; a replica that dies
 *   holding a claim loses it when the lease ends.
 */
import { Pool, PoolClient, types as pgTypes } from 'pg';
import { redactLocation } from './location';
import { PG_MIGRATIONS } from './postgres-migrations';
import {
  CHUNK_STAMP_COLUMNS,
  checkFitVersion,
  chunkFromRow,
  chunkStampFromRow,
  decodeRows,
  encodePayloads,
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
  ChunkPlan,
  ChunkResultWrite,
  ChunkStamp,
  zeroPerStage,
  ErrorStage,
  MAX_KEPT_ERRORS,
  ModelErrorRecord,
  ModelErrorSummary,
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

/** Rows per INSERT statement: each row is 7 array elements, so a statement stays a few MB at most. */
const INSERT_ROWS = 5000;
/** Result rows per INSERT statement. */
const RESULT_ROWS = 2000;
/** Advisory lock key of the migrations ('vigi' in ASCII). */
const MIGRATION_LOCK = 0x76696769;

/**
 * BIGINT (sequence numbers, counters) and NUMERIC come back as numbers, not strings: every one Vigil
 * stores stays far below 2^53. Per pool, so other users of `pg` in the process are not affected.
 */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pgTypes.builtins.INT8 || oid === pgTypes.builtins.NUMERIC) return (v: string) => Number(v);
    return pgTypes.getTypeParser(oid, format as 'text');
  },
};

/** A bound number: NaN is stored as NULL, as SQLite stores it. */
const num = (v: number | null | undefined): number | null => (v === null || v === undefined || Number.isNaN(v) ? null : v);

export interface PostgresOptions {
  /** Connections in this store's pool (each thread of a replica opens its own store). */
  poolSize?: number;
}

export class PostgresStore implements Store {
  readonly shared = true;
  private readonly pool: Pool;
  private readonly ready: Promise<void>;
  /** Result writes announced by another thread of this process (added to the stored version). */
  private ownResultWrites = 0;
  /** Result writes committed through this store (each also bumped the stored version). */
  private committedResultWrites = 0;
  /** The connections whose open transaction bumped the results version (counted at their commit). */
  private readonly bumped = new Set<PoolClient>();

  constructor(
    readonly location: string,
    options: PostgresOptions = {},
  ) {
    this.pool = new Pool({ connectionString: location, max: options.poolSize ?? 4, types: TYPES, idleTimeoutMillis: 30_000 });
    // A connection that breaks while idle is replaced on the next call; it must not crash the process.
    this.pool.on('error', () => undefined);
    this.ready = this.migrate();
    this.ready.catch(() => undefined); // reported by the first call that awaits it
  }

  /** Runs the pending migrations in one transaction under an advisory lock (replicas may start together). */
  private async migrate(): Promise<void> {
    let c: PoolClient;
    try {
      c = await this.pool.connect();
    } catch (e) {
      throw new Error(`cannot connect to the PostgreSQL store ${redactLocation(this.location)}: ${(e as Error).message}`);
    }
    try {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await c.query('CREATE TABLE IF NOT EXISTS vigil_schema (version INTEGER NOT NULL)');
      const r = await c.query('SELECT version FROM vigil_schema');
      let version = r.rows.length > 0 ? (r.rows[0].version as number) : 0;
      if (r.rows.length === 0) await c.query('INSERT INTO vigil_schema (version) VALUES (0)');
      if (version > PG_MIGRATIONS.length) {
        throw new Error(`${redactLocation(this.location)}: database schema version ${version} is newer than this Vigil (${PG_MIGRATIONS.length}); upgrade Vigil`);
      }
      for (; version < PG_MIGRATIONS.length; version++) await c.query(PG_MIGRATIONS[version]);
      await c.query('UPDATE vigil_schema SET version = $1', [version]);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  /** The schema version (vigil_schema), for tests and logs. */
  async schemaVersion(): Promise<number> {
    await this.ready;
    return (await this.pool.query('SELECT version FROM vigil_schema')).rows[0].version as number;
  }

  /** One statement outside a transaction (reads). */
  private async q(sql: string, params: unknown[] = []): Promise<Row[]> {
    await this.ready;
    return (await this.pool.query(sql, params)).rows as Row[];
  }

  /** One statement, rows as arrays (the hot reads: rows of a chunk, results). */
  private async qa(sql: string, params: unknown[] = []): Promise<unknown[][]> {
    await this.ready;
    return (await this.pool.query({ text: sql, values: params, rowMode: 'array' })).rows as unknown[][];
  }

  /** `fn` in one transaction on one connection; rolled back when it throws. */
  private async tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    await this.ready;
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      // Counted once committed: a watch that read the version before the commit reads it again.
      if (this.bumped.delete(c)) this.committedResultWrites++;
      return out;
    } catch (e) {
      this.bumped.delete(c);
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  /** Locks these chunks' rows (all of the model's when `ids` is null) in chunk id order. */
  private static async lockChunks(c: PoolClient, modelId: number, ids: number[] | null): Promise<void> {
    if (ids === null) await c.query('SELECT 1 FROM chunks WHERE model_id = $1 ORDER BY chunk_id FOR UPDATE', [modelId]);
    else if (ids.length > 0) await c.query('SELECT 1 FROM chunks WHERE model_id = $1 AND chunk_id = ANY($2::float8[]) ORDER BY chunk_id FOR UPDATE', [modelId, ids]);
  }

  /**
   * Last in a transaction: nothing is waited for while holding the version row. With a model, its
   * results generation moves first (ModelStamp.resultsGen), so writers take the two rows in one order.
   */
  private async bumpResultsVersion(c: PoolClient, modelId?: number): Promise<void> {
    if (modelId !== undefined) {
      await c.query('INSERT INTO model_results (model_id, gen) VALUES ($1, 1) ON CONFLICT (model_id) DO UPDATE SET gen = model_results.gen + 1', [modelId]);
    }
    await c.query('UPDATE results_version SET version = version + 1');
    this.bumped.add(c);
  }

  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    await this.pool.end();
  }

  // ---------------------------------------------------------------------------------------------
  // models

  async listModels(): Promise<ModelRecord[]> {
    return (await this.q('SELECT * FROM models ORDER BY name')).map(modelFromRow);
  }

  async modelStamps(): Promise<ModelStamp[]> {
    return (await this.qa(MODEL_STAMP_SQL)).map(modelStampFromRow);
  }

  async getModel(name: string): Promise<ModelRecord | null> {
    const [r] = await this.q('SELECT * FROM models WHERE name = $1', [name]);
    return r ? modelFromRow(r) : null;
  }

  async createModel(name: string, definition: unknown): Promise<ModelRecord> {
    const now = Date.now();
    try {
      const [r] = await this.q('INSERT INTO models (name, definition, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING *', [name, JSON.stringify(definition), now]);
      return modelFromRow(r);
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw new StoreConflictError(`model '${name}' already exists`);
      throw e;
    }
  }

  async deleteModel(modelId: number): Promise<void> {
    await this.tx(async (c) => {
      for (const table of ['results', 'chunks', 'analysis_rows', 'levels', 'reference_data', 'model_errors', 'model_error_totals', 'fits', 'dropped_ids']) {
        await c.query(`DELETE FROM ${table} WHERE model_id = $1`, [modelId]);
      }
      await c.query('DELETE FROM models WHERE id = $1', [modelId]);
      // The generation is kept and moved (see SqliteStore.deleteModel).
      await this.bumpResultsVersion(c, modelId);
    });
  }

  async loadFit(modelId: number): Promise<StoredFit | null> {
    const [r] = await this.q('SELECT code_version, inputs_hash, checksum, blob FROM fits WHERE model_id = $1', [modelId]);
    if (!r) return null;
    return { codeVersion: r.code_version as string, inputsHash: r.inputs_hash as string, checksum: r.checksum as string, blob: r.blob as Buffer };
  }

  async saveFit(modelId: number, fit: StoredFit): Promise<void> {
    await this.q(
      `INSERT INTO fits (model_id, code_version, inputs_hash, checksum, blob, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (model_id) DO UPDATE SET code_version = excluded.code_version, inputs_hash = excluded.inputs_hash,
         checksum = excluded.checksum, blob = excluded.blob, created_at = excluded.created_at`,
      [modelId, fit.codeVersion, fit.inputsHash, fit.checksum, fit.blob, Date.now()],
    );
  }

  // ---------------------------------------------------------------------------------------------
  // reference

  /**
   * Stores new categorical levels. A code another replica stored meanwhile for the same value is fine;
   * for another value the two replicas' dictionaries diverged: the transaction fails (the service then
   * reloads its dictionaries from the store, and a retry of the batch codes its values with them).
   */
  private async insertLevels(c: PoolClient, modelId: number, levels: NewLevel[]): Promise<void> {
    if (levels.length === 0) return;
    const clash = await c.query(
      `WITH new AS (SELECT * FROM unnest($2::text[], $3::int[], $4::text[]) AS t(column_name, code, value)),
       ins AS (INSERT INTO levels (model_id, column_name, code, value) SELECT $1, column_name, code, value FROM new
               ON CONFLICT (model_id, column_name, code) DO NOTHING RETURNING column_name, code)
       SELECT new.column_name, new.code, new.value, l.value AS stored FROM new
         JOIN levels l ON l.model_id = $1 AND l.column_name = new.column_name AND l.code = new.code
       WHERE l.value <> new.value`,
      [modelId, levels.map((l) => l.column), levels.map((l) => l.code), levels.map((l) => l.value)],
    );
    if (clash.rows.length > 0) {
      const r = clash.rows[0];
      throw new StoreConflictError(`column '${r.column_name}': level code ${r.code} is '${r.stored}' in the store, not '${r.value}' (another replica added levels meanwhile; retry)`);
    }
  }

  async replaceReference(
    modelId: number,
    args: { layout: unknown; frame: Buffer; rows: number; newLevels: NewLevel[]; results: ResultRecord[]; rechunk?: ChunkMark[] },
  ): Promise<void> {
    await this.tx(async (c) => {
      const now = Date.now();
      await c.query(
        'INSERT INTO reference_data (model_id, frame, uploaded_at) VALUES ($1, $2, $3) ON CONFLICT (model_id) DO UPDATE SET frame = excluded.frame, uploaded_at = excluded.uploaded_at',
        [modelId, args.frame, now],
      );
      await c.query('UPDATE models SET layout = $1, reference_rows = $2, fit_version = fit_version + 1, updated_at = $3 WHERE id = $4', [JSON.stringify(args.layout), args.rows, now, modelId]);
      await PostgresStore.lockChunks(c, modelId, null);
      await this.insertLevels(c, modelId, args.newLevels);
      // Reference results are replaced; analysis results of chunks whose rows retention dropped are kept.
      await c.query(
        "DELETE FROM results WHERE model_id = $1 AND (period = 'reference' OR chunk_id NOT IN (SELECT chunk_id FROM chunks WHERE model_id = $1 AND rows_dropped_at IS NOT NULL))",
        [modelId],
      );
      await this.insertResults(c, modelId, args.results);
      // Every chunk is recomputed with the new fit; a chunk that still fails records its error again.
      await c.query("UPDATE model_errors SET resolved_at = $1 WHERE model_id = $2 AND stage = 'recompute' AND resolved_at IS NULL", [now, modelId]);
      if (args.rechunk) {
        // New generations above every old one, so a recompute still holding an old chunk cannot clear them.
        const gen = ((await c.query('SELECT MAX(gen) AS g FROM chunks WHERE model_id = $1', [modelId])).rows[0].g as number | null) ?? 0;
        await c.query('DELETE FROM chunks WHERE model_id = $1', [modelId]);
        await c.query("DELETE FROM results WHERE model_id = $1 AND period = 'analysis'", [modelId]);
        await this.upsertChunks(c, modelId, args.rechunk, gen + 1);
      } else {
        await c.query('UPDATE chunks SET dirty = 1, gen = gen + 1 WHERE model_id = $1 AND rows_dropped_at IS NULL', [modelId]);
      }
      await this.bumpResultsVersion(c, modelId);
    });
  }

  async loadReference(modelId: number): Promise<Buffer | null> {
    const [r] = await this.q('SELECT frame FROM reference_data WHERE model_id = $1', [modelId]);
    return r ? (r.frame as Buffer) : null;
  }

  async loadLevels(modelId: number): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const r of await this.q('SELECT column_name, code, value FROM levels WHERE model_id = $1 ORDER BY column_name, code', [modelId])) {
      let list = out.get(r.column_name as string);
      if (!list) out.set(r.column_name as string, (list = []));
      list[r.code as number] = r.value as string;
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // ingest

  /**
   * Inserts chunk marks, or updates them (a new generation, dirty unless retention dropped their rows).
   * `gen` is the generation of new chunks.
   */
  private async upsertChunks(c: PoolClient, modelId: number, marks: ChunkMark[], gen = 1): Promise<void> {
    if (marks.length === 0) return;
    marks = [...marks].sort((x, y) => x.chunkId - y.chunkId);
    await c.query(
      `INSERT INTO chunks (model_id, chunk_id, key, start_seq, end_seq, range_start, range_end, partial, dirty, gen)
       SELECT $1::int, *, 1, $9::bigint FROM unnest($2::float8[], $3::text[], $4::bigint[], $5::bigint[], $6::float8[], $7::float8[], $8::smallint[])
       ON CONFLICT (model_id, chunk_id) DO UPDATE SET key = excluded.key, start_seq = excluded.start_seq,
         end_seq = excluded.end_seq, range_start = excluded.range_start, range_end = excluded.range_end,
         partial = excluded.partial, gen = chunks.gen + 1,
         dirty = CASE WHEN chunks.rows_dropped_at IS NULL THEN 1 ELSE chunks.dirty END, rows_gone = 0`,
      [
        modelId,
        marks.map((m) => m.chunkId),
        marks.map((m) => m.key),
        marks.map((m) => m.startSeq),
        marks.map((m) => m.endSeq),
        marks.map((m) => m.rangeStart),
        marks.map((m) => m.rangeEnd),
        marks.map((m) => (m.partial ? 1 : 0)),
        gen,
      ],
    );
  }

  async ingestRows(modelId: number, batch: RowBatch, plan: (accepted: AcceptedRows) => ChunkPlan): Promise<{ inserted: number; duplicates: number }> {
    const width = batch.values.length;
    const { buf, offsets } = encodePayloads(batch);
    const invalid = invalidMasks(batch.invalidFlags, width);
    return this.tx(async (c) => {
      // The model's row lock serialises this model's batches across replicas (dense sequence numbers,
      // and no other batch can store one of these ids between the check below and the insert).
      const [model] = (await c.query('SELECT next_seq, fit_version FROM models WHERE id = $1 FOR UPDATE', [modelId])).rows as Row[];
      if (!model) throw new Error(`model #${modelId} not found`);
      checkFitVersion(batch, model.fit_version as number);
      const before = model.next_seq as number;
      // Ids stored before (or whose row retention deleted), and ids repeated in the batch: duplicates.
      const taken = new Set<string>();
      if (batch.ids) {
        const ids = batch.ids.filter((id): id is string => id !== null);
        if (ids.length > 0) {
          const r = await c.query(
            `SELECT row_id FROM analysis_rows WHERE model_id = $1 AND row_id = ANY($2::text[])
             UNION ALL SELECT row_id FROM dropped_ids WHERE model_id = $1 AND row_id = ANY($2::text[])`,
            [modelId, ids],
          );
          for (const row of r.rows) taken.add(row.row_id as string);
        }
      }
      const accepted: number[] = [];
      for (let i = 0; i < batch.n; i++) {
        const id = batch.ids ? batch.ids[i] : null;
        if (id !== null) {
          if (taken.has(id)) continue;
          taken.add(id);
        }
        accepted.push(i);
      }
      for (let a = 0; a < accepted.length; a += INSERT_ROWS) {
        const part = accepted.slice(a, a + INSERT_ROWS);
        await c.query(
          `INSERT INTO analysis_rows (model_id, seq, row_id, ts, target, payload, invalid)
           SELECT $1::int, * FROM unnest($2::bigint[], $3::text[], $4::float8[], $5::float8[], $6::bytea[], $7::bytea[])`,
          [
            modelId,
            part.map((_, k) => before + a + k),
            part.map((i) => (batch.ids ? batch.ids[i] : null)),
            part.map((i) => (batch.timestamps ? batch.timestamps[i] : null)),
            part.map((i) => (batch.targets ? nullIfNaN(batch.targets[i]) : null)),
            part.map((i) => buf.subarray(offsets[i], offsets[i + 1])),
            part.map((i) => invalid(i)),
          ],
        );
      }
      const inserted = accepted.length;
      let targets = 0;
      if (batch.targets) for (const i of accepted) if (!Number.isNaN(batch.targets[i])) targets++;
      await this.insertLevels(c, modelId, batch.newLevels);
      const now = Date.now();
      await c.query(
        'UPDATE models SET next_seq = $1, targets = targets + $2, updated_at = $3, last_ingest_at = CASE WHEN $4::bigint > 0 THEN $5 ELSE last_ingest_at END WHERE id = $6',
        [before + inserted, targets, now, inserted, batch.receivedAt ?? now, modelId],
      );
      if (inserted > 0) {
        const timestamps = batch.timestamps ? Float64Array.from(accepted, (i) => batch.timestamps![i]) : null;
        const p = plan({ before, count: inserted, timestamps });
        await PostgresStore.lockChunks(c, modelId, [...p.remove, ...p.upsert.map((m) => m.chunkId)]);
        if (p.remove.length > 0) {
          await c.query('DELETE FROM chunks WHERE model_id = $1 AND chunk_id = ANY($2::float8[])', [modelId, p.remove]);
          await c.query("DELETE FROM results WHERE model_id = $1 AND period = 'analysis' AND chunk_id = ANY($2::float8[])", [modelId, p.remove]);
        }
        await this.upsertChunks(c, modelId, p.upsert);
        if (p.remove.length > 0) await this.bumpResultsVersion(c, modelId);
      }
      return { inserted, duplicates: batch.n - inserted };
    });
  }

  async attachTargets(modelId: number, update: TargetUpdate): Promise<{ attached: number; unknown: string[]; expired: { id: string; chunk: string }[] }> {
    return this.tx(async (c) => {
      const [model] = (await c.query('SELECT layout, next_seq, fit_version FROM models WHERE id = $1 FOR UPDATE', [modelId])).rows as Row[];
      if (!model) throw new Error(`model #${modelId} not found`);
      checkFitVersion(update, model.fit_version as number);
      const width = payloadWidth(model.layout === null ? null : JSON.parse(model.layout as string));
      // Chunks retention dropped (their rows may still be being deleted): a target there changes nothing.
      const dropped = new Map(
        ((await c.query('SELECT chunk_id, key FROM chunks WHERE model_id = $1 AND rows_dropped_at IS NOT NULL', [modelId])).rows as Row[]).map((r) => [r.chunk_id as number, r.key as string]),
      );
      const found = new Map<string, TargetRow>();
      for (const r of (await c.query('SELECT seq, row_id, ts, target, invalid FROM analysis_rows WHERE model_id = $1 AND row_id = ANY($2::text[])', [modelId, update.ids])).rows as Row[]) {
        found.set(r.row_id as string, r as unknown as TargetRow);
      }
      const goneChunk = new Map<string, number>();
      if (dropped.size > 0) {
        for (const r of (await c.query('SELECT row_id, chunk_id FROM dropped_ids WHERE model_id = $1 AND row_id = ANY($2::text[])', [modelId, update.ids])).rows as Row[]) {
          goneChunk.set(r.row_id as string, r.chunk_id as number);
        }
      }
      // Updated in one statement afterwards; a row's last update wins, as row-by-row updates would.
      const updates = new Map<number, { target: number | null; mask: Buffer | null }>();
      const { attached, unknown, expired, newTargets, touched } = matchTargets(
        update,
        width,
        model.next_seq as number,
        dropped,
        (id) => found.get(id),
        (id) => goneChunk.get(id),
        (r, target, mask) => updates.set(r.seq, { target, mask }),
      );
      if (updates.size > 0) {
        const seqs = [...updates.keys()];
        await c.query(
          `UPDATE analysis_rows AS a SET target = u.target, invalid = u.invalid
           FROM unnest($2::bigint[], $3::float8[], $4::bytea[]) AS u(seq, target, invalid) WHERE a.model_id = $1 AND a.seq = u.seq`,
          [modelId, seqs, seqs.map((q) => updates.get(q)!.target), seqs.map((q) => updates.get(q)!.mask)],
        );
      }
      await this.insertLevels(c, modelId, update.newLevels);
      await c.query('UPDATE models SET targets = targets + $1, updated_at = $2 WHERE id = $3', [newTargets, Date.now(), modelId]);
      if (touched.size > 0) {
        await PostgresStore.lockChunks(c, modelId, [...touched]);
        // A computed chunk becomes dirty for its targets only (2); one already dirty for its rows stays so (1).
        await c.query('UPDATE chunks SET dirty = CASE WHEN dirty = 0 THEN 2 ELSE dirty END, gen = gen + 1 WHERE model_id = $1 AND chunk_id = ANY($2::float8[])', [modelId, [...touched]]);
      }
      return { attached, unknown, expired };
    });
  }

  // ---------------------------------------------------------------------------------------------
  // chunks

  async chunks(modelId: number, opts: { dirtyOnly?: boolean } = {}): Promise<StoredChunk[]> {
    const sql = opts.dirtyOnly ? 'SELECT * FROM chunks WHERE model_id = $1 AND dirty > 0 ORDER BY chunk_id' : 'SELECT * FROM chunks WHERE model_id = $1 ORDER BY chunk_id';
    return (await this.q(sql, [modelId])).map(chunkFromRow);
  }

  async chunkStamps(modelIds?: readonly number[]): Promise<ChunkStamp[]> {
    const rows = modelIds
      ? await this.qa(`SELECT ${CHUNK_STAMP_COLUMNS} FROM chunks WHERE model_id = ANY($1::int[]) ORDER BY model_id, chunk_id`, [modelIds])
      : await this.qa(`SELECT ${CHUNK_STAMP_COLUMNS} FROM chunks ORDER BY model_id, chunk_id`);
    return rows.map(chunkStampFromRow);
  }

  async dirtyChunkCount(modelId: number): Promise<number> {
    return (await this.q('SELECT count(*) AS n FROM chunks WHERE model_id = $1 AND dirty > 0', [modelId]))[0].n as number;
  }

  async readChunkRows(modelId: number, chunk: ChunkMark, width: number): Promise<StoredRows> {
    const rows =
      chunk.startSeq !== null
        ? await this.qa('SELECT seq, ts, target, payload, invalid FROM analysis_rows WHERE model_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq', [modelId, chunk.startSeq, chunk.endSeq])
        : await this.qa('SELECT seq, ts, target, payload, invalid FROM analysis_rows WHERE model_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts, seq', [modelId, chunk.rangeStart, chunk.rangeEnd]);
    return decodeRows(rows, width);
  }

  async writeChunkResults(modelId: number, w: ChunkResultWrite): Promise<boolean> {
    return this.tx(async (c) => {
      // The chunk's row lock orders this write against an ingest re-planning the same chunk.
      const [cur] = (await c.query('SELECT gen, rows_dropped_at FROM chunks WHERE model_id = $1 AND chunk_id = $2 FOR UPDATE', [modelId, w.chunk.chunkId])).rows as Row[];
      if (!cur) return false; // removed meanwhile
      // Retention dropped its rows: results computed from what is left would be of a partial row set.
      if (cur.rows_dropped_at !== null) return false;
      if (w.calculators) {
        await c.query("DELETE FROM results WHERE model_id = $1 AND period = 'analysis' AND chunk_id = $2 AND calculator_id = ANY($3::text[])", [modelId, w.chunk.chunkId, w.calculators]);
      } else await c.query("DELETE FROM results WHERE model_id = $1 AND period = 'analysis' AND chunk_id = $2", [modelId, w.chunk.chunkId]);
      await this.insertResults(c, modelId, w.results);
      await this.chunkErrors(c, modelId, w);
      const current = (cur.gen as number) === w.chunk.gen;
      // computed_at strictly increases per chunk (at least 1 ms past the last write): it marks each write.
      await c.query(
        `UPDATE chunks SET n_rows = $1, start_date = $2, end_date = $3, computed_at = GREATEST($4, COALESCE(computed_at, 0) + 1),
           dirty = CASE WHEN gen = $5 THEN 0 ELSE dirty END WHERE model_id = $6 AND chunk_id = $7`,
        [w.nRows, w.startDate, w.endDate, Date.now(), w.chunk.gen, modelId, w.chunk.chunkId],
      );
      await this.bumpResultsVersion(c, modelId);
      return current;
    });
  }

  async setChunkPositions(modelId: number, positions: { chunkId: number; index: number; startIndex: number; endIndex: number }[]): Promise<void> {
    if (positions.length === 0) return;
    const args = [modelId, positions.map((p) => p.chunkId), positions.map((p) => p.index), positions.map((p) => p.startIndex), positions.map((p) => p.endIndex)];
    const from = 'unnest($2::float8[], $3::int[], $4::bigint[], $5::bigint[]) AS p(chunk_id, idx, start_index, end_index)';
    await this.tx(async (c) => {
      await PostgresStore.lockChunks(c, modelId, positions.map((p) => p.chunkId));
      // computed_at moves with the results' rewritten positions (see SqliteStore.setChunkPositions).
      await c.query(
        `UPDATE chunks AS t SET chunk_index = p.idx, start_index = p.start_index, end_index = p.end_index, computed_at = t.computed_at + 1
         FROM ${from} WHERE t.model_id = $1 AND t.chunk_id = p.chunk_id`,
        args,
      );
      await c.query(
        `UPDATE results AS t SET chunk_index = p.idx, start_index = p.start_index, end_index = p.end_index FROM ${from}
         WHERE t.model_id = $1 AND t.period = 'analysis' AND t.chunk_id = p.chunk_id`,
        args,
      );
      await this.bumpResultsVersion(c, modelId);
    });
  }

  async markAllDirty(modelId: number): Promise<void> {
    await this.tx(async (c) => {
      await PostgresStore.lockChunks(c, modelId, null);
      await c.query('UPDATE chunks SET dirty = 1, gen = gen + 1 WHERE model_id = $1 AND rows_dropped_at IS NULL', [modelId]);
    });
  }

  /**
   * Claims up to `max` dirty chunks of a model for `owner` until now + leaseMs: chunks no live claim
   * holds, skipping rows another replica is claiming at this instant (SKIP LOCKED). A claim whose lease
   * ended (its replica died, or took longer) is taken over.
   */
  async claimChunks(modelId: number, owner: string, leaseMs: number, max: number, only?: number[]): Promise<StoredChunk[]> {
    const now = Date.now();
    const rows = await this.q(
      `UPDATE chunks AS c SET claim_owner = $2, claim_until = $3
       FROM (SELECT chunk_id FROM chunks WHERE model_id = $1 AND dirty > 0 AND (claim_until IS NULL OR claim_until < $4)
               AND ($6::float8[] IS NULL OR chunk_id = ANY($6::float8[]))
             ORDER BY chunk_id LIMIT $5 FOR UPDATE SKIP LOCKED) AS free
       WHERE c.model_id = $1 AND c.chunk_id = free.chunk_id RETURNING c.*`,
      [modelId, owner, now + leaseMs, now, max, only ?? null],
    );
    return rows.map(chunkFromRow).sort((a, b) => a.chunkId - b.chunkId);
  }

  /** Ends `owner`'s claims on these chunks (computed, or given back). */
  async releaseClaims(modelId: number, owner: string, chunkIds: number[]): Promise<void> {
    if (chunkIds.length === 0) return;
    await this.tx(async (c) => {
      await PostgresStore.lockChunks(c, modelId, chunkIds);
      await c.query('UPDATE chunks SET claim_owner = NULL, claim_until = NULL WHERE model_id = $1 AND claim_owner = $2 AND chunk_id = ANY($3::float8[])', [modelId, owner, chunkIds]);
    });
  }

  async renewClaims(modelId: number, owner: string, leaseMs: number, chunkIds: number[]): Promise<number[]> {
    if (chunkIds.length === 0) return [];
    return this.tx(async (c) => {
      await PostgresStore.lockChunks(c, modelId, chunkIds);
      const now = Date.now();
      const rows = await c.query(
        'UPDATE chunks SET claim_until = $1 WHERE model_id = $2 AND claim_owner = $3 AND claim_until >= $4 AND chunk_id = ANY($5::float8[]) RETURNING chunk_id',
        [now + leaseMs, modelId, owner, now, chunkIds],
      );
      return (rows.rows as Row[]).map((r) => r.chunk_id as number).sort((a, b) => a - b);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // retention

  async markRowsDropped(modelId: number, chunkIds: number[], at: number): Promise<number[]> {
    if (chunkIds.length === 0) return [];
    const rows = await this.tx(async (c) => {
      await PostgresStore.lockChunks(c, modelId, chunkIds);
      return (
        await c.query('UPDATE chunks SET rows_dropped_at = $1 WHERE model_id = $2 AND chunk_id = ANY($3::float8[]) AND dirty = 0 AND rows_dropped_at IS NULL RETURNING chunk_id', [
          at,
          modelId,
          chunkIds,
        ])
      ).rows as Row[];
    });
    const marked = new Set(rows.map((r) => r.chunk_id as number));
    return chunkIds.filter((id) => marked.has(id));
  }

  async deleteDroppedRows(modelId: number, chunkId: number, maxRows: number): Promise<{ deleted: number; done: boolean }> {
    return this.tx(async (c) => {
      const [row] = (await c.query('SELECT * FROM chunks WHERE model_id = $1 AND chunk_id = $2 AND rows_dropped_at IS NOT NULL FOR UPDATE', [modelId, chunkId])).rows as Row[];
      if (!row) return { deleted: 0, done: true };
      const chunk = chunkFromRow(row);
      const seqs = (
        chunk.startSeq !== null
          ? await c.query('SELECT seq FROM analysis_rows WHERE model_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq LIMIT $4', [modelId, chunk.startSeq, chunk.endSeq, maxRows])
          : await c.query('SELECT seq FROM analysis_rows WHERE model_id = $1 AND ts >= $2 AND ts < $3 LIMIT $4', [modelId, chunk.rangeStart, chunk.rangeEnd, maxRows])
      ).rows.map((r) => r.seq as number);
      if (seqs.length > 0) {
        await c.query(
          `INSERT INTO dropped_ids (model_id, row_id, chunk_id) SELECT model_id, row_id, $1 FROM analysis_rows
           WHERE model_id = $2 AND row_id IS NOT NULL AND seq = ANY($3::bigint[]) ON CONFLICT DO NOTHING`,
          [chunkId, modelId, seqs],
        );
        await c.query('DELETE FROM analysis_rows WHERE model_id = $1 AND seq = ANY($2::bigint[])', [modelId, seqs]);
      }
      const done = seqs.length < maxRows;
      if (done) await c.query('UPDATE chunks SET rows_gone = 1 WHERE model_id = $1 AND chunk_id = $2', [modelId, chunkId]);
      return { deleted: seqs.length, done };
    });
  }

  // ---------------------------------------------------------------------------------------------
  // results

  private async insertResults(c: PoolClient, modelId: number, results: ResultRecord[]): Promise<void> {
    if (results.length === 0) return;
    // One row per key, the last one winning (SQLite's INSERT OR REPLACE; one INSERT cannot touch a row twice).
    const byKey = new Map<string, unknown[]>();
    for (const r of results) {
      const v = resultValues(modelId, r);
      byKey.set(JSON.stringify([v[1], v[2], v[3], v[4], v[5]]), v);
    }
    const rows = [...byKey.values()];
    const casts = ['int', 'text', 'float8', 'text', 'text', 'text', 'text', 'text', 'int', 'int', 'text', 'int', 'bigint', 'bigint', 'float8', 'float8', 'float8', 'float8', 'float8', 'smallint', 'float8', 'float8', 'float8', 'float8', 'float8', 'smallint'];
    const placeholders = casts.map((t, k) => `$${k + 1}::${t}[]`).join(', ');
    const updates = RESULT_INSERT_COLUMNS.split(',')
      .map((s) => s.trim())
      .slice(6)
      .map((col) => `${col} = excluded.${col}`)
      .join(', ');
    for (let a = 0; a < rows.length; a += RESULT_ROWS) {
      const part = rows.slice(a, a + RESULT_ROWS);
      const columns = casts.map((t, k) => part.map((v) => (t === 'float8' ? num(v[k] as number | null) : v[k])));
      await c.query(
        `INSERT INTO results (${RESULT_INSERT_COLUMNS}) SELECT * FROM unnest(${placeholders})
         ON CONFLICT (model_id, period, chunk_id, calculator_id, metric, column_name) DO UPDATE SET ${updates}`,
        columns,
      );
    }
  }

  async queryResults(f: ResultFilter): Promise<ResultRecord[]> {
    // Fixed fragments chosen by which filters are present; every value is bound.
    const params: unknown[] = [f.modelId];
    const where = ['model_id = $1'];
    const bind = (fragment: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(fragment(`$${params.length}`));
    };
    if (f.family) bind((p) => `family = ${p}`, f.family);
    if (f.calculatorId) bind((p) => `calculator_id = ${p}`, f.calculatorId);
    if (f.metrics && f.metrics.length > 0) bind((p) => `metric = ANY(${p}::text[])`, f.metrics);
    if (f.columns && f.columns.length > 0) bind((p) => `column_name = ANY(${p}::text[])`, f.columns);
    if (f.period && f.period !== 'both') bind((p) => `period = ${p}`, f.period);
    if (f.chunkIds) bind((p) => `chunk_id = ANY(${p}::float8[])`, f.chunkIds);
    if (f.from !== null && f.from !== undefined) bind((p) => `end_date >= ${p}`, f.from);
    if (f.to !== null && f.to !== undefined) bind((p) => `start_date <= ${p}`, f.to);
    if (f.alertsOnly) where.push('alert = 1');
    const sql = `SELECT ${RESULT_SELECT} FROM results WHERE ${where.join(' AND ')} ORDER BY calc_order, series_order, period = 'analysis', chunk_index`;
    return (await this.qa(sql, params)).map(resultFromRow);
  }

  async resultsVersion(): Promise<string> {
    const [r] = await this.qa('SELECT version FROM results_version');
    return `${r[0] as number}:${this.ownResultWrites}`;
  }

  /** Nothing to do: every result write bumps the stored version in its own transaction. */
  announceResultWrites(): void {}

  noteResultWrite(): void {
    this.ownResultWrites++;
  }

  localResultWrites(): number {
    return this.ownResultWrites + this.committedResultWrites;
  }

  async listSeries(modelId: number, family?: string | null): Promise<SeriesKey[]> {
    const rows = await this.q(
      `SELECT family, calculator_id, calculator, metric, column_name, MIN(calc_order) AS c, MIN(series_order) AS s FROM results
       WHERE model_id = $1 ${family ? 'AND family = $2' : ''} GROUP BY family, calculator_id, calculator, metric, column_name ORDER BY c, s`,
      family ? [modelId, family] : [modelId],
    );
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

  private static async insertError(c: PoolClient, modelId: number, time: number, e: { stage: ErrorStage; calculator: string | null; chunkId: number | null; chunkKey: string | null; message: string }): Promise<void> {
    await c.query('INSERT INTO model_errors (model_id, time, stage, calculator, chunk_id, chunk_key, message) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      modelId,
      time,
      e.stage,
      e.calculator,
      e.chunkId,
      e.chunkKey,
      e.message,
    ]);
    await c.query('INSERT INTO model_error_totals (model_id, stage, total) VALUES ($1, $2, 1) ON CONFLICT (model_id, stage) DO UPDATE SET total = model_error_totals.total + 1', [modelId, e.stage]);
  }

  /** Keeps the newest MAX_KEPT_ERRORS errors of a model. */
  private static async pruneErrors(c: PoolClient, modelId: number): Promise<void> {
    await c.query('DELETE FROM model_errors WHERE model_id = $1 AND id <= (SELECT id FROM model_errors WHERE model_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)', [modelId, MAX_KEPT_ERRORS]);
  }

  /** Inside writeChunkResults' transaction: this chunk's failures recorded, earlier ones of calculators that now succeeded resolved. */
  private async chunkErrors(c: PoolClient, modelId: number, w: ChunkResultWrite): Promise<void> {
    const failed = w.errors ?? [];
    const now = Date.now();
    // Errors of the calculators that ran (all, or w.calculators) and did not fail now are resolved.
    await c.query(
      `UPDATE model_errors SET resolved_at = $1 WHERE model_id = $2 AND stage = 'recompute' AND chunk_id = $3 AND resolved_at IS NULL
         AND calculator <> ALL($4::text[]) AND ($5::text[] IS NULL OR calculator = ANY($5::text[]))`,
      [now, modelId, w.chunk.chunkId, failed.map((f) => f.calculator), w.calculators ?? null],
    );
    if (failed.length === 0) return;
    for (const f of failed) await PostgresStore.insertError(c, modelId, now, { stage: 'recompute', calculator: f.calculator, chunkId: w.chunk.chunkId, chunkKey: w.chunk.key, message: f.message });
    await PostgresStore.pruneErrors(c, modelId);
  }

  async recordError(modelId: number, e: { stage: ErrorStage; calculator: string | null; chunkId: number | null; chunkKey: string | null; message: string }): Promise<void> {
    await this.tx(async (c) => {
      await PostgresStore.insertError(c, modelId, Date.now(), e);
      await PostgresStore.pruneErrors(c, modelId);
    });
  }

  async resolveErrors(modelId: number, stage: ErrorStage, opts: { modelLevelOnly?: boolean } = {}): Promise<number> {
    const sql = opts.modelLevelOnly
      ? 'UPDATE model_errors SET resolved_at = $1 WHERE model_id = $2 AND stage = $3 AND chunk_id IS NULL AND resolved_at IS NULL'
      : 'UPDATE model_errors SET resolved_at = $1 WHERE model_id = $2 AND stage = $3 AND resolved_at IS NULL';
    await this.ready;
    return (await this.pool.query(sql, [Date.now(), modelId, stage])).rowCount ?? 0;
  }

  async listErrors(modelId: number): Promise<ModelErrorRecord[]> {
    const rows = await this.q('SELECT time, stage, calculator, chunk_key, message, resolved_at FROM model_errors WHERE model_id = $1 ORDER BY id DESC', [modelId]);
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
    return unresolvedByModel(await this.q('SELECT model_id, stage, COUNT(*) AS n FROM model_errors WHERE resolved_at IS NULL GROUP BY model_id, stage'));
  }

  async errorSummary(modelId: number): Promise<ModelErrorSummary> {
    const totals = zeroPerStage();
    const unresolved = zeroPerStage();
    for (const r of await this.q('SELECT stage, total FROM model_error_totals WHERE model_id = $1', [modelId])) totals[r.stage as ErrorStage] = r.total as number;
    for (const r of await this.q('SELECT stage, COUNT(*) AS n FROM model_errors WHERE model_id = $1 AND resolved_at IS NULL GROUP BY stage', [modelId])) {
      unresolved[r.stage as ErrorStage] = r.n as number;
    }
    return { totals, unresolved };
  }
}
