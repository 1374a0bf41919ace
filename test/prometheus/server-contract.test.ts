/**
 * Contract tests with real clients against the real server (demo model computed, SQLite file, loopback):
 *  - Grafana's health check (`1+1`, POST form, time=4) answered exactly as Prometheus does;
 *  - `promtool query instant|range|labels|series` (client_golang's API client) parse Vigil's answers;
 *  - `promtool check metrics` on /metrics;
 *  - a real Prometheus scraping /metrics and evaluating provisioning/prometheus/vigil-alerts.rules.yml
 *    fires exactly the alerts Vigil's own Prometheus API gives for the same expressions, after a drifted
 *    batch is ingested (which also shows new results reach both endpoints).
 */
import fs from 'fs';
import path from 'path';
import { generateDemo } from '../../backend/demo/dataset';
import { DEMO_MODEL } from '../../backend/demo/load';
import { startServer } from '../../backend/api/server';
import { DemoServer, startDemoServer } from './demo-server';
import { getJson, postForm, PrometheusServer, promtool, run, PROMTOOL_BIN, startPrometheus, tempDir } from './prom-helpers';
import { prometheusRules, rel } from '../provisioning/provisioning-files';

jest.setTimeout(120_000);

let vigil: DemoServer;
let api: string;

beforeAll(async () => {
  vigil = await startDemoServer();
  api = `${vigil.url}/prometheus`;
});

afterAll(async () => {
  await vigil?.stop();
});

const seconds = (ms: number) => (ms / 1000).toFixed(3);

describe("Grafana's Prometheus data source", () => {
  it('passes the health check: 1+1 at time=4 as a POST form', async () => {
    const res = await fetch(`${api}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=1%2B1&time=4',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.text()).toBe('{"status":"success","data":{"resultType":"scalar","result":[4,"2"]}}');
  });

  it('gets buildinfo without features, empty rules and exemplars', async () => {
    const info = await getJson(`${api}/api/v1/status/buildinfo`);
    expect(info.body.status).toBe('success');
    expect(info.body.data.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(info.body.data.features).toBeUndefined();
    expect((await getJson(`${api}/api/v1/rules`)).body).toEqual({ status: 'success', data: { groups: [] } });
    expect((await getJson(`${api}/api/v1/query_exemplars?query=test&start=1&end=2`)).body).toEqual({ status: 'success', data: [] });
  });

  it('reads metadata for the metric browser', async () => {
    const meta = await getJson(`${api}/api/v1/metadata?metric=vigil_univariate_drift`);
    expect(meta.body.data.vigil_univariate_drift).toEqual([{ type: 'gauge', help: expect.stringContaining('Univariate drift'), unit: '' }]);
    // Grafana's resource calls may use POST; both methods answer alike.
    const viaPost = await postForm(`${api}/api/v1/label/column/values`, { 'match[]': 'vigil_univariate_drift' });
    const viaGet = await getJson(`${api}/api/v1/label/column/values?match[]=vigil_univariate_drift`);
    expect(viaPost).toEqual(viaGet);
    expect(viaGet.body.data).toEqual(expect.arrayContaining(['age', 'income']));
  });

  it('answers alert-rule queries (POST, time=now) per model and column', async () => {
    const res = await postForm(`${api}/api/v1/query`, { query: 'max by (model, column, method) (vigil_univariate_drift_alert)', time: seconds(vigil.now) });
    expect(res.status).toBe(200);
    expect(res.body.data.resultType).toBe('vector');
    expect(res.body.data.result.length).toBeGreaterThan(3);
    for (const r of res.body.data.result) {
      expect(Object.keys(r.metric).sort()).toEqual(['column', 'method', 'model']);
      expect(['0', '1']).toContain(r.value[1]);
    }
  });

  it('rejects unsupported constructs with bad_data naming them, and evaluation errors with 422', async () => {
    const bad = await postForm(`${api}/api/v1/query`, { query: 'mad_over_time(vigil_outlier_rate[5m])' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ status: 'error', errorType: 'bad_data', error: expect.stringContaining('the function "mad_over_time" (Prometheus 3) is not supported') });
    const exec = await postForm(`${api}/api/v1/query`, { query: '{model="demo"} * 1' });
    expect(exec.status).toBe(422);
    expect(exec.body).toEqual({ status: 'error', errorType: 'execution', error: 'vector cannot contain metrics with the same labelset' });
    const noMatch = await getJson(`${api}/api/v1/series`);
    expect(noMatch).toEqual({ status: 400, body: { status: 'error', errorType: 'bad_data', error: 'no match[] parameter provided' } });
  });
});

describe('promtool query (client_golang API client)', () => {
  it('instant: 1+1 and a vector', async () => {
    const scalar = await promtool(['query', 'instant', api, '1+1', '--time=4']);
    expect(scalar).toMatchObject({ code: 0, stdout: expect.stringMatching(/^scalar: 2 @\[4\]\s*$/) });
    const vec = await promtool(['query', 'instant', '-o', 'json', api, 'vigil_outlier_rate{model="demo"}', `--time=${seconds(vigil.now)}`]);
    expect(vec.code).toBe(0);
    const parsed = JSON.parse(vec.stdout);
    // the last closed day, and the open one (the demo's last day is still filling: partial="true")
    expect(parsed).toEqual([
      { metric: { __name__: 'vigil_outlier_rate', model: 'demo', metric: 'outlier_rate' }, value: [expect.any(Number), expect.any(String)] },
      { metric: { __name__: 'vigil_outlier_rate', model: 'demo', metric: 'outlier_rate', partial: 'true' }, value: [expect.any(Number), expect.any(String)] },
    ]);
    for (const s of parsed) expect(Number(s.value[1])).toBeGreaterThanOrEqual(0);
  });

  it('range: daily steps over the demo', async () => {
    const start = vigil.now - 59 * 86_400_000;
    const res = await promtool(['query', 'range', '-o', 'json', `--start=${seconds(start)}`, `--end=${seconds(vigil.now)}`, '--step=24h', api, 'avg by (model) (vigil_estimated_performance{metric="roc_auc"})']);
    expect(res.code).toBe(0);
    const matrix = JSON.parse(res.stdout);
    expect(matrix).toHaveLength(1);
    expect(matrix[0].metric).toEqual({ model: 'demo' });
    expect(matrix[0].values.length).toBeGreaterThanOrEqual(59);
    for (const [, v] of matrix[0].values) expect(Number(v)).toBeGreaterThan(0.5);
  });

  it('labels and series', async () => {
    const labels = await promtool(['query', 'labels', api, 'model']);
    expect(labels).toMatchObject({ code: 0, stdout: 'demo\n' });
    const names = await promtool(['query', 'labels', api, '__name__']);
    expect(names.stdout.split('\n')).toEqual(expect.arrayContaining(['vigil_univariate_drift', 'vigil_univariate_drift_upper_threshold', 'vigil_outlier_rate_alert', 'vigil_estimated_performance_upper_confidence_bound']));
    const series = await promtool(['query', 'series', api, '--match=vigil_estimated_performance{metric=~"roc_auc|f1"}']);
    expect(series.code).toBe(0);
    expect(series.stdout.trim().split('\n').sort()).toEqual([
      '{__name__="vigil_estimated_performance", metric="f1", model="demo", partial="true"}',
      '{__name__="vigil_estimated_performance", metric="f1", model="demo"}',
      '{__name__="vigil_estimated_performance", metric="roc_auc", model="demo", partial="true"}',
      '{__name__="vigil_estimated_performance", metric="roc_auc", model="demo"}',
    ]);
  });

  it('surfaces a bad query as the API error', async () => {
    const res = await promtool(['query', 'instant', api, 'limitk(1, vigil_outlier_rate)']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('bad_data');
    expect(res.stderr).toContain('the aggregation "limitk" (Prometheus 3) is not supported');
  });
});

describe('/metrics', () => {
  it('passes promtool check metrics and carries the latest values and health', async () => {
    const res = await fetch(`${vigil.url}/metrics`);
    const text = await res.text();
    const check = await run(PROMTOOL_BIN, ['check', 'metrics'], text);
    expect({ code: check.code, out: check.stdout + check.stderr }).toEqual({ code: 0, out: '' });
    const model = await getJson(`${vigil.url}/api/models/demo`);
    expect(text).toMatch(new RegExp(`^vigil_ingested_rows_total\\{model="demo"\\} ${model.body.analysis_rows}$`, 'm'));
    expect(text).toMatch(/^vigil_recompute_duration_seconds_count\{model="demo"\} [1-9]\d*$/m);
    expect(text).toMatch(/^vigil_models 1$/m);
    // prom-client's default metrics of the server process (the Must-show of issue 14 item 9).
    expect(text).toMatch(/^process_resident_memory_bytes [1-9]\d*$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    // The same latest value as an instant query of the API at the demo's "now".
    const q = await postForm(`${api}/api/v1/query`, { query: 'vigil_outlier_rate{model="demo"}', time: seconds(vigil.now) });
    expect(text).toContain(`vigil_outlier_rate{metric="outlier_rate",model="demo"} ${q.body.data.result[0].value[1]}\n`);
  });
});

describe('a real Prometheus scraping /metrics with the shipped rules', () => {
  let prometheus: PrometheusServer;
  let dir: string;

  beforeAll(async () => {
    // A batch in the last hour of the demo's last closed day (the day before its clock, demoClock; the
    // clock's own day is still open and never alerts) whose ages are shifted and incomes missing: the last
    // closed chunk drifts, and it decides the alert state while the open day fills. A fixed number of rows, taken from two full
    // generated days (one day cut at the clock would hold a number that depends on the time of day).
    const DRIFTED_ROWS = 400;
    const HOUR_MS = 3_600_000;
    const source = generateDemo({ now: Date.UTC(2026, 0, 2, 23, 59), analysisDays: 2, rowsPerDay: DRIFTED_ROWS, seed: 99 }).analysis;
    expect(source.length).toBeGreaterThan(DRIFTED_ROWS);
    const rows = source.slice(0, DRIFTED_ROWS).map((r, i) => ({
      ...r,
      id: `drifted-${i}`,
      timestamp: new Date(Math.floor(vigil.now / 86_400_000) * 86_400_000 - HOUR_MS + Math.floor((i * HOUR_MS) / DRIFTED_ROWS)).toISOString(),
      age: Number(r.age) + 45,
      income: null,
    }));
    await vigil.server.service.ingestRows(DEMO_MODEL, JSON.stringify(rows), 'application/json');
    await vigil.server.service.idle();

    dir = tempDir('prom-scrape');
    const { port } = new URL(vigil.url);
    const config = [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ['${rel('provisioning/prometheus/vigil-alerts.rules.yml')}']`,
      'scrape_configs:',
      '  - job_name: vigil',
      '    metrics_path: /metrics',
      `    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
    ].join('\n');
    const data = path.join(dir, 'data');
    fs.mkdirSync(data);
    prometheus = await startPrometheus({ config, dataDir: data });
  });

  afterAll(async () => {
    await prometheus?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fires the alerts Vigil itself computes for the same expressions', async () => {
    const modelRules = prometheusRules().filter((r) => r.group === 'vigil-model-health');
    // Wait until a scrape has landed and every rule group has been evaluated after it.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const up = await getJson(`${prometheus.url}/api/v1/query?query=up`);
      const rules = await getJson(`${prometheus.url}/api/v1/rules`);
      const evaluated = rules.body.data?.groups?.every((g: any) => g.rules.every((r: any) => r.health === 'ok')) ?? false;
      if (up.body.data?.result?.[0]?.value?.[1] === '1' && evaluated) {
        const firing = await getJson(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('ALERTS{alertstate="firing"}')}`);
        if (firing.body.data.result.length > 0) break;
      }
      if (Date.now() > deadline) throw new Error(`Prometheus did not evaluate the rules in time: ${JSON.stringify(rules.body)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const firing = await getJson(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('ALERTS{alertstate="firing"}')}`);
    const fromPrometheus = new Set<string>(
      firing.body.data.result
        .filter((r: any) => modelRules.some((m) => m.alert === r.metric.alertname))
        .map((r: any) => {
          // Prometheus adds the scrape target's job and instance labels; Vigil's API has none.
          const { __name__, alertstate, severity, source, job, instance, ...labels } = r.metric;
          return JSON.stringify(Object.entries(labels).sort());
        }),
    );
    const fromVigil = new Set<string>();
    for (const rule of modelRules) {
      const res = await postForm(`${api}/api/v1/query`, { query: rule.expr });
      expect(res.body.status).toBe('success');
      for (const r of res.body.data.result) fromVigil.add(JSON.stringify(Object.entries({ alertname: rule.alert, ...r.metric }).sort()));
    }
    expect([...fromPrometheus].sort()).toEqual([...fromVigil].sort());
    // The drifted batch shows in both: age drifts, income is missing.
    const names = [...fromVigil].map((s) => Object.fromEntries(JSON.parse(s)));
    expect(names).toEqual(expect.arrayContaining([
      expect.objectContaining({ alertname: 'VigilUnivariateDrift', column: 'age' }),
      expect.objectContaining({ alertname: 'VigilDataQuality', column: 'income', metric: 'missing_values' }),
    ]));
  });
});

describe('the shipped prometheus.yml', () => {
  it('scrapes a Vigil that has API keys with the read key from its credentials file, and fails with a wrong one', async () => {
    const dir = tempDir('prom-auth');
    const keyed = await startServer({ port: 0, host: '127.0.0.1', dbPath: path.join(dir, 'vigil.db'), auth: { readKey: 'read-key-1', writeKey: 'write-key-1' } });
    const servers: PrometheusServer[] = [];
    try {
      const up = async (key: string) => {
        const keyFile = path.join(dir, `key-${key}`);
        fs.writeFileSync(keyFile, key);
        // The compose paths mapped to this machine; scrape every second instead of 30 s.
        const config = fs
          .readFileSync(rel('provisioning/prometheus/prometheus.yml'), 'utf8')
          .replaceAll('/etc/prometheus/vigil-alerts.rules.yml', rel('provisioning/prometheus/vigil-alerts.rules.yml'))
          .replaceAll('/prometheus/vigil-read-key', keyFile)
          .replace("'vigil:8700'", `'127.0.0.1:${keyed.port}'`)
          .replace(/scrape_interval: \d+s/, 'scrape_interval: 1s');
        const data = path.join(dir, `data-${key}`);
        fs.mkdirSync(data);
        const prom = await startPrometheus({ config, dataDir: data });
        servers.push(prom);
        for (let i = 0; i < 100; i++) {
          const res = await getJson(`${prom.url}/api/v1/query?query=up`);
          if (res.body.data?.result?.length) return res.body.data.result[0].value[1];
          await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error('no scrape happened');
      };
      expect(await Promise.all([up('read-key-1'), up('wrong-key')])).toEqual(['1', '0']);
    } finally {
      for (const p of servers) await p.stop();
      await keyed.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
