/**
 * Late targets recompute only the calculators that read targets (issue 13 item 2), against the real
 * server: a SQLite trigger on the server's own file logs every results row written or deleted while the
 * targets are recomputed — only target-reading calculators appear, so every other calculator's stored
 * rows are untouched — and the results then equal those of a twin model that got the same targets with
 * its rows (a full compute).
 */
import Database from 'better-sqlite3';
import * as path from 'path';
import { call, makeRows, startVigil, TEST_MODEL_COLUMNS, tempDir, toCsv, Vigil, waitComputed } from './helpers';

const START = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;
const reference = makeRows(400, { seed: 1, startId: 0, start: START, stepMs: MINUTE });
const rowsOpts = { seed: 2, startId: 10_000, start: START + 1000 * MINUTE, stepMs: MINUTE };
const withTargets = makeRows(600, rowsOpts);
const withoutTargets = withTargets.map(({ y: _y, ...row }) => row);

let vigil: Vigil;
let db: string;
const api = (method: string, p: string, o: Parameters<typeof call>[3] = {}) => call(vigil.url, method, p, o);

async function model(name: string, rows: readonly object[]) {
  let r = await api('POST', '/api/models', { body: { name, problem_type: 'classification_binary', columns: TEST_MODEL_COLUMNS, chunking: { chunk_size: 50 } } });
  expect(r.status).toBe(201);
  r = await api('PUT', `/api/models/${name}/reference`, { body: toCsv(reference as any), contentType: 'text/csv' });
  expect(r.status).toBe(200);
  r = await api('POST', `/api/models/${name}/rows`, { body: toCsv(rows as any), contentType: 'text/csv' });
  expect(r.status).toBe(200);
  await waitComputed(vigil.url, name);
}

/** Analysis results as the API gives them, without the model's name, in a stable order. */
async function results(name: string): Promise<string[]> {
  const r = await api('GET', `/api/models/${name}/results`);
  expect(r.status).toBe(200);
  return (r.body.results as any[]).filter((x) => x.period === 'analysis').map((x) => JSON.stringify({ ...x, model: undefined })).sort();
}

beforeAll(async () => {
  db = path.join(tempDir(), 'vigil.db');
  vigil = await startVigil({ db, env: { VIGIL_COMPUTE_THREADS: '2' } });
  await model('late', withoutTargets);
  await model('twin', withTargets);
}, 120_000);

afterAll(async () => {
  await vigil?.stop();
});

test('late targets recompute only the calculators that read targets, and equal a full compute', async () => {
  const described = (await api('GET', '/api/models/late')).body;
  const calculators = described.calculators as { id: string; params: Record<string, unknown> }[];
  const readsY = (v: unknown): boolean => v === 'y' || (Array.isArray(v) ? v.some(readsY) : v !== null && typeof v === 'object' && Object.values(v).some(readsY));
  const targetReaders = calculators.filter((c) => readsY(c.params)).map((c) => c.id).sort();
  const others = calculators.map((c) => c.id).filter((id) => !targetReaders.includes(id));
  expect(targetReaders).toEqual(expect.arrayContaining(['PerformanceCalculator', 'CBPE', 'InvalidValuesCalculator']));
  expect(others).toEqual(expect.arrayContaining(['UnivariateDriftCalculator', 'OutlierDetectionCalculator', 'DataReconstructionDriftCalculator']));
  expect(await results('late')).not.toEqual(await results('twin'));

  // Every results row the server writes or deletes for 'late' from now on is logged.
  const conn = new Database(db, { fileMustExist: true });
  const modelId = (conn.prepare('SELECT id FROM models WHERE name = ?').get('late') as { id: number }).id;
  conn.exec(`
    CREATE TABLE results_log (op TEXT, calculator_id TEXT, chunk_id REAL);
    CREATE TRIGGER results_log_ins AFTER INSERT ON results WHEN NEW.model_id = ${modelId} BEGIN INSERT INTO results_log VALUES ('insert', NEW.calculator_id, NEW.chunk_id); END;
    CREATE TRIGGER results_log_del AFTER DELETE ON results WHEN OLD.model_id = ${modelId} BEGIN INSERT INTO results_log VALUES ('delete', OLD.calculator_id, OLD.chunk_id); END;
    CREATE TRIGGER results_log_upd AFTER UPDATE ON results WHEN OLD.model_id = ${modelId} BEGIN INSERT INTO results_log VALUES ('update', OLD.calculator_id, OLD.chunk_id); END;
  `);
  const unchanged = conn.prepare(`SELECT * FROM results WHERE model_id = ? AND calculator_id IN (SELECT value FROM json_each(?)) ORDER BY period, chunk_id, calculator_id, metric, column_name`);
  const before = unchanged.all(modelId, JSON.stringify(others));
  expect(before.length).toBeGreaterThan(100);

  try {
    const targets = withTargets.map((r) => ({ id: r.id, y: r.y }));
    const r = await api('POST', '/api/models/late/targets', { body: toCsv(targets), contentType: 'text/csv' });
    expect(r.status).toBe(200);
    expect(r.body.attached).toBe(600);
    await waitComputed(vigil.url, 'late');

    const log = conn.prepare('SELECT op, calculator_id AS calculator, chunk_id AS chunk FROM results_log').all() as { op: string; calculator: string; chunk: number }[];
    const touched = [...new Set(log.map((l) => l.calculator))].sort();
    expect(touched).toEqual(targetReaders.filter((id) => log.some((l) => l.calculator === id)));
    expect(touched).toEqual(expect.arrayContaining(['PerformanceCalculator', 'CBPE']));
    for (const id of others) expect(log.filter((l) => l.calculator === id)).toEqual([]);
    // every one of the 12 chunks got targets, and was recomputed
    expect(new Set(log.filter((l) => l.calculator === 'PerformanceCalculator').map((l) => l.chunk)).size).toBe(12);
    expect(unchanged.all(modelId, JSON.stringify(others))).toEqual(before);

    // The recomputed calculators (and everything else) equal the twin that got its targets with the rows.
    expect(await results('late')).toEqual(await results('twin'));
  } finally {
    conn.exec('DROP TRIGGER results_log_ins; DROP TRIGGER results_log_del; DROP TRIGGER results_log_upd;');
    conn.close();
  }
}, 120_000);
