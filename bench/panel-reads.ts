/**
 * Read costs of a server with many models (issue 13 item 4), against a copy of a `restart`-scenario
 * database (200 models of 20 features, 1,000-row chunks): `/metrics` size and time under each
 * VIGIL_METRICS_PER_COLUMN mode, the overview dashboard's all-model PromQL panel, and `/api/query`
 * with and without maxDataPoints. Each timing is the median of REPEATS requests that miss the answer
 * caches (a distinct `time`/`to` each), after one warm-up request.
 *
 *   node -r ./bench/register.js bench/panel-reads.ts bench/.data/run/server-restart/vigil.db
 *
 * The database is copied first (the server migrates and writes to it).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort } from './http';
import { ROOT, startNode } from './measure';

const REPEATS = 7;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server not ready after 60 s');
}

async function timed(url: string, init?: RequestInit): Promise<{ ms: number; bytes: number; status: number }> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  const body = await res.arrayBuffer();
  return { ms: performance.now() - t0, bytes: body.byteLength, status: res.status };
}

async function serve(db: string, env: Record<string, string>, f: (url: string) => Promise<void>): Promise<void> {
  const port = await freePort();
  const started = startNode(path.join(ROOT, 'bin', 'vigil.js'), ['serve', '--port', String(port), '--db', db], { env });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url);
    await f(url);
  } finally {
    started.child.kill('SIGTERM');
    await started.done;
  }
}

async function main(): Promise<void> {
  const source = process.argv[2];
  if (!source || !fs.existsSync(source)) throw new Error('usage: bench/panel-reads.ts <vigil.db of the restart scenario>');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-panel-reads-'));
  const db = path.join(dir, 'vigil.db');
  fs.copyFileSync(source, db);
  const out: Record<string, unknown> = { load_average: os.loadavg().map((x) => Math.round(x * 100) / 100), at: new Date().toISOString() };

  for (const mode of ['all', 'alerts', 'none']) {
    await serve(db, { VIGIL_METRICS_PER_COLUMN: mode }, async (url) => {
      const first = await timed(`${url}/metrics`);
      const runs = [];
      for (let i = 0; i < REPEATS; i++) runs.push(await timed(`${url}/metrics`));
      out[`metrics_${mode}`] = { bytes: first.bytes, first_ms: Math.round(first.ms), median_ms: Math.round(median(runs.map((r) => r.ms))) };
      if (mode !== 'all') return;
      // The overview dashboard's "alerts by model" panel over every model (query_range, 1 h steps over a day).
      const models = (await (await fetch(`${url}/api/models`)).json()) as { models: { name: string }[] };
      const q = encodeURIComponent('sum by (model) ({__name__=~"vigil_.+_alert", model=~".+"})');
      const series = (await (await fetch(`${url}/api/models/${models.models[0].name}/series?family=univariate_drift`)).json()) as { series: { metric: string; column: string }[] };
      const results = (await (await fetch(`${url}/api/models/${models.models[0].name}/results?period=analysis`)).json()) as { results: { chunk: { start_date: string; end_date: string } }[] };
      const t1 = Date.parse(results.results[results.results.length - 1].chunk.end_date) / 1000;
      const panel = [];
      for (let i = 0; i < REPEATS; i++) panel.push(await timed(`${url}/prometheus/api/v1/query_range?query=${q}&start=${t1 - 86_400 - i}&end=${t1 - i}&step=3600`));
      out.all_model_panel = { models: models.models.length, median_ms: Math.round(median(panel.map((r) => r.ms))), first_ms: Math.round(panel[0].ms), status: panel[0].status };
      // Every drift series of 20 models in one /api/query request, full and at 50 points per series.
      const queries = models.models.slice(0, 20).map((m, i) => ({ refId: `Q${i}`, model: m.name, family: 'univariate_drift' }));
      for (const maxDataPoints of [undefined, 50]) {
        const runs2 = [];
        for (let i = 0; i < REPEATS; i++) {
          runs2.push(await timed(`${url}/api/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: 0, to: t1 * 1000 - i, maxDataPoints, queries }) }));
        }
        out[`api_query_20_models_${maxDataPoints ?? 'full'}`] = { series: series.series.length * 20, bytes: runs2[0].bytes, median_ms: Math.round(median(runs2.map((r) => r.ms))) };
      }
    });
  }
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
