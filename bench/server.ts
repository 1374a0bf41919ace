/**
 * Server scenarios, against the real server (`vigil serve`) on a loopback port with its own SQLite file:
 *
 * (c) `ingest`: ingest throughput of the generated analysis rows (20 features) in 10,000-row CSV batches
 *     into a model with the default calculators, then the time from one more 10,000-row ingest into the
 *     1,000,000-row model until its chunk's results are all stored (incremental recompute).
 * (d) `query`: latency of `POST /api/query` (a mix of 4 panel queries) and of
 *     `GET /prometheus/api/v1/query_range` (a mix of 3 queries, ~1000 steps) with 50 concurrent clients.
 *
 * How (d) is measured: the load generator is a process of its own (bench/load.ts: own event loop and
 * heap; on the same two cores as the server, as a co-located Grafana would be). It holds 50 keep-alive
 * HTTP/1.1 connections over raw `net` sockets, writes each request as one prebuilt buffer and parses the
 * answer's status line, Content-Length and body bytes itself (bench/http.ts `loadRun`; node:http's Agent
 * cost more CPU per request than the server's cached answers). A request's latency runs from just before
 * its bytes are written to the moment the last byte of its answer's body has been read; every request is
 * a sample, and p50/p90/p99/max are taken over all of them (no histogram buckets, no sampling). Runs, one
 * after the other on fresh connections: 200 warm-up requests (not reported), then `queryRequests`
 * requests as a closed loop (each connection sends its next request as soon as its answer is read: the
 * hardest reading of "50 concurrent clients"), then as many paced (each connection waits 100 ms after an
 * answer: a dashboard-like load). A non-200 answer, a failed connection, or an answer whose length differs
 * from the first answer to the same request counts as an error. Requests/s is requests over the run's
 * wall time; the client's CPU per request (process.cpuUsage) and the server's (/proc/PID/stat) are
 * recorded with each run.
 *
 * The server's peak RSS is its own (report-usage.js preloaded into it).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Dataset, ensureDataset, formatTimestamp, timestampOfId } from './generate';
import { Client, freePort, LatencySummary, LoadRequest } from './http';
import type { LoadSpec } from './load';
import { lastLine, Measurement, ROOT, runNode, Started, startNode } from './measure';
import { formatHot, profileFiles, summariseProfile } from './profile';
import { check, Context, MIB, Scenario, ScenarioResult } from './scenario';

export const MODEL = 'bench';
const SEED = 42;
const READY_TIMEOUT_MS = 30_000;
const RESULTS_TIMEOUT_MS = 10 * 60_000;
/** Poll interval while timing one batch's results (the measurement's resolution). */
const POLL_MS = 5;
/** Poll interval while waiting for the bulk load's recompute (resolution matters less than quiet). */
const CATCH_UP_POLL_MS = 50;
const LATENCY_REPEATS = 3;
const QUERY_WARMUP = 200;
/** A dashboard-like pace for the second latency run: each client waits this long between requests. */
const DASHBOARD_PACE_MS = 100;
/** The load generator's runs end long before this; it only keeps a hung server from hanging the bench. */
export const LOAD_TIMEOUT_MS = 10 * 60_000;

// ---------------------------------------------------------------------------------------------------
// The server process

export class ServerSession {
  private constructor(
    readonly started: Started,
    readonly client: Client,
    readonly port: number,
  ) {}

  static async start(ctx: Context, name: string, clients: number, env?: Record<string, string>): Promise<ServerSession> {
    const dir = path.join(ctx.workDir, `server-${name}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const port = await freePort();
    const profileDir = ctx.options.profile ? path.join(ctx.workDir, 'profiles', name) : undefined;
    if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
    const started = startNode(path.join(ROOT, 'bin', 'vigil.js'), ['serve', '--port', String(port), '--db', path.join(dir, 'vigil.db')], {
      timeoutMs: 60 * 60_000,
      cpuProfileDir: profileDir,
      env,
    });
    const session = new ServerSession(started, new Client(port, clients), port);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let exited = false;
    started.done.then(() => (exited = true));
    for (;;) {
      if (exited) throw new Error(`vigil serve exited: ${lastLine((await started.done).stderr)}`);
      try {
        const res = await session.client.request('GET', '/readyz');
        if (res.status === 200) return session;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await session.stop();
        throw new Error(`vigil serve did not become ready within ${READY_TIMEOUT_MS / 1000} s`);
      }
      await sleep(50);
    }
  }

  /** Graceful stop (SIGTERM), so the server exits normally and reports its usage. */
  async stop(): Promise<Measurement> {
    this.client.close();
    const { child, done } = this.started;
    if (child.exitCode === null) child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const m = await done;
    clearTimeout(killer);
    return m;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------
// Data: CSV batches cut from the generated files

export class AnalysisRows {
  private readonly text: Buffer;
  private readonly header: Buffer;
  /** byte offset of each data line's start; one extra entry at the end */
  private readonly starts: Float64Array;

  constructor(readonly ds: Dataset) {
    this.text = fs.readFileSync(ds.analysis);
    const headerEnd = this.text.indexOf(10);
    this.header = this.text.subarray(0, headerEnd + 1);
    const starts = new Float64Array(ds.spec.rows + 1);
    let n = 0;
    for (let p = headerEnd + 1; p < this.text.length && n < starts.length; ) {
      starts[n++] = p;
      const nl = this.text.indexOf(10, p);
      p = nl < 0 ? this.text.length : nl + 1;
    }
    starts[n] = this.text.length;
    this.starts = starts;
  }

  get rows(): number {
    return this.ds.spec.rows;
  }

  /** CSV (with header) of data rows [from, to). */
  batch(from: number, to: number): Buffer {
    return Buffer.concat([this.header, this.text.subarray(this.starts[from], this.starts[to])]);
  }

  /** Rows [from, to) re-labelled as new rows from `firstId` on (ids and timestamps after all others). */
  relabelled(from: number, to: number, firstId: number): string {
    const lines = this.text.subarray(this.starts[from], this.starts[to]).toString().split('\n');
    const out: string[] = [this.header.toString().trimEnd()];
    let id = firstId;
    for (const line of lines) {
      if (!line) continue;
      const rest = line.slice(line.indexOf(',', line.indexOf(',') + 1));
      out.push(`${id},${formatTimestamp(timestampOfId(id))}${rest}`);
      id++;
    }
    return out.join('\n') + '\n';
  }
}

export function modelDefinition(ds: Dataset, chunkSize: number) {
  return {
    name: MODEL,
    problem_type: 'classification_binary',
    columns: {
      features: ds.features,
      categorical: ds.categorical,
      timestamp: 'timestamp',
      id: 'id',
      y_pred: 'y_pred',
      y_pred_proba: 'y_pred_proba',
      y_true: 'y_true',
    },
    chunking: { chunk_size: chunkSize },
  };
}

export async function expectOk(res: Promise<{ status: number; body: Buffer }>, what: string): Promise<void> {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status}: ${r.body.toString().slice(0, 300)}`);
}

interface LoadedModel {
  ingest_rows: number;
  ingest_s: number;
  batch_p50_ms: number;
  batch_max_ms: number;
  reference_fit_s: number;
  /** from the last acknowledged batch until every chunk's results are stored */
  catch_up_s: number;
  series_per_chunk: number;
}

interface ResultRowShape {
  chunk: { key: string; start_index: number };
  period: string;
}

/** Result rows stored for the analysis chunk starting at row `startIndex` (whose first timestamp is `fromMs`). */
async function rowsOfChunk(client: Client, startIndex: number, fromMs: number): Promise<number> {
  const res = await client.request('GET', `/api/models/${MODEL}/results?period=analysis&from=${fromMs}`);
  if (res.status !== 200) throw new Error(`GET results: HTTP ${res.status}: ${res.body.toString().slice(0, 300)}`);
  const rows = (JSON.parse(res.body.toString()) as { results: ResultRowShape[] }).results;
  let n = 0;
  for (const r of rows) if (r.chunk.start_index === startIndex) n++;
  return n;
}

/** Chunks waiting for a recompute (`status.pending_chunks` of GET /api/models/{name}). */
async function pendingChunks(client: Client): Promise<number> {
  const model = await client.json<{ status?: { pending_chunks?: number } }>('GET', `/api/models/${MODEL}`);
  return model.status?.pending_chunks ?? 0;
}

/**
 * Waits until the chunk starting at `startIndex` has `expected` result rows (or any, when null) and no
 * chunk of the model awaits a recompute; returns when.
 */
async function waitForChunk(client: Client, ds: Dataset, startIndex: number, expected: number | null, pollMs = POLL_MS): Promise<{ at: number; rows: number }> {
  const fromMs = timestampOfId(ds.spec.referenceRows + startIndex);
  const deadline = performance.now() + RESULTS_TIMEOUT_MS;
  for (;;) {
    // The cheap question first, so that polling costs the server little while it computes.
    if ((await pendingChunks(client)) === 0) {
      const n = await rowsOfChunk(client, startIndex, fromMs);
      if (expected === null ? n > 0 : n >= expected) return { at: performance.now(), rows: n };
    }
    if (performance.now() > deadline) throw new Error(`results for chunk starting at row ${startIndex} not complete after ${RESULTS_TIMEOUT_MS / 1000} s`);
    await sleep(pollMs);
  }
}

/** Registers the model, uploads the reference, ingests `rows` analysis rows in batches, waits for results. */
export async function loadModel(ctx: Context, session: ServerSession, data: AnalysisRows, rows: number, batchRows: number): Promise<LoadedModel> {
  const { client } = session;
  const ds = data.ds;
  await expectOk(client.request('POST', '/api/models', JSON.stringify(modelDefinition(ds, ctx.sizes.chunkSize))), 'POST /api/models');
  const t0 = performance.now();
  await expectOk(client.request('PUT', `/api/models/${MODEL}/reference`, fs.readFileSync(ds.reference), 'text/csv'), 'PUT reference');
  const referenceFit = (performance.now() - t0) / 1000;
  ctx.log(`ingest: reference fitted in ${referenceFit.toFixed(2)} s; ingesting ${rows.toLocaleString('en-US')} rows in ${batchRows.toLocaleString('en-US')}-row batches ...`);
  const bodies: Buffer[] = [];
  for (let from = 0; from < rows; from += batchRows) bodies.push(data.batch(from, Math.min(rows, from + batchRows)));
  const batchMs: number[] = [];
  const started = performance.now();
  for (const body of bodies) {
    const res = await client.request('POST', `/api/models/${MODEL}/rows`, body, 'text/csv');
    if (res.status >= 300) throw new Error(`POST rows: HTTP ${res.status}: ${res.body.toString().slice(0, 300)}`);
    batchMs.push(res.ms);
  }
  const acked = performance.now();
  const ingestS = (acked - started) / 1000;
  // Done when nothing awaits a recompute; every chunk then has the same series as the first.
  const lastChunkStart = Math.floor((rows - 1) / ctx.sizes.chunkSize) * ctx.sizes.chunkSize;
  const first = await waitForChunk(client, ds, 0, null, CATCH_UP_POLL_MS);
  const expected = await rowsOfChunk(client, 0, timestampOfId(ds.spec.referenceRows));
  const last = await waitForChunk(client, ds, lastChunkStart, Math.max(expected, first.rows), CATCH_UP_POLL_MS);
  batchMs.sort((a, b) => a - b);
  return {
    ingest_rows: rows,
    ingest_s: ingestS,
    batch_p50_ms: batchMs[Math.floor(batchMs.length / 2)],
    batch_max_ms: batchMs[batchMs.length - 1],
    reference_fit_s: referenceFit,
    catch_up_s: (last.at - acked) / 1000,
    series_per_chunk: Math.max(expected, first.rows),
  };
}

/** The run scenarios' data set: the model gets all its analysis rows. */
export function serverDataset(ctx: Context): AnalysisRows {
  const s = ctx.sizes;
  return new AnalysisRows(ensureDataset({ rows: s.analysisRows, referenceRows: s.referenceRows, features: s.features, seed: SEED }, ctx.log));
}

export function baseResult(id: string, title: string): ScenarioResult {
  return { id, title, issue: '#5, #8', status: 'ok', metrics: {}, targets: [], notes: [] };
}

export async function serverAvailable(result: ScenarioResult): Promise<boolean> {
  const main = path.join(ROOT, 'build', 'cli', 'main.js');
  const text = fs.existsSync(main) ? fs.readFileSync(main, 'utf8') : '';
  const serveModule = ['serve.js', 'server.js'].some((f) => fs.existsSync(path.join(ROOT, 'build', 'cli', f)));
  if (!text.includes("'serve'") && !serveModule) {
    result.status = 'skipped';
    result.notes.push('`vigil serve` is not built yet');
    return false;
  }
  return true;
}

/** With --profile: the server's hottest functions (its CPU profile is written when it exits). */
export function attachProfile(ctx: Context, name: string, result: ScenarioResult): void {
  if (!ctx.options.profile) return;
  const files = profileFiles(path.join(ctx.workDir, 'profiles', name));
  if (!files.length) return;
  result.hot_functions = summariseProfile(files);
  ctx.log(`${name}: the server's hottest functions (self time)\n${formatHot(result.hot_functions)}`);
}

/** The server's last error log line (structured JSON logs on stdout), for failure notes. */
function lastServerError(m: Measurement): string {
  const lines = `${m.stdout}\n${m.stderr}`.split('\n').filter((l) => /"level":"error"|Error|error:/.test(l));
  return lines.length ? lines[lines.length - 1].slice(0, 500) : lastLine(m.stderr);
}

/** Stops the server; when the scenario failed, adds the server's last error line to the error. */
export async function finish(session: ServerSession, error: unknown): Promise<Measurement> {
  const m = await session.stop();
  if (error !== undefined) throw new Error(`${error instanceof Error ? error.message : error}; server: ${lastServerError(m)}`);
  return m;
}

export function rssOf(m: Measurement): number | null {
  return m.max_rss_bytes === null ? null : m.max_rss_bytes / MIB;
}

// ---------------------------------------------------------------------------------------------------
// (c) ingest throughput and incremental latency

const ingestScenario: Scenario = {
  id: 'ingest',
  title: '(c) server ingest throughput (20 columns, 10k-row batches) and ingest-to-results latency in a 1M-row model',
  issue: '#5, #8',
  async run(ctx) {
    const result = baseResult(this.id, this.title);
    if (!(await serverAvailable(result))) return result;
    const data = serverDataset(ctx);
    const s = ctx.sizes;
    const session = await ServerSession.start(ctx, 'ingest', 4);
    let failure: unknown = undefined;
    try {
      const loaded = await loadModel(ctx, session, data, data.rows, s.ingestBatch);
      Object.assign(result.metrics, loaded, { rows_per_s: loaded.ingest_rows / loaded.ingest_s });
      ctx.log(`ingest: ${loaded.ingest_rows.toLocaleString('en-US')} rows in ${loaded.ingest_s.toFixed(2)} s; all results ${loaded.catch_up_s.toFixed(2)} s after the last ack`);
      const latencies: number[] = [];
      for (let r = 0; r < LATENCY_REPEATS; r++) {
        // Rows from the drifted tail of the data, sent again as new rows after everything stored.
        const source = data.rows - (r + 1) * s.ingestBatch;
        const start = data.rows + r * s.ingestBatch;
        const body = data.relabelled(source, source + s.ingestBatch, data.ds.spec.referenceRows + start);
        const t0 = performance.now();
        await expectOk(session.client.request('POST', `/api/models/${MODEL}/rows`, body, 'text/csv'), 'POST rows');
        const done = await waitForChunk(session.client, data.ds, start, loaded.series_per_chunk);
        latencies.push(done.at - t0);
      }
      latencies.sort((a, b) => a - b);
      result.metrics.incremental_latency_median_ms = latencies[Math.floor(latencies.length / 2)];
      result.metrics.incremental_latency_max_ms = latencies[latencies.length - 1];
    } catch (e) {
      failure = e;
    }
    const stopped = await finish(session, failure);
    attachProfile(ctx, 'ingest', result);
    result.metrics.server_peak_rss_mib = rssOf(stopped);
    result.metrics.peak_rss_mib = rssOf(stopped);
    result.metrics.server_cpu_s = (stopped.user_cpu_s ?? 0) + (stopped.system_cpu_s ?? 0);
    result.targets = [
      check('ingest', '>= 100k rows/s', result.metrics.rows_per_s ?? null, (v) => v >= 100_000),
      check('10k ingest -> results (max)', '< 500 ms', result.metrics.incremental_latency_max_ms ?? null, (v) => v < 500),
      // issue 13: results no more than 5 s behind when the sustained ingest stops (last ack -> all results)
      check('results lag when ingest stops', '<= 5 s', result.metrics.catch_up_s ?? null, (v) => v <= 5),
    ];
    return result;
  },
};

// ---------------------------------------------------------------------------------------------------
// (d) query latency

interface SeriesInfo {
  family: string;
  calculator_id: string;
  metric: string;
  column: string | null;
}

const firstErrors: Record<string, string> = {};

export function summaryMetrics(prefix: string, s: LatencySummary): Record<string, number | null> {
  if (s.first_error) firstErrors[prefix] = s.first_error;
  return {
    [`${prefix}_p50_ms`]: s.p50_ms,
    [`${prefix}_p90_ms`]: s.p90_ms,
    [`${prefix}_p99_ms`]: s.p99_ms,
    [`${prefix}_max_ms`]: s.max_ms,
    [`${prefix}_requests_per_s`]: s.requests_per_s,
    [`${prefix}_errors`]: s.errors,
    [`${prefix}_client_cpu_ms_per_request`]: s.client_cpu_ms_per_request ?? null,
    [`${prefix}_server_cpu_ms_per_request`]: s.server_cpu_ms_per_request ?? null,
  };
}

/** The query scenario's request mix, from the loaded model's series. */
export interface QueryMix {
  /** `POST /api/query` bodies: one panel query each */
  api: LoadRequest[];
  /** `GET /prometheus/api/v1/query_range` requests */
  prom: LoadRequest[];
  notes: string[];
}

export async function queryMix(client: Client, ds: Dataset): Promise<QueryMix> {
  const notes: string[] = [];
  const { series } = await client.json<{ series: SeriesInfo[] }>('GET', `/api/models/${MODEL}/series`);
  const from = timestampOfId(ds.spec.referenceRows);
  const to = timestampOfId(ds.spec.referenceRows + ds.spec.rows);
  const pick = (family: string) => series.filter((x) => x.family === family);
  const drift = pick('univariate_drift');
  const perf = pick('estimated_performance');
  const queries: object[] = [];
  if (drift.length) {
    const one = drift[0];
    queries.push({ refId: 'A', model: MODEL, family: one.family, metrics: [one.metric], columns: one.column ? [one.column] : [] });
    queries.push({ refId: 'A', model: MODEL, family: one.family, metrics: [one.metric] });
    queries.push({ refId: 'A', model: MODEL, family: one.family, metrics: [one.metric], format: 'table' });
  }
  if (perf.length) queries.push({ refId: 'A', model: MODEL, family: perf[0].family, metrics: [perf[0].metric], fields: ['value', 'upper_threshold', 'lower_threshold', 'alert', 'upper_confidence_boundary', 'lower_confidence_boundary'] });
  if (queries.length === 0) throw new Error('the model has no drift or performance series to query');
  const api = queries.map((q) => ({ method: 'POST', path: '/api/query', body: JSON.stringify({ from, to, queries: [q] }) }));
  notes.push(`/api/query mix: ${queries.length} panel queries (one drift series, one drift metric over all columns, a table, CBPE with bands)`);

  const names = (await client.json<{ data: string[] }>('GET', '/prometheus/api/v1/label/__name__/values')).data;
  const promQueries: string[] = [];
  const driftName = names.find((n) => n === 'vigil_univariate_drift');
  if (driftName && drift.length) {
    promQueries.push(`${driftName}{model="${MODEL}",column="${drift[0].column}",method="${drift[0].metric}"}`);
    promQueries.push(`max by (column) (${driftName}{model="${MODEL}",method="${drift[0].metric}"})`);
  }
  const perfName = names.find((n) => n === 'vigil_estimated_performance');
  if (perfName) promQueries.push(`last_over_time(${perfName}{model="${MODEL}"}[7d])`);
  // Grafana asks for about one point per pixel: ~1000 steps over the panel's range.
  const step = Math.max(60, Math.round((to - from) / 1000 / 1000));
  const prom = promQueries.map((q) => ({
    method: 'GET',
    path: `/prometheus/api/v1/query_range?query=${encodeURIComponent(q)}&start=${Math.floor(from / 1000)}&end=${Math.floor(to / 1000)}&step=${step}`,
  }));
  if (prom.length) notes.push(`query_range mix: ${promQueries.join(' | ')} (step ${step} s)`);
  else notes.push('no vigil_univariate_drift / vigil_estimated_performance series in /prometheus: query_range not measured');
  return { api, prom, notes };
}

/** The latency runs of a query mix, in their own load-generator process (bench/load.ts). */
export async function runQueryLoad(ctx: Context, port: number, serverPid: number | undefined, mix: QueryMix, clients: number, total: number): Promise<Record<string, LatencySummary>> {
  const runs: LoadSpec['runs'] = [
    { name: 'api_query_warmup', requests: mix.api, total: QUERY_WARMUP },
    { name: 'api_query', requests: mix.api, total },
    { name: 'api_query_paced', requests: mix.api, total, paceMs: DASHBOARD_PACE_MS },
  ];
  if (mix.prom.length) {
    runs.push(
      { name: 'query_range_warmup', requests: mix.prom, total: QUERY_WARMUP },
      { name: 'query_range', requests: mix.prom, total },
      { name: 'query_range_paced', requests: mix.prom, total, paceMs: DASHBOARD_PACE_MS },
    );
  }
  const spec: LoadSpec = { port, serverPid, clients, runs };
  const specFile = path.join(ctx.workDir, 'query-load.json');
  fs.writeFileSync(specFile, JSON.stringify(spec));
  const m = await runNode(path.join(__dirname, 'load.ts'), [specFile], { timeoutMs: LOAD_TIMEOUT_MS });
  if (m.exit_code !== 0) throw new Error(`load generator exited with ${m.exit_code}: ${lastLine(m.stderr)}`);
  return JSON.parse(lastLine(m.stdout)) as Record<string, LatencySummary>;
}

const queryScenario: Scenario = {
  id: 'query',
  title: '(d) /api/query and /prometheus query_range latency, 50 concurrent clients',
  issue: '#5, #8',
  async run(ctx) {
    const result = baseResult(this.id, this.title);
    if (!(await serverAvailable(result))) return result;
    const data = serverDataset(ctx);
    const s = ctx.sizes;
    for (const k of Object.keys(firstErrors)) delete firstErrors[k];
    const session = await ServerSession.start(ctx, 'query', 4);
    let failure: unknown = undefined;
    try {
      const loaded = await loadModel(ctx, session, data, data.rows, s.ingestBatch);
      result.metrics.model_rows = loaded.ingest_rows;
      const mix = await queryMix(session.client, data.ds);
      result.notes.push(...mix.notes);
      const runs = await runQueryLoad(ctx, session.port, session.started.child.pid, mix, s.queryClients, s.queryRequests);
      for (const name of ['api_query', 'api_query_paced', 'query_range', 'query_range_paced']) {
        if (runs[name]) Object.assign(result.metrics, summaryMetrics(name, runs[name]));
      }
    } catch (e) {
      failure = e;
    }
    const stopped = await finish(session, failure);
    attachProfile(ctx, 'query', result);
    result.metrics.peak_rss_mib = rssOf(stopped);
    const m = result.metrics;
    result.targets = [
      check('/api/query p99', '< 20 ms', m.api_query_p99_ms ?? null, (v) => v < 20),
      check('query_range p99', '< 20 ms', m.query_range_p99_ms ?? null, (v) => v < 20),
    ];
    for (const [what, e] of Object.entries(firstErrors)) result.notes.push(`WARNING: ${what}: non-200 answers under load, first: ${e}`);
    return result;
  },
};

export const SERVER_SCENARIOS: Scenario[] = [ingestScenario, queryScenario];
