/**
 * `vigil demo`: the server comes up with the demo models computed (`demo`, and `demo_regions` with its
 * segments; `--no-segments` leaves the latter out); `GET /api/query?model=demo` (curl) returns values;
 * every family the model computes has values; the planted events show where they were planted (drift, data-quality incident, outliers, concept shift, late labels).
 *
 * The demo's clock is pinned (`--now`): the same dates and rows on every run, whatever the day and time.
 * (Full days do not depend on the end time anyway, backend/demo/dataset.test.ts; only the last day does.)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DEMO_EVENTS } from '../../backend/demo/dataset';
import { call, ROOT, startVigil, tempDir, Vigil } from './helpers';

const DAY = 86_400_000;
const DAYS = 60;
/** The end of the demo's data, and the server's clock (pinned): the last day is open (partial), cut at 10:30. */
const NOW = '2026-03-15T10:30:00.000Z';

let vigil: Vigil;
let dir: string;
let firstDay: number;

beforeAll(async () => {
  dir = tempDir();
  vigil = await startVigil({ command: 'demo', db: path.join(dir, 'demo.db'), args: ['--rows-per-day', '150', '--now', NOW], timeoutMs: 120_000 });
  firstDay = Date.parse(String(vigil.logs.find((l) => l.msg === 'demo model ready')!.analysis_start));
}, 300_000);

afterAll(async () => {
  if (vigil) expect(await vigil.stop()).toBe(0);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Chunk keys (UTC dates) of analysis days [a, b]. */
const dayKeys = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => new Date(firstDay + (a + i) * DAY).toISOString().slice(0, 10));

async function analysisRows(query: string) {
  const r = await call(vigil.url, 'GET', `/api/models/demo/results?period=analysis&${query}`);
  expect(r.status).toBe(200);
  return r.body.results as any[];
}

/**
 * Days that alert, leaving out the last day: cut at NOW, it is still filling (open), and an open chunk
 * never alerts (docs/prometheus.md "Open chunks").
 */
const alertingDays = (rows: any[]) => rows.filter((r) => r.alert === true && r.chunk.key !== dayKeys(DAYS - 1, DAYS - 1)[0]).map((r) => r.chunk.key);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('curl /api/query?model=demo returns computed values; without ?model= a 400 names both demo models', async () => {
  const bare = await call(vigil.url, 'GET', '/api/query');
  expect(bare.status).toBe(400);
  expect(bare.body.error.message).toContain('(demo, demo_regions)');
  const r = await call(vigil.url, 'GET', '/api/query?model=demo');
  expect(r.status).toBe(200);
  const frames = r.body.results.A.frames;
  expect(frames.length).toBeGreaterThan(10);
  const values = frames.flatMap((f: any) => f.fields.find((x: any) => x.name === 'value').values);
  expect(values.filter((v: unknown) => typeof v === 'number').length).toBeGreaterThan(1000);
  const log = vigil.logs.find((l) => l.msg === 'demo model ready')!;
  expect(log.analysis_rows).toBeGreaterThan(DAYS * 100);
});

test('the segmented demo model is loaded by default, with its four region segments, and --no-segments leaves it out', async () => {
  const listed = (await call(vigil.url, 'GET', '/api/models')).body.models.map((m: any) => m.name);
  expect(listed).toEqual(['demo', 'demo_regions']);
  const regions = (await call(vigil.url, 'GET', '/api/models/demo_regions')).body;
  expect(regions.segments).toEqual(['east', 'north', 'south', 'west']);
  expect(regions.status).toMatchObject({ state: 'ready', pending_chunks: 0, errors: [] });
  expect(vigil.logs.find((l) => l.msg === 'demo model ready')).toMatchObject({ segmented_model: 'demo_regions', segments: ['east', 'north', 'south', 'west'] });
  const single = await startVigil({ command: 'demo', db: path.join(dir, 'no-segments.db'), args: ['--days', '2', '--rows-per-day', '10', '--no-segments', '--now', NOW], timeoutMs: 120_000 });
  try {
    expect((await call(single.url, 'GET', '/api/models')).body.models.map((m: any) => m.name)).toEqual(['demo']);
    expect((await call(single.url, 'GET', '/api/query')).status).toBe(200);
  } finally {
    expect(await single.stop()).toBe(0);
  }
}, 180_000);

test('the data ends at the pinned time: 60 days up to NOW', async () => {
  expect(new Date(firstDay).toISOString()).toBe(new Date(Date.parse(NOW.slice(0, 10)) - (DAYS - 1) * DAY).toISOString());
  const ready = vigil.logs.find((l) => l.msg === 'generating the demo model')!;
  expect(ready).toMatchObject({ now: NOW, pinned: true });
  const rows = await analysisRows('calculator=SummaryStatsRowCountCalculator');
  const last = rows.find((r) => r.chunk.key === NOW.slice(0, 10));
  // 10.5 hours of a 150-rows day (±12 % volume): fewer rows than any full day.
  expect(last.value).toBeLessThan(Math.min(...rows.filter((r) => r !== last).map((r) => r.value)));
});

test('every family the model computes has values, with one chunk per day, only the last one open (partial)', async () => {
  const m = (await call(vigil.url, 'GET', '/api/models/demo')).body;
  expect(m.status).toMatchObject({ state: 'ready', pending_chunks: 0, errors: [] });
  expect(m.status.chunks).toBe(DAYS);
  const families = [...new Set(m.calculators.map((c: any) => c.family))] as string[];
  expect(families).toEqual(expect.arrayContaining(['data_quality', 'univariate_drift', 'summary_stats']));
  for (const family of families) {
    const r = await call(vigil.url, 'GET', `/api/query?model=demo&family=${family}`);
    const values = r.body.results.A.frames.flatMap((f: any) => f.fields.find((x: any) => x.name === 'value').values);
    expect([family, values.some((v: unknown) => typeof v === 'number')]).toEqual([family, true]);
  }
  const rows = await analysisRows('calculator=MissingValuesCalculator&column=age');
  expect(rows.map((r) => r.chunk.key)).toEqual(dayKeys(0, DAYS - 1));
  expect(rows.map((r) => r.partial)).toEqual([...Array(DAYS - 1).fill(false), true]);
});

test('the planted events alert where they were planted', async () => {
  const [d0, d1] = DEMO_EVENTS.dataQuality;
  const quality = dayKeys(d0, d1);
  expect(alertingDays(await analysisRows('metric=type_inconsistent_values&column=debt_ratio'))).toEqual(quality);
  expect(alertingDays(await analysisRows('metric=unseen_values&column=channel'))).toEqual(quality);
  expect(alertingDays(await analysisRows('metric=missing_values&column=credit_score'))).toEqual(quality);

  const [o0, o1] = DEMO_EVENTS.outliers;
  expect(alertingDays(await analysisRows('metric=numerical_range&column=loan_amount'))).toEqual(dayKeys(o0, o1));

  const [c0, c1] = DEMO_EVENTS.covariateDrift;
  const drift = alertingDays(await analysisRows('metric=wasserstein&column=income'));
  const driftDays = dayKeys(c0, c1);
  // Nearly every drift day alerts, and no day outside the planted window does.
  expect(drift.filter((k) => driftDays.includes(k)).length).toBeGreaterThanOrEqual(driftDays.length - 2);
  expect(drift.filter((k) => !driftDays.includes(k))).toEqual([]);
});

test('labels arrive late, and the concept shift shows in realized, not estimated, performance', async () => {
  const realized = await analysisRows('calculator=PerformanceCalculator&metric=roc_auc');
  if (realized.length === 0) return; // PerformanceCalculator not in this build
  const byDay = new Map(realized.map((r) => [r.chunk.key, r]));
  const lastDays = dayKeys(DAYS - DEMO_EVENTS.unlabelledDays, DAYS - 1);
  for (const k of lastDays) expect([k, byDay.get(k)!.targets_missing_rate]).toEqual([k, 1]);
  // The late targets (sent through the targets endpoint) reached their days.
  for (const k of dayKeys(DAYS - DEMO_EVENTS.unlabelledDays - DEMO_EVENTS.lateTargetDays, DAYS - DEMO_EVENTS.unlabelledDays - 1)) {
    expect([k, byDay.get(k)!.targets_missing_rate]).toEqual([k, 0]);
  }
  const [s0] = DEMO_EVENTS.conceptShift;
  const before = mean(dayKeys(0, DEMO_EVENTS.covariateDrift[0] - 1).map((k) => byDay.get(k)!.value));
  const shifted = mean(dayKeys(s0, DAYS - DEMO_EVENTS.unlabelledDays - 1).map((k) => byDay.get(k)!.value));
  expect(before - shifted).toBeGreaterThan(0.05);
  const estimated = new Map((await analysisRows('calculator=CBPE&metric=roc_auc')).map((r) => [r.chunk.key, r.value]));
  if (estimated.size > 0) {
    const estBefore = mean(dayKeys(0, DEMO_EVENTS.covariateDrift[0] - 1).map((k) => estimated.get(k)!));
    const estShifted = mean(dayKeys(s0, DAYS - 1).map((k) => estimated.get(k)!));
    expect(Math.abs(estBefore - estShifted)).toBeLessThan((before - shifted) / 2);
  }
});

test('a --now or VIGIL_DEMO_NOW that is not an ISO 8601 instant is exit 2 with one line, before anything is written', () => {
  const db = path.join(dir, 'bad-now.db');
  const env = { ...process.env };
  delete env.VIGIL_DEMO_NOW;
  for (const [args, extra] of [[['--now', '2026-03-15'], {}], [[], { VIGIL_DEMO_NOW: 'yesterday' }]] as const) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'vigil.js'), 'demo', '--port', '0', '--db', db, ...args], { env: { ...env, ...extra }, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/(--now|VIGIL_DEMO_NOW): '.*' must be an ISO 8601 instant/)]);
  }
  expect(fs.existsSync(db)).toBe(false);
});
