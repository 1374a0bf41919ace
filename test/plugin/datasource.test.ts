// The data source end to end against a real Vigil (one `vigil demo`, see support/globalSetup.js),
// through the data-proxy route of plugin.json: panel queries with template variables, frames, table
// format, errors, template-variable queries, alert annotations, the health check, and the alert-rule
// shortcut's PromQL answered by Vigil's Prometheus API.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { lastValueFrom, type Observable } from 'rxjs';
import { dateTime, FieldType, type DataFrame, type DataQueryRequest, type DataQueryResponse } from '@grafana/data';
import { metricDef, RESULT_FIELDS } from '../../backend/engine/catalog';
import type { AlertEntry, FrameJSON, ModelDetail, QueryApiResponse, SeriesInfo } from '../../src/api';
import type { VigilQuery } from '../../src/types';
import { connectPlugin, type ConnectedPlugin } from './support/plugin';
import { startVigil, vigilGet, vigilPost, type RunningVigil } from './support/vigil';

let vigil: RunningVigil;
let plugin: ConnectedPlugin;
let features: string[];
let driftSeries: SeriesInfo[];

const RANGE = { from: Date.UTC(2000, 0, 1), to: Date.UTC(2100, 0, 1) };
/** The drift method of the demo's first numeric features: `auto` (the server default) picks Wasserstein for them. */
const METHOD = 'wasserstein';

function request(targets: VigilQuery[], scopedVars = {}): DataQueryRequest<VigilQuery> {
  return {
    requestId: 'test',
    targets,
    range: { from: dateTime(RANGE.from), to: dateTime(RANGE.to), raw: { from: 'now-100y', to: 'now' } },
    scopedVars,
    interval: '1d',
    intervalMs: 86_400_000,
    timezone: 'utc',
    app: 'dashboard',
    startTime: Date.now(),
  } as DataQueryRequest<VigilQuery>;
}

const field = (frame: DataFrame, name: string) => frame.fields.find((f) => f.name === name)!;

beforeAll(async () => {
  vigil = await startVigil();
  const model = await vigilGet<ModelDetail>(vigil, `/api/models/${vigil.model}`);
  features = model.columns.filter((c) => c.role === 'feature').map((c) => c.name);
  driftSeries = (await vigilGet<{ series: SeriesInfo[] }>(vigil, `/api/models/${vigil.model}/series?family=univariate_drift`)).series;
  plugin = await connectPlugin(vigil.url, {
    apiKey: vigil.readKey,
    jsonData: { defaultModel: vigil.model, prometheusUid: 'vigil-prometheus' },
    variables: [
      { name: 'model', current: vigil.model },
      { name: 'column', current: [features[0], features[1]], options: features },
      { name: 'anycolumn', current: '$__all', options: features, allValue: '.*' },
      { name: 'method', current: METHOD },
    ],
  });
});
afterAll(async () => {
  await plugin?.close();
});

describe('query', () => {
  it('expands $model and a multi-value $column and maps the frames: names, types, units', async () => {
    const response = await plugin.datasource.query(
      request([{ refId: 'A', model: '$model', family: 'univariate_drift', metrics: ['$method'], columns: ['$column'] } as VigilQuery])
    );
    expect(response.errors).toBeUndefined();
    // exactly what Vigil answers for the interpolated query, asked directly
    const direct = await vigilPost<QueryApiResponse>(vigil, '/api/query', {
      from: RANGE.from,
      to: RANGE.to,
      queries: [{ refId: 'A', model: vigil.model, family: 'univariate_drift', metrics: [METHOD], columns: [features[0], features[1]] }],
    });
    const expected = direct.results.A.frames;
    expect(expected.map((f) => f.meta?.custom?.column)).toEqual([features[0], features[1]]);
    const frames = response.data as DataFrame[];
    expect(frames.map((f) => f.name)).toEqual(expected.map((f) => f.name));
    const unit = metricDef('univariate_drift', METHOD)!.unit;
    frames.forEach((frame, i) => {
      const json: FrameJSON = expected[i];
      expect(frame.refId).toBe('A');
      // the demo's last day is open (its clock is pinned at noon): its value moves to `value_open`
      const names = json.fields.map((f) => f.name);
      names.splice(names.indexOf('value') + 1, 0, 'value_open');
      expect(frame.fields.map((f) => f.name)).toEqual(names);
      expect(frame.fields.filter((f) => f.name !== 'value_open').map((f) => f.type)).toEqual(json.fields.map((f) => f.type as FieldType));
      expect(field(frame, 'time').values).toEqual(json.fields.find((f) => f.name === 'time')!.values);
      const values = json.fields.find((f) => f.name === 'value')!.values as Array<number | null>;
      const partial = json.fields.find((f) => f.name === 'partial')!.values;
      expect(partial.map((p, j) => p === true && j === partial.length - 1)).toEqual(partial);
      expect(field(frame, 'value').values).toEqual([...values.slice(0, -1), null]);
      expect(field(frame, 'value_open').values).toEqual([...values.slice(0, -2).map(() => null), ...values.slice(-2)]);
      expect(field(frame, 'value_open').config.custom.lineStyle.fill).toBe('dash');
      expect(field(frame, 'value_open').config.displayName).toBe(`${json.name} · open chunk (filling)`);
      for (const f of frame.fields.filter((x) => RESULT_FIELDS.includes(x.name as never) && x.name !== 'alert')) {
        expect(f.config.unit).toBe(unit);
      }
      expect(field(frame, 'alert').type).toBe(FieldType.boolean);
      expect(field(frame, 'value').config.displayName).toBe(json.name);
      expect(field(frame, 'upper_threshold').config.displayName).toBe(`${json.name} · upper threshold`);
    });
    // the request the plugin sent: interpolated, through the data proxy, the key added by the route only
    const sent = plugin.backendSrv.requests.at(-1)!;
    expect(sent).toMatchObject({ method: 'POST', url: '/api/datasources/proxy/uid/vigil/api/query' });
    expect(sent.body).toEqual({
      from: RANGE.from,
      to: RANGE.to,
      // the panel's interval goes along: the server downsamples to it (docs/query-api.md)
      intervalMs: 86_400_000,
      queries: [
        {
          refId: 'A',
          model: vigil.model,
          family: 'univariate_drift',
          metrics: [METHOD],
          columns: [features[0], features[1]],
          fields: ['value', 'upper_threshold', 'lower_threshold', 'alert'],
          period: 'analysis',
          format: 'time_series',
        },
      ],
    });
    const proxied = plugin.proxy.requests.at(-1)!;
    expect(proxied.browserSentAuthorization).toBe(false);
    expect(proxied.addedHeaders).toEqual({ Authorization: `Bearer ${vigil.readKey}` });
  });

  it('turns All with a custom all-value into every column, and a repeated panel’s scoped value into one', async () => {
    const all = await plugin.datasource.query(request([{ refId: 'A', model: '$model', family: 'univariate_drift', metrics: [METHOD], columns: ['$anycolumn'] } as VigilQuery]));
    const withResults = driftSeries.filter((s) => s.metric === METHOD).map((s) => s.column);
    expect((all.data as DataFrame[]).map((f) => f.meta?.custom?.column).sort()).toEqual([...withResults].sort());

    const scoped = await plugin.datasource.query(
      request([{ refId: 'B', model: '$model', family: 'univariate_drift', metrics: [METHOD], columns: ['$column'] } as VigilQuery], {
        column: { text: features[2], value: features[2] },
      })
    );
    expect((scoped.data as DataFrame[]).map((f) => f.meta?.custom?.column)).toEqual([features[2]]);
  });

  it('gives data-quality rates the catalog’s percent unit and model-level families one frame per metric', async () => {
    const response = await plugin.datasource.query(
      request([
        { refId: 'Q', model: '$model', family: 'data_quality', metrics: ['missing_values'], columns: [features[0]] } as VigilQuery,
        { refId: 'P', model: '$model', family: 'estimated_performance', metrics: ['roc_auc'], fields: ['value', 'upper_confidence_boundary', 'lower_confidence_boundary'] } as VigilQuery,
      ])
    );
    const byRef = (refId: string) => (response.data as DataFrame[]).filter((f) => f.refId === refId);
    const [quality] = byRef('Q');
    expect(field(quality, 'value').config.unit).toBe(metricDef('data_quality', 'missing_values')!.unit);
    expect(field(quality, 'value').config.unit).toBe('percentunit');
    const perf = byRef('P');
    expect(perf).toHaveLength(1);
    expect(perf[0].fields.map((f) => f.name)).toEqual(expect.arrayContaining(['value', 'upper_confidence_boundary', 'lower_confidence_boundary']));
    expect(field(perf[0], 'upper_confidence_boundary').config.unit).toBe('percentunit');
    expect(field(perf[0], 'upper_confidence_boundary').config.custom.lineStyle.fill).toBe('dot');
  });

  it('returns one table frame per query in table format', async () => {
    const response = await plugin.datasource.query(
      request([{ refId: 'T', model: '$model', family: 'univariate_drift', metrics: [METHOD], columns: ['$column'], format: 'table' } as VigilQuery])
    );
    const frames = response.data as DataFrame[];
    expect(frames).toHaveLength(1);
    const columns = new Set(field(frames[0], 'column').values);
    expect(columns).toEqual(new Set([features[0], features[1]]));
    expect(field(frames[0], 'value').config.unit).toBe(metricDef('univariate_drift', METHOD)!.unit);
  });

  it('reports Vigil’s error, naming the query field, when a query is wrong', async () => {
    const response = await plugin.datasource.query(request([{ refId: 'A', model: '$model', family: 'univariate_drift', metrics: ['no_such_metric'] } as VigilQuery]));
    expect(response.data).toEqual([]);
    expect(response.errors?.[0].status).toBe(400);
    expect(response.errors?.[0].message).toMatch(/no_such_metric/);
    expect(response.errors?.[0].message).toMatch(/queries\[0\]\.metrics/);
  });

  it('sends a query without a model for the default model, and never sends hidden ones', async () => {
    const response = await plugin.datasource.query(request([{ refId: 'A', model: '' } as VigilQuery, { refId: 'B', model: '$model', hide: true } as VigilQuery]));
    expect((response.data as DataFrame[]).length).toBeGreaterThan(0);
    const sent = plugin.backendSrv.requests.at(-1)!.body as { queries: Array<{ refId: string; model: string }> };
    expect(sent.queries.map((q) => [q.refId, q.model])).toEqual([['A', vigil.model]]);

    const noDefault = await connectPlugin(vigil.url, { apiKey: vigil.readKey });
    try {
      const nothing = await noDefault.datasource.query(request([{ refId: 'A', model: '' } as VigilQuery]));
      expect(nothing).toEqual({ data: [] });
      expect(noDefault.backendSrv.requests).toEqual([]);
    } finally {
      await noDefault.close();
    }
  });
});

describe('variables', () => {
  it('lists models, columns of a model and metrics of a family as Vigil has them', async () => {
    const v = (q: Parameters<typeof plugin.datasource.variableValues>[0]) => plugin.datasource.variableValues(q).then((r) => r.map((x) => x.text));
    const { models } = await vigilGet<{ models: Array<{ name: string }> }>(vigil, '/api/models');
    expect(await v({ refId: 'V', kind: 'models' })).toEqual(models.map((m) => m.name));
    expect(await v({ refId: 'V', kind: 'columns', model: '$model' })).toEqual(features);
    expect(await v({ refId: 'V', kind: 'metrics', family: 'univariate_drift', model: '$model' })).toEqual([...new Set(driftSeries.map((s) => s.metric))]);
    // without a model: the catalog's metrics of the family
    expect(await v({ refId: 'V', kind: 'metrics', family: 'outliers' })).toEqual(['outlier_rate']);
  });

  it('answers Grafana’s custom variable support with text/value pairs', async () => {
    const support = plugin.datasource.variables as unknown as { query: (r: unknown) => Observable<DataQueryResponse> };
    const response = await lastValueFrom(support.query({ targets: [{ refId: 'V', kind: 'columns', model: '$model' }], scopedVars: {} }));
    expect(response.data).toEqual(features.map((f) => ({ text: f, value: f })));
  });
});

describe('annotations', () => {
  it('maps every alerting chunk of the model to one region with metric, column, value and threshold', async () => {
    const alerts = (await vigilGet<{ alerts: AlertEntry[] }>(vigil, `/api/models/${vigil.model}/alerts?from=${RANGE.from}&to=${RANGE.to}`)).alerts;
    expect(alerts.length).toBeGreaterThan(0);
    const support = plugin.datasource.annotations!;
    const annotation = { name: 'Vigil alerts', enable: true, iconColor: 'red', target: { refId: 'Anno', queryType: 'alerts', model: '$model' } as VigilQuery };
    const query = support.prepareQuery!(annotation)!;
    const response = await plugin.datasource.query(request([query]));
    const events = (await lastValueFrom(support.processEvents!(annotation, response.data as DataFrame[])))!;
    expect(events).toHaveLength(alerts.length);
    events.forEach((event, i) => {
      const alert = alerts[i];
      expect(event).toMatchObject({ time: alert.time, timeEnd: alert.time_end, isRegion: true, text: alert.text });
      expect(event.text).toContain(alert.metric);
      if (alert.column) {
        expect(event.text).toContain(alert.column);
        expect(event.tags).toContain(`column:${alert.column}`);
      }
      expect(event.tags).toContain(`model:${vigil.model}`);
    });
    // one family only
    const drift = await plugin.datasource.query(request([{ ...query, family: 'univariate_drift' } as VigilQuery]));
    const driftEvents = (await lastValueFrom(support.processEvents!(annotation, drift.data as DataFrame[])))!;
    expect(driftEvents).toHaveLength(alerts.filter((a) => a.family === 'univariate_drift').length);
  });
});

describe('testDatasource', () => {
  it('reports the version and the number of models when Vigil answers', async () => {
    const health = await vigilGet<{ version: string; models: number }>(vigil, '/api/health');
    expect(await plugin.datasource.testDatasource()).toEqual({ status: 'success', message: `Connected to Vigil ${health.version}: ${health.models} model(s).` });
  });

  it('tells the user to fix the key when Vigil refuses it', async () => {
    const wrong = await connectPlugin(vigil.url, { apiKey: 'wrong' });
    try {
      await expect(wrong.datasource.testDatasource()).rejects.toThrow(/^Vigil rejected the API key \(HTTP 401\): enter Vigil's read key/);
    } finally {
      await wrong.close();
    }
  });

  it('tells the user to check the URL when nothing answers there', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    const nowhere = await connectPlugin(`http://127.0.0.1:${port}`, { apiKey: vigil.readKey });
    try {
      await expect(nowhere.datasource.testDatasource()).rejects.toThrow(/^Cannot reach Vigil \(HTTP 502\): check the URL/);
    } finally {
      await nowhere.close();
    }
  });

  it('tells the user when the URL is another server, or a Vigil of an incompatible version', async () => {
    // a plain HTTP server standing in for "something else at that URL" and for a future Vigil
    let health: object | undefined;
    const other = http.createServer((req, res) => {
      if (req.url === '/api/health' && health) {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(health));
      } else {
        res.writeHead(404).end('not found');
      }
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const elsewhere = await connectPlugin(`http://127.0.0.1:${(other.address() as AddressInfo).port}`, { apiKey: 'k' });
    try {
      await expect(elsewhere.datasource.testDatasource()).rejects.toThrow(/^No Vigil API at this URL \(HTTP 404/);
      // a server that answers /api/health, but not with Vigil's fields
      health = { status: 'UP' };
      await expect(elsewhere.datasource.testDatasource()).rejects.toThrow(/not as Vigil does \(no version and model count\)/);
      health = { status: 'ok', version: '7.0.0', models: 1 };
      await expect(elsewhere.datasource.testDatasource()).rejects.toThrow(/^Vigil 7\.0\.0 is not compatible with this plugin \(built for 0\.1\.\d+\)/);
    } finally {
      await elsewhere.close();
      other.closeAllConnections();
      await new Promise<void>((r) => other.close(() => r()));
    }
  });
});

describe('alert-rule shortcut', () => {
  it('builds PromQL that Vigil’s Prometheus API answers with the same series and latest values as the panel', async () => {
    const query = { refId: 'A', model: '$model', family: 'univariate_drift', metrics: ['$method'], columns: ['$column'] } as VigilQuery;
    const rule = plugin.datasource.alertRuleFor(query as never);
    const alertExpr = rule.queries[0].model.expr as string;
    const selector = `vigil_univariate_drift_alert{model="${vigil.model}",column=~"${features[0]}|${features[1]}",method="${METHOD}"}`;
    expect(alertExpr).toBe(`max without (partial) (${selector})`);

    const promQuery = async (expr: string) => {
      const res = await fetch(`${vigil.url}/prometheus/api/v1/query`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${vigil.readKey}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: expr, time: String(Date.now() / 1000) }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      expect(body.status).toBe('success');
      expect(body.data.resultType).toBe('vector');
      return body.data.result;
    };

    // one alert instance per column: the closed series and the open chunk's (partial="true") merged
    const alertSeries = await promQuery(alertExpr);
    expect(alertSeries.map((s) => s.metric.column).sort()).toEqual([features[0], features[1]].sort());
    for (const s of alertSeries) {
      expect(s.metric).toEqual({ model: vigil.model, column: s.metric.column, method: METHOD });
      expect(['0', '1']).toContain(s.value[1]);
    }
    // the demo's clock is pinned at noon: today is open, and its alert sample is 0
    const openAlerts = await promQuery(selector.replace('}', ',partial="true"}'));
    expect(openAlerts.map((s) => [s.metric.column, s.value[1]]).sort()).toEqual([features[0], features[1]].sort().map((c) => [c, '0']));

    // the closed value series carries the panel's last closed value, the open one its open value
    const valueExpr = selector.replace('vigil_univariate_drift_alert', 'vigil_univariate_drift');
    const closedSeries = await promQuery(valueExpr.replace('}', ',partial!="true"}'));
    const openSeries = await promQuery(valueExpr.replace('}', ',partial="true"}'));
    const panel = (await plugin.datasource.query(request([query]))).data as DataFrame[];
    const lastNumber = (values: Array<number | null>) => values.filter((v) => v !== null).pop();
    for (const frame of panel) {
      const column = frame.meta?.custom?.column as string;
      const closed = closedSeries.find((s) => s.metric.column === column)!;
      const open = openSeries.find((s) => s.metric.column === column)!;
      expect(Number(closed.value[1])).toBeCloseTo(lastNumber(field(frame, 'value').values as Array<number | null>)!, 12);
      expect(Number(open.value[1])).toBeCloseTo(lastNumber(field(frame, 'value_open').values as Array<number | null>)!, 12);
    }
  });
});
