/**
 * Reads sized to the panel (issue 13 item 4) against the real server: `maxDataPoints`/`intervalMs`
 * downsample a series without dropping an alerting chunk, and a request is bounded by the series it
 * selects (VIGIL_QUERY_MAX_SERIES) and its body size, not by a count of queries.
 */
import * as path from 'path';
import { call, makeRows, startVigil, TEST_MODEL_COLUMNS, tempDir, toCsv, Vigil, waitComputed } from './helpers';

const START = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;
const CHUNK = 20;
const MAX_SERIES = 500;

let vigil: Vigil;
const api = (method: string, p: string, o: Parameters<typeof call>[3] = {}) => call(vigil.url, method, p, o);

/** 60 analysis chunks; x1 drifts in chunks 20-22 (adjacent alerts) and 45. */
function analysisRows() {
  const rows = makeRows(60 * CHUNK, { seed: 2, startId: 10_000, start: START + 1000 * HOUR, stepMs: HOUR });
  const drifted = (i: number) => (i >= 20 * CHUNK && i < 23 * CHUNK) || (i >= 45 * CHUNK && i < 46 * CHUNK);
  return rows.map((r, i) => (drifted(i) ? { ...r, x1: r.x1 + 8 } : r));
}

beforeAll(async () => {
  vigil = await startVigil({ db: path.join(tempDir(), 'vigil.db'), env: { VIGIL_QUERY_MAX_SERIES: String(MAX_SERIES) } });
  let r = await api('POST', '/api/models', {
    body: {
      name: 'panel',
      problem_type: 'classification_binary',
      columns: TEST_MODEL_COLUMNS,
      chunking: { chunk_size: CHUNK },
      calculators: [{ class: 'UnivariateDriftCalculator', params: { continuous_methods: ['jensen_shannon', 'kolmogorov_smirnov'], categorical_methods: ['chi2'] } }],
    },
  });
  expect(r.status).toBe(201);
  r = await api('PUT', '/api/models/panel/reference', { body: toCsv(makeRows(400, { seed: 1, startId: 0, start: START, stepMs: HOUR }) as any), contentType: 'text/csv' });
  expect(r.status).toBe(200);
  r = await api('POST', '/api/models/panel/rows', { body: toCsv(analysisRows() as any), contentType: 'text/csv' });
  expect(r.status).toBe(200);
  await waitComputed(vigil.url, 'panel');
}, 120_000);

afterAll(async () => {
  await vigil?.stop();
});

const field = (frame: any, name: string) => frame.fields.find((f: any) => f.name === name)?.values as unknown[];
const seriesKey = (frame: any) => `${frame.meta.custom.metric} ${frame.meta.custom.column}`;

async function frames(extra: Record<string, unknown>, query: Record<string, unknown> = {}) {
  const r = await api('POST', '/api/query', { body: { ...extra, queries: [{ refId: 'A', model: 'panel', family: 'univariate_drift', ...query }] } });
  expect(r.status).toBe(200);
  return r.body.results.A.frames as any[];
}

describe('maxDataPoints and intervalMs', () => {
  it('a downsampled panel keeps every alerting chunk', async () => {
    const full = await frames({});
    const small = await frames({ maxDataPoints: 8 });
    expect(full.length).toBeGreaterThan(3);
    expect(small.map(seriesKey)).toEqual(full.map(seriesKey));
    let alertsSeen = 0;
    for (let s = 0; s < full.length; s++) {
      const chunks = field(full[s], 'chunk');
      const alerts = field(full[s], 'alert');
      expect(chunks.length).toBe(60);
      const kept = field(small[s], 'chunk');
      const keptAlerts = field(small[s], 'alert');
      const alerting = chunks.filter((_, i) => alerts[i] === true);
      alertsSeen += alerting.length;
      // Every alerting chunk is there, with its own values; the rest is at most one point per bucket.
      for (const c of alerting) expect(kept).toContain(c);
      expect(kept.length).toBeLessThan(chunks.length);
      expect(kept.length - keptAlerts.filter((a) => a === true).length).toBeLessThanOrEqual(8);
      expect(kept[kept.length - 1]).toBe(chunks[chunks.length - 1]);
      for (const name of ['time', 'value', 'upper_threshold', 'alert']) {
        const all = field(full[s], name);
        expect(field(small[s], name)).toEqual(kept.map((c) => all[chunks.indexOf(c)]));
      }
      expect(small[s].meta.custom).toMatchObject({ downsampled: true, chunks: 60 });
    }
    // The planted drift alerts (three adjacent chunks share a bucket at 8 points: all three are kept).
    expect(alertsSeen).toBeGreaterThanOrEqual(4);
    const js = full.findIndex((f) => seriesKey(f) === 'jensen_shannon x1');
    const jsAlerts = field(full[js], 'chunk').filter((_, i) => field(full[js], 'alert')[i] === true);
    expect(jsAlerts).toEqual(expect.arrayContaining(['[400:419]', '[420:439]', '[440:459]', '[900:919]']));
  });

  it('keeps every chunk when the panel can draw them, and takes intervalMs as the bucket width', async () => {
    const full = await frames({});
    expect(await frames({ maxDataPoints: 1000 })).toEqual(full);
    // One point per 10 hours at most (chunks are 20 hours apart: nothing to drop) ...
    expect(await frames({ intervalMs: 10 * HOUR })).toEqual(full);
    // ... one per 200 hours: 10 chunks per bucket, ~6 buckets plus alerts.
    const coarse = await frames({ intervalMs: 200 * HOUR });
    for (const f of coarse) expect(field(f, 'chunk').length).toBeLessThan(20);
    // A query's own maxDataPoints wins over the request's.
    const own = await frames({ maxDataPoints: 1000 }, { maxDataPoints: 5 });
    for (const f of own) expect(field(f, 'chunk').length).toBeLessThan(20);
  });

  it('refuses a bad panel size, naming it', async () => {
    let r = await api('POST', '/api/query', { body: { maxDataPoints: 0, queries: [{ refId: 'A', model: 'panel', family: 'univariate_drift' }] } });
    expect(r.status).toBe(400);
    expect(r.body.error.where).toBe('maxDataPoints');
    r = await api('POST', '/api/query', { body: { queries: [{ refId: 'A', model: 'panel', family: 'univariate_drift', intervalMs: -1 }] } });
    expect(r.status).toBe(400);
    expect(r.body.error.where).toBe('queries[0].intervalMs');
    r = await api('GET', '/api/query?model=panel&family=univariate_drift&maxDataPoints=abc');
    expect(r.status).toBe(400);
    expect(r.body.error.where).toBe('query.maxDataPoints');
    r = await api('GET', '/api/query?model=panel&family=univariate_drift&metric=jensen_shannon&column=x1&maxDataPoints=8');
    expect(r.status).toBe(200);
    expect(field(r.body.results.A.frames[0], 'chunk').length).toBeLessThan(20);
  });
});

describe('request size bounds', () => {
  it('answers more than 100 queries in one request', async () => {
    const queries = Array.from({ length: 240 }, (_, i) => ({ refId: `Q${i}`, model: 'panel', family: 'univariate_drift', metrics: ['jensen_shannon'], columns: ['x1'] }));
    const r = await api('POST', '/api/query', { body: { maxDataPoints: 10, queries } });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.results)).toHaveLength(240);
    expect(r.body.results.Q239.frames).toHaveLength(1);
  });

  it('refuses a request selecting more series than VIGIL_QUERY_MAX_SERIES, naming the limit and the query', async () => {
    // Two series per query (jensen_shannon and kolmogorov_smirnov on x1): the limit is passed at query 250.
    const queries = Array.from({ length: 300 }, (_, i) => ({ refId: `Q${i}`, model: 'panel', family: 'univariate_drift', columns: ['x1'] }));
    const r = await api('POST', '/api/query', { body: { queries } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'too_many_series', where: 'queries[250]' });
    expect(r.body.error.message).toMatch(/more than 500 series \(VIGIL_QUERY_MAX_SERIES\)/);
  });

  it('refuses a body over 1 MiB with 413 naming the limit', async () => {
    const queries = Array.from({ length: 12_000 }, (_, i) => ({ refId: `Q${i}`, model: 'panel', family: 'univariate_drift', columns: ['x1'], metrics: ['jensen_shannon'] }));
    const r = await api('POST', '/api/query', { body: { queries } });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('body_too_large');
    expect(r.body.error.message).toMatch(/1048576 bytes/);
  });
});
