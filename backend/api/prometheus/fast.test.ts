/**
 * The fast path of /prometheus query and query_range against the Express router alone: the same
 * requests (GET, POST forms in the ways clients send them, errors, auth, and the requests it leaves to
 * Express) get byte-identical answers (status, content type, length, body) from a server with the fast
 * path in front and from a server with the router only.
 */
import express from 'express';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as zlib from 'zlib';
import { silentLogger } from '../../service/log';
import { AuthConfig, requireAccess } from '../auth';
import { fastPrometheusHandler } from './fast';
import { prometheusErrors, prometheusRouter, PrometheusApiOptions, QueryAnswers } from './router';
import { MemorySeriesSource, Series } from './source';

const NOW_MS = 90_000;

function seriesOf(value: number): Series[] {
  const s = (column: string, v: number): Series => ({
    labels: { __name__: 'vigil_x', model: 'm', column },
    timestamps: Float64Array.from([0, 30_000, 60_000, 90_000]),
    values: Float64Array.from([v, v + 0.5, NaN, v * 2]),
  });
  return [s('a', value), s('b', value + 1), s('ü', -value)];
}

interface Setup {
  url: string;
  /** requests the Express app answered (those the fast path left to it) */
  expressRequests: number;
  close(): Promise<void>;
}

interface State {
  version: number;
  value: number;
  reads: number;
}

/** app.ts's arrangement: the router behind the read-key check under /p, the fast path (optionally) in front. */
async function serve(state: State, auth: AuthConfig, fast: boolean): Promise<Setup> {
  const opts: PrometheusApiOptions = {
    source: () => {
      state.reads++;
      return new MemorySeriesSource(seriesOf(state.value));
    },
    lookback: { kind: 'window', ms: 300_000 },
    now: () => NOW_MS,
    resultsVersion: async () => String(state.version),
  };
  const answers = new QueryAnswers(opts);
  const app = express();
  const setup = { url: '', expressRequests: 0, close: async () => {} };
  app.use((_req, _res, next) => {
    setup.expressRequests++;
    next();
  });
  // As the app mounts it (app.ts): errors, the key check's included, in Prometheus's shape.
  app.use('/p', requireAccess('read', auth), prometheusRouter(opts, answers), prometheusErrors(silentLogger));
  const handler = fastPrometheusHandler(answers, { auth, logger: silentLogger, prefix: '/p' });
  const server = http.createServer(fast ? (req, res) => void (handler(req, res) || app(req, res)) : app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  setup.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  setup.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return setup;
}

interface Req {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

interface Answer {
  status: number;
  type: string | undefined;
  length: string | undefined;
  body: string;
}

function send(base: string, r: Req): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(base + r.path, { method: r.method, headers: r.headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], length: res.headers['content-length'], body: Buffer.concat(parts).toString() }));
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

const FORM = 'application/x-www-form-urlencoded';
const range = 'query=vigil_x&start=0&end=90&step=30';
const form = (body: string | Buffer, type = FORM, extra: Record<string, string> = {}): Req => ({
  method: 'POST',
  path: '/p/api/v1/query_range',
  headers: { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...extra },
  body,
});

/** Requests the fast path answers itself. */
const FAST: Req[] = [
  { method: 'GET', path: `/p/api/v1/query_range?${range}` },
  { method: 'GET', path: `/p/api/v1/query_range?${range}` },
  { method: 'GET', path: '/p/api/v1/query_range?step=30&end=90&start=0&query=vigil_x' },
  { method: 'GET', path: `/p/api/v1/query_range?query=${encodeURIComponent('max by (model) (vigil_x)')}&start=0&end=90&step=15` },
  { method: 'GET', path: `/p/api/v1/query_range?query=${encodeURIComponent('vigil_x{column="ü"}')}&start=0&end=90&step=30&timeout=5s` },
  { method: 'GET', path: '/p/api/v1/query?query=vigil_x&time=60' },
  { method: 'GET', path: '/p/api/v1/query?query=sum(vigil_x)&time=1970-01-01T00:01:00Z' },
  { method: 'GET', path: '/p/api/v1/query?query=1%2B1&time=4' },
  { method: 'GET', path: '/p/api/v1/query?query=vigil_x' },
  { method: 'GET', path: '/p/api/v1/query' },
  { method: 'GET', path: '/p/api/v1/query_range?query=vigil_x{&start=0&end=90&step=30' },
  { method: 'GET', path: '/p/api/v1/query_range?query=vigil_x&end=90&step=30' },
  { method: 'GET', path: '/p/api/v1/query_range?query=vigil_x&start=90&end=0&step=30' },
  { method: 'GET', path: '/p/api/v1/query_range?query=vigil_x&start=0&end=90&step=0' },
  { method: 'GET', path: '/p/api/v1/query_range?query=vigil_x&start=0&end=90000&step=0.001' },
  { method: 'GET', path: '/p/api/v1/query_range?query=vigil_x&start=0&end=90&step=30&timeout=soon' },
  { method: 'GET', path: '/p/api/v1/query?query=vigil_x%20offset%201m%20@%205&time=60' },
  { method: 'GET', path: '/p/api/v1/query?query=vigil_x%20/%20on(model)%20vigil_x&time=60' },
  form(range),
  form(range),
  form(range, `${FORM}; charset=utf-8`),
  form(range, `${FORM}; charset=UTF-8`),
  form(range, FORM.toUpperCase()),
  form(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(range)])),
  form('query=vigil_x&end=90&step=30'),
  { ...form('query=vigil_x&end=90&step=30'), path: '/p/api/v1/query_range?query=nope{&start=0' },
  { ...form('query=vigil_x&time=30'), path: '/p/api/v1/query' },
  form(''),
  form('query=%ZZ&start=0&end=90&step=30'),
];

/** Requests it leaves to Express (which answers them as before). */
const EXPRESS: Req[] = [
  { method: 'HEAD', path: `/p/api/v1/query_range?${range}` },
  { method: 'GET', path: `/p/api/v1/query_range/?${range}` },
  { method: 'GET', path: `/p/api/v1/QUERY_RANGE?${range}` },
  { method: 'GET', path: `/p/api/v1/queryx?${range}` },
  { method: 'GET', path: '/p/api/v1/query_range', headers: { 'content-type': FORM, 'content-length': String(range.length) }, body: range },
  form(range, 'application/json'),
  form(range, `${FORM}; charset=latin1`),
  form(Buffer.from('query=vigil_x{column="\xfc"}&start=0&end=90&step=30', 'latin1'), `${FORM}; charset=iso-8859-1`),
  form(zlib.gzipSync(range), FORM, { 'content-encoding': 'gzip' }),
  { method: 'POST', path: `/p/api/v1/query_range?${range}` },
  { method: 'PUT', path: `/p/api/v1/query_range?${range}` },
  { ...form('x'.repeat(1024 * 1024 + 1)) },
];

describe('prometheus fast path', () => {
  const state: State = { version: 1, value: 1, reads: 0 };
  const open = { readKey: null, writeKey: null };
  let fast: Setup;
  let plain: Setup;
  beforeAll(async () => {
    fast = await serve(state, open, true);
    plain = await serve(state, open, false);
  });
  afterAll(async () => {
    await fast.close();
    await plain.close();
  });

  it('answers query and query_range itself, byte for byte as the router does', async () => {
    for (const r of FAST) {
      const before = fast.expressRequests;
      const [a, b] = [await send(fast.url, r), await send(plain.url, r)];
      expect({ request: `${r.method} ${r.path} ${r.body ?? ''}`, ...a }).toEqual({ request: `${r.method} ${r.path} ${r.body ?? ''}`, ...b });
      expect(fast.expressRequests).toBe(before);
    }
    // The answers are real ones, not all errors.
    expect(JSON.parse((await send(fast.url, FAST[0])).body).data.result).toHaveLength(3);
  });

  it('leaves other requests to Express, with the same answers', async () => {
    for (const r of EXPRESS) {
      const before = fast.expressRequests;
      const [a, b] = [await send(fast.url, r), await send(plain.url, r)];
      expect({ request: `${r.method} ${r.path}`, ...a }).toEqual({ request: `${r.method} ${r.path}`, ...b });
      expect(fast.expressRequests).toBe(before + 1);
    }
  });

  it('reuses an answer for the same request until the results version changes', async () => {
    state.version++;
    const r = FAST[0];
    const first = await send(fast.url, r);
    const reads = state.reads;
    state.value = 7;
    expect(await send(fast.url, r)).toEqual(first);
    expect(await send(fast.url, form(range))).toEqual(first);
    expect(state.reads).toBe(reads);
    state.version++;
    const changed = await send(fast.url, r);
    expect(state.reads).toBe(reads + 1);
    expect(JSON.parse(changed.body).data.result[0].values[0]).toEqual([0, '7']);
    // Errors and clock-time instant queries are computed every time.
    for (const q of ['/p/api/v1/query_range?query=vigil_x{&start=0&end=90&step=30', '/p/api/v1/query?query=vigil_x']) {
      const before = state.reads;
      await send(fast.url, { method: 'GET', path: q });
      await send(fast.url, { method: 'GET', path: q });
      if (q.includes('{&')) expect(state.reads).toBe(before);
      else expect(state.reads).toBe(before + 2);
    }
  });

  it('checks the read key like the router (Prometheus error shape), before reading the body', async () => {
    const auth = { readKey: 'r-key', writeKey: 'w-key' };
    const f = await serve(state, auth, true);
    const p = await serve(state, auth, false);
    try {
      const cases: Req[] = [];
      for (const headers of [{} as Record<string, string>, { authorization: 'Bearer wrong' }, { authorization: 'Basic abc' }, { authorization: 'Bearer r-key' }, { authorization: 'Bearer w-key' }]) {
        cases.push({ method: 'GET', path: `/p/api/v1/query_range?${range}`, headers });
        const post = form(range);
        cases.push({ ...post, headers: { ...post.headers, ...headers } });
      }
      const statuses: number[] = [];
      for (const r of cases) {
        const before = f.expressRequests;
        const [a, b] = [await send(f.url, r), await send(p.url, r)];
        expect(a).toEqual(b);
        expect(f.expressRequests).toBe(before);
        statuses.push(a.status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 200, 200, 200, 200]);
    } finally {
      await f.close();
      await p.close();
    }
  });
});
