/**
 * `restart` (issue 13 item 3): a server holding 200 models (each: the generated 20-feature data, a
 * 5,000-row reference, 5,000 analysis rows in 1,000-row chunks, default calculators) is stopped and started
 * again on the same SQLite file. Measured from the spawn of the second process:
 * - `healthz_s`: the first 200 from GET /healthz (polled every 10 ms);
 * - `ready_s`: the first 200 from GET /readyz;
 * - `first_query_s`: the first answered POST /api/query (one drift series of one model);
 * - `first_recompute_s`: a 1,000-row batch into one model until its chunk's results are stored (the
 *   model's fit is loaded from the store for it);
 * - `touch_all_s`: one batch into every model until all are recomputed (every fit is loaded once, through
 *   the fit cache), and the server's peak RSS over all of it (`peak_rss_mib`).
 * With --quick: 20 models.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Dataset, ensureDataset, formatTimestamp, timestampOfId } from './generate';
import { Client, freePort } from './http';
import { lastLine, Measurement, ROOT, Started, startNode } from './measure';
import { check, Context, MIB, Scenario, ScenarioResult } from './scenario';

const SEED = 42;
const REFERENCE_ROWS = 5_000;
const ANALYSIS_ROWS = 5_000;
const CHUNK_ROWS = 1_000;
const POLL_MS = 10;
const TIMEOUT_MS = 30 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a saved fit depends on in the code: the engine, the server's calculators and the fit format. */
const FIT_CODE_PATHS = ['backend/engine', 'backend/service/calculators.ts', 'backend/service/runtime.ts', 'backend/service/saved-fits.ts', 'package.json'];
const STAMP_FILE = 'fits-made-by.txt';

/**
 * A stamp of the code the restart database's fits were made with: the last commit of FIT_CODE_PATHS and a
 * hash of their uncommitted changes. A database built by other engine code has saved fits that no longer
 * match (another code version, or calculators resolved otherwise), so every model would be refitted, and
 * with changed calculators every chunk recomputed, inside the scenarios that copy it (many-models).
 */
export function fitCodeStamp(): string {
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
    const commit = git(['log', '-1', '--format=%H', '--', ...FIT_CODE_PATHS]).trim();
    const changes = createHash('sha256').update(git(['diff', 'HEAD', '--', ...FIT_CODE_PATHS])).digest('hex').slice(0, 16);
    return `${commit} ${changes}`;
  } catch (e) {
    return `unknown (${(e as Error).message.split('\n')[0]})`;
  }
}

/** Whether the restart scenario's database in `dir` was built by the code running now (fitCodeStamp). */
export function restartDbCurrent(dir: string): boolean {
  const file = path.join(dir, STAMP_FILE);
  return fs.existsSync(file) && fs.readFileSync(file, 'utf8') === fitCodeStamp() && !fitCodeStamp().startsWith('unknown');
}

export interface Server {
  started: Started;
  client: Client;
  spawnedAt: number;
}

export function startServer(port: number, db: string, env?: Record<string, string>): Server {
  const spawnedAt = performance.now();
  const started = startNode(path.join(ROOT, 'bin', 'vigil.js'), ['serve', '--port', String(port), '--db', db], { timeoutMs: TIMEOUT_MS, env });
  return { started, client: new Client(port, 8), spawnedAt };
}

export async function stopServer(s: Server): Promise<Measurement> {
  s.client.close();
  if (s.started.child.exitCode === null) s.started.child.kill('SIGTERM');
  const killer = setTimeout(() => s.started.child.kill('SIGKILL'), 30_000);
  const m = await s.started.done;
  clearTimeout(killer);
  return m;
}

/** Seconds from the spawn until `path` first answers 200. */
export async function firstOk(s: Server, urlPath: string): Promise<number> {
  const deadline = performance.now() + 120_000;
  let exited = false;
  void s.started.done.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`vigil serve exited: ${lastLine((await s.started.done).stderr)}`);
    try {
      const r = await s.client.request('GET', urlPath);
      if (r.status === 200) return (performance.now() - s.spawnedAt) / 1000;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${urlPath} did not answer 200 within 120 s`);
    await sleep(POLL_MS);
  }
}

async function expectOk(p: Promise<{ status: number; body: Buffer }>, what: string): Promise<void> {
  const r = await p;
  if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status}: ${r.body.toString().slice(0, 300)}`);
}

/** Waits until no chunk of any of `models` awaits a recompute. */
export async function allComputed(client: Client, models: string[]): Promise<void> {
  const deadline = performance.now() + TIMEOUT_MS;
  let left = [...models];
  while (left.length > 0) {
    const pending = await Promise.all(left.map(async (m) => (await client.json<{ status: { pending_chunks: number } }>('GET', `/api/models/${m}`)).status.pending_chunks));
    left = left.filter((_, i) => pending[i] > 0);
    if (left.length === 0) return;
    if (performance.now() > deadline) throw new Error(`${left.length} models still have pending chunks`);
    await sleep(100);
  }
}

function modelDefinition(name: string, ds: Dataset) {
  return {
    name,
    problem_type: 'classification_binary',
    columns: { features: ds.features, categorical: ds.categorical, timestamp: 'timestamp', id: 'id', y_pred: 'y_pred', y_pred_proba: 'y_pred_proba', y_true: 'y_true' },
    chunking: { chunk_size: CHUNK_ROWS },
  };
}

/** `count` analysis rows of the data set as new rows after all others (ids and timestamps from `firstId`). */
function newRows(ds: Dataset, count: number, firstId: number): string {
  const lines = fs.readFileSync(ds.analysis, 'utf8').split('\n');
  const out = [lines[0]];
  for (let i = 1; i <= count; i++) {
    const line = lines[i];
    const rest = line.slice(line.indexOf(',', line.indexOf(',') + 1));
    out.push(`${firstId + i},${formatTimestamp(timestampOfId(firstId + i))}${rest}`);
  }
  return out.join('\n') + '\n';
}

export const restartScenario: Scenario = {
  id: 'restart',
  title: 'restart with 200 models: time to /healthz, to /readyz, to the first query and recompute; peak RSS',
  issue: '#13',
  async run(ctx: Context): Promise<ScenarioResult> {
    const result: ScenarioResult = { id: this.id, title: this.title, issue: this.issue, status: 'ok', metrics: {}, targets: [], notes: [] };
    const modelCount = ctx.options.quick ? 20 : 200;
    const ds = ensureDataset({ rows: ANALYSIS_ROWS, referenceRows: REFERENCE_ROWS, features: 20, seed: SEED }, ctx.log);
    const dir = path.join(ctx.workDir, 'server-restart');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const db = path.join(dir, 'vigil.db');
    const names = Array.from({ length: modelCount }, (_, i) => `m${String(i).padStart(3, '0')}`);
    const reference = fs.readFileSync(ds.reference);
    const analysis = fs.readFileSync(ds.analysis);

    // The first life: every model registered, fitted, fed and computed.
    ctx.log(`restart: loading ${modelCount} models ...`);
    const port = await freePort();
    let server = startServer(port, db);
    let query: object | null = null;
    try {
      await firstOk(server, '/readyz');
      const t0 = performance.now();
      for (const name of names) {
        await expectOk(server.client.request('POST', '/api/models', JSON.stringify(modelDefinition(name, ds))), 'POST /api/models');
        await expectOk(server.client.request('PUT', `/api/models/${name}/reference`, reference, 'text/csv'), 'PUT reference');
        await expectOk(server.client.request('POST', `/api/models/${name}/rows`, analysis, 'text/csv'), 'POST rows');
      }
      await allComputed(server.client, names);
      result.metrics.setup_s = (performance.now() - t0) / 1000;
      const { series } = await server.client.json<{ series: { family: string; metric: string; column: string | null }[] }>('GET', `/api/models/${names[0]}/series`);
      const drift = series.find((s) => s.family === 'univariate_drift');
      if (!drift) throw new Error('the model has no univariate drift series');
      const from = timestampOfId(REFERENCE_ROWS);
      query = { from, to: timestampOfId(REFERENCE_ROWS + ANALYSIS_ROWS), queries: [{ refId: 'A', model: names[0], family: drift.family, metrics: [drift.metric], columns: [drift.column] }] };
    } catch (e) {
      await stopServer(server);
      throw e;
    }
    const first = await stopServer(server);
    fs.writeFileSync(path.join(dir, STAMP_FILE), fitCodeStamp());
    result.metrics.first_life_peak_rss_mib = first.max_rss_bytes === null ? null : first.max_rss_bytes / MIB;
    result.metrics.db_mib = fs.statSync(db).size / MIB;

    // The restart, measured from the spawn.
    ctx.log('restart: restarting ...');
    server = startServer(port, db);
    try {
      const [healthz, ready] = await Promise.all([firstOk(server, '/healthz'), firstOk(server, '/readyz')]);
      result.metrics.healthz_s = healthz;
      result.metrics.ready_s = ready;
      const q = await server.client.request('POST', '/api/query', JSON.stringify(query));
      if (q.status !== 200) throw new Error(`POST /api/query: HTTP ${q.status}: ${q.body.toString().slice(0, 300)}`);
      result.metrics.first_query_s = (performance.now() - server.spawnedAt) / 1000;

      let nextId = REFERENCE_ROWS + ANALYSIS_ROWS;
      const t1 = performance.now();
      await expectOk(server.client.request('POST', `/api/models/${names[0]}/rows`, newRows(ds, CHUNK_ROWS, nextId), 'text/csv'), 'POST rows');
      await allComputed(server.client, [names[0]]);
      result.metrics.first_recompute_s = (performance.now() - t1) / 1000;
      nextId += CHUNK_ROWS;

      const batch = newRows(ds, CHUNK_ROWS, nextId);
      const t2 = performance.now();
      for (const name of names.slice(1)) await expectOk(server.client.request('POST', `/api/models/${name}/rows`, batch, 'text/csv'), 'POST rows');
      await allComputed(server.client, names);
      result.metrics.touch_all_s = (performance.now() - t2) / 1000;
    } catch (e) {
      const m = await stopServer(server);
      throw new Error(`${(e as Error).message}; server: ${lastLine(m.stderr)}`);
    }
    const second = await stopServer(server);
    const logLines = second.stdout.split('\n');
    result.metrics.fits_restored = logLines.filter((l) => l.includes('"model fit restored"')).length;
    result.metrics.fits_refitted = logLines.filter((l) => l.includes('"model fitted"')).length;
    result.metrics.models = modelCount;
    result.metrics.peak_rss_mib = second.max_rss_bytes === null ? null : second.max_rss_bytes / MIB;
    const m = result.metrics;
    result.targets = [
      check('/healthz after start', '< 1 s', m.healthz_s ?? null, (v) => v < 1),
      check('first query answered after start', '< 5 s', m.first_query_s ?? null, (v) => v < 5),
      check('peak RSS (restart, then every model recomputed)', '< 1024 MiB', m.peak_rss_mib ?? null, (v) => v < 1024),
    ];
    result.notes.push(`${modelCount} models × (${REFERENCE_ROWS} reference + ${ANALYSIS_ROWS} analysis rows, 20 features, default calculators, ${CHUNK_ROWS}-row chunks); fit cache: VIGIL_FIT_CACHE or its default`);
    return result;
  },
};
