/**
 * The compute threads' lower scheduling priority (VIGIL_COMPUTE_NICE), against the real server on Linux:
 * each thread's nice value is read from /proc/PID/task/TID/stat (field 19) and its name from .../comm.
 * - by default the compute threads run 10 nice levels below the server, and every other thread (the main
 *   thread that takes ingest, the query thread, the ingest threads, libuv's pool, V8's helpers) is left
 *   at the server's level;
 * - VIGIL_COMPUTE_NICE=3 gives 3; VIGIL_COMPUTE_NICE=0 leaves every thread at the server's level;
 * - a bad value stops `vigil serve` with exit 2 naming the variable.
 * The main and query threads' higher priority (VIGIL_QUERY_PRIORITY): 10 nice levels above the server by
 * default where the process may raise a thread (CAP_SYS_NICE, as root here), while the ingest threads,
 * which inherit the main thread's level, go back to the server's; VIGIL_QUERY_PRIORITY=0 leaves both at the
 * server's level; a server without the capability (setpriv drops it) keeps them there and says so once.
 * The server's level is the one it was started at: this test's own.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
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

/** Whether this process may lower a nice value (CAP_SYS_NICE, bit 23 of the effective set): the server started from it inherits it. */
function canRaise(): boolean {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m !== null && (BigInt(`0x${m[1]}`) & (1n << 23n)) !== 0n;
}

/** The server's threads once its compute threads are named and at `nice` (their priority follows their start by a moment). */
async function settledThreads(v: Vigil, computeThreads: number, nice: number, queryNice: number): Promise<ThreadInfo[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const threads = threadsOf(v.proc.pid!);
    const compute = threads.filter((t) => t.name === 'vigil-compute');
    const query = threads.filter((t) => t.name === 'vigil-query');
    const settled = compute.length === computeThreads && compute.every((t) => t.nice === nice) && query.length === 1 && query[0].nice === queryNice;
    if (settled || Date.now() > deadline) return threads;
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

describe.each<{ label: string; env: Record<string, string>; threads: number; lowered: number; raised: number; dropCapability?: boolean }>([
  { label: 'default', env: {}, threads: 2, lowered: 10, raised: canRaise() ? 10 : 0 },
  { label: 'VIGIL_COMPUTE_NICE=3, VIGIL_QUERY_PRIORITY=4', env: { VIGIL_COMPUTE_NICE: '3', VIGIL_QUERY_PRIORITY: '4' }, threads: 3, lowered: 3, raised: canRaise() ? 4 : 0 },
  { label: 'VIGIL_COMPUTE_NICE=0, VIGIL_QUERY_PRIORITY=0', env: { VIGIL_COMPUTE_NICE: '0', VIGIL_QUERY_PRIORITY: '0' }, threads: 2, lowered: 0, raised: 0 },
  { label: 'default, without CAP_SYS_NICE', env: {}, threads: 2, lowered: 10, raised: 0, dropCapability: true },
])('thread priorities, $label', ({ env, threads, lowered, raised, dropCapability }) => {
  let v: Vigil;
  beforeAll(async () => {
    // util-linux's setpriv starts the server with CAP_SYS_NICE out of every set it could regain it from.
    const wrap = dropCapability ? ['setpriv', '--inh-caps=-sys_nice', '--bounding-set=-sys_nice', '--'] : undefined;
    v = await startVigil({ db: path.join(tempDir(), 'nice.db'), env: { VIGIL_COMPUTE_THREADS: String(threads), ...env }, wrap });
  }, 60_000);
  afterAll(async () => {
    await v?.stop();
  });

  it('lowers the compute threads, raises the main and query threads, and leaves the others', async () => {
    await exercise(v);
    const base = os.getPriority(); // the server was started from this thread: its level is the server's
    const all = await settledThreads(v, threads, base + lowered, base - raised);
    const compute = all.filter((t) => t.name === 'vigil-compute');
    expect(compute).toHaveLength(threads);
    for (const t of compute) expect(t.nice).toBe(base + lowered);
    // The query thread was started by the query above, and the thread pool by the server's file reads.
    const query = all.filter((t) => t.name === 'vigil-query');
    expect(query.map((t) => t.nice)).toEqual([base - raised]);
    expect(all.find((t) => t.tid === v.proc.pid)!.nice).toBe(base - raised);
    // The ingest threads (two: parsing and writing) came after the main thread rose, and went back.
    const ingest = all.filter((t) => t.name === 'vigil-ingest');
    expect(ingest.length).toBeGreaterThanOrEqual(1);
    const others = all.filter((t) => t.name !== 'vigil-compute' && t.name !== 'vigil-query' && t.tid !== v.proc.pid);
    expect(others.length).toBeGreaterThan(threads);
    expect(others.filter((t) => t.nice !== base)).toEqual([]);
    // Said once at the start, or not at all where the raise was allowed or not asked.
    const shouldSay = dropCapability === true || (raised === 0 && env.VIGIL_QUERY_PRIORITY !== '0');
    const said = v.logs.filter((l) => String(l.msg).startsWith("main and query threads left at the server's priority: raising them needs CAP_SYS_NICE")).length;
    expect(said).toBe(shouldSay ? 1 : 0);
  }, 90_000);
});

test('this machine lets the tests raise a thread (CI runs as root): the raised cases above are not vacuous', () => {
  expect(canRaise()).toBe(true);
});

describe.each([
  { name: 'VIGIL_COMPUTE_NICE', bad: ['-1', '20', '2.5', 'low'] },
  { name: 'VIGIL_QUERY_PRIORITY', bad: ['-1', '21', '2.5', 'high'] },
])('$name checked at the start', ({ name, bad }) => {
  it.each(bad)('refuses %s with exit 2 naming it', (value) => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'vigil.js'), 'serve', '--port', '0', '--db', path.join(tempDir(), 'bad.db')], {
      cwd: ROOT,
      env: { ...process.env, [name]: value },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(name);
    expect(r.stderr).toContain(`'${value}'`);
  }, 40_000);
});
