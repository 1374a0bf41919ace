/**
 * Issue 12, items 4, 5 and 8 on the real server (`vigil demo`, its own process, SQLite file, loopback),
 * with `/healthz` polled all along so a query that held the event loop would show in its latency:
 *  - the RE2 matcher that froze the server for 46 s answers in milliseconds;
 *  - nesting 3,000 deep, 10,000 unary minus signs and a 20,000-term `+` chain get 400 bad_data quickly;
 *  - the `timeout` parameter and the server's VIGIL_QUERY_TIMEOUT give 503 `timeout`, as Prometheus;
 *  - a range query over every series at 2,000 steps (~900,000 points) is answered in slices;
 *  - the fast path (GET, plain form POST) and the Express router give the same answers;
 *  - generated near-queries over HTTP never get a 5xx.
 */
import fc from 'fast-check';
import fs from 'fs';
import path from 'path';
import { fuzzParams } from '../helpers/fuzz';
import { startVigil, tempDir, Vigil } from '../server/helpers';
import { queryLike } from './promql-arbitrary';

jest.setTimeout(180_000);

/** The demo's clock, pinned: 60 daily chunks end here. */
const NOW = '2026-03-15T10:30:00.000Z';
const T = Date.parse(NOW) / 1000;
const DAYS = 60;
/** The server's query timeout in this test (VIGIL_QUERY_TIMEOUT), short enough to wait for. */
const SERVER_TIMEOUT_S = 8;

let vigil: Vigil;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  vigil = await startVigil({
    command: 'demo',
    db: path.join(dir, 'demo.db'),
    args: ['--rows-per-day', '150', '--now', NOW],
    env: { VIGIL_QUERY_TIMEOUT: `${SERVER_TIMEOUT_S}s` },
    timeoutMs: 120_000,
  });
  // Waits for the demo's results (the first query after start also builds the series from the store):
  // the measurements below are of queries, not of the start.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await get('query', { query: 'count(vigil_univariate_drift)', time: T });
    if (r.status === 200 && r.body.data.result.length > 0 && Number(r.body.data.result[0].value[1]) > 9) break;
    if (Date.now() > deadline) throw new Error(`the demo's results did not appear: ${JSON.stringify(r.body)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}, 180_000);

afterAll(async () => {
  if (vigil) await vigil.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: any;
  ms: number;
}

/** An answer whose body is parsed only when read: parsing ~25 MB here would hold the poller's own event loop. */
async function answerOf(res: Response, t0: number): Promise<Answer> {
  const bytes = Buffer.from(await res.arrayBuffer());
  const ms = performance.now() - t0;
  let body: any;
  return {
    status: res.status,
    ms,
    get body() {
      return (body ??= JSON.parse(bytes.toString('utf8')));
    },
  };
}

const encode = (params: Record<string, string | number>) => new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();

/** GET: the fast path on Node's request listener (fast.ts). */
async function get(endpoint: string, params: Record<string, string | number>): Promise<Answer> {
  const t0 = performance.now();
  return answerOf(await fetch(`${vigil.url}/prometheus/api/v1/${endpoint}?${encode(params)}`), t0);
}

/** POST form; `viaExpress` adds a charset the fast path leaves to Express's router. */
async function post(endpoint: string, params: Record<string, string | number>, viaExpress = false): Promise<Answer> {
  const t0 = performance.now();
  const type = viaExpress ? 'application/x-www-form-urlencoded; charset=iso-8859-1' : 'application/x-www-form-urlencoded';
  return answerOf(await fetch(`${vigil.url}/prometheus/api/v1/${endpoint}`, { method: 'POST', headers: { 'content-type': type }, body: encode(params) }), t0);
}

/** Runs `work` while polling /healthz back to back; returns its result and the /healthz latencies (ms). */
async function whilePolling<T>(work: () => Promise<T>): Promise<{ result: T; healthz: number[] }> {
  const healthz: number[] = [];
  let done = false;
  const poller = (async () => {
    while (!done) {
      const t0 = performance.now();
      const res = await fetch(`${vigil.url}/healthz`);
      await res.text();
      expect(res.status).toBe(200);
      healthz.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  await new Promise((r) => setTimeout(r, 20));
  try {
    return { result: await work(), healthz };
  } finally {
    done = true;
    await poller;
  }
}

const max = (xs: number[]) => Math.max(...xs);
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
/**
 * A /healthz answer may wait behind one slice of query work (10 ms), a garbage collection, or the other
 * processes of a busy machine (this one has 2 cores shared by several test runs), never behind a query:
 * before these changes it waited 1-46 s. Most answers are quick; the slowest over seconds of polling is
 * allowed the machine's noise.
 */
// One pause of ~450 ms was seen once in CI (quiet machine) during the 2,000-step range query over every
// series (a 24 MB answer: a major GC or an unsliced stretch); the p95 above is the responsiveness claim, the
// maximum only catches a query that holds the loop (before these changes: 1-46 s).
const HEALTHZ_MAX_MS = 1000;
const HEALTHZ_P95_MS = 120;
const expectResponsive = (healthz: number[]) => {
  expect(healthz.length).toBeGreaterThan(0);
  expect(percentile(healthz, 95)).toBeLessThan(HEALTHZ_P95_MS);
  expect(max(healthz)).toBeLessThan(HEALTHZ_MAX_MS);
};

const measured: Record<string, string> = {};
afterAll(() => {
  // The numbers behind docs/prometheus.md's "Limits" section (jest prints them once, after the tests).
  console.log(Object.entries(measured).map(([k, v]) => `${k}: ${v}`).join('\n'));
});

describe('RE2 label matchers', () => {
  const query = 'vigil_univariate_drift{column=~"(.|.|.)*!"}';

  it('answer the pattern of issue 12 in milliseconds while /healthz answers', async () => {
    // Not measured: the first regex query of the process warms its code (re2js, the matcher memo).
    expect((await get('query', { query: 'vigil_univariate_drift{column=~"a.*|b+"}', time: T })).status).toBe(200);
    const { result, healthz } = await whilePolling(async () => [await get('query', { query, time: T }), await post('query', { query: query.replace('!', '!?'), time: T })]);
    const [none, all] = result;
    expect(none.status).toBe(200);
    expect(none.body.data.result).toEqual([]);
    // `(.|.|.)*!?` matches every column: the matcher is really evaluated (and anchored).
    expect(all.body.data.result.length).toBeGreaterThan(9);
    expect(none.ms).toBeLessThan(100);
    expect(all.ms).toBeLessThan(100);
    expectResponsive(healthz);
    measured.re2 = `${none.ms.toFixed(0)} ms and ${all.ms.toFixed(0)} ms; /healthz max ${max(healthz).toFixed(0)} ms over ${healthz.length}`;
  });

  it('refuse what RE2 refuses with 400 bad_data, on the fast path and through Express alike', async () => {
    for (const [pattern, error] of [
      ['(?=a)', 'invalid or unsupported Perl syntax: `(?=`'],
      ['(a)\\\\1', 'invalid escape sequence: `\\1`'],
      ['(a{0,100}|b){0,10}(a{0,100}|b){0,10}', 'expression too large for Vigil'],
    ]) {
      const params = { query: `vigil_univariate_drift{column=~"${pattern}"}`, time: T };
      const fast = await get('query', params);
      expect(fast.status).toBe(400);
      expect(fast.body).toEqual({ status: 'error', errorType: 'bad_data', error: expect.stringContaining(error) });
      expect(fast.body.error).toMatch(/^invalid parameter "query": 1:24: parse error: error parsing regexp: /);
      const express = await post('query', params, true);
      expect({ status: express.status, body: express.body }).toEqual({ status: fast.status, body: fast.body });
    }
  });
});

describe('bounded queries', () => {
  it('refuse deep nesting, long unary chains and long + chains with 400 bad_data, quickly', async () => {
    const cases: [string, string, RegExp][] = [
      ['nesting 3,000 deep', '('.repeat(3000) + '1' + ')'.repeat(3000), /1:1001: parse error: expression nests too deeply: more than 1000 levels/],
      ['10,000 unary minus signs', '-'.repeat(10_000) + '1', /parse error: query too long: more than 10000 tokens/],
      ['a 20,000-term + chain', Array.from({ length: 20_000 }, () => 'vigil_outlier_rate').join(' + '), /parse error: query too long: more than 10000 tokens/],
      ['a 2,000-term * chain', Array.from({ length: 2_000 }, () => 'vigil_outlier_rate').join(' * '), /parse error: expression nests too deeply/],
    ];
    const { result, healthz } = await whilePolling(async () => {
      const out: [string, Answer, Answer][] = [];
      for (const [name, query, error] of cases) {
        const fast = await post('query', { query, time: T });
        const express = await post('query', { query, time: T }, true);
        expect({ name, status: fast.status, errorType: fast.body.errorType }).toEqual({ name, status: 400, errorType: 'bad_data' });
        expect(fast.body.error).toMatch(error);
        expect({ status: express.status, body: express.body }).toEqual({ status: fast.status, body: fast.body });
        out.push([name, fast, express]);
      }
      return out;
    });
    for (const [name, fast, express] of result) {
      expect({ name, fast: fast.ms < 500, express: express.ms < 500 }).toEqual({ name, fast: true, express: true });
      measured[name] = `${fast.ms.toFixed(0)} ms (fast path), ${express.ms.toFixed(0)} ms (Express)`;
    }
    expectResponsive(healthz);
  });

  it('answer a range query over every series at 2,000 steps in slices: /healthz keeps answering', async () => {
    const step = Math.ceil((DAYS * 86_400) / 2000);
    const { result, healthz } = await whilePolling(() => get('query_range', { query: '{__name__=~"vigil_.+"}', start: T - DAYS * 86_400, end: T, step }));
    expect(result.status).toBe(200);
    const points = result.body.data.result.reduce((n: number, s: any) => n + s.values.length, 0);
    expect(points).toBeGreaterThan(500_000);
    // The query took far longer than any /healthz answer: it was split.
    expect(result.ms).toBeGreaterThan(5 * percentile(healthz, 90));
    expectResponsive(healthz);
    measured['range query, 2,000 steps'] = `${points} points in ${result.ms.toFixed(0)} ms; /healthz p50 ${percentile(healthz, 50).toFixed(0)} ms, p90 ${percentile(healthz, 90).toFixed(0)} ms, max ${max(healthz).toFixed(0)} ms over ${healthz.length}`;
  });

  it('refuse a range query whose answer would exceed VIGIL_QUERY_MAX_SAMPLES with 422, as Prometheus', async () => {
    const res = await get('query_range', { query: '{__name__=~"vigil_.+"}', start: T - DAYS * 86_400, end: T, step: Math.ceil((DAYS * 86_400) / 11_000) });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ status: 'error', errorType: 'execution', error: 'query processing would load too many samples into memory in query execution' });
  });
});

describe('timeouts', () => {
  /** ~11,000 steps of a 500-term chain over the drift series: minutes of work. */
  const heavy = {
    query: Array.from({ length: 500 }, () => 'vigil_univariate_drift').join(' + '),
    start: T - DAYS * 86_400,
    end: T,
    step: Math.ceil((DAYS * 86_400) / 11_000),
  };

  it('stop a query at its `timeout` parameter with 503 timeout, on both paths', async () => {
    for (const send of [() => post('query_range', { ...heavy, timeout: '0.3' }), () => post('query_range', { ...heavy, timeout: '300ms' }, true)]) {
      const res = await send();
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' });
      expect(res.ms).toBeLessThan(2000);
    }
    // A timeout of zero has passed before the query runs (Prometheus: "in query execution").
    const zero = await get('query', { query: '1+1', time: T, timeout: '0' });
    expect({ status: zero.status, body: zero.body }).toEqual({ status: 503, body: { status: 'error', errorType: 'timeout', error: 'query timed out in query execution' } });
    const bad = await get('query', { query: '1+1', time: T, timeout: 'soon' });
    expect({ status: bad.status, body: bad.body }).toEqual({ status: 400, body: { status: 'error', errorType: 'bad_data', error: 'invalid parameter "timeout": cannot parse "soon" to a valid duration' } });
  });

  it("stop a query at the server's VIGIL_QUERY_TIMEOUT, which a longer `timeout` cannot extend, while /healthz answers", async () => {
    const { result, healthz } = await whilePolling(() => post('query_range', { ...heavy, timeout: '10m' }));
    expect(result.status).toBe(503);
    expect(result.body.errorType).toBe('timeout');
    expect(result.ms).toBeGreaterThan(SERVER_TIMEOUT_S * 1000 - 100);
    expect(result.ms).toBeLessThan(SERVER_TIMEOUT_S * 1000 + 2000);
    expectResponsive(healthz);
    measured['server timeout'] = `503 after ${result.ms.toFixed(0)} ms; /healthz p50 ${percentile(healthz, 50).toFixed(0)} ms, p90 ${percentile(healthz, 90).toFixed(0)} ms, max ${max(healthz).toFixed(0)} ms over ${healthz.length}`;
  });
});

describe('HTTP fuzzing', () => {
  it('answers generated near-queries with 200, 400 or 422, never a 5xx, with a parse position on 400', async () => {
    await fc.assert(
      fc.asyncProperty(queryLike, fc.boolean(), async (query, range) => {
        const res = range ? await get('query_range', { query, start: T - 7 * 86_400, end: T, step: 3600 }) : await post('query', { query, time: T });
        expect([200, 400, 422]).toContain(res.status);
        if (res.status === 400) expect(res.body.error).toMatch(/^invalid parameter "query": \d+:\d+: parse error: /);
        expect(res.ms).toBeLessThan(2000);
      }),
      fuzzParams(150),
    );
  });
});
