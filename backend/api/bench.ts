/**
 * Server workloads for `npm run bench` (issue #8 scenarios c and d), measured against a real server
 * process (`node bin/vigil.js serve` on loopback) from the calling process:
 *
 * - benchIngest: rows/s of POST /rows in 10,000-row batches of a 20-column model (target ≥ 100,000);
 * - benchIncremental: from a 10,000-row POST into a model already holding 1,000,000 rows to the moment
 *   its results are updated (target < 500 ms);
 * - benchQueries: /api/query latency with 50 concurrent clients (target p99 < 20 ms).
 *
 * `runServerBench()` runs all three on one generated model; each function also works on its own.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const BIN = path.join(__dirname, '..', '..', 'bin', 'vigil.js');

export interface BenchServer {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `vigil serve` on a free loopback port with its own SQLite file. */
export function spawnServer(opts: { dbPath: string; env?: Record<string, string> }): Promise<BenchServer> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', opts.dbPath], {
    env: { ...process.env, VIGIL_LOG_LEVEL: 'info', VIGIL_READ_KEY: '', VIGIL_WRITE_KEY: '', ...opts.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    const onExit = (code: number | null) => reject(new Error(`vigil serve exited with ${code}`));
    proc.once('exit', onExit);
    proc.stdout!.on('data', (d) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.includes('"listening"')) continue;
        const port = JSON.parse(line).port as number;
        proc.off('exit', onExit);
        proc.stdout!.resume();
        resolve({
          url: `http://127.0.0.1:${port}`,
          proc,
          stop: () =>
            new Promise<void>((res) => {
              proc.once('exit', () => res());
              proc.kill('SIGTERM');
            }),
        });
      }
    });
  });
}

/**
 * CPU seconds a process has used (user + system; all threads, or one thread: the main thread's id is the
 * process id); null where /proc is not available.
 */
export function processCpuSeconds(pid: number, thread?: number): number | null {
  try {
    const file = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
    const fields = fs.readFileSync(file, 'utf8').split(') ')[1].split(' ');
    // utime and stime (fields 14 and 15 of stat) in clock ticks; Linux's USER_HZ is 100.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** mulberry32 */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticShape {
  /** Feature columns (the model also has id, timestamp, y_pred_proba, y_pred, y). */
  features: number;
  /** How many of the features are categorical (5 levels each). */
  categorical: number;
}

/** Default bench shape: 20 columns per row in all (16 features + id, timestamp, proba, prediction). */
export const BENCH_SHAPE: SyntheticShape = { features: 16, categorical: 4 };
const LEVELS = ['a', 'b', 'c', 'd', 'e'];
const START_MS = Date.UTC(2024, 0, 1);

export function featureNames(shape: SyntheticShape): string[] {
  return Array.from({ length: shape.features }, (_, j) => (j < shape.categorical ? `c${j}` : `x${j}`));
}

export function benchModel(name: string, shape: SyntheticShape, chunkSize: number) {
  const features = featureNames(shape);
  return {
    name,
    problem_type: 'classification_binary',
    columns: { features, categorical: features.slice(0, shape.categorical), timestamp: 'ts', id: 'id', y_pred: 'pred', y_pred_proba: 'p', y_true: 'y' },
    chunking: { chunk_size: chunkSize },
  };
}

/** A CSV body of n rows starting at id `startId` (one second apart), with targets when asked. */
export function syntheticCsv(n: number, shape: SyntheticShape, opts: { startId: number; seed: number; withTarget: boolean; shift?: number }): string {
  const r = prng(opts.seed);
  const names = featureNames(shape);
  const header = ['id', 'ts', ...names, 'p', 'pred', ...(opts.withTarget ? ['y'] : [])].join(',');
  const lines: string[] = [header];
  for (let i = 0; i < n; i++) {
    const id = opts.startId + i;
    const cells: (string | number)[] = [id, new Date(START_MS + id * 1000).toISOString()];
    for (let j = 0; j < shape.features; j++) {
      if (j < shape.categorical) cells.push(LEVELS[Math.floor(r() * LEVELS.length)]);
      else cells.push((r() * 10 + (opts.shift ?? 0)).toFixed(4));
    }
    const p = r();
    cells.push(p.toFixed(4), p >= 0.5 ? 1 : 0);
    if (opts.withTarget) cells.push(r() < p ? 1 : 0);
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

async function post(url: string, body: string, contentType: string): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
  const json = await res.json();
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function put(url: string, body: string, contentType: string): Promise<any> {
  const res = await fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body });
  const json = await res.json();
  if (!res.ok) throw new Error(`PUT ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Registers the bench model and uploads its reference. */
export async function setupBenchModel(url: string, name: string, opts: { shape?: SyntheticShape; referenceRows?: number; chunkSize?: number } = {}) {
  const shape = opts.shape ?? BENCH_SHAPE;
  await post(`${url}/api/models`, JSON.stringify(benchModel(name, shape, opts.chunkSize ?? 10_000)), 'application/json');
  await put(`${url}/api/models/${name}/reference`, syntheticCsv(opts.referenceRows ?? 100_000, shape, { startId: 0, seed: 1, withTarget: true }), 'text/csv');
}

/** Waits until no chunk of the model awaits a recompute; polls every `pollMs`. */
export async function waitForResults(url: string, name: string, pollMs = 5, timeoutMs = 3_600_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const m = (await (await fetch(`${url}/api/models/${name}`)).json()) as { status: { pending_chunks: number } };
    if (m.status.pending_chunks === 0) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`recompute of ${name} did not finish in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export interface IngestResult {
  rows: number;
  batches: number;
  seconds: number;
  rowsPerSecond: number;
  batchMs: { p50: number; p99: number };
}

/**
 * POSTs `rows` analysis rows in `batchRows` batches, one after another (bodies generated beforehand,
 * so only the server is timed). Starts at id `startId`.
 */
export async function benchIngest(url: string, name: string, opts: { rows: number; batchRows?: number; startId: number; shape?: SyntheticShape; seed?: number }): Promise<IngestResult> {
  const batchRows = opts.batchRows ?? 10_000;
  const shape = opts.shape ?? BENCH_SHAPE;
  const bodies: string[] = [];
  for (let i = 0; i < opts.rows; i += batchRows) {
    bodies.push(syntheticCsv(Math.min(batchRows, opts.rows - i), shape, { startId: opts.startId + i, seed: (opts.seed ?? 2) + i, withTarget: false }));
  }
  const times: number[] = [];
  const t0 = performance.now();
  for (const body of bodies) {
    const t = performance.now();
    await post(`${url}/api/models/${name}/rows`, body, 'text/csv');
    times.push(performance.now() - t);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { rows: opts.rows, batches: bodies.length, seconds, rowsPerSecond: opts.rows / seconds, batchMs: { p50: quantile(times, 0.5), p99: quantile(times, 0.99) } };
}

/** Time from sending one batch to its results being updated (the model's dirty chunks recomputed). */
export async function benchIncremental(url: string, name: string, opts: { batchRows?: number; startId: number; shape?: SyntheticShape }): Promise<{ ingestMs: number; toResultsMs: number }> {
  await waitForResults(url, name);
  const body = syntheticCsv(opts.batchRows ?? 10_000, opts.shape ?? BENCH_SHAPE, { startId: opts.startId, seed: 99, withTarget: false, shift: 1 });
  const t0 = performance.now();
  await post(`${url}/api/models/${name}/rows`, body, 'text/csv');
  const ingestMs = performance.now() - t0;
  await waitForResults(url, name, 2);
  return { ingestMs, toResultsMs: performance.now() - t0 };
}

export interface LatencyResult {
  requests: number;
  concurrency: number;
  ms: { p50: number; p90: number; p99: number; max: number };
  requestsPerSecond: number;
}

/** `concurrency` clients each sending `perClient` POST /api/query requests back to back (a dashboard's mix). */
export async function benchQueries(url: string, name: string, opts: { concurrency?: number; perClient?: number } = {}): Promise<LatencyResult> {
  const concurrency = opts.concurrency ?? 50;
  const perClient = opts.perClient ?? 40;
  const bodies = [
    { queries: [{ refId: 'A', model: name, family: 'univariate_drift', columns: ['x10'] }] },
    { queries: [{ refId: 'A', model: name, family: 'data_quality', metrics: ['missing_values'] }] },
    { queries: [{ refId: 'A', model: name, family: 'estimated_performance', fields: ['value', 'upper_confidence_boundary', 'lower_confidence_boundary', 'alert'] }] },
    { queries: [{ refId: 'A', model: name, family: 'summary_stats', metrics: ['avg'], format: 'table' }] },
  ].map((b) => JSON.stringify(b));
  const times: number[] = [];
  const client = async (c: number) => {
    for (let i = 0; i < perClient; i++) {
      const t = performance.now();
      const res = await fetch(`${url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[(c + i) % bodies.length] });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`query: ${res.status}`);
      times.push(performance.now() - t);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, c) => client(c)));
  const seconds = (performance.now() - t0) / 1000;
  return {
    requests: times.length,
    concurrency,
    ms: { p50: quantile(times, 0.5), p90: quantile(times, 0.9), p99: quantile(times, 0.99), max: Math.max(...times) },
    requestsPerSecond: times.length / seconds,
  };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

export interface ServerBenchResult {
  ingest: IngestResult;
  /** Rows per CPU-second of the server process while ingesting (main thread + compute worker). */
  ingestRowsPerServerCpuSecond: number | null;
  /** Rows per CPU-second of the server's main thread (HTTP, parsing, storing) while ingesting. */
  ingestRowsPerMainThreadCpuSecond: number | null;
  loadMs: number;
  incremental: { ingestMs: number; toResultsMs: number };
  queries: LatencyResult;
  /** Server CPU per query request (ms), measured over the query phase. */
  queryServerCpuMs: number | null;
}

/**
 * The three server scenarios on one model: ingest `baseRows` (throughput measured over all of it), wait
 * for the full recompute, then one 10,000-row batch to updated results, then query latency.
 */
export async function runServerBench(opts: { baseRows?: number; dir?: string; log?: (msg: string) => void } = {}): Promise<ServerBenchResult> {
  const log = opts.log ?? (() => undefined);
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-'));
  const server = await spawnServer({ dbPath: path.join(dir, 'bench.db') });
  try {
    const name = 'bench';
    await setupBenchModel(server.url, name);
    const baseRows = opts.baseRows ?? 1_000_000;
    log(`ingesting ${baseRows} rows`);
    const pid = server.proc.pid!;
    const cpu0 = processCpuSeconds(pid);
    const main0 = processCpuSeconds(pid, pid);
    const ingest = await benchIngest(server.url, name, { rows: baseRows, startId: 1_000_000 });
    const cpu1 = processCpuSeconds(pid);
    const main1 = processCpuSeconds(pid, pid);
    log(`ingest: ${Math.round(ingest.rowsPerSecond)} rows/s; waiting for the recompute`);
    const t = performance.now();
    await waitForResults(server.url, name, 50);
    const loadMs = performance.now() - t;
    const incremental = await benchIncremental(server.url, name, { startId: 1_000_000 + baseRows });
    log(`incremental: ${Math.round(incremental.toResultsMs)} ms`);
    const cpu2 = processCpuSeconds(pid);
    const queries = await benchQueries(server.url, name);
    const cpu3 = processCpuSeconds(pid);
    log(`queries: p99 ${queries.ms.p99.toFixed(1)} ms`);
    return {
      ingest,
      ingestRowsPerServerCpuSecond: cpu0 !== null && cpu1 !== null ? baseRows / (cpu1 - cpu0) : null,
      ingestRowsPerMainThreadCpuSecond: main0 !== null && main1 !== null ? baseRows / (main1 - main0) : null,
      loadMs,
      incremental,
      queries,
      queryServerCpuMs: cpu2 !== null && cpu3 !== null ? ((cpu3 - cpu2) * 1000) / queries.requests : null,
    };
  } finally {
    await server.stop();
    if (!opts.dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
