/**
 * `replicas` (issue 15): the same model, reference and analysis rows (the ingest scenario's data set)
 * loaded three ways, each on a fresh store:
 *
 * - `sqlite`: one `vigil serve` on a SQLite file (the default);
 * - `pg1`: one `vigil serve --db postgres://...` on a throwaway PostgreSQL (test/helpers/postgres.ts);
 * - `pg2`: two replicas on one such database, the batches sent to both at once (one client each).
 *
 * Per run: ingest rows/s (from the first batch sent to the last acknowledged), catch-up (from then until
 * no chunk waits for a recompute, read from the store through A), seconds per chunk of that catch-up,
 * and the store's bytes per analysis row (the SQLite file, or PostgreSQL's analysis_rows with its
 * indexes). The ratios to SQLite are what to read on a shared machine; docs/scaling.md projects from them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Client as PgClient } from 'pg';
import { startPostgres, ThrowawayPostgres } from '../test/helpers/postgres';
import { freePort } from './http';
import { firstOk, Server, startServer, stopServer } from './restart';
import { Context, Scenario, ScenarioResult } from './scenario';
import { AnalysisRows, baseResult, expectOk, MODEL, modelDefinition, serverAvailable, serverDataset } from './server';

interface RunNumbers {
  rows_per_s: number;
  catch_up_s: number;
  s_per_chunk: number;
  /** The analysis_rows table with its indexes (PostgreSQL), per row; null for SQLite (no per-table size). */
  row_bytes_per_row: number | null;
  /** The whole store (SQLite file and WAL; PostgreSQL database: rows, results, reference, fits), per row. */
  db_bytes_per_row: number;
}

type Sizes = Pick<RunNumbers, 'row_bytes_per_row' | 'db_bytes_per_row'>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function pending(s: Server): Promise<number> {
  const m = await s.client.json<{ status?: { pending_chunks?: number } }>('GET', `/api/models/${MODEL}`);
  return m.status?.pending_chunks ?? 0;
}

/** Registers on the first server, ingests with one client per server at once, waits for the results. */
async function load(ctx: Context, servers: Server[], data: AnalysisRows, rows: number): Promise<Omit<RunNumbers, keyof Sizes>> {
  const [a] = servers;
  const batchRows = ctx.sizes.ingestBatch;
  await expectOk(a.client.request('POST', '/api/models', JSON.stringify(modelDefinition(data.ds, ctx.sizes.chunkSize))), 'POST /api/models');
  await expectOk(a.client.request('PUT', `/api/models/${MODEL}/reference`, fs.readFileSync(data.ds.reference), 'text/csv'), 'PUT reference');
  // Every replica knows the reference before it ingests (replica-sync.ts, every VIGIL_SYNC_INTERVAL).
  for (const s of servers.slice(1)) {
    for (;;) {
      const m = await s.client.request('GET', `/api/models/${MODEL}`);
      if (m.status === 200 && (JSON.parse(m.body.toString()).calculators ?? []).length > 0) break;
      await sleep(50);
    }
  }
  const starts: number[] = [];
  for (let from = 0; from < rows; from += batchRows) starts.push(from);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    servers.map(async (s) => {
      while (next < starts.length) {
        const from = starts[next++];
        await expectOk(s.client.request('POST', `/api/models/${MODEL}/rows`, data.batch(from, Math.min(rows, from + batchRows)), 'text/csv'), 'POST rows');
      }
    }),
  );
  const acked = performance.now();
  while ((await pending(a)) > 0) await sleep(50);
  const done = performance.now();
  const chunks = Math.ceil(rows / ctx.sizes.chunkSize);
  return { rows_per_s: rows / ((acked - t0) / 1000), catch_up_s: (done - acked) / 1000, s_per_chunk: (done - acked) / 1000 / chunks };
}

async function pgSizes(url: string): Promise<Sizes> {
  const c = new PgClient({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(
      "SELECT pg_total_relation_size('analysis_rows')::float8 AS rows_bytes, pg_database_size(current_database())::float8 AS db_bytes, (SELECT count(*) FROM analysis_rows)::float8 AS n",
    );
    const { rows_bytes, db_bytes, n } = r.rows[0];
    return { row_bytes_per_row: rows_bytes / n, db_bytes_per_row: db_bytes / n };
  } finally {
    await c.end();
  }
}

async function run(ctx: Context, label: string, db: string, replicas: number, data: AnalysisRows, rows: number, sizes: () => Promise<Sizes>): Promise<RunNumbers> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < replicas; i++) {
      const s = startServer(await freePort(), db, { VIGIL_SYNC_INTERVAL: '200' });
      servers.push(s);
      await firstOk(s, '/readyz');
    }
    const n = await load(ctx, servers, data, rows);
    const out = { ...n, ...(await sizes()) };
    ctx.log(`replicas ${label}: ${Math.round(out.rows_per_s)} rows/s, catch-up ${out.catch_up_s.toFixed(2)} s (${(out.s_per_chunk * 1000).toFixed(1)} ms/chunk), ${out.db_bytes_per_row.toFixed(0)} store bytes/row (rows table ${out.row_bytes_per_row?.toFixed(0) ?? '-'})`);
    return out;
  } finally {
    await Promise.all(servers.map((s) => stopServer(s)));
  }
}

export const replicasScenario: Scenario = {
  id: 'replicas',
  title: 'PostgreSQL store, 1 and 2 replicas, against SQLite: ingest, catch-up, per-chunk cost, bytes per row',
  issue: '#15',
  async run(ctx): Promise<ScenarioResult> {
    const result = baseResult(this.id, this.title);
    result.issue = '#15';
    if (!(await serverAvailable(result))) return result;
    const data = serverDataset(ctx);
    const rows = Math.min(data.rows, ctx.options.quick ? 20_000 : 200_000);
    let pg: ThrowawayPostgres | null = null;
    const dir = fs.mkdtempSync(path.join(ctx.workDir, 'replicas-'));
    try {
      const file = path.join(dir, 'vigil.db');
      const sqlite = await run(ctx, 'sqlite', file, 1, data, rows, async () => {
        let size = 0;
        for (const f of [file, `${file}-wal`]) if (fs.existsSync(f)) size += fs.statSync(f).size;
        return { row_bytes_per_row: null, db_bytes_per_row: size / rows };
      });
      pg = await startPostgres({ durable: true });
      const one = pg.createDatabase('one');
      const pg1 = await run(ctx, 'pg1', one, 1, data, rows, () => pgSizes(one));
      const two = pg.createDatabase('two');
      const pg2 = await run(ctx, 'pg2', two, 2, data, rows, () => pgSizes(two));
      for (const [name, r] of Object.entries({ sqlite, pg1, pg2 })) for (const [k, v] of Object.entries(r)) result.metrics[`${name}_${k}`] = v as number | null;
      result.metrics.pg1_ingest_ratio = pg1.rows_per_s / sqlite.rows_per_s;
      result.metrics.pg2_ingest_ratio = pg2.rows_per_s / sqlite.rows_per_s;
      result.metrics.pg1_catch_up_ratio = pg1.catch_up_s / sqlite.catch_up_s;
      result.metrics.pg2_catch_up_ratio = pg2.catch_up_s / sqlite.catch_up_s;
      result.metrics.rows = rows;
      result.notes.push(`${rows} analysis rows, ${ctx.sizes.features} features, ${ctx.sizes.chunkSize}-row chunks, ${ctx.sizes.ingestBatch}-row batches; a throwaway PostgreSQL cluster on this machine with fsync and synchronous commit on, SQLite with synchronous=full (the defaults)`);
    } catch (e) {
      result.status = 'failed';
      result.notes.push((e as Error).message);
    } finally {
      pg?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return result;
  },
};
