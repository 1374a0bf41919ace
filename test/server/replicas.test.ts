/**
 * Two Vigil replicas (`vigil serve --db postgres://...`, real processes) on one throwaway PostgreSQL:
 * the model is registered and its reference put on A, half the car-loan analysis batches are ingested
 * on A and half on B (in file order, alternating), the targets likewise; both replicas then answer
 * every result row for row equal to `vigil run` on the same files, which is what the single SQLite
 * server answers too (test/server/carloan.test.ts), and their Prometheus API and /metrics result series
 * give the same answers.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { startPostgres, ThrowawayPostgres } from '../helpers/postgres';
import { call, CAR_LOAN_MODEL, ROOT, startVigil, tempDir, Vigil, waitComputed } from './helpers';

const DATA = path.join(ROOT, 'examples', 'data', 'nannyml');
const FILES = {
  reference: path.join(DATA, 'synthetic_car_loan_reference.csv'),
  analysis: path.join(DATA, 'synthetic_car_loan_analysis.csv'),
  targets: path.join(DATA, 'synthetic_car_loan_analysis_target.csv'),
};
const BATCH_ROWS = 5_000;
const SERVER_CALCULATORS = ['TypeInconsistencyCalculator', 'InvalidValuesCalculator'];
const ENV = { VIGIL_SYNC_INTERVAL: '200', VIGIL_COMPUTE_THREADS: '1' };

let pg: ThrowawayPostgres;
let a: Vigil;
let b: Vigil;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  pg = await startPostgres();
  [a, b] = await Promise.all([startVigil({ db: pg.url, env: ENV, timeoutMs: 60_000 }), startVigil({ db: pg.url, env: ENV, timeoutMs: 60_000 })]);
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  pg?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, f: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const served = async (v: Vigil) =>
  (await call(v.url, 'GET', '/api/models/carloan/results')).body.results.filter((r: any) => !SERVER_CALCULATORS.includes(r.calculator)).map(({ partial, ...r }: any) => ({ ...r, partial }));

test('two replicas on one PostgreSQL: ingest split between them, both answer what vigil run computes, row for row', async () => {
  expect(a.logs.find((l) => l.msg === 'listening')!.db).toBe(pg.url);
  expect((await call(a.url, 'POST', '/api/models', { body: CAR_LOAN_MODEL })).status).toBe(201);
  // B takes the model up from the store.
  await until('B lists the model', async () => (await call(b.url, 'GET', '/api/models/carloan')).status === 200);
  const ref = await call(a.url, 'PUT', '/api/models/carloan/reference', { body: fs.readFileSync(FILES.reference, 'utf8'), contentType: 'text/csv' });
  expect(ref.status).toBe(200);
  // ... and the new reference's layout (B can ingest only with it).
  await until('B has the reference', async () => (await call(b.url, 'GET', '/api/models/carloan')).body.calculators?.length > 0);

  const [header, ...lines] = fs.readFileSync(FILES.analysis, 'utf8').trimEnd().split('\n');
  let k = 0;
  for (let i = 0; i < lines.length; i += BATCH_ROWS, k++) {
    const to = k % 2 === 0 ? a : b;
    const r = await call(to.url, 'POST', '/api/models/carloan/rows', { body: [header, ...lines.slice(i, i + BATCH_ROWS)].join('\n'), contentType: 'text/csv' });
    expect(r.body).toMatchObject({ inserted: Math.min(BATCH_ROWS, lines.length - i), duplicates: 0 });
  }
  // A batch re-sent to the other replica is all duplicates.
  expect((await call(b.url, 'POST', '/api/models/carloan/rows', { body: [header, ...lines.slice(0, 100)].join('\n'), contentType: 'text/csv' })).body).toMatchObject({ inserted: 0, duplicates: 100 });
  const [theader, ...tlines] = fs.readFileSync(FILES.targets, 'utf8').trimEnd().split('\n');
  const half = tlines.length / 2;
  const ta = await call(a.url, 'POST', '/api/models/carloan/targets', { body: [theader, ...tlines.slice(0, half)].join('\n'), contentType: 'text/csv' });
  const tb = await call(b.url, 'POST', '/api/models/carloan/targets', { body: [theader, ...tlines.slice(half)].join('\n'), contentType: 'text/csv' });
  expect(ta.body.attached + tb.body.attached).toBe(50_000);
  expect(ta.body.unknown_ids_count + tb.body.unknown_ids_count).toBe(0);

  const ma = await waitComputed(a.url, 'carloan', undefined, 180_000);
  const mb = await waitComputed(b.url, 'carloan', undefined, 180_000);
  expect(ma.status.errors).toEqual([]);
  expect(mb.analysis_rows).toBe(50_000);

  const calculators = ma.calculators.filter((c: any) => !SERVER_CALCULATORS.includes(c.class)).map((c: any) => ({ class: c.class, id: c.id, params: c.params }));
  const config = path.join(dir, 'carloan.json');
  fs.writeFileSync(config, JSON.stringify({ reference: FILES.reference, analysis: FILES.analysis, analysis_targets: FILES.targets, calculators }));
  const out = path.join(dir, 'run.json');
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'vigil.js'), 'run', config, '--out', out], { encoding: 'utf8', timeout: 120_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const expected = JSON.parse(fs.readFileSync(out, 'utf8')).results.map((r: any) => ({ ...r, partial: false }));

  const [fromA, fromB] = [await served(a), await served(b)];
  expect(fromA.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (JSON.stringify(fromA[i]) !== JSON.stringify(expected[i])) expect({ row: i, served: fromA[i] }).toEqual({ row: i, served: expected[i] });
  }
  expect(fromA).toEqual(expected);
  expect(fromB).toEqual(fromA);

  // The Prometheus API of both replicas holds the same series and values.
  const names = await call(a.url, 'GET', '/prometheus/api/v1/label/__name__/values');
  expect(names.status).toBe(200);
  expect((await call(b.url, 'GET', '/prometheus/api/v1/label/__name__/values')).body).toEqual(names.body);
  const metric = (names.body.data as string[]).find((n) => n.startsWith('vigil_') && n.includes('drift')) ?? names.body.data[0];
  // At the end of the data (the car-loan timestamps are years old: a query at now would find nothing in the lookback).
  const end = Math.max(...fromA.map((r: any) => (typeof r.chunk.end_date === 'number' ? r.chunk.end_date : Date.parse(r.chunk.end_date)) || 0)) / 1000;
  const q = `/prometheus/api/v1/query_range?query=${encodeURIComponent(`${metric}{model="carloan"}`)}&start=${end - 30 * 86400}&end=${end}&step=86400`;
  const qa = await call(a.url, 'GET', q);
  expect(qa.status).toBe(200);
  expect(qa.body.data.result.length).toBeGreaterThan(0);
  expect((await call(b.url, 'GET', q)).body).toEqual(qa.body);
  // /metrics: the result series (read from the store) are the same; the health metrics are per process,
  // and the ingest age is the scrape time less the (shared) last ingest time.
  const resultLines = async (v: Vigil) =>
    (await call(v.url, 'GET', '/metrics')).text
      .split('\n')
      .filter((l) => l.includes('model="carloan"') && !/^vigil_(ingest|recompute|last_|errors_total|model_ingest_age)/.test(l));
  const metricsA = await resultLines(a);
  expect(metricsA.length).toBeGreaterThan(100);
  expect(await resultLines(b)).toEqual(metricsA);
}, 420_000);
