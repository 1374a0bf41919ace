/**
 * Every answer under /prometheus/* that is an error has Prometheus's shape, the API-key refusals (401,
 * 403) included, so Grafana's Prometheus client shows the message: promlib's converter
 * (grafana pkg/promlib/converter/prom.go ReadPrometheusStyleResult) reads `status`, `errorType` and
 * `error` as a string whatever the HTTP status, and reports "<errorType>: <error>". `grafanaReads`
 * below applies that rule. Also /api/v1/status/{buildinfo,flags,config}, compared with the answers of
 * the real Prometheus 2.42 binary.
 */
import express from 'express';
import fs from 'fs';
import path from 'path';
import { requireAccess } from '../../backend/api/auth';
import { prometheusErrors, prometheusRouter } from '../../backend/api/prometheus/router';
import { formatPromDuration } from '../../backend/api/prometheus/status';
import { RunningServer, startServer } from '../../backend/api/server';
import { silentLogger } from '../../backend/service/log';
import { getJson, PrometheusServer, promtool, serveApp, startPrometheus, tempDir } from './prom-helpers';

jest.setTimeout(60_000);

const READ = 'prom-read-key-1';
const WRITE = 'prom-write-key-1';

/** What Grafana's Prometheus data source makes of an answer body: its error text, or null for data. */
function grafanaReads(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) throw new Error(`Grafana cannot parse ${JSON.stringify(body)} as JSON`);
  const b = body as Record<string, unknown>;
  for (const k of ['status', 'errorType', 'error']) {
    if (k in b && typeof b[k] !== 'string') throw new Error(`Grafana fails to read "${k}": ReadString expects a string, got ${JSON.stringify(b[k])}`);
  }
  return b.status === 'error' ? `${b.errorType}: ${b.error}` : null;
}

let dir: string;
let vigil: RunningServer;
let prometheus: PrometheusServer;

beforeAll(async () => {
  dir = tempDir('prom-errors');
  vigil = await startServer({ port: 0, host: '127.0.0.1', dbPath: path.join(dir, 'vigil.db'), auth: { readKey: READ, writeKey: WRITE } });
  fs.mkdirSync(path.join(dir, 'prom'));
  prometheus = await startPrometheus({ config: 'global: {}\n', dataDir: path.join(dir, 'prom') });
});

afterAll(async () => {
  await vigil?.close();
  await prometheus?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('refused requests answer in Prometheus shape on every /prometheus path', () => {
  // The fast path (query, query_range as GET and form POST) and the Express routes alike.
  const requests: [string, RequestInit][] = [
    ['/prometheus/api/v1/query?query=1', {}],
    ['/prometheus/api/v1/query', { method: 'POST', headers: form, body: 'query=1%2B1&time=4' }],
    ['/prometheus/api/v1/query_range?query=1&start=0&end=60&step=60', {}],
    ['/prometheus/api/v1/query', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'query=1' }],
    ['/prometheus/api/v1/labels', {}],
    ['/prometheus/api/v1/label/__name__/values', {}],
    ['/prometheus/api/v1/status/buildinfo', {}],
    ['/prometheus/api/v1/status/flags', {}],
    ['/prometheus/api/v1/no-such-endpoint', {}],
    ['/prometheus/no/such/path', {}],
  ];

  it.each(requests)('%s without a key: 401 unauthorized, message shown by Grafana', async (p, init) => {
    const res = await getJson(vigil.url + p, init);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ status: 'error', errorType: 'unauthorized', error: "missing API key: send 'Authorization: Bearer <key>'" });
    expect(grafanaReads(res.body)).toBe("unauthorized: missing API key: send 'Authorization: Bearer <key>'");
  });

  it("Save & test on the data source shows the key problem (promlib healthcheck.go: '<error> - <message>')", async () => {
    // The health check is the instant query 1+1 at time 4, POSTed as a form.
    const res = await getJson(`${vigil.url}/prometheus/api/v1/query`, { method: 'POST', headers: form, body: 'query=1%2B1&time=4' });
    expect(`${grafanaReads(res.body)} - There was an error returned querying the Prometheus API.`).toBe(
      "unauthorized: missing API key: send 'Authorization: Bearer <key>' - There was an error returned querying the Prometheus API.",
    );
    const ok = await getJson(`${vigil.url}/prometheus/api/v1/query`, { method: 'POST', headers: { ...form, ...bearer(READ) }, body: 'query=1%2B1&time=4' });
    expect([ok.status, grafanaReads(ok.body)]).toEqual([200, null]);
  });

  it.each(requests)('%s with a wrong or malformed key: 401 naming the fault', async (p, init) => {
    const wrong = await getJson(vigil.url + p, { ...init, headers: { ...(init.headers as object), ...bearer('guess') } });
    expect([wrong.status, grafanaReads(wrong.body)]).toEqual([401, 'unauthorized: wrong API key']);
    const malformed = await getJson(vigil.url + p, { ...init, headers: { ...(init.headers as object), authorization: `Basic ${READ}` } });
    expect([malformed.status, grafanaReads(malformed.body)]).toEqual([401, "unauthorized: malformed Authorization header: expected 'Bearer <key>'"]);
  });

  it('answers an unknown path with a key as not_found, and a form over the limit as bad_data 413', async () => {
    const unknown = await getJson(`${vigil.url}/prometheus/no/such/path`, { headers: bearer(READ) });
    expect([unknown.status, grafanaReads(unknown.body)]).toEqual([404, 'not_found: unknown API endpoint']);
    const big = await getJson(`${vigil.url}/prometheus/api/v1/query`, { method: 'POST', headers: { ...form, ...bearer(READ) }, body: `query=${'1'.repeat(1024 * 1024 + 10)}` });
    expect(big.status).toBe(413);
    expect(grafanaReads(big.body)).toMatch(/^bad_data: request entity too large/);
  });

  it('a 403 (a route needing the write key) has the same shape', async () => {
    // No /prometheus route needs more than the read key; the handler is the one the app mounts.
    const app = express();
    app.use('/prometheus', requireAccess('write', { readKey: READ, writeKey: WRITE }), prometheusRouter({ source: () => ({ select: () => [] }) as never, lookback: { kind: 'window', ms: 300_000 } }), prometheusErrors(silentLogger));
    const server = await serveApp(app);
    try {
      const res = await getJson(`${server.url}/prometheus/api/v1/labels`, { headers: bearer(READ) });
      expect([res.status, grafanaReads(res.body)]).toEqual([403, 'forbidden: this key can only read; ingest and admin routes need the write key (VIGIL_WRITE_KEY)']);
    } finally {
      await server.close();
    }
  });

  it('the old shape is what Grafana could not read (the check above can fail)', () => {
    expect(() => grafanaReads({ error: { code: 'unauthorized', message: 'missing API key' } })).toThrow(/ReadString/);
  });
});

describe('status endpoints, shaped as Prometheus 2.42 answers them', () => {
  const vigilGet = (p: string) => getJson(`${vigil.url}/prometheus/api/v1/${p}`, { headers: bearer(READ) });
  const promGet = (p: string) => getJson(`${prometheus.url}/api/v1/${p}`);

  it('buildinfo: the same fields as Prometheus, version 2.42.0, and no features map (Grafana would assume Mimir)', async () => {
    const [ours, theirs] = await Promise.all([vigilGet('status/buildinfo'), promGet('status/buildinfo')]);
    expect(ours.status).toBe(200);
    expect(Object.keys(ours.body.data).sort()).toEqual(Object.keys(theirs.body.data).sort());
    expect(ours.body.data.version).toBe('2.42.0');
    expect(theirs.body.data.version).toMatch(/^2\.42\.0/);
    expect(ours.body.data).not.toHaveProperty('features');
  });

  it("flags: a map of Prometheus flag names to string values, with Vigil's query settings", async () => {
    const [ours, theirs] = await Promise.all([vigilGet('status/flags'), promGet('status/flags')]);
    expect(ours.status).toBe(200);
    expect(ours.body.status).toBe('success');
    for (const [k, v] of Object.entries(ours.body.data)) {
      expect([k, typeof v, k in theirs.body.data]).toEqual([k, 'string', true]);
    }
    // Defaults: VIGIL_PROM_LOOKBACK 7d, VIGIL_QUERY_TIMEOUT 2m (Prometheus's own default is "2m" too).
    expect(ours.body.data).toMatchObject({ 'query.lookback-delta': '1w', 'query.timeout': '2m' });
    expect(theirs.body.data['query.timeout']).toBe('2m');
    expect(Number(ours.body.data['query.max-samples'])).toBeGreaterThan(0);
  });

  it('config: {yaml} that promtool accepts as a Prometheus configuration', async () => {
    const [ours, theirs] = await Promise.all([vigilGet('status/config'), promGet('status/config')]);
    expect(Object.keys(ours.body.data)).toEqual(Object.keys(theirs.body.data));
    const file = path.join(dir, 'served-config.yml');
    fs.writeFileSync(file, ours.body.data.yaml);
    const check = await promtool(['check', 'config', file]);
    expect({ code: check.code, out: check.stdout + check.stderr }).toEqual({ code: 0, out: expect.stringContaining('SUCCESS') });
  });

  it('formats durations as Prometheus does', () => {
    expect([0, 1000, 90 * 60_000, 7 * 86_400_000, 8 * 86_400_000 + 1].map(formatPromDuration)).toEqual(['0s', '1s', '1h30m', '1w', '1w1d1ms']);
  });
});
