/**
 * /metrics kept bounded (issue 13 item 4) against the real server: VIGIL_METRICS_PER_COLUMN sets what
 * per-column series export, a model's `metrics_endpoint` overrides it and lists families; the Prometheus
 * API still serves every series; the bounded exposition passes `promtool check metrics`.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { call, makeRows, startVigil, TEST_MODEL_COLUMNS, tempDir, toCsv, Vigil, waitComputed } from './helpers';

const START = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;

let vigil: Vigil;
const api = (method: string, p: string, o: Parameters<typeof call>[3] = {}) => call(vigil.url, method, p, o);

const calculators = [
  { class: 'UnivariateDriftCalculator', params: { continuous_methods: ['jensen_shannon'], categorical_methods: ['chi2'] } },
  { class: 'MissingValuesCalculator' },
  { class: 'OutlierDetectionCalculator' },
];

async function model(name: string, metricsEndpoint?: unknown) {
  let r = await api('POST', '/api/models', {
    body: { name, problem_type: 'classification_binary', columns: TEST_MODEL_COLUMNS, chunking: { chunk_size: 100 }, calculators, metrics_endpoint: metricsEndpoint },
  });
  expect(r.status).toBe(201);
  r = await api('PUT', `/api/models/${name}/reference`, { body: toCsv(makeRows(300, { seed: 1, startId: 0, start: START, stepMs: HOUR }) as any), contentType: 'text/csv' });
  expect(r.status).toBe(200);
  r = await api('POST', `/api/models/${name}/rows`, { body: toCsv(makeRows(300, { seed: 2, startId: 10_000, start: START + 1000 * HOUR, stepMs: HOUR }) as any), contentType: 'text/csv' });
  expect(r.status).toBe(200);
  await waitComputed(vigil.url, name);
}

beforeAll(async () => {
  vigil = await startVigil({ db: path.join(tempDir(), 'vigil.db'), env: { VIGIL_METRICS_PER_COLUMN: 'alerts' } });
  await model('plain'); // the server's default: per-column alerts only
  await model('full', { per_column: 'all' });
  await model('lean', { per_column: 'none', families: ['outliers', 'data_quality'] });
}, 120_000);

afterAll(async () => {
  await vigil?.stop();
});

/** Sample lines of /metrics for one model: `name{labels}`. */
function samples(text: string, model: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('vigil_') && l.includes(`model="${model}"`)).map((l) => l.slice(0, l.lastIndexOf(' ')));
}

describe('/metrics bounds', () => {
  it('exports per model what its option and the server option say', async () => {
    const r = await api('GET', '/metrics');
    expect(r.status).toBe(200);
    const plain = samples(r.text, 'plain');
    const full = samples(r.text, 'full');
    const lean = samples(r.text, 'lean');
    const perColumn = (lines: string[]) => lines.filter((l) => l.includes('column="'));
    // full: value, thresholds and alert of every per-column series.
    expect(perColumn(full).some((l) => l.startsWith('vigil_univariate_drift{'))).toBe(true);
    expect(perColumn(full).some((l) => l.startsWith('vigil_univariate_drift_upper_threshold{'))).toBe(true);
    // plain (server default alerts): per-column series only as _alert, model-level ones complete.
    expect(perColumn(plain).length).toBeGreaterThan(0);
    expect(perColumn(plain).every((l) => /^vigil_[a-z_]+_alert\{/.test(l))).toBe(true);
    expect(perColumn(plain).map((l) => l.replace('model="plain"', ''))).toEqual(perColumn(full).filter((l) => /_alert\{/.test(l)).map((l) => l.replace('model="full"', '')));
    expect(plain.some((l) => l.startsWith('vigil_outlier_rate{'))).toBe(true);
    // lean: no per-column series, and only the families it lists.
    expect(perColumn(lean)).toEqual([]);
    expect(lean.some((l) => l.startsWith('vigil_outlier_rate{'))).toBe(true);
    expect(lean.filter((l) => /^vigil_(univariate_drift|data_quality|multivariate_drift|summary_stat)/.test(l))).toEqual([]);
    expect(full.length).toBeGreaterThan(plain.length);
    // Vigil's own metrics are always there.
    expect(r.text).toMatch(/^vigil_ingested_rows_total\{model="lean"\} 300$/m);
  });

  it('leaves the Prometheus API complete', async () => {
    const r = await api('GET', `/prometheus/api/v1/query?query=${encodeURIComponent('count(vigil_univariate_drift{model="lean"})')}&time=${(START + 1400 * HOUR) / 1000}`);
    expect(r.status).toBe(200);
    expect(Number(r.body.data.result[0].value[1])).toBeGreaterThan(0);
  });

  it('passes promtool check metrics', async () => {
    const r = await api('GET', '/metrics');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: r.text, encoding: 'utf8' });
    expect(check.stderr + check.stdout).not.toMatch(/error/i);
    expect(check.status).toBe(0);
  });

  it('refuses a bad metrics_endpoint, naming it', async () => {
    let r = await api('POST', '/api/models', { body: { name: 'bad', columns: { features: ['x1'] }, metrics_endpoint: { per_column: 'some' } } });
    expect(r.status).toBe(400);
    expect(r.body.error.where).toBe('metrics_endpoint.per_column');
    r = await api('POST', '/api/models', { body: { name: 'bad', columns: { features: ['x1'] }, metrics_endpoint: { families: ['drift'] } } });
    expect(r.status).toBe(400);
    expect(r.body.error.where).toBe('metrics_endpoint.families[0]');
  });
});
