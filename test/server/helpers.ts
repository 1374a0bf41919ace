/**
 * The real server for API tests: `node bin/vigil.js serve` (the compiled CLI, as users run it) on a free
 * loopback port, with a SQLite file in a temporary directory. `npm test` builds first (pretest); when
 * running jest alone, run `npm run build:backend` before.
 */
import { seededRandom } from '../../backend/engine/random';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'vigil.js');

export function tempDir(prefix = 'vigil-server-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface Vigil {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  stderr: () => string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

export interface StartOptions {
  command?: 'serve' | 'demo';
  db: string;
  args?: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
  /** A command that execs the server (e.g. setpriv with its options, ending in `--`): same process id. */
  wrap?: string[];
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Rebuilds build/ when a backend source is newer (so `npx jest test/server` works without a build
 * first); one jest worker builds while the others wait on a lock directory.
 */
export function ensureBackendBuilt(): void {
  const marker = path.join(ROOT, 'build', 'cli', 'main.js');
  const fresh = () => fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= newestSource(path.join(ROOT, 'backend'));
  if (fresh()) return;
  const lock = path.join(os.tmpdir(), `vigil-build-${Buffer.from(ROOT).toString('hex').slice(-16)}.lock`);
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`waited too long for ${lock}`);
      spawnSync(process.execPath, ['-e', 'setTimeout(() => {}, 500)']);
      if (fresh()) return;
    }
  }
  try {
    if (fresh()) return;
    // tsc emits even when another engineer's file has a type error; the server's own files are checked by their tests.
    spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.backend.json'], { cwd: ROOT, encoding: 'utf8' });
    fs.utimesSync(marker, new Date(), new Date());
  } finally {
    fs.rmdirSync(lock);
  }
}

/** Starts the server and resolves once it logs `ready` (rejects with its stderr if it exits first). */
export function startVigil(o: StartOptions): Promise<Vigil> {
  ensureBackendBuilt();
  if (!fs.existsSync(path.join(ROOT, 'build', 'cli', 'main.js'))) throw new Error('build/ is missing: run `npm run build:backend`');
  // The lag bound (VIGIL_MAX_LAG) is off unless a test sets it: tests of other features post bursts of
  // setup rows (50 models at once in restart.test) that must land whole, and whether the estimate passes
  // 2 s depends on the machine's pace. The bound itself: lag-back-pressure.test.ts; the default with a
  // client that honours Retry-After: every test that starts `vigil demo` (backend/demo/ingest.ts).
  const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_LOG_LEVEL: 'info', VIGIL_MAX_LAG: '0', ...o.env };
  for (const k of ['VIGIL_READ_KEY', 'VIGIL_WRITE_KEY', 'VIGIL_PORT', 'VIGIL_DB']) if (!o.env?.[k]) delete env[k];
  const argv = [process.execPath, BIN, o.command ?? 'serve', '--port', '0', '--db', o.db, ...(o.args ?? [])];
  const [file, ...rest] = o.wrap ? [...o.wrap, ...argv] : argv;
  const proc = spawn(file, rest, {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let err = '';
  let buf = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise<Vigil>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start within ${o.timeoutMs ?? 30000} ms; stderr: ${err}; logs: ${JSON.stringify(logs.slice(-5))}`));
    }, o.timeoutMs ?? 30000);
    proc.stderr!.on('data', (d) => (err += d));
    proc.stdout!.on('data', (d) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line);
        } catch {
          continue;
        }
        logs.push(entry);
        // The port opens ('listening') before the models are loaded; tests start once the server is 'ready'.
        if (entry.msg === 'ready') {
          clearTimeout(timer);
          const port = logs.find((l) => l.msg === 'listening')!.port as number;
          resolve({
            url: `http://127.0.0.1:${port}`,
            port,
            proc,
            logs,
            stderr: () => err,
            exited,
            stop: async () => {
              proc.kill('SIGTERM');
              return exited;
            },
            kill: async () => {
              proc.kill('SIGKILL');
              await exited;
            },
          });
        }
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening; stderr: ${err}`));
    });
  });
}

export interface Reply {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is when a string; JSON-encoded otherwise. */
  contentType?: string;
  key?: string;
}

export async function call(base: string, method: string, urlPath: string, o: RequestOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (o.body !== undefined) {
    body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    headers['content-type'] = o.contentType ?? 'application/json';
  } else if (o.contentType) headers['content-type'] = o.contentType;
  if (o.key) headers.authorization = `Bearer ${o.key}`;
  const res = await fetch(base + urlPath, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

/**
 * Polls the model until no chunk is waiting for a recompute, seen twice in a row with the same
 * `chunks_computed` (the compute worker's counters reach the main thread just after the chunk commits).
 */
export async function waitComputed(base: string, model: string, key?: string, timeoutMs = 60000): Promise<any> {
  const t0 = Date.now();
  let last: any = null;
  for (;;) {
    const r = await call(base, 'GET', `/api/models/${model}`, { key });
    if (r.status !== 200) throw new Error(`GET model: ${r.status} ${r.text}`);
    if (r.body.status.pending_chunks === 0 && last && last.status.pending_chunks === 0 && last.status.chunks_computed === r.body.status.chunks_computed) {
      return r.body;
    }
    last = r.body;
    if (Date.now() - t0 > timeoutMs) throw new Error(`recompute of ${model} not finished after ${timeoutMs} ms: ${JSON.stringify(r.body.status)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** A small reproducible PRNG for test data: the engine's seeded generator. */
export const prng = seededRandom;

export interface TestRow {
  id: number;
  ts: string;
  x1: number;
  x2: number;
  cat: string;
  flag: boolean;
  p: number;
  pred: number;
  y?: number;
}

/** Rows of a small binary classifier: two numeric features, a string and a boolean one. */
export function makeRows(n: number, opts: { seed: number; startId: number; start: number; stepMs: number; shift?: number; withTarget?: boolean }): TestRow[] {
  const r = prng(opts.seed);
  const rows: TestRow[] = [];
  for (let i = 0; i < n; i++) {
    const x1 = Math.round((r() * 10 + (opts.shift ?? 0)) * 1000) / 1000;
    const x2 = Math.round(r() * 100) / 10;
    const p = Math.round(Math.min(0.99, Math.max(0.01, x1 / 10 + (r() - 0.5) * 0.3)) * 100) / 100;
    const row: TestRow = {
      id: opts.startId + i,
      ts: new Date(opts.start + i * opts.stepMs).toISOString(),
      x1,
      x2,
      cat: ['a', 'b', 'c'][Math.floor(r() * 3)],
      flag: r() < 0.4,
      p,
      pred: p >= 0.5 ? 1 : 0,
    };
    if (opts.withTarget !== false) row.y = r() < p ? 1 : 0;
    rows.push(row);
  }
  return rows;
}

export function toCsv(rows: Record<string, unknown>[], columns?: string[]): string {
  const cols = columns ?? Object.keys(rows[0]);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));
  return [cols.join(','), ...rows.map((row) => cols.map((c) => cell(row[c])).join(','))].join('\n') + '\n';
}

/** The car-loan model of NannyML's example data (README's registration), chunks of 5,000 rows. */
export const CAR_LOAN_MODEL = {
  name: 'carloan',
  problem_type: 'classification_binary' as const,
  columns: {
    features: ['car_value', 'salary_range', 'debt_to_income_ratio', 'loan_length', 'repaid_loan_on_prev_car', 'size_of_downpayment', 'driver_tenure'],
    timestamp: 'timestamp',
    id: 'id',
    y_pred: 'y_pred',
    y_pred_proba: 'y_pred_proba',
    y_true: 'repaid',
  },
  chunking: { chunk_size: 5000 },
};

export const TEST_MODEL_COLUMNS = {
  features: ['x1', 'x2', 'cat', 'flag'],
  timestamp: 'ts',
  id: 'id',
  y_pred: 'pred',
  y_pred_proba: 'p',
  y_true: 'y',
};
