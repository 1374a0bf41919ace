/**
 * The shipped dashboards and alert rules against the real server with the demo model (what Grafana would
 * send, without Grafana): every PromQL expression parses in Vigil's subset and returns series on the demo
 * model, every label_values variable has values, every plugin query (built by the plugin's own request
 * builder) is answered by /api/query with frames, every plugin variable query has values.
 */
import { buildQueryRequest } from '../../src/request';
import { createInterpolator, TemplateReplacer } from '../../src/interpolate';
import { DemoServer, startDemoServer } from '../prometheus/demo-server';
import { getJson, postForm } from '../prometheus/prom-helpers';
import { pluginVariableValues, templateSrv as templateSrvOf } from './template-srv';
import { alertRules, DASHBOARD_FILES, dashboardQueries, datasources, readJson, readsSegments, substitutePromQL } from './provisioning-files';

jest.setTimeout(120_000);

const DAY = 86_400_000;
let vigil: DemoServer;

beforeAll(async () => {
  vigil = await startDemoServer();
});

afterAll(async () => {
  await vigil?.stop();
});

const typeOf = new Map(datasources().map((d) => [d.uid, d.type]));
// The Segments row reads a segmented model: segments-panel.test.ts runs it on the demo's `demo_regions`.
const queries = DASHBOARD_FILES.flatMap(dashboardQueries).filter((q) => !readsSegments(q));
const promQueries = queries.filter((q) => typeOf.get(q.datasource!.uid!) === 'prometheus');
const pluginQueries = queries.filter((q) => typeOf.get(q.datasource!.uid!) !== 'prometheus');

async function promInstant(expr: string) {
  return postForm(`${vigil.url}/prometheus/api/v1/query`, { query: expr, time: String(vigil.now / 1000) });
}

/** Values of the Prometheus-backed variables, resolved like Grafana does (All → the variable's allValue). */
async function prometheusVariables(): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const file of DASHBOARD_FILES) {
    for (const v of readJson(file).templating.list) {
      if (typeOf.get(v.datasource.uid) !== 'prometheus' || v.name === 'segment') continue;
      if (v.includeAll) values[v.name] = v.allValue;
      else values[v.name] = (await labelValues(substitutePromQL(v.query, values)))[0];
    }
  }
  return values;
}

/** `label_values([selector,] label)` as Grafana's Prometheus data source resolves it. */
async function labelValues(query: string): Promise<string[]> {
  const m = /^label_values\((?:(.+),\s*)?(\w+)\)$/.exec(query);
  if (!m) throw new Error(`not a label_values query: ${query}`);
  const params = new URLSearchParams({ start: String((vigil.now - 60 * DAY) / 1000), end: String(vigil.now / 1000) });
  if (m[1]) params.append('match[]', m[1]);
  const res = await getJson(`${vigil.url}/prometheus/api/v1/label/${m[2]}/values?${params}`);
  expect(res.body.status).toBe('success');
  return res.body.data;
}

describe('Prometheus queries of the dashboards', () => {
  let vars: Record<string, string>;
  beforeAll(async () => {
    vars = await prometheusVariables();
  });

  it('resolve every variable to demo values', () => {
    expect(vars.model).toBe('.+');
    expect(vars.metric).toMatch(/^[a-z_]+$/);
  });

  it.each(promQueries.map((q) => [`${q.dashboard} ${q.where}`, q] as const))('%s returns series on the demo model', async (_name, q) => {
    const expr = substitutePromQL(q.target.expr, { ...vars, model: vars.model === '.+' && /model="\$model"/.test(q.target.expr) ? 'demo' : vars.model });
    if (q.target.variable) {
      expect((await labelValues(expr)).length).toBeGreaterThan(0);
      return;
    }
    const res = await promInstant(expr);
    expect({ expr, status: res.body.status }).toEqual({ expr, status: 'success' });
    expect(res.body.data.result.length).toBeGreaterThan(0);
    for (const r of res.body.data.result) if (r.metric.model !== undefined) expect(r.metric.model).toBe('demo');
  });
});

describe('plugin queries of the dashboards', () => {
  /** Grafana's template service for the detail dashboard with every multi-value variable on All. */
  async function templateSrv(): Promise<TemplateReplacer> {
    return templateSrvOf(await pluginVariableValues(vigil.url, 'demo'));
  }

  it.each(pluginQueries.filter((q) => !q.target.variable && q.target.queryType !== 'alerts').map((q) => [`${q.dashboard} ${q.where}`, q] as const))(
    '%s is answered by /api/query with frames',
    async (_name, q) => {
      const body = buildQueryRequest([q.target as any], { from: vigil.now - 60 * DAY, to: vigil.now }, createInterpolator(await templateSrv()));
      expect(body.queries).toHaveLength(1);
      expect(body.queries[0].model).toBe('demo');
      const res = await getJson(`${vigil.url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect({ status: res.status, error: res.body.error }).toEqual({ status: 200, error: undefined });
      const frames = res.body.results[q.target.refId].frames;
      expect(frames.length).toBeGreaterThan(0);
      const fields = frames.flatMap((f: any) => f.fields.map((x: any) => x.name));
      for (const f of q.target.fields) expect(fields).toContain(f);
    },
  );

  it.each(pluginQueries.filter((q) => q.target.variable).map((q) => [`${q.dashboard} ${q.where}`, q] as const))('%s has values', async (_name, q) => {
    const t = q.target;
    if (t.kind === 'models') {
      expect((await getJson(`${vigil.url}/api/models`)).body.models.map((m: any) => m.name)).toContain('demo');
    } else if (t.kind === 'columns') {
      expect(t.model).toBe('$model');
      expect((await getJson(`${vigil.url}/api/models/demo`)).body.columns.filter((c: any) => c.role === 'feature').length).toBeGreaterThan(0);
    } else {
      expect((await getJson(`${vigil.url}/api/models/demo/series?family=${t.family}`)).body.series.length).toBeGreaterThan(0);
    }
  });

  it.each(pluginQueries.filter((q) => q.target.queryType === 'alerts').map((q) => [`${q.dashboard} ${q.where}`, q] as const))('%s gets alert regions', async (_name, q) => {
    expect(q.target.model).toBe('$model');
    const res = await getJson(`${vigil.url}/api/models/demo/alerts?from=${vigil.now - 60 * DAY}&to=${vigil.now}`);
    expect(res.status).toBe(200);
    expect(res.body.alerts.length).toBeGreaterThan(0);
  });
});

describe('provisioned alert rules', () => {
  it.each(alertRules().map((r) => [r.uid, r] as const))('%s: query A returns one series per model (and column or metric)', async (_uid, rule) => {
    const a = rule.data.find((q) => q.refId === 'A')!;
    const res = await promInstant(a.model.expr);
    expect(res.body.status).toBe('success');
    expect(res.body.data.result.length).toBeGreaterThan(0);
    for (const r of res.body.data.result) {
      expect(r.metric.model).toBe('demo');
      expect(r.metric.__name__).toBeUndefined();
      // The threshold expression (C: B > 0) reads a 0/1 value.
      expect(['0', '1']).toContain(r.value[1]);
    }
  });
});
