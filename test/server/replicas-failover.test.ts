/**
 * A replica killed (`kill -9`) while it holds recompute claims: the chunks it held are computed by
 * another replica once the lease ends (not before), every acknowledged row is kept, and the results
 * equal `vigil run`'s row for row (so nothing is duplicated or lost).
 */
import * as fs from 'fs';
import { Client } from 'pg';
import { startPostgres, ThrowawayPostgres } from '../helpers/postgres';
import { call, CAR_LOAN_MODEL, startVigil, tempDir, Vigil, waitComputed } from './helpers';
import { CAR_LOAN_FILES as FILES, carLoanRunResults, csvLines, expectSameRows, servedResults, until } from './replicas-helpers';

const LEASE_MS = 4000;
const ENV = { VIGIL_SYNC_INTERVAL: '200', VIGIL_COMPUTE_THREADS: '1', VIGIL_CLAIM_LEASE: String(LEASE_MS) };

let pg: ThrowawayPostgres;
let db: Client;
let dir: string;
const started: Vigil[] = [];

beforeAll(async () => {
  dir = tempDir();
  pg = await startPostgres();
  db = new Client({ connectionString: pg.url });
  await db.connect();
}, 60_000);

afterAll(async () => {
  await db?.end();
  await Promise.all(started.map((v) => v.stop()));
  pg?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<Vigil> {
  const v = await startVigil({ db: pg.url, env: ENV, timeoutMs: 60_000 });
  started.push(v);
  return v;
}

/** Dirty chunks whose claim names this process (claim owners are host/pid/random). */
async function heldBy(pid: number): Promise<{ chunk_id: number; claim_until: number }[]> {
  const r = await db.query("SELECT chunk_id, claim_until FROM chunks WHERE dirty > 0 AND claim_owner LIKE '%/' || $1 || '/%' ORDER BY chunk_id", [String(pid)]);
  return r.rows;
}

test('kill -9 of the replica holding claims: the other computes its chunks after the lease, nothing lost or duplicated', async () => {
  const a = await start();
  expect((await call(a.url, 'POST', '/api/models', { body: CAR_LOAN_MODEL })).status).toBe(201);
  expect((await call(a.url, 'PUT', '/api/models/carloan/reference', { body: fs.readFileSync(FILES.reference, 'utf8'), contentType: 'text/csv' })).status).toBe(200);
  const { header, lines } = csvLines(FILES.analysis);
  // All rows and targets acknowledged by A before it dies.
  for (let i = 0; i < lines.length; i += 10_000) {
    expect((await call(a.url, 'POST', '/api/models/carloan/rows', { body: [header, ...lines.slice(i, i + 10_000)].join('\n'), contentType: 'text/csv' })).body).toMatchObject({ inserted: Math.min(10_000, lines.length - i) });
  }
  expect((await call(a.url, 'POST', '/api/models/carloan/targets', { body: fs.readFileSync(FILES.targets, 'utf8'), contentType: 'text/csv' })).body).toMatchObject({ attached: 50_000 });
  const resolved = (await call(a.url, 'GET', '/api/models/carloan')).body;

  // A computes; kill it the moment it holds a claim on a chunk still dirty.
  const pid = a.proc.pid!;
  await until('A holds a claim', async () => (await heldBy(pid)).length > 0, 60_000, 5);
  await a.kill();
  const held = await heldBy(pid);
  expect(held.length).toBeGreaterThan(0);
  const killedAt = Date.now();

  const b = await start();
  await waitComputed(b.url, 'carloan', undefined, 120_000);
  // A's chunks waited for the lease to end before B took them over.
  const after = await db.query('SELECT chunk_id, computed_at, dirty, claim_owner FROM chunks WHERE chunk_id = ANY($1::float8[]) ORDER BY chunk_id', [held.map((h) => h.chunk_id)]);
  for (const [k, row] of after.rows.entries()) {
    expect(row.dirty).toBe(0);
    expect(Number(row.computed_at)).toBeGreaterThanOrEqual(Number(held[k].claim_until));
  }
  expect(Date.now() - killedAt).toBeLessThan(LEASE_MS + 60_000);
  expect(Number((await db.query('SELECT count(*) AS n FROM analysis_rows')).rows[0].n)).toBe(50_000);
  expect((await db.query('SELECT count(*) AS n FROM chunks WHERE dirty > 0')).rows[0].n).toBe('0');
  const expected = carLoanRunResults(dir, resolved);
  const served = await servedResults(b);
  expectSameRows(served, expected);
  expect(served).toEqual(expected);
}, 400_000);
