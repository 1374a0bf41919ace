/**
 * The compute threads' lower scheduling priority (VIGIL_COMPUTE_NICE), against the real server on Linux:
 * each thread's nice value is read from /proc/PID/task/TID/stat (field 19) and its name from .../comm.
 * - by default the compute threads run 10 nice levels below the server, and every other thread (the main
 *   thread that takes ingest, the query thread, the ingest threads, libuv's pool, V8's helpers) is left
 *   at the server's level;
 * - VIGIL_COMPUTE_NICE=3 gives 3; VIGIL_COMPUTE_NICE=0 leaves every thread at the server's level;
 * - a bad value stops `vigil serve` with exit 2 naming the variable.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { call, makeRows, ROOT, startVigil, TEST_MODEL_COLUMNS, tempDir, toCsv, Vigil, waitComputed } from './helpers';

interface ThreadInfo {
  tid: number;
  name: string;
  nice: number;
}

function threadsOf(pid: number): ThreadInfo[] {
  const out: ThreadInfo[] = [];
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8');
      // Fields after the name, which is in parentheses and may hold spaces: field 3 (state) is [0], field 19 (nice) is [16].
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ tid: Number(t), name: fs.readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim(), nice: Number(fields[16]) });
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return out;
}

/** The server's threads once its compute threads are named and at `nice` (their priority follows their start by a moment). */
async function settledThreads(v: Vigil, computeThreads: number, nice: number): Promise<ThreadInfo[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const threads = threadsOf(v.proc.pid!);
    const compute = threads.filter((t) => t.name === 'vigil-compute');
    if ((compute.length === computeThreads && compute.every((t) => t.nice === nice)) || Date.now() > deadline) return threads;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A model fitted and computed, and one PromQL query (which starts the query thread). */
async function exercise(v: Vigil): Promise<void> {
  const START = Date.UTC(2024, 0, 1);
  let r = await call(v.url, 'POST', '/api/models', { body: { name: 'm', problem_type: 'classification_binary', columns: TEST_MODEL_COLUMNS, chunking: { chunk_size: 50 } } });
  expect(r.status).toBe(201);
  r = await call(v.url, 'PUT', '/api/models/m/reference', { body: toCsv(makeRows(200, { seed: 1, startId: 0, start: START, stepMs: 60_000 }) as any), contentType: 'text/csv' });
  expect(r.status).toBe(200);
  r = await call(v.url, 'POST', '/api/models/m/rows', { body: toCsv(makeRows(120, { seed: 2, startId: 1000, start: START + 1000 * 60_000, stepMs: 60_000 }) as any), contentType: 'text/csv' });
  expect(r.status).toBe(200);
  await waitComputed(v.url, 'm');
  r = await call(v.url, 'GET', `/prometheus/api/v1/query?query=${encodeURIComponent('count(vigil_univariate_drift_alert)')}`);
  expect(r.status).toBe(200);
}

describe.each<{ label: string; env: Record<string, string>; threads: number; lowered: number }>([
  { label: 'default', env: {}, threads: 2, lowered: 10 },
  { label: 'VIGIL_COMPUTE_NICE=3', env: { VIGIL_COMPUTE_NICE: '3' }, threads: 3, lowered: 3 },
  { label: 'VIGIL_COMPUTE_NICE=0', env: { VIGIL_COMPUTE_NICE: '0' }, threads: 2, lowered: 0 },
])('compute thread priority, $label', ({ env, threads, lowered }) => {
  let v: Vigil;
  beforeAll(async () => {
    v = await startVigil({ db: path.join(tempDir(), 'nice.db'), env: { VIGIL_COMPUTE_THREADS: String(threads), ...env } });
  }, 60_000);
  afterAll(async () => {
    await v?.stop();
  });

  it('lowers the compute threads only', async () => {
    await exercise(v);
    const base = threadsOf(v.proc.pid!).find((t) => t.tid === v.proc.pid)!.nice; // the main thread: the server's level
    const all = await settledThreads(v, threads, base + lowered);
    const compute = all.filter((t) => t.name === 'vigil-compute');
    expect(compute).toHaveLength(threads);
    for (const t of compute) expect(t.nice).toBe(base + lowered);
    // The query thread was started by the query above, and the thread pool by the server's file reads.
    expect(all.filter((t) => t.name === 'vigil-query')).toHaveLength(1);
    const others = all.filter((t) => t.name !== 'vigil-compute');
    expect(others.length).toBeGreaterThan(threads);
    expect(others.filter((t) => t.nice !== base)).toEqual([]);
  }, 90_000);
});

describe('VIGIL_COMPUTE_NICE checked at the start', () => {
  it.each(['-1', '20', '2.5', 'low'])('refuses %s with exit 2 naming it', (bad) => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'vigil.js'), 'serve', '--port', '0', '--db', path.join(tempDir(), 'bad.db')], {
      cwd: ROOT,
      env: { ...process.env, VIGIL_COMPUTE_NICE: bad },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('VIGIL_COMPUTE_NICE');
    expect(r.stderr).toContain(`'${bad}'`);
  }, 40_000);
});
