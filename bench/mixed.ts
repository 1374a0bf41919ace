/**
 * (e) `mixed`: ingest and queries at once against one real server (issue 12, item 7). A model is loaded
 * with part of the generated analysis rows (and its results computed), then two load generators, each a
 * process of its own, run together for the same window:
 *
 * - bench/ingest-load.ts: 20 clients posting 500-row CSV batches of new rows, each its next batch as soon
 *   as the previous one is answered; reports ingest rows/s over the window;
 * - bench/load.ts: 20 clients sending the query scenario's `POST /api/query` mix (bench/server.ts
 *   `queryMix`) as a closed loop; reports latency percentiles over every request of the window.
 *
 * Before that, the same query load runs alone for a few seconds (the reference the mixed latency is
 * compared with). Every batch writes rows and marks chunks dirty, so the compute worker recomputes
 * while this runs and the query cache is refilled after each recompute, as in production.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { IngestLoadSpec, IngestLoadSummary } from './ingest-load';
import type { LatencySummary } from './http';
import type { LoadSpec } from './load';
import { lastLine, runNode } from './measure';
import { check, Context, Scenario } from './scenario';
import {
  attachProfile,
  baseResult,
  finish,
  LOAD_TIMEOUT_MS,
  loadModel,
  MODEL,
  queryMix,
  rssOf,
  serverAvailable,
  serverDataset,
  ServerSession,
  summaryMetrics,
} from './server';

const INGEST_CLIENTS = 20;
const QUERY_CLIENTS = 20;
const BATCH_ROWS = 500;
/** Rows loaded (and computed) before the load starts: the queries read their results. */
const PRELOAD_ROWS = 100_000;
/** Distinct template rows the ingest batches cycle through. */
const TEMPLATE_ROWS = 20_000;
/** Ingest runs this long before the measured window (the query run waits as long). */
const WARMUP_MS = 2_000;
/** An upper bound of a timed query run's requests (the run ends by time, far below it). */
const MAX_REQUESTS = 2_000_000;

function windowMs(ctx: Context): number {
  return ctx.options.quick ? 5_000 : 20_000;
}

async function runLoad(file: string, script: string, what: string): Promise<string> {
  const m = await runNode(path.join(__dirname, script), [file], { timeoutMs: LOAD_TIMEOUT_MS });
  if (m.exit_code !== 0) throw new Error(`${what} exited with ${m.exit_code}: ${lastLine(m.stderr)}`);
  return lastLine(m.stdout);
}

export const mixedScenario: Scenario = {
  id: 'mixed',
  title: '(e) /api/query latency while 20 clients ingest 500-row CSV batches (20 query clients)',
  issue: '#12',
  async run(ctx) {
    const result = baseResult(this.id, this.title);
    result.issue = '#12';
    if (!(await serverAvailable(result))) return result;
    const data = serverDataset(ctx);
    const s = ctx.sizes;
    const preload = Math.min(PRELOAD_ROWS, Math.floor(data.rows / 2));
    const session = await ServerSession.start(ctx, 'mixed', 4);
    let failure: unknown = undefined;
    try {
      const loaded = await loadModel(ctx, session, data, preload, s.ingestBatch);
      result.metrics.model_rows = loaded.ingest_rows;
      const mix = await queryMix(session.client, data.ds);
      result.notes.push(...mix.notes);

      // Template rows: the data columns of the rows after the preloaded ones (id and timestamp cut off).
      const cut = data.batch(preload, Math.min(data.rows, preload + TEMPLATE_ROWS)).toString().split('\n');
      const header = cut[0];
      const templateFile = path.join(ctx.workDir, 'mixed-template.csv');
      fs.writeFileSync(templateFile, cut.slice(1).filter((l) => l !== '').map((l) => l.slice(l.indexOf(',', l.indexOf(',') + 1))).join('\n') + '\n');

      const alone: LoadSpec = {
        port: session.port,
        clients: QUERY_CLIENTS,
        runs: [
          { name: 'warmup', requests: mix.api, total: 200 },
          { name: 'alone', requests: mix.api, total: MAX_REQUESTS, durationMs: 5_000 },
        ],
      };
      const aloneFile = path.join(ctx.workDir, 'mixed-query-alone.json');
      fs.writeFileSync(aloneFile, JSON.stringify(alone));
      ctx.log(`mixed: /api/query alone (${QUERY_CLIENTS} clients, 5 s) ...`);
      const aloneRuns = JSON.parse(await runLoad(aloneFile, 'load.ts', 'query load generator')) as Record<string, LatencySummary>;
      Object.assign(result.metrics, summaryMetrics('api_query_alone', aloneRuns.alone));

      const window = windowMs(ctx);
      const ingestSpec: IngestLoadSpec = {
        port: session.port,
        model: MODEL,
        clients: INGEST_CLIENTS,
        batchRows: BATCH_ROWS,
        header,
        templateFile,
        firstId: data.ds.spec.referenceRows + data.rows,
        warmupMs: WARMUP_MS,
        durationMs: window,
      };
      const ingestFile = path.join(ctx.workDir, 'mixed-ingest.json');
      fs.writeFileSync(ingestFile, JSON.stringify(ingestSpec));
      const query: LoadSpec = {
        port: session.port,
        serverPid: session.started.child.pid,
        clients: QUERY_CLIENTS,
        // Results change as the compute worker catches up with the ingest: answers may change length.
        runs: [{ name: 'mixed', requests: mix.api, total: MAX_REQUESTS, durationMs: window, delayMs: WARMUP_MS, answersChange: true }],
      };
      const queryFile = path.join(ctx.workDir, 'mixed-query.json');
      fs.writeFileSync(queryFile, JSON.stringify(query));
      ctx.log(`mixed: ${INGEST_CLIENTS} ingest clients (${BATCH_ROWS}-row CSV batches) and ${QUERY_CLIENTS} /api/query clients for ${window / 1000} s ...`);
      const [ingestOut, queryOut] = await Promise.all([
        runLoad(ingestFile, 'ingest-load.ts', 'ingest load generator'),
        runLoad(queryFile, 'load.ts', 'query load generator'),
      ]);
      const ingest = JSON.parse(ingestOut) as IngestLoadSummary;
      const mixed = (JSON.parse(queryOut) as Record<string, LatencySummary>).mixed;
      Object.assign(result.metrics, summaryMetrics('api_query', mixed), {
        rows_per_s: ingest.rows_per_s,
        ingest_rows: ingest.rows,
        ingest_batch_p50_ms: ingest.batch_p50_ms,
        ingest_batch_p99_ms: ingest.batch_p99_ms,
        ingest_errors: ingest.errors,
        window_s: window / 1000,
      });
      if (ingest.first_error) result.notes.push(`WARNING: ingest errors, first: ${ingest.first_error}`);
      if (mixed.first_error) result.notes.push(`WARNING: /api/query errors under ingest, first: ${mixed.first_error}`);
      ctx.log(
        `mixed: ingest ${Math.round(ingest.rows_per_s).toLocaleString('en-US')} rows/s; /api/query p50 ${mixed.p50_ms.toFixed(1)} ms, p99 ${mixed.p99_ms.toFixed(1)} ms ` +
          `(alone: p50 ${aloneRuns.alone.p50_ms.toFixed(1)}, p99 ${aloneRuns.alone.p99_ms.toFixed(1)} ms)`,
      );
    } catch (e) {
      failure = e;
    }
    const stopped = await finish(session, failure);
    attachProfile(ctx, 'mixed', result);
    result.metrics.peak_rss_mib = rssOf(stopped);
    result.metrics.server_cpu_s = (stopped.user_cpu_s ?? 0) + (stopped.system_cpu_s ?? 0);
    const m = result.metrics;
    result.targets = [
      check('/api/query p99 during ingest', '< 50 ms', m.api_query_p99_ms ?? null, (v) => v < 50),
      check('ingest during queries', '>= 50k rows/s', m.rows_per_s ?? null, (v) => v >= 50_000),
    ];
    return result;
  },
};
