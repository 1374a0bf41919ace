/**
 * Two Vigil replicas (`vigil serve --db postgres://...`, real processes) on one throwaway PostgreSQL:
 * the model is registered and its reference put on A, half the car-loan analysis batches are ingested
 * on A and half on B (in file order, alternating), the targets likewise; B runs with --role api, so A
 * computes everything and B's caches must follow A's writes through the store. Both replicas then answer
 * every result row for row equal to `vigil run` on the same files, which is what the single SQLite
 * server answers too (test/server/carloan.test.ts), and their Prometheus API and /metrics result series
 * give the same answers; a real Prometheus scraping both holds the values Vigil's own PromQL API gives.
 */
import * as fs from 'fs';
import { startPostgres, ThrowawayPostgres } from '../helpers/postgres';
import { getJson, startPrometheus } from '../prometheus/prom-helpers';
import { call, CAR_LOAN_MODEL, startVigil, tempDir, Vigil, waitComputed } from './helpers';
import { CAR_LOAN_FILES as FILES, carLoanRunResults, csvLines, expectSameRows, servedResults, until } from './replicas-helpers';

const BATCH_ROWS = 5_000;
const ENV = { VIGIL_SYNC_INTERVAL: '200', VIGIL_COMPUTE_THREADS: '1' };

let pg: ThrowawayPostgres;
let a: Vigil;
let b: Vigil;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  pg = await startPostgres();
  // B ingests and answers but computes nothing (--role api): every result it serves was written by A.
  [a, b] = await Promise.all([startVigil({ db: pg.url, env: ENV, timeoutMs: 60_000 }), startVigil({ db: pg.url, env: ENV, args: ['--role', 'api'], timeoutMs: 60_000 })]);
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  pg?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('two replicas on one PostgreSQL: ingest split between them, both answer what vigil run computes, row for row', async () => {
  expect(a.logs.find((l) => l.msg === 'listening')!.db).toBe(pg.url);
  expect((await call(a.url, 'POST', '/api/models', { body: CAR_LOAN_MODEL })).status).toBe(201);
  // B takes the model up from the store.
  await until('B lists the model', async () => (await call(b.url, 'GET', '/api/models/carloan')).status === 200);
  const ref = await call(a.url, 'PUT', '/api/models/carloan/reference', { body: fs.readFileSync(FILES.reference, 'utf8'), contentType: 'text/csv' });
  expect(ref.status).toBe(200);
  // ... and the new reference's layout (B can ingest only with it).
  await until('B has the reference', async () => (await call(b.url, 'GET', '/api/models/carloan')).body.calculators?.length > 0);
  // A range query answered (and cached) by B before any analysis result exists.
  const wide = `/prometheus/api/v1/query_range?query=${encodeURIComponent('vigil_multivariate_drift{model="carloan"}')}&start=${Date.parse('2017-01-01T00:00:00Z') / 1000}&end=${Date.parse('2020-01-01T00:00:00Z') / 1000}&step=${7 * 86400}`;
  const early = await call(b.url, 'GET', wide);
  expect(early.status).toBe(200);

  const { header, lines } = csvLines(FILES.analysis);
  let k = 0;
  for (let i = 0; i < lines.length; i += BATCH_ROWS, k++) {
    const to = k % 2 === 0 ? a : b;
    const r = await call(to.url, 'POST', '/api/models/carloan/rows', { body: [header, ...lines.slice(i, i + BATCH_ROWS)].join('\n'), contentType: 'text/csv' });
    expect(r.body).toMatchObject({ inserted: Math.min(BATCH_ROWS, lines.length - i), duplicates: 0 });
  }
  // A batch re-sent to the other replica is all duplicates.
  expect((await call(b.url, 'POST', '/api/models/carloan/rows', { body: [header, ...lines.slice(0, 100)].join('\n'), contentType: 'text/csv' })).body).toMatchObject({ inserted: 0, duplicates: 100 });
  const { header: theader, lines: tlines } = csvLines(FILES.targets);
  const half = tlines.length / 2;
  const ta = await call(a.url, 'POST', '/api/models/carloan/targets', { body: [theader, ...tlines.slice(0, half)].join('\n'), contentType: 'text/csv' });
  const tb = await call(b.url, 'POST', '/api/models/carloan/targets', { body: [theader, ...tlines.slice(half)].join('\n'), contentType: 'text/csv' });
  expect(ta.body.attached + tb.body.attached).toBe(50_000);
  expect(ta.body.unknown_ids_count + tb.body.unknown_ids_count).toBe(0);

  const ma = await waitComputed(a.url, 'carloan', undefined, 180_000);
  const mb = await waitComputed(b.url, 'carloan', undefined, 180_000);
  expect(ma.status.errors).toEqual([]);
  expect(mb.analysis_rows).toBe(50_000);

  const expected = carLoanRunResults(dir, ma);

  // B's cached answer is not served once A's results are stored: its cache is keyed by the store's results version.
  const late = await call(b.url, 'GET', wide);
  expect(late.body).not.toEqual(early.body);
  expect(late.body).toEqual((await call(a.url, 'GET', wide)).body);
  expect(late.body.data.result[0].values.length).toBeGreaterThan(0);
  const [fromA, fromB] = [await servedResults(a), await servedResults(b)];
  expectSameRows(fromA, expected);
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
  // Only A computed (B runs with --role api).
  const recomputes = async (v: Vigil) => Number(/^vigil_recompute_duration_seconds_count\{model="carloan"\} (\d+)/m.exec((await call(v.url, 'GET', '/metrics')).text)?.[1] ?? 0);
  expect(await recomputes(a)).toBeGreaterThan(0);
  expect(await recomputes(b)).toBe(0);
  const metricsA = await resultLines(a);
  expect(metricsA.length).toBeGreaterThan(100);
  expect(await resultLines(b)).toEqual(metricsA);

  // A real Prometheus scraping both replicas holds, from each, the values Vigil's own PromQL API gives.
  const promDir = tempDir();
  fs.mkdirSync(`${promDir}/data`);
  const targets = [a, b].map((v) => `127.0.0.1:${v.port}`);
  const prom = await startPrometheus({
    config: `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: vigil\n    static_configs:\n      - targets: ${JSON.stringify(targets)}\n`,
    dataDir: `${promDir}/data`,
  });
  try {
    const selector = 'vigil_multivariate_drift{model="carloan"}';
    const own = (await call(a.url, 'GET', `/prometheus/api/v1/query?query=${encodeURIComponent(selector)}&time=${end}`)).body.data.result;
    expect(own.length).toBeGreaterThan(0);
    const scraped = await until(
      'Prometheus scraped both replicas',
      async () => {
        const r = await getJson(`${prom.url}/api/v1/query?query=${encodeURIComponent(selector)}`);
        return r.body.data?.result?.length === 2 * own.length ? r.body.data.result : null;
      },
      60_000,
    );
    const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).filter(([k]) => !['instance', 'job'].includes(k)).sort());
    const ownValues = new Map(own.map((r: any) => [key(r.metric), Number(r.value[1])]));
    for (const t of targets) {
      const fromT = scraped.filter((r: any) => r.metric.instance === t);
      expect(new Map(fromT.map((r: any) => [key(r.metric), Number(r.value[1])]))).toEqual(ownValues);
    }
  } finally {
    await prom.stop();
    fs.rmSync(promDir, { recursive: true, force: true });
  }
}, 420_000);

test('a --role worker replica serves health and /metrics only', async () => {
  const w = await startVigil({ db: pg.url, env: ENV, args: ['--role', 'worker'], timeoutMs: 60_000 });
  try {
    expect(w.logs.find((l) => l.msg === 'listening')!.role).toBe('worker');
    const api = await call(w.url, 'GET', '/api/models');
    expect(api.status).toBe(404);
    expect(api.body.error).toMatchObject({ code: 'worker_role', where: 'path' });
    expect((await call(w.url, 'GET', '/prometheus/api/v1/label/__name__/values')).status).toBe(404);
    expect((await call(w.url, 'GET', '/healthz')).status).toBe(200);
    expect((await call(w.url, 'GET', '/readyz')).status).toBe(200);
    const metrics = await call(w.url, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('vigil_multivariate_drift{metric="reconstruction_error",model="carloan"}');
  } finally {
    expect(await w.stop()).toBe(0);
  }
}, 120_000);
