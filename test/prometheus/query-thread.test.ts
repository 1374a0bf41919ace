/**
 * The query thread on the real server (`vigil serve`, its own process, SQLite file, loopback; issue 13
 * item 1): PromQL is evaluated off the thread that accepts ingest, and the thread's series follow the
 * results at once.
 *
 * - While a heavy range query runs, the CPU time of each of the server's threads is read from
 *   /proc/<pid>/task: the evaluation's shows on a thread other than the main one, whose own CPU stays a
 *   small share; `/healthz` and an ingest batch posted meanwhile are answered promptly. The same query
 *   on a server started with VIGIL_QUERY_THREAD=off shows on the main thread (so the measurement tells
 *   the two apart).
 * - A query sent as soon as the recompute of a new chunk is done sees it, for a cached query (explicit
 *   time) and an uncached one (the clock's time), and the listings see a new model's series.
 */
import fs from 'fs';
import path from 'path';
import { call, startVigil, tempDir, Vigil, waitComputed } from '../server/helpers';

jest.setTimeout(240_000);

const HOUR = 3_600_000;
const START = Date.UTC(2025, 0, 1);
const CHUNK_ROWS = 20;
/** Reference hours, then analysis chunks of CHUNK_ROWS rows, one an hour. */
const REFERENCE_ROWS = 400;
const ANALYSIS_CHUNKS = 150;
const MODEL = 'qt';
/** Far after every chunk: every series is current there (VIGIL_PROM_LOOKBACK below). */
const LATER = Date.UTC(2030, 0, 1) / 1000;
const ENV = { VIGIL_PROM_LOOKBACK: '36500d' };

/** Rows from `first` (row number), CHUNK_ROWS an hour: each analysis chunk is one hour. */
function csv(first: number, count: number): string {
  const lines = ['id,ts,x1,x2,x3'];
  for (let i = first; i < first + count; i++) {
    const t = START + Math.floor(i / CHUNK_ROWS) * HOUR + (i % CHUNK_ROWS) * 60_000;
    const a = (i * 7919) % 101;
    lines.push(`${i},${new Date(t).toISOString()},${a % 13 === 0 ? '' : (a / 10).toFixed(2)},${((a * 3) % 17).toFixed(1)},${(i % 5) * 1.5}`);
  }
  return lines.join('\n') + '\n';
}

async function registerModel(base: string, name: string): Promise<void> {
  const created = await call(base, 'POST', '/api/models', {
    body: { name, columns: { features: ['x1', 'x2', 'x3'], timestamp: 'ts', id: 'id' }, chunking: { chunk_size: CHUNK_ROWS } },
  });
  expect(created.status).toBe(201);
  expect((await call(base, 'PUT', `/api/models/${name}/reference`, { body: csv(0, REFERENCE_ROWS), contentType: 'text/csv' })).status).toBe(200);
  const rows = await call(base, 'POST', `/api/models/${name}/rows`, { body: csv(REFERENCE_ROWS, ANALYSIS_CHUNKS * CHUNK_ROWS), contentType: 'text/csv' });
  expect(rows.status).toBeLessThan(300);
  await waitComputed(base, name, undefined, 120_000);
}

/** Each thread's CPU time (ms, user + system) of process `pid`, by thread id (Linux /proc). */
function threadCpu(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  const tick = 10; // USER_HZ is 100 on Linux
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // Fields after the command (which may hold spaces) end with ')'; utime and stime are fields 14 and 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(Number(tid), (Number(f[11]) + Number(f[12])) * tick);
  }
  return out;
}

const form = (params: Record<string, string | number>) => new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();

async function promPost(base: string, endpoint: string, params: Record<string, string | number>) {
  return call(base, 'POST', `/prometheus/api/v1/${endpoint}`, { body: form(params), contentType: 'application/x-www-form-urlencoded' });
}

/**
 * A range query that costs a second or more of evaluation and answers one short series: every series of
 * the model counted at 1-minute steps of a 30-day subquery, at each of 2,000 steps.
 */
const HEAVY = { query: 'max_over_time(count({__name__=~"vigil_.+", model="qt"})[30d:1m])', start: START / 1000, end: START / 1000 + 2000 * 600, step: 600 };

interface HeavyRun {
  ms: number;
  status: number;
  /** CPU ms over the query: the main thread's and the busiest other thread's. */
  main: number;
  busiestOther: number;
  healthMs: number[];
  ingestMs: number | null;
}

/** Runs HEAVY while polling /healthz (and posting one ingest batch when `ingest` is given). */
async function heavyQuery(vigil: Vigil, ingest?: string): Promise<HeavyRun> {
  const pid = vigil.proc.pid!;
  const before = threadCpu(pid);
  const t0 = performance.now();
  let done = false;
  const query = promPost(vigil.url, 'query_range', HEAVY).finally(() => (done = true));
  const healthMs: number[] = [];
  let ingestMs: number | null = null;
  const poll = (async () => {
    await new Promise((r) => setTimeout(r, 200));
    if (ingest !== undefined) {
      const s = performance.now();
      const r = await call(vigil.url, 'POST', `/api/models/${MODEL}/rows`, { body: ingest, contentType: 'text/csv' });
      expect(r.status).toBeLessThan(300);
      ingestMs = performance.now() - s;
    }
    while (!done) {
      const s = performance.now();
      expect((await fetch(`${vigil.url}/healthz`)).status).toBe(200);
      healthMs.push(performance.now() - s);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const answer = await query;
  const ms = performance.now() - t0;
  const after = threadCpu(pid);
  await poll;
  let busiestOther = 0;
  for (const [tid, cpu] of after) if (tid !== pid) busiestOther = Math.max(busiestOther, cpu - (before.get(tid) ?? 0));
  return { ms, status: answer.status, main: after.get(pid)! - before.get(pid)!, busiestOther, healthMs, ingestMs };
}

let dir: string;
let vigil: Vigil;

beforeAll(async () => {
  dir = tempDir();
  vigil = await startVigil({ db: path.join(dir, 'vigil.db'), env: ENV });
  await registerModel(vigil.url, MODEL);
}, 180_000);

afterAll(async () => {
  if (vigil) await vigil.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const countQuery = { query: `count_over_time(vigil_data_quality{model="${MODEL}", column="x1", metric="missing_values"}[100y])` };

/** The number of chunks of the x1 missing-values series: at a fixed time (cached per results version), and at the clock's time. */
async function chunkCounts(base: string): Promise<{ cached: number; now: number }> {
  const at = await promPost(base, 'query', { ...countQuery, time: LATER });
  const now = await promPost(base, 'query', countQuery);
  expect(at.status).toBe(200);
  expect(now.status).toBe(200);
  return { cached: Number(at.body.data.result[0].value[1]), now: Number(now.body.data.result[0].value[1]) };
}

test('a query right after a recompute sees the new chunk (cached and uncached), and a new model appears in the listings', async () => {
  expect(await chunkCounts(vigil.url)).toEqual({ cached: ANALYSIS_CHUNKS, now: ANALYSIS_CHUNKS });
  // Asked again: the first from the answer cache, the same.
  expect(await chunkCounts(vigil.url)).toEqual({ cached: ANALYSIS_CHUNKS, now: ANALYSIS_CHUNKS });

  const next = REFERENCE_ROWS + ANALYSIS_CHUNKS * CHUNK_ROWS;
  expect((await call(vigil.url, 'POST', `/api/models/${MODEL}/rows`, { body: csv(next, CHUNK_ROWS), contentType: 'text/csv' })).status).toBeLessThan(300);
  await waitComputed(vigil.url, MODEL);
  expect(await chunkCounts(vigil.url)).toEqual({ cached: ANALYSIS_CHUNKS + 1, now: ANALYSIS_CHUNKS + 1 });

  await registerModel(vigil.url, 'qt2');
  const models = await call(vigil.url, 'GET', '/prometheus/api/v1/label/model/values');
  expect(models.body.data).toEqual(['qt', 'qt2']);
  const metrics = await call(vigil.url, 'GET', '/metrics');
  expect(metrics.text).toMatch(/^vigil_data_quality\{.*model="qt2".*\} /m);
});

test('a heavy query is evaluated off the main thread: /healthz and an ingest batch are answered meanwhile', async () => {
  const next = REFERENCE_ROWS + (ANALYSIS_CHUNKS + 1) * CHUNK_ROWS;
  const run = await heavyQuery(vigil, csv(next, CHUNK_ROWS));
  console.log(`query thread: ${run.status} in ${run.ms.toFixed(0)} ms; CPU main ${run.main} ms, busiest other thread ${run.busiestOther} ms; /healthz max ${Math.max(...run.healthMs).toFixed(0)} ms over ${run.healthMs.length}; ingest batch ${run.ingestMs?.toFixed(0)} ms`);
  expect(run.status).toBe(200);
  // The query is heavy enough to tell: a third of a second of CPU at least, on a thread other than the main one.
  expect(run.busiestOther).toBeGreaterThanOrEqual(300);
  expect(run.main).toBeLessThan(run.busiestOther / 4);
  expect(run.healthMs.length).toBeGreaterThan(5);
  expect(Math.max(...run.healthMs)).toBeLessThan(500);
  expect(run.ingestMs).not.toBeNull();
  expect(run.ingestMs!).toBeLessThan(2_000);
});

test('queries interleaved with recomputes and the background refresh each see every chunk computed before they were sent', async () => {
  // The thread reads recomputed chunks in the background when told the version moved (every 50 ms), and
  // pauses between those refreshes: queries sent at once, or while such a refresh runs or pauses, must
  // still see every result written before them.
  const first = REFERENCE_ROWS + (ANALYSIS_CHUNKS + 2) * CHUNK_ROWS;
  const before = (await chunkCounts(vigil.url)).now;
  for (const [k, delayMs] of [0, 20, 60, 120, 0, 250].entries()) {
    expect((await call(vigil.url, 'POST', `/api/models/${MODEL}/rows`, { body: csv(first + k * CHUNK_ROWS, CHUNK_ROWS), contentType: 'text/csv' })).status).toBeLessThan(300);
    await waitComputed(vigil.url, MODEL);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    // The chunk just filled is computed; the one the next batch opens is not there yet.
    expect(await chunkCounts(vigil.url)).toEqual({ cached: before + k + 1, now: before + k + 1 });
  }
});

test('with VIGIL_QUERY_THREAD=off the same query runs on the main thread (the measurement tells them apart)', async () => {
  const copy = path.join(dir, 'copy');
  fs.mkdirSync(copy);
  await vigil.stop();
  for (const f of fs.readdirSync(dir)) if (f.startsWith('vigil.db')) fs.copyFileSync(path.join(dir, f), path.join(copy, f));
  vigil = await startVigil({ db: path.join(copy, 'vigil.db'), env: { ...ENV, VIGIL_QUERY_THREAD: 'off' } });
  // The series are read on the first query; the measured one evaluates only.
  expect((await chunkCounts(vigil.url)).now).toBeGreaterThan(ANALYSIS_CHUNKS);
  const run = await heavyQuery(vigil);
  console.log(`in process: ${run.status} in ${run.ms.toFixed(0)} ms; CPU main ${run.main} ms, busiest other thread ${run.busiestOther} ms`);
  expect(run.status).toBe(200);
  expect(run.main).toBeGreaterThanOrEqual(300);
  expect(run.main).toBeGreaterThan(run.busiestOther);
});
