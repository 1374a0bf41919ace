/**
 * The detail dashboard's Segments row on the default demo (issue 17: "A Grafana panel, through the plugin
 * and through PromQL, shows that region alerting while the unsegmented value does not").
 *
 * The real `vigil demo --now <noon>` (the CLI with its defaults, so `demo_regions` is loaded without a
 * flag) runs on a fresh SQLite file. The row's variable and targets are read from
 * dashboards/vigil-model.json and run as Grafana would run them, with `$model` = demo_regions:
 * - `$segment`: its `label_values(...)` through Vigil's Prometheus label-values API;
 * - the plugin panel: its targets turned into the `POST /api/query` body by the plugin's own request
 *   builder (src/request.ts, template variables on All as Grafana passes them, `$segment` = west);
 * - the PromQL panel: its expressions as range queries (one step at noon of every analysis day) through
 *   Vigil's `/prometheus/api/v1/query_range`, and through a real Prometheus 2.42 holding the same samples
 *   (backfilled with promtool), which must answer the same.
 * What must show: on the planted days (SEGMENTED_DEMO_DAYS) west alerts and the whole data does not; before
 * the demo's own covariate drift (day 20) nothing else alerts.
 */
import fs from 'fs';
import path from 'path';
import { createInterpolator } from '../../src/interpolate';
import { buildQueryRequest } from '../../src/request';
import { DEMO_EVENTS } from '../../backend/demo/dataset';
import { SEGMENTED_DEMO_DAYS, SEGMENTED_DEMO_MODEL, SEGMENTED_DEMO_REGION } from '../../backend/demo/segmented';
import { demoClock } from '../prometheus/demo-server';
import { getJson, postForm, PrometheusServer, promtool, startPrometheus, tempDir } from '../prometheus/prom-helpers';
import { startVigil, Vigil } from '../server/helpers';
import { readJson, substitutePromQL } from './provisioning-files';
import { pluginVariableValues, templateSrv } from './template-srv';

jest.setTimeout(180_000);

const DAY = 86_400_000;
const DASHBOARD = 'dashboards/vigil-model.json';
const NOW = demoClock();
const ANALYSIS_START = Math.floor(NOW / DAY) * DAY - 59 * DAY;
/** Days before the demo's own covariate drift, which moves every region. */
const CHECKED_DAYS = DEMO_EVENTS.covariateDrift[0];
const planted = (day: number) => day >= SEGMENTED_DEMO_DAYS[0] && day <= SEGMENTED_DEMO_DAYS[1];
const dayOf = (t: number) => Math.floor((t - ANALYSIS_START) / DAY);
const days = (pred: (d: number) => boolean) => Array.from({ length: CHECKED_DAYS }, (_, d) => d).filter(pred);

const dashboard = readJson(DASHBOARD);
const row = dashboard.panels.find((p: any) => p.type === 'row' && /^Segments/.test(p.title));
const rowPanels: any[] = dashboard.panels.filter((p: any) => p.type !== 'row' && p.gridPos.y === row.gridPos.y + 1);
const promPanel = rowPanels.find((p) => p.datasource.type === 'prometheus');
const pluginPanel = rowPanels.find((p) => p.datasource.type === 'vigil-mlmonitor-datasource');
const segmentVariable = dashboard.templating.list.find((v: any) => v.name === 'segment');

let vigil: Vigil;
let dir: string;

beforeAll(async () => {
  dir = tempDir('vigil-segments-panel-');
  vigil = await startVigil({ command: 'demo', db: path.join(dir, 'demo.db'), args: ['--now', new Date(NOW).toISOString()], timeoutMs: 150_000 });
}, 180_000);

afterAll(async () => {
  if (vigil) expect(await vigil.stop()).toBe(0);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the row holds one PromQL panel and one plugin panel whose segment is the $segment variable', () => {
  expect(rowPanels.map((p) => p.datasource.type).sort()).toEqual(['prometheus', 'vigil-mlmonitor-datasource']);
  expect(pluginPanel.targets.map((t: any) => t.segment)).toEqual(['$segment', undefined]);
  expect(segmentVariable).toMatchObject({ type: 'query', datasource: { type: 'prometheus' } });
});

/** `label_values(selector, label)` as Grafana's Prometheus data source resolves it, over the demo's days. */
async function labelValues(query: string): Promise<string[]> {
  const m = /^label_values\((.+),\s*(\w+)\)$/.exec(query)!;
  const params = new URLSearchParams({ 'match[]': m[1], start: String(ANALYSIS_START / 1000), end: String(NOW / 1000) });
  const r = await getJson(`${vigil.url}/prometheus/api/v1/label/${m[2]}/values?${params}`);
  expect(r.body.status).toBe('success');
  return r.body.data;
}

test('$segment lists the segmented model’s regions, and nothing for the unsegmented demo model', async () => {
  expect((await getJson(`${vigil.url}/api/models`)).body.models.map((m: any) => m.name)).toContain(SEGMENTED_DEMO_MODEL);
  expect(await labelValues(substitutePromQL(segmentVariable.query, { model: SEGMENTED_DEMO_MODEL }))).toEqual(['east', 'north', 'south', 'west']);
  expect(await labelValues(substitutePromQL(segmentVariable.query, { model: 'demo' }))).toEqual([]);
});

interface Point {
  series: string;
  day: number;
  value: number | null;
  threshold: number | null;
  alert: boolean | null;
}

test('plugin panel: west’s income drift alerts on the planted days, the whole data’s does not', async () => {
  const values = { ...(await pluginVariableValues(vigil.url, SEGMENTED_DEMO_MODEL)), segment: SEGMENTED_DEMO_REGION };
  const body = buildQueryRequest(pluginPanel.targets, { from: ANALYSIS_START, to: NOW }, createInterpolator(templateSrv(values)));
  expect(body.queries.map((q) => [q.model, q.segment])).toEqual([
    [SEGMENTED_DEMO_MODEL, SEGMENTED_DEMO_REGION],
    [SEGMENTED_DEMO_MODEL, undefined],
  ]);
  const res = await getJson(`${vigil.url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect({ status: res.status, error: res.body.error }).toEqual({ status: 200, error: undefined });
  const points = (refId: string, column: string): Point[] =>
    res.body.results[refId].frames
      .filter((f: any) => f.meta.custom.column === column)
      .flatMap((f: any) => {
        const field = (name: string) => f.fields.find((x: any) => x.name === name)?.values ?? [];
        const labels = f.fields.find((x: any) => x.name === 'value').labels;
        return field('time').map((t: number, i: number) => ({ series: labels.segment ?? 'whole data', day: dayOf(t), value: field('value')[i], threshold: field('upper_threshold')[i], alert: field('alert')[i] }));
      })
      .filter((p: Point) => p.day < CHECKED_DAYS);
  const west = points('A', 'income');
  const whole = points('B', 'income');
  expect(west.map((p) => p.day)).toEqual(days(() => true));
  expect(whole.map((p) => p.day)).toEqual(days(() => true));
  expect(new Set(west.map((p) => p.series))).toEqual(new Set([SEGMENTED_DEMO_REGION]));
  expect(new Set(whole.map((p) => p.series))).toEqual(new Set(['whole data']));
  expect(west.filter((p) => p.alert).map((p) => p.day)).toEqual(days(planted));
  expect(west.filter((p) => planted(p.day)).every((p) => p.value! > p.threshold!)).toBe(true);
  expect(whole.filter((p) => p.alert).map((p) => p.day)).toEqual([]);
  expect(whole.filter((p) => planted(p.day)).every((p) => p.value! < p.threshold!)).toBe(true);
  // the other columns the panel shows (every column on All) do not alert, in west or in the whole data
  for (const column of ['loan_amount', 'product']) {
    expect([column, [...points('A', column), ...points('B', column)].filter((p) => p.alert)]).toEqual([column, []]);
  }
});

/** The PromQL panel's targets, `$model` = demo_regions, one range step at noon of each checked day. */
const promTargets = () => promPanel.targets.map((t: any) => ({ refId: t.refId, legend: t.legendFormat, expr: substitutePromQL(t.expr, { model: SEGMENTED_DEMO_MODEL }) }));
const RANGE = { start: String((ANALYSIS_START + DAY / 2) / 1000), end: String((ANALYSIS_START + (CHECKED_DAYS - 1) * DAY + DAY / 2) / 1000), step: String(DAY / 1000) };

async function rangeQuery(base: string, expr: string): Promise<{ metric: Record<string, string>; values: [number, string][] }[]> {
  const r = await postForm(`${base}/api/v1/query_range`, { query: expr, ...RANGE });
  expect({ expr, status: r.body.status, error: r.body.error }).toEqual({ expr, status: 'success', error: undefined });
  return r.body.data.result;
}

/** Alerting days per legend (`{{segment}}` or the target's fixed legend). */
async function alertingDays(base: string): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const t of promTargets()) {
    for (const s of await rangeQuery(base, t.expr)) {
      const legend = t.legend.replace(/\{\{(\w+)\}\}/g, (_m: string, l: string) => s.metric[l] ?? '');
      expect(s.values.map(([time]) => dayOf(time * 1000))).toEqual(days(() => true));
      out[legend] = s.values.filter(([, v]) => Number(v) === 1).map(([time]) => dayOf(time * 1000));
    }
  }
  return out;
}

test('PromQL panel through Vigil: the west row alerts on the planted days only, the whole-data row never', async () => {
  expect(await alertingDays(`${vigil.url}/prometheus`)).toEqual({ east: [], north: [], south: [], west: days(planted), 'whole data': [] });
});

describe('PromQL panel through a real Prometheus', () => {
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    // Every sample the panel reads (the model's and its segments' drift alerts of closed chunks), taken from
    // Vigil at each chunk's start (a sample's time), backfilled into Prometheus's TSDB.
    const selector = `vigil_univariate_drift_alert{model="${SEGMENTED_DEMO_MODEL}", partial!="true"}`;
    const r = await postForm(`${vigil.url}/prometheus/api/v1/query_range`, { query: selector, start: String(ANALYSIS_START / 1000), end: String((ANALYSIS_START + (CHECKED_DAYS - 1) * DAY) / 1000), step: String(DAY / 1000) });
    expect(r.body.status).toBe('success');
    const lines = ['# TYPE vigil_univariate_drift_alert gauge'];
    for (const s of r.body.data.result) {
      const labels = Object.entries(s.metric as Record<string, string>)
        .filter(([k]) => k !== '__name__')
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      for (const [t, v] of s.values) lines.push(`vigil_univariate_drift_alert{${labels}} ${v} ${Number(t).toFixed(3)}`);
    }
    expect(r.body.data.result.length).toBe(5 * 3); // whole data and four segments, three columns
    const promDir = tempDir('vigil-segments-prom-');
    const om = path.join(promDir, 'samples.om');
    fs.writeFileSync(om, `${lines.join('\n')}\n# EOF\n`);
    const dataDir = path.join(promDir, 'data');
    const created = await promtool(['tsdb', 'create-blocks-from', 'openmetrics', om, dataDir]);
    if (created.code !== 0) throw new Error(`promtool create-blocks-from failed: ${created.stderr}`);
    // A sample per day: a lookback of a day makes Prometheus's selector read a chunk's value until the next
    // one, as Vigil's chunk rule does.
    prometheus = await startPrometheus({ config: 'global: {}\n', dataDir, extraArgs: ['--query.lookback-delta=1d'] });
  }, 120_000);

  afterAll(async () => {
    if (prometheus) {
      await prometheus.stop();
      fs.rmSync(path.dirname(prometheus.dataDir), { recursive: true, force: true });
    }
  });

  test('answers the panel’s queries exactly as Vigil does: west alerts on the planted days, the whole data never', async () => {
    for (const t of promTargets()) {
      const sort = (rs: { metric: Record<string, string> }[]) => [...rs].sort((a, b) => JSON.stringify(a.metric).localeCompare(JSON.stringify(b.metric)));
      expect([t.expr, sort(await rangeQuery(prometheus.url, t.expr))]).toEqual([t.expr, sort(await rangeQuery(`${vigil.url}/prometheus`, t.expr))]);
    }
    expect(await alertingDays(prometheus.url)).toEqual({ east: [], north: [], south: [], west: days(planted), 'whole data': [] });
  });
});
