/**
 * Open chunks (backend/service/open-chunks.ts, docs/prometheus.md "Open chunks"): a chunk still filling
 * is exported and shown, marked `partial`, and by default never alerts — not in the Prometheus series,
 * not in /metrics, not in REST results, frames or GET /alerts. A model that opts in
 * (`"alerting": {"open_chunks_min_rows": N}`) alerts on an open chunk once it holds N rows. Size chunks:
 * the last chunk is open until it holds a full chunk's rows.
 *
 * The server runs in this process (real Express app, SQLite file, compute worker) with a clock the test
 * moves (`now`, as `vigil demo --now` pins it), so a period chunk can be seen open and then closed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RunningServer, startServer } from '../../backend/api/server';
import { call, tempDir, waitComputed } from '../server/helpers';

const HOUR = 3_600_000;
const START = Date.UTC(2025, 0, 1);
const REFERENCE_HOURS = 24;
/** Analysis: hour A (closed, clean), hour B (where the clock stands; its rows lack x1). */
const HOUR_A = START + REFERENCE_HOURS * HOUR;
const HOUR_B = HOUR_A + HOUR;
const MIN_ROWS = 6;

let server: RunningServer;
let dir: string;
let clock = HOUR_B + 30 * 60_000;
let nextId = 1;

/** `n` rows from `t0`, a minute apart; x1 missing when `missing`. */
function csv(t0: number, n: number, missing: boolean): string {
  const lines = ['id,ts,x1'];
  for (let k = 0; k < n; k++) lines.push(`${nextId++},${new Date(t0 + k * 60_000).toISOString()},${missing ? '' : (k % 7) * 0.5}`);
  return lines.join('\n') + '\n';
}

const reference = () => {
  const parts = Array.from({ length: REFERENCE_HOURS }, (_, h) => csv(START + h * HOUR, 4, false).split('\n').slice(1).join('\n'));
  return 'id,ts,x1\n' + parts.join('');
};

async function register(name: string, chunking: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const created = await call(server.url, 'POST', '/api/models', {
    body: { name, columns: { features: ['x1'], timestamp: 'ts', id: 'id' }, chunking, calculators: [{ class: 'MissingValuesCalculator' }], ...extra },
  });
  expect(created.status).toBe(201);
  expect((await call(server.url, 'PUT', `/api/models/${name}/reference`, { body: reference(), contentType: 'text/csv' })).status).toBe(200);
}

async function ingest(name: string, body: string) {
  expect((await call(server.url, 'POST', `/api/models/${name}/rows`, { body, contentType: 'text/csv' })).status).toBeLessThan(300);
  await waitComputed(server.url, name);
}

/** The missing-values results of x1, as REST gives them. */
async function results(name: string) {
  const r = await call(server.url, 'GET', `/api/models/${name}/results?period=analysis&metric=missing_values`);
  expect(r.status).toBe(200);
  return (r.body.results as any[]).map((x) => ({ chunk: x.chunk.key, value: x.value, alert: x.alert, partial: x.partial }));
}

async function prom(query: string) {
  const r = await call(server.url, 'GET', `/prometheus/api/v1/query?query=${encodeURIComponent(query)}&time=${clock / 1000}`);
  expect(r.status).toBe(200);
  return (r.body.data.result as any[]).map((s) => ({ labels: s.metric, value: s.value[1] }));
}

async function metricsLines(model: string) {
  const r = await fetch(`${server.url}/metrics`);
  expect(r.status).toBe(200);
  return (await r.text()).split('\n').filter((l) => l.startsWith('vigil_data_quality') && l.includes(`model="${model}"`));
}

async function framesAlert(name: string) {
  const r = await call(server.url, 'POST', '/api/query', {
    body: { queries: [{ refId: 'A', model: name, family: 'data_quality', metrics: ['missing_values'], columns: ['x1'] }] },
  });
  expect(r.status).toBe(200);
  const fields = r.body.results.A.frames[0].fields as any[];
  const of = (n: string) => fields.find((f) => f.name === n).values;
  return { alert: of('alert'), partial: of('partial') };
}

const alertsOf = async (name: string) => (await call(server.url, 'GET', `/api/models/${name}/alerts`)).body.alerts as any[];

beforeAll(async () => {
  dir = tempDir();
  server = await startServer({ port: 0, host: '127.0.0.1', dbPath: path.join(dir, 'vigil.db'), synchronous: 'normal', now: () => clock });
  await register('plain', { chunk_period: 'h' });
  await register('optin', { chunk_period: 'h' }, { alerting: { open_chunks_min_rows: MIN_ROWS } });
  for (const name of ['plain', 'optin']) await ingest(name, csv(HOUR_A, 4, false) + csv(HOUR_B, 4, true).split('\n').slice(1).join('\n'));
}, 120_000);

afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('an open period chunk is exported and marked, and its alert is 0 everywhere by default', async () => {
  // Hour B lacks every x1 value: closed, it would alert (see the last test).
  const rows = await results('plain');
  expect(rows.map((r) => [r.value, r.alert, r.partial])).toEqual([
    [0, false, false],
    [1, false, true],
  ]);
  // Prometheus: the open chunk's samples carry partial="true"; the closed series keeps its label set.
  const values = await prom('vigil_data_quality{model="plain",metric="missing_values"}');
  expect(values).toEqual(
    expect.arrayContaining([
      { labels: { __name__: 'vigil_data_quality', model: 'plain', column: 'x1', metric: 'missing_values' }, value: '0' },
      { labels: { __name__: 'vigil_data_quality', model: 'plain', column: 'x1', metric: 'missing_values', partial: 'true' }, value: '1' },
    ]),
  );
  expect(values).toHaveLength(2);
  expect((await prom('vigil_data_quality_alert{model="plain",metric="missing_values"}')).map((s) => s.value)).toEqual(['0', '0']);
  expect(await prom('max by (model, column, metric) (vigil_data_quality_alert{model="plain",metric="missing_values"}) > 0')).toEqual([]);
  expect(await prom('vigil_data_quality{model="plain",metric="missing_values",partial!="true"}')).toHaveLength(1);
  // /metrics: the open chunk's value is there, its alert is 0
  const lines = await metricsLines('plain');
  expect(lines).toContain('vigil_data_quality{column="x1",metric="missing_values",model="plain",partial="true"} 1');
  expect(lines).toContain('vigil_data_quality_alert{column="x1",metric="missing_values",model="plain",partial="true"} 0');
  expect(lines.filter((l) => l.includes('_alert{') && l.endsWith(' 1'))).toEqual([]);
  // frames and annotations
  expect(await framesAlert('plain')).toEqual({ alert: [false, false], partial: [false, true] });
  expect(await alertsOf('plain')).toEqual([]);
});

test('a model that opted in alerts on an open chunk once it holds N rows', async () => {
  // 4 rows < 6: not yet
  expect((await results('optin')).map((r) => r.alert)).toEqual([false, false]);
  expect(await prom('max by (model, column, metric) (vigil_data_quality_alert{model="optin",metric="missing_values"}) > 0')).toEqual([]);
  await ingest('optin', csv(HOUR_B + 10 * 60_000, MIN_ROWS - 4, true));
  expect((await results('optin')).map((r) => [r.alert, r.partial])).toEqual([
    [false, false],
    [true, true],
  ]);
  expect(await prom('vigil_data_quality_alert{model="optin",metric="missing_values",partial="true"}')).toEqual([
    { labels: { __name__: 'vigil_data_quality_alert', model: 'optin', column: 'x1', metric: 'missing_values', partial: 'true' }, value: '1' },
  ]);
  // The provisioned rules' shape: the open chunk's alert merges with the closed series into one instance.
  expect(await prom('max by (model, column, metric) (vigil_data_quality_alert{model="optin",metric="missing_values"})')).toEqual([
    { labels: { model: 'optin', column: 'x1', metric: 'missing_values' }, value: '1' },
  ]);
  expect(await metricsLines('optin')).toContain('vigil_data_quality_alert{column="x1",metric="missing_values",model="optin",partial="true"} 1');
  expect(await framesAlert('optin')).toEqual({ alert: [false, true], partial: [false, true] });
  const alerts = await alertsOf('optin');
  expect(alerts).toHaveLength(1);
  expect(alerts[0]).toMatchObject({ chunk: (await results('optin'))[1].chunk, metric: 'missing_values', partial: true });
  expect(alerts[0].text).toMatch(/\(open chunk, 6 rows so far\)$/);
  // The model without the option still does not alert on the same data.
  await ingest('plain', csv(HOUR_B + 10 * 60_000, MIN_ROWS - 4, true));
  expect((await results('plain')).map((r) => r.alert)).toEqual([false, false]);
});

test('once the period ends, the chunk is closed: its alert counts, without the partial label', async () => {
  // Answers cached before (Prometheus and /api/query) must not outlive the chunk's openness.
  const before = await prom('max by (model, column, metric) (vigil_data_quality_alert{model="plain",metric="missing_values"})');
  expect(before.map((s) => s.value)).toEqual(['0']);
  clock = HOUR_B + HOUR + 60_000;
  expect((await results('plain')).map((r) => [r.alert, r.partial])).toEqual([
    [false, false],
    [true, false],
  ]);
  expect(await prom('vigil_data_quality_alert{model="plain",metric="missing_values"}')).toEqual([
    { labels: { __name__: 'vigil_data_quality_alert', model: 'plain', column: 'x1', metric: 'missing_values' }, value: '1' },
  ]);
  expect(await prom('vigil_data_quality{partial="true"}')).toEqual([]);
  expect(await metricsLines('plain')).toContain('vigil_data_quality_alert{column="x1",metric="missing_values",model="plain"} 1');
  expect(await framesAlert('plain')).toEqual({ alert: [false, true], partial: [false, false] });
  expect((await alertsOf('plain')).map((a) => a.partial)).toEqual([false]);
});

test('size chunks: the last chunk is open until it holds a full chunk of rows', async () => {
  await register('sized', { chunk_size: 4 });
  await ingest('sized', csv(HOUR_A, 4, false) + csv(HOUR_A + 10 * 60_000, 2, true).split('\n').slice(1).join('\n'));
  expect((await results('sized')).map((r) => [r.value, r.alert, r.partial])).toEqual([
    [0, false, false],
    [1, false, true],
  ]);
  expect((await prom('vigil_data_quality_alert{model="sized",metric="missing_values"}')).map((s) => [s.labels.partial ?? null, s.value]).sort()).toEqual([
    [null, '0'],
    ['true', '0'],
  ]);
  expect((await metricsLines('sized')).filter((l) => l.includes('_alert{') && l.endsWith(' 1'))).toEqual([]);
  await ingest('sized', csv(HOUR_A + 20 * 60_000, 2, true));
  expect((await results('sized')).map((r) => [r.value, r.alert, r.partial])).toEqual([
    [0, false, false],
    [1, true, false],
  ]);
  expect(await prom('vigil_data_quality_alert{model="sized",metric="missing_values"}')).toEqual([
    { labels: { __name__: 'vigil_data_quality_alert', model: 'sized', column: 'x1', metric: 'missing_values' }, value: '1' },
  ]);
});

test('the option is validated: a count below 1 or not an integer is a 400 naming the key', async () => {
  for (const [value, message] of [
    [0, 'must be at least 1'],
    [2.5, 'must be an integer'],
  ] as const) {
    const r = await call(server.url, 'POST', '/api/models', {
      body: { name: 'bad', columns: { features: ['x1'] }, alerting: { open_chunks_min_rows: value } },
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_model', where: 'alerting.open_chunks_min_rows', message });
  }
  const r = await call(server.url, 'POST', '/api/models', { body: { name: 'bad', columns: { features: ['x1'] }, alerting: { open_chunk_rows: 3 } } });
  expect(r.status).toBe(400);
  expect(r.body.error.where).toBe('alerting.open_chunk_rows');
});
