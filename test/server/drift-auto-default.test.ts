/**
 * Issue 17 item 2 on the real server: a model registered without drift methods gets `auto`, which picks one
 * method per column by Evidently's rule (docs/drift-methods.md, "`method: auto`"), and the chosen method is
 * the results' metric and the Prometheus `method` label.
 */
import { spawnSync } from 'child_process';
import { call, prng, ROOT, startVigil, tempDir, toCsv, Vigil, waitComputed } from './helpers';
import * as fs from 'fs';
import * as path from 'path';

const START = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;

/**
 * wide: numeric, many distinct values; few: numeric, 4 distinct; two: numeric, 2 distinct; cat: 3 strings;
 * bin: 2 strings. From `shiftFrom` on, `wide` moves by +3 (its range is 0–10).
 */
function rows(n: number, startId: number, seed: number, shiftFrom = Infinity) {
  const r = prng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: startId + i,
    ts: new Date(START + (startId + i) * HOUR).toISOString(),
    wide: Math.round((r() * 10 + (i >= shiftFrom ? 3 : 0)) * 1000) / 1000,
    few: 1 + Math.floor(r() * 4),
    two: r() < 0.4 ? 1 : 0,
    cat: ['a', 'b', 'c'][Math.floor(r() * 3)],
    bin: r() < 0.5 ? 'yes' : 'no',
  }));
}

const FEATURES = ['wide', 'few', 'two', 'cat', 'bin'];

/** Per column, the methods Evidently's rule picks (auto.ts's table), by reference size. */
const LARGE = { wide: ['wasserstein'], few: ['jensen_shannon'], two: ['jensen_shannon'], cat: ['jensen_shannon'], bin: ['jensen_shannon'] };
const SMALL = { wide: ['kolmogorov_smirnov'], few: ['chi2'], two: ['z_test', 'z_test_p_value'], cat: ['chi2'], bin: ['z_test', 'z_test_p_value'] };

const REFERENCE_ROWS = { large: 1_500, small: 600 };
/** Inside each model's last analysis chunk (Vigil's chunk lookback keeps it current there). */
const lastChunkTime = (name: 'large' | 'small') => (START + (REFERENCE_ROWS[name] + 1_199) * HOUR) / 1000;

let vigil: Vigil;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  vigil = await startVigil({ db: path.join(dir, 'v.db') });
  for (const [name, referenceRows] of Object.entries(REFERENCE_ROWS)) {
    const reg = await call(vigil.url, 'POST', '/api/models', { body: { name, columns: { features: FEATURES, timestamp: 'ts', id: 'id' }, chunking: { chunk_size: 300 } } });
    expect([name, reg.status]).toEqual([name, 201]);
    const reference = toCsv(rows(referenceRows, 0, 1));
    // 1,200 analysis rows: 4 chunks, `wide` shifted in the last two
    const analysis = toCsv(rows(1_200, referenceRows, 2, 600));
    fs.writeFileSync(path.join(dir, `${name}.reference.csv`), reference);
    fs.writeFileSync(path.join(dir, `${name}.analysis.csv`), analysis);
    const ref = await call(vigil.url, 'PUT', `/api/models/${name}/reference`, { body: reference, contentType: 'text/csv' });
    expect([name, ref.status, ref.text]).toEqual([name, 200, ref.text]);
    const ingest = await call(vigil.url, 'POST', `/api/models/${name}/rows`, { body: analysis, contentType: 'text/csv' });
    expect([name, ingest.status]).toEqual([name, 200]);
    await waitComputed(vigil.url, name);
  }
}, 120_000);

afterAll(async () => {
  await vigil?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** column → sorted metrics of the drift rows. */
function byColumn(list: { column: string; metric: string }[]): Record<string, string[]> {
  const out: Record<string, Set<string>> = {};
  for (const r of list) (out[r.column] ??= new Set()).add(r.metric);
  return Object.fromEntries(Object.entries(out).map(([c, s]) => [c, [...s].sort()]));
}

it.each([
  ['large', LARGE],
  ['small', SMALL],
])('%s reference: the results carry the method auto chose per column, never "auto"', async (name, expected) => {
  const res = await call(vigil.url, 'GET', `/api/models/${name}/results?period=analysis`);
  expect(res.status).toBe(200);
  const drift = (res.body.results as { calculator: string; column: string; metric: string }[]).filter((r) => r.calculator === 'UnivariateDriftCalculator');
  expect(byColumn(drift)).toEqual(expected);
});

it.each([
  ['large', LARGE],
  ['small', SMALL],
] as const)('%s reference: Prometheus labels each drift series with the chosen method', async (name, expected) => {
  const q = encodeURIComponent(`vigil_univariate_drift{model="${name}"}`);
  const res = await call(vigil.url, 'GET', `/prometheus/api/v1/query?query=${q}&time=${lastChunkTime(name)}`);
  expect(res.status).toBe(200);
  const series = (res.body.data.result as { metric: { column: string; method: string } }[]).map((s) => ({ column: s.metric.column, metric: s.metric.method }));
  expect(byColumn(series)).toEqual(expected);
});

it('the chosen method alerts on planted drift: Wasserstein on the shifted column, about the shift (3) in the shifted chunks', async () => {
  const res = await call(vigil.url, 'GET', '/api/models/large/results?period=analysis&metric=wasserstein&column=wide');
  expect(res.status).toBe(200);
  const chunks = res.body.results as { alert: boolean; value: number }[];
  expect(chunks.map((r) => r.value < 1)).toEqual([true, true, false, false]);
  expect(chunks.slice(2).map((r) => [r.alert, Math.abs(r.value - 3) < 0.5])).toEqual([[true, true], [true, true]]);
  const alerts = await call(vigil.url, 'GET', `/prometheus/api/v1/query?query=${encodeURIComponent('vigil_univariate_drift_alert{model="large",method="wasserstein"}')}&time=${lastChunkTime('large')}`);
  expect(alerts.body.data.result.map((s: { metric: { column: string }; value: [number, string] }) => [s.metric.column, s.value[1]])).toEqual([['wide', '1']]);
});

it.each(['large', 'small'])("%s reference: the server's values are vigil run's with the calculator it resolved (auto included), row for row", async (name) => {
  const m = (await call(vigil.url, 'GET', `/api/models/${name}`)).body;
  const drift = m.calculators.find((c: { class: string }) => c.class === 'UnivariateDriftCalculator');
  expect(drift.params).toMatchObject({ continuous_methods: ['auto'], categorical_methods: ['auto'] });
  const config = path.join(dir, `${name}.json`);
  fs.writeFileSync(config, JSON.stringify({ reference: `${name}.reference.csv`, analysis: `${name}.analysis.csv`, calculators: [{ class: drift.class, id: drift.id, params: drift.params }] }));
  const out = path.join(dir, `${name}.run.json`);
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'vigil.js'), 'run', config, '--out', out], { encoding: 'utf8', timeout: 60_000 });
  expect([run.status, run.stderr]).toEqual([0, '']);
  const expected = JSON.parse(fs.readFileSync(out, 'utf8')).results;
  const served = (await call(vigil.url, 'GET', `/api/models/${name}/results?calculator=UnivariateDriftCalculator`)).body.results.map(({ partial: _p, ...r }: { partial: boolean }) => r);
  expect(served.length).toBeGreaterThan(0);
  expect(served).toEqual(expected);
}, 60_000);
