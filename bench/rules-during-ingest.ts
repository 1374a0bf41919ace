/**
 * `rules-during-ingest` (issue 13 item 1): the provisioned Grafana alert rules evaluated every second
 * while ingest runs at its full rate, against one model with many rows and against 200 models.
 *
 * - One model: the generated 20-feature data with 10,000-row chunks, loaded up to `rows` (the generated
 *   set, then the same rows again under new ids and timestamps) and computed.
 * - 200 models: a copy of the `restart` scenario's database (200 models × 5,000 reference and 5,000+
 *   analysis rows, 1,000-row chunks; the restart scenario runs first when it is missing).
 *
 * On each, in alternating rounds of `window` seconds: ingest alone (bench/ingest-load.ts: 20 clients
 * posting 500-row CSV batches of new rows, each the next as soon as the last is answered; across the 200
 * models in turn), then the same ingest with the rules beside it (bench/load.ts: one client per rule
 * expression of provisioning/alerting/vigil.yaml, each waiting 1 s after an answer, so every rule is
 * evaluated about once a second). Rule queries are `POST /prometheus/api/v1/query` without `time`, as
 * never cached (evaluated at the server's clock), with VIGIL_PROM_LOOKBACK long enough that every
 * series' last chunk is current, so every rule reads every series of its name. Before the rounds, the
 * first rule query after start is timed (the whole index is read then), then each rule's first
 * evaluation (reported as the slowest of them): the rounds measure the steady state.
 *
 * Reported: ingest rows/s alone and with rules (their ratio, target ≥ 80 %), the rule queries' p50/p99
 * (target p99 < 100 ms), the server's peak RSS.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ensureDataset } from './generate';
import type { IngestLoadSpec, IngestLoadSummary } from './ingest-load';
import { Client, freePort, LatencySummary, LoadRequest } from './http';
import type { LoadSpec } from './load';
import { lastLine, ROOT, runNode } from './measure';
import { firstOk, restartScenario, startServer, stopServer } from './restart';
import { check, Context, MIB, Scenario, ScenarioResult } from './scenario';
import { AnalysisRows, baseResult, expectOk, finish, LOAD_TIMEOUT_MS, loadModel, MODEL, rssOf, serverAvailable, serverDataset, ServerSession } from './server';

const INGEST_CLIENTS = 20;
const BATCH_ROWS = 500;
const TEMPLATE_ROWS = 5_000;
const RULE_PACE_MS = 1_000;
const WARMUP_MS = 2_000;
/** Every series' last chunk stays current (the generated data lie in 2023). */
export const LONG_LOOKBACK = { VIGIL_PROM_LOOKBACK: '36500d' };
const RESTART_SEED = 42;
const RESTART_ROWS = 5_000;

/** The expressions of the provisioned Grafana rules (A of each rule). */
export function provisionedRules(): string[] {
  const yaml = fs.readFileSync(path.join(ROOT, 'provisioning', 'alerting', 'vigil.yaml'), 'utf8');
  const out = [...yaml.matchAll(/^\s*expr:\s*'(.+)'\s*$/gm)].map((m) => m[1].replace(/''/g, "'"));
  if (out.length === 0) throw new Error('no rule expressions found in provisioning/alerting/vigil.yaml');
  return out;
}

export function ruleRequests(exprs: string[]): LoadRequest[] {
  return exprs.map((e) => ({ method: 'POST', path: '/prometheus/api/v1/query', body: `query=${encodeURIComponent(e)}`, contentType: 'application/x-www-form-urlencoded' }));
}

async function runLoad(workDir: string, name: string, spec: object, script: string): Promise<string> {
  const file = path.join(workDir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(spec));
  const m = await runNode(path.join(__dirname, script), [file], { timeoutMs: LOAD_TIMEOUT_MS });
  if (m.exit_code !== 0) throw new Error(`${script} exited with ${m.exit_code}: ${lastLine(m.stderr)}`);
  return lastLine(m.stdout);
}

/** Template rows (data columns after id and timestamp) and the CSV header of a generated file. */
export function ingestTemplate(workDir: string, name: string, csv: string, rows: number): { header: string; templateFile: string } {
  const lines = csv.split('\n', rows + 1);
  const templateFile = path.join(workDir, `${name}-template.csv`);
  fs.writeFileSync(templateFile, lines.slice(1).filter((l) => l !== '').map((l) => l.slice(l.indexOf(',', l.indexOf(',') + 1))).join('\n') + '\n');
  return { header: lines[0], templateFile };
}

export interface IngestTarget {
  port: number;
  serverPid: number | undefined;
  models: string[];
  header: string;
  templateFile: string;
  /** ids of new rows start here (each window takes a fresh block) */
  firstId: number;
}

export interface RoundsResult {
  alone: IngestLoadSummary[];
  withRules: IngestLoadSummary[];
  rules: LatencySummary[];
}

/** Ingest alone, then ingest with the rules every second, `rounds` times, each window `windowMs`. */
export async function ingestWithAndWithoutRules(ctx: Context, label: string, t: IngestTarget, rounds: number, windowMs: number): Promise<RoundsResult> {
  const rules = ruleRequests(provisionedRules());
  const out: RoundsResult = { alone: [], withRules: [], rules: [] };
  let block = 0;
  const ingest = (): IngestLoadSpec => ({
    port: t.port,
    model: t.models[0],
    models: t.models.length > 1 ? t.models : undefined,
    clients: INGEST_CLIENTS,
    batchRows: BATCH_ROWS,
    header: t.header,
    templateFile: t.templateFile,
    firstId: t.firstId + 10_000_000 * block++,
    warmupMs: WARMUP_MS,
    durationMs: windowMs,
  });
  for (let r = 0; r < rounds; r++) {
    ctx.log(`${label}: round ${r + 1}/${rounds}: ingest alone (${windowMs / 1000} s) ...`);
    out.alone.push(JSON.parse(await runLoad(ctx.workDir, `${label}-ingest-alone`, ingest(), 'ingest-load.ts')) as IngestLoadSummary);
    ctx.log(`${label}: round ${r + 1}/${rounds}: ingest with ${rules.length} rules every second ...`);
    const ruleLoad: LoadSpec = {
      port: t.port,
      serverPid: t.serverPid,
      clients: rules.length,
      runs: [{ name: 'rules', requests: rules, total: 1_000_000, paceMs: RULE_PACE_MS, durationMs: windowMs, delayMs: WARMUP_MS, answersChange: true }],
    };
    const [i, q] = await Promise.all([runLoad(ctx.workDir, `${label}-ingest-rules`, ingest(), 'ingest-load.ts'), runLoad(ctx.workDir, `${label}-rules`, ruleLoad, 'load.ts')]);
    out.withRules.push(JSON.parse(i) as IngestLoadSummary);
    out.rules.push((JSON.parse(q) as Record<string, LatencySummary>).rules);
    const a = out.alone[r].rows_per_s;
    const w = out.withRules[r].rows_per_s;
    const p = out.rules[r];
    ctx.log(`${label}: alone ${Math.round(a)} rows/s, with rules ${Math.round(w)} rows/s (${((100 * w) / a).toFixed(0)} %); rule p50 ${p.p50_ms.toFixed(1)} ms, p99 ${p.p99_ms.toFixed(1)} ms (${p.requests} queries)`);
  }
  return out;
}

/** Metrics of the rounds under `prefix`: rows/s summed over the rounds, rule latency over all queries. */
export function roundsMetrics(prefix: string, r: RoundsResult): Record<string, number | null> {
  const sum = (xs: IngestLoadSummary[]) => xs.reduce((a, x) => a + x.rows, 0) / xs.reduce((a, x) => a + x.seconds, 0);
  const alone = sum(r.alone);
  const withRules = sum(r.withRules);
  const p99 = Math.max(...r.rules.map((x) => x.p99_ms));
  return {
    [`${prefix}_rows_per_s_alone`]: alone,
    [`${prefix}_rows_per_s_with_rules`]: withRules,
    [`${prefix}_ingest_ratio`]: withRules / alone,
    [`${prefix}_rule_p50_ms`]: r.rules.reduce((a, x) => a + x.p50_ms, 0) / r.rules.length,
    [`${prefix}_rule_p99_ms`]: p99,
    [`${prefix}_rule_max_ms`]: Math.max(...r.rules.map((x) => x.max_ms)),
    [`${prefix}_rule_queries`]: r.rules.reduce((a, x) => a + x.requests, 0),
    [`${prefix}_ingest_errors`]: [...r.alone, ...r.withRules].reduce((a, x) => a + x.errors, 0),
    [`${prefix}_rule_errors`]: r.rules.reduce((a, x) => a + x.errors, 0),
  };
}

/**
 * Each rule's first evaluation after start, timed one after the other (the first reads every model's
 * series; each then makes its per-model parts, api/prometheus/model-partials.ts): the slowest, in ms.
 * Reported apart from the rounds, whose latencies are the steady state Grafana sees evaluating the
 * same rules every interval.
 */
export async function firstRuleEvaluations(client: Client): Promise<number> {
  let slowest = 0;
  for (const expr of provisionedRules()) slowest = Math.max(slowest, await timedRule(client, expr));
  return slowest;
}

/** Times one rule query (the first after start reads every model's series). */
export async function timedRule(client: Client, expr: string): Promise<number> {
  const t0 = performance.now();
  const res = await client.request('POST', '/prometheus/api/v1/query', `query=${encodeURIComponent(expr)}`, 'application/x-www-form-urlencoded');
  if (res.status !== 200) throw new Error(`rule query: HTTP ${res.status}: ${res.body.toString().slice(0, 300)}`);
  return performance.now() - t0;
}

/**
 * A fresh copy of the `restart` scenario's database (200 models; run first when missing: the same set-up,
 * not a second one) and the model names and generated file its models were fed from.
 */
export async function manyModelsDb(ctx: Context, name: string): Promise<{ db: string; models: string[]; analysisCsv: string; restartRan: ScenarioResult | null }> {
  const source = path.join(ctx.workDir, 'server-restart', 'vigil.db');
  let restartRan: ScenarioResult | null = null;
  if (!fs.existsSync(source)) {
    ctx.log(`${name}: no restart-scenario database yet: running the restart scenario first ...`);
    restartRan = await restartScenario.run(ctx);
  }
  const dir = path.join(ctx.workDir, `server-${name}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const db = path.join(dir, 'vigil.db');
  for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(source + suffix)) fs.copyFileSync(source + suffix, db + suffix);
  const ds = ensureDataset({ rows: RESTART_ROWS, referenceRows: RESTART_ROWS, features: 20, seed: RESTART_SEED }, ctx.log);
  const count = ctx.options.quick ? 20 : 200;
  return { db, models: Array.from({ length: count }, (_, i) => `m${String(i).padStart(3, '0')}`), analysisCsv: ds.analysis, restartRan };
}

/** Polls until no chunk of `model` awaits a recompute. */
async function computed(client: Client, model: string): Promise<void> {
  for (;;) {
    const m = await client.json<{ status: { pending_chunks: number } }>('GET', `/api/models/${model}`);
    if (m.status.pending_chunks === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Rows of the one-model part: the issue's 5M, or VIGIL_BENCH_RULES_ROWS (the quick run: the generated set). */
function oneModelRows(ctx: Context, data: AnalysisRows): number {
  if (ctx.options.quick) return data.rows;
  const env = Number(process.env.VIGIL_BENCH_RULES_ROWS);
  return Number.isInteger(env) && env > 0 ? env : 5_000_000;
}

export const rulesDuringIngestScenario: Scenario = {
  id: 'rules-during-ingest',
  title: 'provisioned alert rules every second during full-rate ingest: ingest rate kept, PromQL p99 (one large model; 200 models)',
  issue: '#13',
  async run(ctx) {
    const result = baseResult(this.id, this.title);
    result.issue = '#13';
    if (!(await serverAvailable(result))) return result;
    const rounds = ctx.options.quick ? 1 : 2;
    const windowMs = ctx.options.quick ? 5_000 : 15_000;
    const drift = provisionedRules()[0];

    // One model with many rows.
    const data = serverDataset(ctx);
    const rows = oneModelRows(ctx, data);
    const session = await ServerSession.start(ctx, 'rules-one', 4, LONG_LOOKBACK);
    let failure: unknown;
    try {
      const loaded = await loadModel(ctx, session, data, Math.min(rows, data.rows), ctx.sizes.ingestBatch);
      const t0 = performance.now();
      let id = data.ds.spec.referenceRows + data.rows;
      for (let n = data.rows; n < rows; n += ctx.sizes.ingestBatch) {
        const from = n % data.rows;
        const count = Math.min(ctx.sizes.ingestBatch, rows - n, data.rows - from);
        await expectOk(session.client.request('POST', `/api/models/${MODEL}/rows`, data.relabelled(from, from + count, id), 'text/csv'), 'POST rows');
        id += count;
        if (n % 500_000 === 0) ctx.log(`rules-during-ingest: ${n.toLocaleString('en-US')} rows sent`);
      }
      await computed(session.client, MODEL);
      result.metrics.one_model_rows = rows;
      result.metrics.one_model_load_s = loaded.ingest_s + loaded.catch_up_s + (performance.now() - t0) / 1000;
      result.metrics.one_model_first_rule_ms = await timedRule(session.client, drift);
      result.metrics.one_model_second_rule_ms = await timedRule(session.client, drift);
      result.metrics.one_model_first_evaluations_max_ms = await firstRuleEvaluations(session.client);
      const tpl = ingestTemplate(ctx.workDir, 'rules-one', data.batch(0, TEMPLATE_ROWS).toString(), TEMPLATE_ROWS);
      const r = await ingestWithAndWithoutRules(ctx, 'rules-during-ingest (1 model)', { port: session.port, serverPid: session.started.child.pid, models: [MODEL], ...tpl, firstId: 100_000_000 }, rounds, windowMs);
      Object.assign(result.metrics, roundsMetrics('one_model', r));
    } catch (e) {
      failure = e;
    }
    const stopped = await finish(session, failure);
    result.metrics.one_model_peak_rss_mib = rssOf(stopped);

    // 200 models.
    const many = await manyModelsDb(ctx, 'rules-many');
    const port = await freePort();
    const server = startServer(port, many.db, LONG_LOOKBACK);
    try {
      await firstOk(server, '/readyz');
      result.metrics.many_models = many.models.length;
      result.metrics.many_first_rule_ms = await timedRule(server.client, drift);
      result.metrics.many_second_rule_ms = await timedRule(server.client, drift);
      result.metrics.many_first_evaluations_max_ms = await firstRuleEvaluations(server.client);
      const tpl = ingestTemplate(ctx.workDir, 'rules-many', fs.readFileSync(many.analysisCsv, 'utf8'), TEMPLATE_ROWS);
      const r = await ingestWithAndWithoutRules(ctx, 'rules-during-ingest (200 models)', { port, serverPid: server.started.child.pid, models: many.models, ...tpl, firstId: 100_000_000 }, rounds, windowMs);
      Object.assign(result.metrics, roundsMetrics('many', r));
    } catch (e) {
      const m = await stopServer(server);
      throw new Error(`${(e as Error).message}; server: ${lastLine(m.stderr)}`);
    }
    const stoppedMany = await stopServer(server);
    result.metrics.many_peak_rss_mib = stoppedMany.max_rss_bytes === null ? null : stoppedMany.max_rss_bytes / MIB;

    const m = result.metrics;
    result.targets = [
      check('1 model: ingest with rules / alone', '>= 80 %', m.one_model_ingest_ratio === undefined ? null : m.one_model_ingest_ratio! * 100, (v) => v >= 80),
      check('1 model: rule query p99 during ingest', '< 100 ms', m.one_model_rule_p99_ms ?? null, (v) => v < 100),
      check('200 models: ingest with rules / alone', '>= 80 %', m.many_ingest_ratio === undefined ? null : m.many_ingest_ratio! * 100, (v) => v >= 80),
      check('200 models: rule query p99 during ingest', '< 100 ms', m.many_rule_p99_ms ?? null, (v) => v < 100),
    ];
    result.notes.push(
      `one model: ${rows.toLocaleString('en-US')} rows loaded (20 features, ${ctx.sizes.chunkSize.toLocaleString('en-US')}-row chunks) before the rounds; ${rounds} round(s) of ${windowMs / 1000} s alone + ${windowMs / 1000} s with ${provisionedRules().length} rules every second; ${INGEST_CLIENTS} ingest clients × ${BATCH_ROWS}-row batches`,
    );
    if (many.restartRan) result.notes.push('the restart scenario ran first to build the 200-model database');
    return result;
  },
};
