// Ad-hoc filters against a real Vigil: the keys and values offered come from the server's series, and a
// filter narrows what the plugin asks /api/query for (checked on the request the data proxy forwarded and
// on the frames that came back).
import { dateTime, type AdHocVariableFilter, type DataFrame, type DataQueryRequest } from '@grafana/data';
import type { QueryApiRequest, SeriesInfo } from '../../src/api';
import type { VigilQuery } from '../../src/types';
import { connectPlugin, type ConnectedPlugin } from './support/plugin';
import { startVigil, vigilGet, type RunningVigil } from './support/vigil';

let vigil: RunningVigil;
let plugin: ConnectedPlugin;
let drift: SeriesInfo[];

const RANGE = { from: Date.UTC(2000, 0, 1), to: Date.UTC(2100, 0, 1) };

function request(targets: VigilQuery[], filters: AdHocVariableFilter[]): DataQueryRequest<VigilQuery> {
  return {
    requestId: 'adhoc',
    targets,
    filters,
    range: { from: dateTime(RANGE.from), to: dateTime(RANGE.to), raw: { from: 'now-100y', to: 'now' } },
    scopedVars: {},
    interval: '1d',
    intervalMs: 86_400_000,
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
  } as DataQueryRequest<VigilQuery>;
}

/** The bodies of the /api/query requests the plugin sent since `since`. */
function queryBodies(since: number): QueryApiRequest[] {
  return plugin.backendSrv.requests
    .slice(since)
    .filter((r) => r.method === 'POST' && r.url.endsWith('/api/query'))
    .map((r) => r.body as QueryApiRequest);
}

const columnsOf = (frames: DataFrame[]) => [...new Set(frames.map((f) => f.meta?.custom?.column as string))].sort();
const unique = (values: Array<string | null>) => [...new Set(values.filter((v): v is string => v !== null))].sort();

beforeAll(async () => {
  vigil = await startVigil();
  drift = (await vigilGet<{ series: SeriesInfo[] }>(vigil, `/api/models/${vigil.model}/series?family=univariate_drift`)).series;
  plugin = await connectPlugin(vigil.url, { apiKey: vigil.readKey, jsonData: { defaultModel: vigil.model } });
});
afterAll(async () => {
  await plugin?.close();
});

/**
 * Drift on every column by every method (empty lists = all: the demo's default `auto` gives each column one
 * method); the model comes from the data source's default.
 */
const driftQuery = { refId: 'A', model: '', family: 'univariate_drift', metrics: [], columns: [] } as unknown as VigilQuery;

describe('ad-hoc filter keys and values', () => {
  it('offers model, column and metric', async () => {
    expect((await plugin.datasource.getTagKeys()).map((k) => k.text)).toEqual(['model', 'column', 'metric', 'segment']);
  });

  it("lists the server's values of a key, narrowed by the other filters", async () => {
    const all = (await vigilGet<{ series: SeriesInfo[] }>(vigil, `/api/models/${vigil.model}/series`)).series;
    const values = async (key: string, filters: AdHocVariableFilter[] = []) =>
      (await plugin.datasource.getTagValues({ key, filters } as never)).map((v) => v.text);
    // every model the server lists (the demo's two: demo and the segmented demo_regions)
    const models = (await vigilGet<{ models: { name: string }[] }>(vigil, '/api/models')).models.map((m) => m.name);
    expect(models).toContain(vigil.model);
    expect(await values('model')).toEqual(models);
    expect(await values('column')).toEqual(unique(all.map((s) => s.column)));
    expect(await values('metric')).toEqual(unique(all.map((s) => s.metric)));
    // only the demo model's columns that have a jensen_shannon series
    const demoJs = [
      { key: 'model', operator: '=', value: vigil.model },
      { key: 'metric', operator: '=', value: 'jensen_shannon' },
    ];
    expect(await values('column', demoJs)).toEqual(
      unique(all.filter((s) => s.metric === 'jensen_shannon').map((s) => s.column))
    );
    expect(await values('column', [{ key: 'model', operator: '=', value: 'no-such-model' }])).toEqual([]);
  });
});

describe('ad-hoc filters reach /api/query', () => {
  const columns = () => unique(drift.map((s) => s.column));

  it('column = x: the request names only x, and only x comes back', async () => {
    const x = columns()[0];
    const since = plugin.backendSrv.requests.length;
    const response = await plugin.datasource.query(request([driftQuery], [{ key: 'column', operator: '=', value: x }]));
    expect(response.errors).toBeUndefined();
    expect(queryBodies(since).map((b) => b.queries.map((q) => q.columns))).toEqual([[[x]]]);
    expect(columnsOf(response.data)).toEqual([x]);
  });

  it("column != x on a query for all columns: the request lists every other column the server has", async () => {
    const [x, ...rest] = columns();
    const since = plugin.backendSrv.requests.length;
    const response = await plugin.datasource.query(request([driftQuery], [{ key: 'column', operator: '!=', value: x }]));
    expect(queryBodies(since)[0].queries[0].columns.sort()).toEqual(rest);
    expect(columnsOf(response.data)).toEqual(rest);
  });

  it('metric =~ regex narrows the metrics; a model filter that excludes the model sends nothing', async () => {
    const since = plugin.backendSrv.requests.length;
    const all = { ...driftQuery, metrics: [] } as VigilQuery;
    await plugin.datasource.query(request([all], [{ key: 'metric', operator: '=~', value: 'jensen.*|hellinger' }]));
    const metrics = unique(drift.map((s) => s.metric)).filter((m) => /^(?:jensen.*|hellinger)$/.test(m));
    expect(metrics.length).toBeGreaterThan(0);
    expect(queryBodies(since)[0].queries[0].metrics.sort()).toEqual(metrics);

    const before = plugin.backendSrv.requests.length;
    const response = await plugin.datasource.query(request([driftQuery], [{ key: 'model', operator: '!=', value: vigil.model }]));
    expect(queryBodies(before)).toEqual([]);
    expect(response.data).toEqual([]);
  });

  it('filters on other keys (for other data sources) are left alone; a bad regex is reported, not sent', async () => {
    const since = plugin.backendSrv.requests.length;
    await plugin.datasource.query(request([driftQuery], [{ key: 'job', operator: '=', value: 'x' }]));
    expect(queryBodies(since)[0].queries[0].columns).toEqual([]);
    const response = await plugin.datasource.query(request([driftQuery], [{ key: 'column', operator: '=~', value: '(' }]));
    expect(response.errors?.[0].message).toMatch(/ad-hoc filter: invalid regular expression '\('/);
  });
});
