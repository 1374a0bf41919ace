/**
 * Retention of raw analysis rows (issue 13 item 5) against the real server: expired chunks lose their
 * rows and keep their results; they are never recomputed (late targets are answered as expired, a new
 * reference leaves them as they were), re-sent rows stay duplicates, and bad options are refused.
 */
import Database from 'better-sqlite3';
import * as path from 'path';
import { call, makeRows, startVigil, TEST_MODEL_COLUMNS, tempDir, toCsv, Vigil, waitComputed } from './helpers';

const START = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;
const CHUNK = 20;

let vigil: Vigil;
let db: string;
const api = (method: string, p: string, o: Parameters<typeof call>[3] = {}) => call(vigil.url, method, p, o);

const calculators = [
  { class: 'UnivariateDriftCalculator', params: { continuous_methods: ['jensen_shannon'], categorical_methods: ['chi2'] } },
  { class: 'PerformanceCalculator', params: { metrics: ['roc_auc'] } },
];
const reference = makeRows(400, { seed: 1, startId: 0, start: START, stepMs: HOUR });
const analysis = makeRows(600, { seed: 2, startId: 10_000, start: START + 1000 * HOUR, stepMs: HOUR, withTarget: false });

async function model(name: string, retention: unknown, rows: typeof analysis) {
  let r = await api('POST', '/api/models', {
    body: { name, problem_type: 'classification_binary', columns: TEST_MODEL_COLUMNS, chunking: { chunk_size: CHUNK }, calculators, retention },
  });
  expect(r.status).toBe(201);
  r = await api('PUT', `/api/models/${name}/reference`, { body: toCsv(reference as any), contentType: 'text/csv' });
  expect(r.status).toBe(200);
  r = await api('POST', `/api/models/${name}/rows`, { body: toCsv(rows as any), contentType: 'text/csv' });
  expect(r.status).toBe(200);
}

/** Rows stored for a model, read from the SQLite file beside the running server (WAL: a reader is fine). */
function storedRows(name: string): number {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare('SELECT COUNT(*) AS n FROM analysis_rows WHERE model_id = (SELECT id FROM models WHERE name = ?)').get(name) as { n: number }).n;
  } finally {
    conn.close();
  }
}

async function until(what: string, f: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const t0 = Date.now();
  while (!(await f())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const results = async (name: string, q = '') => (await api('GET', `/api/models/${name}/results${q}`)).body.results as any[];
const byChunk = (rows: any[], key: string) => rows.filter((r) => r.period === 'analysis' && r.chunk.key === key);

beforeAll(async () => {
  db = path.join(tempDir(), 'vigil.db');
  vigil = await startVigil({ db, env: { VIGIL_RETENTION_INTERVAL: '1s' } });
}, 60_000);

afterAll(async () => {
  await vigil?.stop();
});

describe('retention by row count', () => {
  let before: any[];

  beforeAll(async () => {
    // rows_max 200: the rows of the newest 10 of 30 chunks. A twin without retention computes the same.
    await model('counted', { rows_max: 200 }, analysis);
    await model('twin', undefined, analysis);
  }, 120_000);

  it('retention drops rows and keeps results', async () => {
    await waitComputed(vigil.url, 'counted');
    await waitComputed(vigil.url, 'twin');
    await until('rows dropped', () => storedRows('counted') === 200);
    before = await results('counted');
    expect(byChunk(before, '[0:19]').length).toBeGreaterThan(0);
    expect(before).toEqual(await results('twin'));
    expect(storedRows('twin')).toBe(600);
    // A second sweep changes nothing; the results of every chunk, dropped or kept, are those computed.
    await new Promise((r) => setTimeout(r, 1500));
    expect(storedRows('counted')).toBe(200);
    const after = await results('counted');
    expect(after).toEqual(before);
    const m = await api('GET', '/api/models/counted');
    expect(m.body.analysis_rows).toBe(600);
  });

  it('answers late targets for dropped rows as expired and recomputes only kept chunks', async () => {
    const ids = [10_000, 10_001, 10_590]; // two rows of chunk [0:19] (dropped), one of [580:599] (kept)
    const r = await api('POST', '/api/models/counted/targets', { body: ids.map((id) => ({ id, y: 1 })) });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ attached: 1, unknown_ids_count: 0, expired_ids: ['10000', '10001'], expired_ids_count: 2, expired_chunks: ['[0:19]'] });
    await waitComputed(vigil.url, 'counted');
    const after = await results('counted');
    // The dropped chunk is as it was; the kept one got its realized ROC AUC input (one target: still NaN/null), recomputed.
    expect(byChunk(after, '[0:19]')).toEqual(byChunk(before, '[0:19]'));
    const unknown = await api('POST', '/api/models/counted/targets', { body: [{ id: 99_999, y: 0 }] });
    expect(unknown.body).toMatchObject({ attached: 0, unknown_ids: ['99999'], expired_ids_count: 0 });
  });

  it('counts re-sent dropped rows as duplicates', async () => {
    const r = await api('POST', '/api/models/counted/rows', { body: toCsv(analysis.slice(0, 50) as any), contentType: 'text/csv' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ received: 50, inserted: 0, duplicates: 50 });
    expect(storedRows('counted')).toBe(200);
  });

  it('keeps the results of dropped chunks through a new reference; kept chunks are recomputed', async () => {
    const shifted = makeRows(400, { seed: 3, startId: 0, start: START, stepMs: HOUR, shift: 1 });
    const r = await api('PUT', '/api/models/counted/reference', { body: toCsv(shifted as any), contentType: 'text/csv' });
    expect(r.status).toBe(200);
    await waitComputed(vigil.url, 'counted');
    const after = await results('counted', '?period=analysis');
    const old = before.filter((x) => x.period === 'analysis');
    expect(after).toHaveLength(old.length);
    expect(byChunk(after, '[0:19]')).toEqual(byChunk(old, '[0:19]'));
    expect(byChunk(after, '[380:399]')).toEqual(byChunk(old, '[380:399]'));
    // A kept chunk's thresholds come from the new reference.
    const thr = (rows: any[]) => rows.find((x) => x.metric === 'jensen_shannon' && x.column === 'x1').upper_threshold;
    expect(thr(byChunk(after, '[400:419]'))).not.toBe(thr(byChunk(old, '[400:419]')));
  });
});

describe('retention by age', () => {
  it('drops the rows of closed chunks older than rows_max_age (server clock); the open chunk keeps its rows', async () => {
    // 2024 data, 30 days of retention: every closed chunk is past it. 610 rows: [600:609] is still filling.
    const rows = makeRows(610, { seed: 4, startId: 10_000, start: START + 1000 * HOUR, stepMs: HOUR, withTarget: false });
    await model('aged', { rows_max_age: '30d' }, rows);
    await waitComputed(vigil.url, 'aged');
    await until('rows dropped', () => storedRows('aged') === 10);
    const all = await results('aged', '?period=analysis');
    expect(new Set(all.map((r) => r.chunk.key)).size).toBe(31);
    expect(byChunk(all, '[600:609]')[0].partial).toBe(true);
  });
});

describe('retention options', () => {
  const define = (name: string, retention: unknown, columns: Record<string, unknown> = TEST_MODEL_COLUMNS) =>
    api('POST', '/api/models', { body: { name, problem_type: 'classification_binary', columns, retention } });

  it.each([
    [{ rows_max_age: '90 days' }, 'retention.rows_max_age', /duration/],
    [{ rows_max_age: '0d' }, 'retention.rows_max_age', /duration/],
    [{ rows_max: 0 }, 'retention.rows_max', /at least 1/],
    [{ rows_max: 1.5 }, 'retention.rows_max', /integer/],
    [{ rows: 5 }, 'retention.rows', /unknown key/],
    [{}, 'retention', /rows_max_age or rows_max/],
  ])('refuses %j naming %s', async (retention, where, message) => {
    const r = await define('bad', retention);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_model', where });
    expect(r.body.error.message).toMatch(message);
  });

  it('refuses an age without a timestamp column', async () => {
    const { timestamp: _ts, ...columns } = TEST_MODEL_COLUMNS;
    const r = await define('no-ts', { rows_max_age: '90d' }, { ...columns, features: ['x1', 'x2', 'cat', 'flag'] });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_model', where: 'retention.rows_max_age' });
    const ok = await define('no-ts', { rows_max: 1000 }, { ...columns, features: ['x1', 'x2', 'cat', 'flag'] });
    expect(ok.status).toBe(201);
    expect(ok.body.definition.retention).toEqual({ rows_max_age: null, rows_max: 1000 });
  });
});
