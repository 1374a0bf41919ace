/**
 * `many-models` (issue 13 item 6): one server with 200 models (a copy of the `restart` scenario's
 * database: 200 × 20 features, 5,000 reference and 5,000+ analysis rows, 1,000-row chunks, default
 * calculators; the restart scenario runs first when it is missing). Measured, in order:
 *
 * - the restart itself (restart.ts's helpers): first `/healthz` and `/readyz` from the spawn, and the
 *   first all-model panel answered (every model's series read once);
 * - the overview dashboard's all-model panel, `sum by (model) ({__name__=~"vigil_.+_alert", model=~".+"})`
 *   over a day at 1 h steps, each request a cache miss (another end time): median of 7;
 * - ingest across the 200 models at its full rate (bench/ingest-load.ts: 20 clients, 500-row batches, to
 *   the models in turn) for a window; rows/s and refusals: 429s (back-pressure, VIGIL_MAX_LAG or
 *   VIGIL_MAX_BACKLOG; the clients wait their Retry-After) and others; the server's estimate of the
 *   results' lag (GET /api/health lag_estimate_s) every 0.5 s, its peak and its value when ingest stops;
 * - catch-up: from the end of that ingest until no model has a chunk waiting (the results' lag);
 * - the panel again, and the server's peak RSS over everything, with each thread's V8 heap and external
 *   memory at that peak (bench/thread-memory.js preloaded into the server).
 */
import * as fs from 'fs';
import { timestampOfId } from './generate';
import type { IngestLoadSpec, IngestLoadSummary } from './ingest-load';
import { Client, freePort } from './http';
import { lastLine, runNode } from './measure';
import { allComputed, firstOk, restartDbCurrent, restartScenario, Server, startServer, stopServer } from './restart';
import { ingestTemplate, manyModelsDb } from './rules-during-ingest';
import { check, MIB, Scenario } from './scenario';
import { baseResult, LOAD_TIMEOUT_MS, serverAvailable } from './server';
import { formatThreadMemory, threadMemoryEnv, threadMemoryReport } from './thread-memory-report';
import * as path from 'path';

const PANEL = 'sum by (model) ({__name__=~"vigil_.+_alert", model=~".+"})';
const PANEL_REPEATS = 7;
const DAY_S = 86_400;
/** The restart scenario's models hold rows up to about this id (5,000 reference, 5,000 analysis, two batches). */
const LAST_ID = 12_000;

async function panel(client: Client, endS: number): Promise<number> {
  const q = `/prometheus/api/v1/query_range?query=${encodeURIComponent(PANEL)}&start=${endS - DAY_S}&end=${endS}&step=3600`;
  const t0 = performance.now();
  const res = await client.request('GET', q);
  if (res.status !== 200) throw new Error(`all-model panel: HTTP ${res.status}: ${res.body.toString().slice(0, 300)}`);
  const body = JSON.parse(res.body.toString()) as { data: { result: unknown[] } };
  if (body.data.result.length === 0) throw new Error('all-model panel: no series');
  return performance.now() - t0;
}

/**
 * Samples the server's estimate of the results' lag (GET /api/health lag_estimate_s, the estimate the
 * VIGIL_MAX_LAG back-pressure compares with) every 0.5 s until stopped: its peak and last value.
 */
function lagSampler(client: Client): { stop(): { peak: number | null; last: number | null } } {
  let peak: number | null = null;
  let last: number | null = null;
  let running = true;
  void (async () => {
    while (running) {
      const res = await client.request('GET', '/api/health');
      if (res.status === 200) {
        last = (JSON.parse(res.body.toString()) as { lag_estimate_s?: number }).lag_estimate_s ?? null;
        if (last !== null && (peak === null || last > peak)) peak = last;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    // not waiting for the sampler's last round: the catch-up is timed from the stop
    stop() {
      running = false;
      return { peak, last };
    },
  };
}

async function panelMedian(client: Client, endS: number): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < PANEL_REPEATS; i++) ms.push(await panel(client, endS - i - 1));
  return ms.sort((a, b) => a - b)[PANEL_REPEATS >> 1];
}

export const manyModelsScenario: Scenario = {
  id: 'many-models',
  title: '200 models: restart, all-model panel, ingest across models, results catch-up, RSS',
  issue: '#13',
  async run(ctx) {
    const result = baseResult(this.id, this.title);
    result.issue = '#13';
    if (!(await serverAvailable(result))) return result;
    const windowMs = ctx.options.quick ? 5_000 : 20_000;
    // Fits saved by other engine code would all be refitted (and with changed calculators every chunk
    // recomputed) during the measured ingest: measure on a database whose fits this code made.
    const restartDir = path.join(ctx.workDir, 'server-restart');
    let rebuilt = null;
    if (fs.existsSync(path.join(restartDir, 'vigil.db')) && !restartDbCurrent(restartDir)) {
      ctx.log('many-models: the restart database was built by other engine code: running the restart scenario again first ...');
      rebuilt = await restartScenario.run(ctx);
    }
    const many = await manyModelsDb(ctx, 'many-models');
    many.restartRan ??= rebuilt;
    const port = await freePort();
    // Each thread of the server reports its own heap and external memory (bench/thread-memory.js).
    const memoryDir = path.join(ctx.workDir, 'many-models-thread-memory');
    const server: Server = startServer(port, many.db, threadMemoryEnv(memoryDir));
    const endS = Math.floor(timestampOfId(LAST_ID) / 1000);
    const m = result.metrics;
    try {
      const [healthz, ready] = await Promise.all([firstOk(server, '/healthz'), firstOk(server, '/readyz')]);
      m.healthz_s = healthz;
      m.ready_s = ready;
      m.models = many.models.length;
      m.first_panel_ms = await panel(server.client, endS);
      m.first_panel_from_spawn_s = (performance.now() - server.spawnedAt) / 1000;
      m.panel_median_ms = await panelMedian(server.client, endS);

      const tpl = ingestTemplate(ctx.workDir, 'many-models', fs.readFileSync(many.analysisCsv, 'utf8'), 5_000);
      const spec: IngestLoadSpec = { port, model: many.models[0], models: many.models, clients: 20, batchRows: 500, ...tpl, firstId: 200_000_000, warmupMs: 2_000, durationMs: windowMs };
      const file = path.join(ctx.workDir, 'many-models-ingest.json');
      fs.writeFileSync(file, JSON.stringify(spec));
      ctx.log(`many-models: ingest across ${many.models.length} models (${windowMs / 1000} s) ...`);
      const lag = lagSampler(server.client);
      const run = await runNode(path.join(__dirname, 'ingest-load.ts'), [file], { timeoutMs: LOAD_TIMEOUT_MS });
      if (run.exit_code !== 0) throw new Error(`ingest-load exited with ${run.exit_code}: ${lastLine(run.stderr)}`);
      const ingestEnd = performance.now();
      const lagSeen = lag.stop();
      m.lag_estimate_peak_s = lagSeen.peak;
      m.lag_estimate_at_stop_s = lagSeen.last;
      const ingest = JSON.parse(lastLine(run.stdout)) as IngestLoadSummary;
      m.rows_per_s = ingest.rows_per_s;
      m.ingest_batch_p50_ms = ingest.batch_p50_ms;
      m.ingest_batch_p99_ms = ingest.batch_p99_ms;
      m.ingest_refused = ingest.errors;
      m.ingest_429 = ingest.refused_429 ?? 0;
      if (ingest.first_error) result.notes.push(`ingest: first refusal or error: ${ingest.first_error}`);
      ctx.log(`many-models: ${Math.round(ingest.rows_per_s)} rows/s, ${m.ingest_429} answers 429, lag estimate peak ${lagSeen.peak?.toFixed(1)} s, ${lagSeen.last?.toFixed(1)} s at the stop; waiting for every model's results ...`);
      await allComputed(server.client, many.models);
      m.catch_up_s = (performance.now() - ingestEnd) / 1000;
      m.panel_after_ingest_median_ms = await panelMedian(server.client, endS);
      ctx.log(`many-models: results caught up ${m.catch_up_s.toFixed(1)} s after ingest stopped; panel ${m.panel_after_ingest_median_ms.toFixed(0)} ms`);
    } catch (e) {
      const s = await stopServer(server);
      throw new Error(`${(e as Error).message}; server: ${lastLine(s.stderr)}`);
    }
    const stopped = await stopServer(server);
    m.peak_rss_mib = stopped.max_rss_bytes === null ? null : stopped.max_rss_bytes / MIB;
    const threads = server.started.child.pid === undefined ? null : threadMemoryReport(memoryDir, server.started.child.pid);
    if (threads) {
      ctx.log(`many-models: memory by thread (V8 heap + external; the rest of the RSS is native: SQLite, code, stacks):\n  ${formatThreadMemory(threads)}`);
      for (const t of threads.threads) m[`at_rss_peak_${t.thread.replace(/ /g, '_')}_mib`] = t.atRssPeakMiB;
      m.rss_peak_at_s = threads.rssPeakAtS;
    }
    // The compute threads' totals at shutdown (compute.ts): fit loads and where their time went.
    for (const line of stopped.stdout.split('\n').filter((l) => l.includes('"compute totals"'))) {
      const t = JSON.parse(line) as Record<string, number>;
      for (const k of ['restored', 'refitted', 'chunks', 'threadCpuMs', 'fitLoadMs', 'computeMs', 'writeMs']) m[`compute_${k}`] = (m[`compute_${k}`] ?? 0) + (t[k] ?? 0);
    }
    if (many.restartRan) {
      for (const k of ['healthz_s', 'first_query_s', 'peak_rss_mib']) m[`restart_${k}`] = many.restartRan.metrics[k] ?? null;
      result.notes.push('the restart scenario ran first to build the 200-model database (its numbers: restart_*)');
    }
    result.targets = [
      check('/healthz after start (200 models)', '< 1 s', m.healthz_s ?? null, (v) => v < 1),
      check('first all-model panel after start', '< 5 s', m.first_panel_from_spawn_s ?? null, (v) => v < 5),
      check('results behind when ingest stops', '<= 5 s', m.catch_up_s ?? null, (v) => v <= 5),
      check('peak RSS', '< 1024 MiB', m.peak_rss_mib ?? null, (v) => v < 1024),
    ];
    result.notes.push(`${many.models.length} models (copy of the restart scenario's database); ingest: 20 clients × 500-row batches to the models in turn for ${windowMs / 1000} s`);
    if ((m.compute_refitted ?? 0) > 0) result.notes.push(`${m.compute_refitted} fits were refitted during the run (saved fits not reusable): the catch-up includes them`);
    return result;
  },
};
