/**
 * The pool of compute threads and back-pressure (issue 13 item 2), against the real server:
 * - three compute threads store exactly the results that one inline compute does, with batches arriving
 *   while earlier chunks are computed (chunks are claimed, so none is computed twice at once);
 * - back-pressure: above VIGIL_MAX_BACKLOG dirty chunks, ingest answers 429 with Retry-After and stores
 *   nothing; the backlog is in GET /api/models/{name} and on /metrics; once computed, ingest is accepted;
 * - home threads: several models, each fitted and computed on its home thread, so a fit cache of each
 *   thread's share reloads no fit; batches to every model at once (filling chunks deferred, idle threads
 *   taking a busy home's chunks) store the same results as one inline compute.
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

/** The `compute totals` lines the compute threads log at shutdown (one per thread). */
function computeTotals(v: Vigil): Record<string, number>[] {
  return v.logs.filter((l) => l.msg === 'compute totals') as Record<string, number>[];
}

const MODELS = ['h0', 'h1', 'h2', 'h3'];
const batchOf = (round: number, k: number) => {
  const first = 1000 + (round * MODELS.length + k) * 70;
  return makeRows(70, { seed: 500 + round * 10 + k, startId: first, start: START + first * MINUTE, stepMs: MINUTE });
};

describe('home threads', () => {
  it('fits and computes each model on its home thread: a fit cache of each thread\'s share loads no fit', async () => {
    // 4 models, 2 threads, 4 fits across the pool: 2 per thread, one per model at home.
    const v = await startVigil({ db: path.join(tempDir(), 'homes.db'), env: { VIGIL_COMPUTE_THREADS: '2', VIGIL_FIT_CACHE: '4' } });
    try {
      for (const name of MODELS) await model(v, name, 50);
      // One batch at a time, computed before the next: a model's chunks (at most 2 closed, 1 filling)
      // always find its home free. The old scheduler split them over both threads, loading fits.
      for (let round = 0; round < 5; round++) {
        for (let k = 0; k < MODELS.length; k++) {
          expect((await ingest(v, MODELS[k], batchOf(round, k))).status).toBe(200);
          await waitComputed(v.url, MODELS[k]);
        }
      }
    } finally {
      await v.stop();
    }
    const totals = computeTotals(v);
    expect(totals).toHaveLength(2);
    // Both threads computed: each is home to two models.
    for (const t of totals) expect(t.chunks).toBeGreaterThan(5);
    expect(totals.map((t) => t.restored + t.refitted)).toEqual([0, 0]);
    expect(totals.map((t) => t.fitsInMemory)).toEqual([2, 2]);
  }, 180_000);

  it('batches to every model at once store the same results as one inline compute', async () => {
    const [pooled, inline] = await Promise.all([
      startVigil({ db: path.join(tempDir(), 'homes-pool.db'), env: { VIGIL_COMPUTE_THREADS: '2', VIGIL_FIT_CACHE: '2' } }),
      startVigil({ db: path.join(tempDir(), 'homes-inline.db'), env: { VIGIL_COMPUTE: 'inline' } }),
    ]);
    try {
      for (const v of [pooled, inline]) for (const name of MODELS) await model(v, name, 50);
      // Every round posts to all models at once without waiting for results: homes are busy while other
      // models wait, filling chunks are dirtied again before they are computed, fits are evicted
      // (1 per thread for 2 models at home each) and reloaded.
      for (let round = 0; round < 8; round++) {
        const replies = await Promise.all(MODELS.flatMap((name, k) => [pooled, inline].map((v) => ingest(v, name, batchOf(round, k)))));
        for (const r of replies) expect(r.status).toBe(200);
      }
      for (const name of MODELS) {
        const [a, b] = await Promise.all([waitComputed(pooled.url, name), waitComputed(inline.url, name)]);
        expect(a.status.chunks).toBe(12); // 8 × 70 rows in chunks of 50 (the last filling)
        expect(b.status.chunks).toBe(12);
        const [ra, rb] = await Promise.all([storedResults(pooled, name), storedResults(inline, name)]);
        expect(ra.length).toBeGreaterThan(12 * 10);
        expect(ra).toEqual(rb);
      }
    } finally {
      await Promise.all([pooled.stop(), inline.stop()]);
    }
    const totals = computeTotals(pooled);
    expect(totals).toHaveLength(2);
    // Evicted fits were loaded again from their saved fits, never refitted.
    expect(totals.reduce((n, t) => n + t.restored, 0)).toBeGreaterThan(0);
    expect(totals.reduce((n, t) => n + t.refitted, 0)).toBe(0);
  }, 180_000);

  it('a fit byte budget smaller than one fit keeps one fit per thread, and every model still computes as inline', async () => {
    // VIGIL_FIT_CACHE_MB of 1 KiB: each fit alone is larger, so a thread keeps only the fit it used last.
    const [pooled, inline] = await Promise.all([
      startVigil({ db: path.join(tempDir(), 'bytes-pool.db'), env: { VIGIL_COMPUTE_THREADS: '2', VIGIL_FIT_CACHE_MB: '0.001' } }),
      startVigil({ db: path.join(tempDir(), 'bytes-inline.db'), env: { VIGIL_COMPUTE: 'inline' } }),
    ]);
    try {
      for (const v of [pooled, inline]) for (const name of MODELS) await model(v, name, 50);
      for (let round = 0; round < 3; round++) {
        for (let k = 0; k < MODELS.length; k++) {
          for (const v of [pooled, inline]) {
            expect((await ingest(v, MODELS[k], batchOf(round, k))).status).toBe(200);
            await waitComputed(v.url, MODELS[k]);
          }
        }
      }
      for (const name of MODELS) expect(await storedResults(pooled, name)).toEqual(await storedResults(inline, name));
    } finally {
      await Promise.all([pooled.stop(), inline.stop()]);
    }
    const totals = computeTotals(pooled);
    expect(totals.map((t) => t.fitsInMemory)).toEqual([1, 1]);
    // Each model's fit left its thread when the other model at home was used: loaded again from its saved fit.
    expect(totals.reduce((n, t) => n + t.restored, 0)).toBeGreaterThanOrEqual(MODELS.length * 2);
    expect(totals.reduce((n, t) => n + t.refitted, 0)).toBe(0);
  }, 180_000);
});
