/**
 * Errors that last (issue 12, item 3), on the real server: a calculator that fails on a chunk is stored
 * with the model, survives a restart, shows in GET /api/models/{name}, counts in
 * vigil_errors_total{model,where} (present at 0 before any error) and in the model-health gauge the
 * provisioned Grafana rule reads; a later successful recompute of that chunk resolves it. The staleness
 * gauge follows the last stored row.
 *
 * The failure is a real one: realized MSLE is undefined for a negative target (NannyML raises too), so a
 * late target of -1 makes PerformanceCalculator fail on that chunk; a corrected target resolves it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { alertRules } from '../provisioning/provisioning-files';
import { call, prng, startVigil, tempDir, Vigil, waitComputed } from './helpers';

const HOUR = 3_600_000;
const START = Date.UTC(2024, 0, 1);

let vigil: Vigil;
let dir: string;
let db: string;

beforeAll(async () => {
  dir = tempDir();
  db = path.join(dir, 'vigil.db');
  vigil = await startVigil({ db });
}, 120_000);

afterAll(async () => {
  await vigil?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function rows(n: number, seed: number, startId: number, start: number) {
  const r = prng(seed);
  return Array.from({ length: n }, (_, i) => {
    const x = Math.round(r() * 1000) / 100;
    return { id: startId + i, ts: new Date(start + i * HOUR).toISOString(), x, pred: Math.round((x * 2 + r()) * 100) / 100, y: Math.round((x * 2 + r() * 1.5) * 100) / 100 };
  });
}

/** The samples of one metric in a /metrics body, as `{labels} value` lines. */
async function metricLines(name: string): Promise<string[]> {
  const text = (await call(vigil.url, 'GET', '/metrics')).text;
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

async function promQuery(query: string, time?: number) {
  const params = new URLSearchParams({ query, ...(time !== undefined ? { time: String(time / 1000) } : {}) });
  const r = await call(vigil.url, 'GET', `/prometheus/api/v1/query?${params}`);
  expect(r.body.status).toBe('success');
  return r.body.data.result.map((s: any) => ({ labels: s.metric, value: Number(s.value[1]) }));
}

const grafanaExpr = (uid: string) => alertRules().find((r) => r.uid === uid)!.data.find((q) => q.refId === 'A')!.model.expr as string;

test('a chunk error is stored, counted from 0, survives a restart, and is resolved by a successful recompute', async () => {
  const model = {
    name: 'reg',
    problem_type: 'regression',
    columns: { features: ['x'], timestamp: 'ts', id: 'id', y_pred: 'pred', y_true: 'y' },
    chunking: { chunk_size: 50 },
    calculators: [{ class: 'PerformanceCalculator', params: { metrics: ['mae', 'msle'] } }],
  };
  expect((await call(vigil.url, 'POST', '/api/models', { body: model })).status).toBe(201);

  // Counters a provisioned rule reads exist before any error, at 0; no age before any row.
  expect(await metricLines('vigil_errors_total')).toEqual(
    expect.arrayContaining(['vigil_errors_total{model="reg",where="fit"} 0', 'vigil_errors_total{model="reg",where="recompute"} 0', 'vigil_errors_total{where="metrics"} 0']),
  );
  expect(await metricLines('vigil_last_ingest_timestamp_seconds')).toEqual([]);
  expect(await promQuery('vigil_model_ingest_age_seconds')).toEqual([]);

  expect((await call(vigil.url, 'PUT', '/api/models/reg/reference', { body: rows(200, 1, 0, START) })).status).toBe(200);
  const before = Date.now();
  const analysis = rows(150, 2, 1000, START + 500 * HOUR);
  expect((await call(vigil.url, 'POST', '/api/models/reg/rows', { body: analysis })).body).toMatchObject({ inserted: 150 });
  let m = await waitComputed(vigil.url, 'reg');
  expect({ errors: m.status.errors, total: m.status.errors_total }).toEqual({ errors: [], total: 0 });

  // Staleness: the age of the last row, as /metrics and the Prometheus API give it, and the Grafana rule.
  const [last] = await metricLines('vigil_last_ingest_timestamp_seconds');
  const lastIngest = Number(last.split(' ')[1]) * 1000;
  expect(lastIngest).toBeGreaterThanOrEqual(before - 1000);
  expect(lastIngest).toBeLessThanOrEqual(Date.now());
  const age = await promQuery('vigil_model_ingest_age_seconds', lastIngest + 90_000);
  expect(age).toEqual([{ labels: { __name__: 'vigil_model_ingest_age_seconds', model: 'reg' }, value: 90 }]);
  expect(await promQuery(grafanaExpr('vigil-model-stale'), lastIngest + 60_000)).toEqual([{ labels: { model: 'reg' }, value: 0 }]);
  expect(await promQuery(grafanaExpr('vigil-model-stale'), lastIngest + 7 * HOUR)).toEqual([{ labels: { model: 'reg' }, value: 1 }]);

  // A negative target in chunk [50:99]: realized MSLE is undefined there, PerformanceCalculator fails.
  const bad = await call(vigil.url, 'POST', '/api/models/reg/targets', { body: [{ id: 1060, y: -1 }] });
  expect(bad.body).toMatchObject({ attached: 1 });
  m = await waitComputed(vigil.url, 'reg');
  expect(m.status.errors).toEqual([{ time: expect.any(String), where: 'recompute', calculator: 'PerformanceCalculator', chunk: '[50:99]', message: expect.stringMatching(/negative value \(-1\); msle/) }]);
  expect(m.status).toMatchObject({ errors_total: 1, errors_by_where: { fit: 0, recompute: 1 } });
  expect(m.status.error_history).toHaveLength(1);
  // The other chunks keep their results; the failed one has none from that calculator.
  const results = (await call(vigil.url, 'GET', '/api/models/reg/results?period=analysis&metric=mae')).body.results.map((r: any) => r.chunk.key);
  expect(results).toEqual(['[0:49]', '[100:149]']);
  expect(await metricLines('vigil_errors_total')).toEqual(expect.arrayContaining(['vigil_errors_total{model="reg",where="recompute"} 1']));
  expect(await promQuery(grafanaExpr('vigil-model-errors'))).toEqual([{ labels: { model: 'reg' }, value: 1 }]);

  // A restart: the error is still there, and the counter starts at the stored total.
  await vigil.stop();
  vigil = await startVigil({ db });
  m = await waitComputed(vigil.url, 'reg');
  expect(m.status.errors).toEqual([expect.objectContaining({ where: 'recompute', calculator: 'PerformanceCalculator', chunk: '[50:99]' })]);
  expect(m.status.errors_total).toBe(1);
  expect(await metricLines('vigil_errors_total')).toEqual(
    expect.arrayContaining(['vigil_errors_total{model="reg",where="fit"} 0', 'vigil_errors_total{model="reg",where="recompute"} 1']),
  );
  expect(await metricLines('vigil_model_unresolved_errors')).toEqual(
    expect.arrayContaining(['vigil_model_unresolved_errors{model="reg",where="recompute"} 1', 'vigil_model_unresolved_errors{model="reg",where="fit"} 0']),
  );
  expect(await metricLines('vigil_last_ingest_timestamp_seconds')).toEqual([last]);

  // The corrected target: the chunk computes again, the error is resolved (kept in the history), the total stays.
  expect((await call(vigil.url, 'POST', '/api/models/reg/targets', { body: [{ id: 1060, y: 3 }] })).body).toMatchObject({ attached: 1 });
  m = await waitComputed(vigil.url, 'reg');
  expect(m.status.errors).toEqual([]);
  expect(m.status.errors_total).toBe(1);
  expect(m.status.error_history).toEqual([expect.objectContaining({ chunk: '[50:99]', resolved_at: expect.any(String) })]);
  expect((await call(vigil.url, 'GET', '/api/models/reg/results?period=analysis&metric=mae')).body.results).toHaveLength(3);
  expect(await promQuery(grafanaExpr('vigil-model-errors'))).toEqual([{ labels: { model: 'reg' }, value: 0 }]);
  expect(await metricLines('vigil_errors_total')).toEqual(expect.arrayContaining(['vigil_errors_total{model="reg",where="recompute"} 1']));
}, 240_000);
