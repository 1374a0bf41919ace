/**
 * The pool of compute threads and back-pressure (issue 13 item 2), against the real server:
 * - three compute threads store exactly the results that one inline compute does, with batches arriving
 *   while earlier chunks are computed (chunks are claimed, so none is computed twice at once);
 * - back-pressure: above VIGIL_MAX_BACKLOG dirty chunks, ingest answers 429 with Retry-After and stores
 *   nothing; the backlog is in GET /api/models/{name} and on /metrics; once computed, ingest is accepted.
 */
import * as path from 'path';
import { call, makeRows, startVigil, TEST_MODEL_COLUMNS, tempDir, toCsv, Vigil, waitComputed } from './helpers';

const START = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;
const reference = makeRows(400, { seed: 1, startId: 0, start: START, stepMs: MINUTE });

async function model(v: Vigil, name: string, chunkSize: number) {
  let r = await call(v.url, 'POST', '/api/models', { body: { name, problem_type: 'classification_binary', columns: TEST_MODEL_COLUMNS, chunking: { chunk_size: chunkSize } } });
  expect(r.status).toBe(201);
  r = await call(v.url, 'PUT', `/api/models/${name}/reference`, { body: toCsv(reference as any), contentType: 'text/csv' });
  expect(r.status).toBe(200);
}

const ingest = (v: Vigil, name: string, rows: ReturnType<typeof makeRows>) => call(v.url, 'POST', `/api/models/${name}/rows`, { body: toCsv(rows as any), contentType: 'text/csv' });

/** A model's stored analysis results, in a stable order, without what depends on when they were computed. */
async function storedResults(v: Vigil, name: string) {
  const r = await call(v.url, 'GET', `/api/models/${name}/results`);
  expect(r.status).toBe(200);
  const rows = (r.body.results as any[]).filter((x) => x.period === 'analysis');
  return rows.map((x) => JSON.stringify(x)).sort();
}

function backlogGauge(metrics: string, name: string): number | null {
  const m = metrics.match(new RegExp(`^vigil_recompute_backlog_chunks\\{model="${name}"\\} (\\S+)$`, 'm'));
  return m ? Number(m[1]) : null;
}

describe('a pool of compute threads', () => {
  let pooled: Vigil;
  let inline: Vigil;

  beforeAll(async () => {
    [pooled, inline] = await Promise.all([
      startVigil({ db: path.join(tempDir(), 'pool.db'), env: { VIGIL_COMPUTE_THREADS: '3' } }),
      startVigil({ db: path.join(tempDir(), 'inline.db'), env: { VIGIL_COMPUTE: 'inline' } }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([pooled?.stop(), inline?.stop()]);
  });

  it('stores the same results as one inline compute, batches arriving while chunks are computed', async () => {
    const ready = pooled.logs.find((l) => l.msg === 'ready');
    expect(ready).toMatchObject({ compute: 'worker', compute_threads: 3 });
    for (const v of [pooled, inline]) await model(v, 'm', 50);
    // 30 batches of 70 rows, each acknowledged before the next is sent, none waiting for the recompute:
    // batches straddle chunks, so the filling chunk is dirtied again while a thread computes it.
    for (let b = 0; b < 30; b++) {
      const rows = makeRows(70, { seed: 100 + b, startId: 1000 + b * 70, start: START + (1000 + b * 70) * MINUTE, stepMs: MINUTE });
      for (const v of [pooled, inline]) expect((await ingest(v, 'm', rows)).status).toBe(200);
    }
    const [a, b] = await Promise.all([waitComputed(pooled.url, 'm'), waitComputed(inline.url, 'm')]);
    expect(a.status.chunks).toBe(42);
    expect(b.status.chunks).toBe(42);
    const [ra, rb] = await Promise.all([storedResults(pooled, 'm'), storedResults(inline, 'm')]);
    expect(ra.length).toBeGreaterThan(42 * 10);
    expect(ra).toEqual(rb);
  }, 180_000);
});

describe('back-pressure', () => {
  let v: Vigil;

  beforeAll(async () => {
    v = await startVigil({ db: path.join(tempDir(), 'bp.db'), env: { VIGIL_MAX_BACKLOG: '5', VIGIL_COMPUTE_THREADS: '1' } });
    await model(v, 'bp', 10);
  }, 60_000);
  afterAll(async () => {
    await v?.stop();
  });

  it('back-pressure gives 429 with Retry-After', async () => {
    // 3000 rows in chunks of 10: 300 chunks to compute, far above the bound of 5.
    const first = await ingest(v, 'bp', makeRows(3000, { seed: 2, startId: 10_000, start: START + 1000 * MINUTE, stepMs: MINUTE }));
    expect(first.status).toBe(200);
    const more = makeRows(10, { seed: 3, startId: 50_000, start: START + 5000 * MINUTE, stepMs: MINUTE });
    const refused = await ingest(v, 'bp', more);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(refused.body.error).toMatchObject({ code: 'backlog', where: 'path.model' });
    expect(refused.body.error.message).toMatch(/chunks waiting to be recomputed, more than the bound of 5 \(VIGIL_MAX_BACKLOG\); nothing was stored/);

    const during = (await call(v.url, 'GET', '/api/models/bp')).body;
    expect(during.analysis_rows).toBe(3000); // nothing of the refused batch was stored
    expect(during.status.pending_chunks).toBeGreaterThan(5);
    expect(during.status.max_pending_chunks).toBe(5);
    const gauge = backlogGauge((await call(v.url, 'GET', '/metrics')).text, 'bp');
    expect(gauge).toBeGreaterThan(5);
    const rejected = (await call(v.url, 'GET', '/metrics')).text.match(/^vigil_ingest_batches_total\{model="bp",outcome="rejected"\} (\d+)$/m);
    expect(Number(rejected?.[1])).toBe(1);

    // Once the thread caught up, the same batch is accepted, and the gauge is back to 0.
    await waitComputed(v.url, 'bp', undefined, 120_000);
    const accepted = await ingest(v, 'bp', more);
    expect(accepted.status).toBe(200);
    expect(accepted.body.inserted).toBe(10);
    await waitComputed(v.url, 'bp');
    expect(backlogGauge((await call(v.url, 'GET', '/metrics')).text, 'bp')).toBe(0);
  }, 180_000);
});
