/**
 * `segments` (issue 17 item 5): what 20 segments cost next to none. The car-loan files with a `region`
 * column of 25 values added (so `segment_top_k: 20` gives top 20 + `__other__` = 21 segments):
 *
 * - `vigil run`: the car-loan suite (drift KS/JS/chi2 on 7 columns, missing values, PCA reconstruction,
 *   CBPE, realized performance; `chunk_number: 10`, so each segment has as many chunks as the whole data)
 *   without segments, with `segment_top_k: 5` and with `segment_top_k: 20`: wall, CPU, peak RSS, result
 *   rows and bytes of the output;
 * - the server, each case in a process of its own (compute inline, a SQLite file): register (drift JS on 7
 *   columns and realized ROC AUC, weekly chunks), reference, analysis in 5 000-row batches, targets, until
 *   computed; without segments and with `segment_top_k: 20`: wall, CPU, peak RSS, database bytes, stored
 *   result rows, analysis rows and chunks, and CPU per computed chunk.
 *
 * In `npm run bench` (scenario `segments`, one run per case). Alone, alternating the cases `--repeats`
 * times (medians):
 *
 *   npm run build:backend && node -r ./bench/register.js bench/segments.ts [--repeats 3] [--threads 1] [--server]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Measurement, ROOT, runNode } from './measure';
import { Context, MIB, Scenario, ScenarioResult } from './scenario';

const DATA = path.join(ROOT, 'examples', 'data', 'nannyml');
const REGIONS = 25;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Copies a car-loan CSV with a `region` column: region r with weight 1/(r+1) (a few big, many small). */
function withRegion(source: string, target: string): void {
  const lines = fs.readFileSync(source, 'utf8').trimEnd().split('\n');
  const weights = Array.from({ length: REGIONS }, (_, r) => 1 / (r + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  let seed = 7;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = () => {
    let u = next() * total;
    for (let r = 0; r < REGIONS; r++) if ((u -= weights[r]) < 0) return `R${String(r).padStart(2, '0')}`;
    return `R${REGIONS - 1}`;
  };
  fs.writeFileSync(target, [`${lines[0]},region`, ...lines.slice(1).map((l) => `${l},${pick()}`)].join('\n') + '\n');
}

const COMMON = { timestamp_column_name: 'timestamp', chunk_number: 10 };
const FEATURES = ['car_value', 'salary_range', 'debt_to_income_ratio', 'loan_length', 'repaid_loan_on_prev_car', 'size_of_downpayment', 'driver_tenure'];
const PERF = { problem_type: 'classification_binary', y_pred_proba: 'y_pred_proba', y_pred: 'y_pred', y_true: 'repaid', metrics: ['roc_auc', 'f1', 'accuracy'] };
const CALCULATORS = [
  { class: 'UnivariateDriftCalculator', id: 'drift', params: { ...COMMON, column_names: FEATURES, continuous_methods: ['kolmogorov_smirnov', 'jensen_shannon'], categorical_methods: ['chi2', 'jensen_shannon'] } },
  { class: 'MissingValuesCalculator', params: { ...COMMON, column_names: FEATURES } },
  { class: 'DataReconstructionDriftCalculator', params: { ...COMMON, column_names: FEATURES } },
  { class: 'CBPE', id: 'estimated', params: { ...COMMON, ...PERF } },
  { class: 'PerformanceCalculator', id: 'realized', params: { ...COMMON, ...PERF } },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const cpuOf = (m: Measurement) => (m.user_cpu_s ?? NaN) + (m.system_cpu_s ?? NaN);
const rssMiBOf = (m: Measurement) => (m.max_rss_bytes ?? NaN) / MIB;

/** The car-loan reference and analysis files with the region column, written into `dir`. */
function prepareData(dir: string): void {
  withRegion(path.join(DATA, 'synthetic_car_loan_reference.csv'), path.join(dir, 'reference.csv'));
  withRegion(path.join(DATA, 'synthetic_car_loan_analysis.csv'), path.join(dir, 'analysis.csv'));
}

// ---- vigil run ----

const RUN_CASES: [string, object][] = [
  ['no segments', {}],
  ['segment_top_k 5 (6 segments)', { segment_by: 'region', segment_top_k: 5 }],
  ['segment_top_k 20 (21 segments)', { segment_by: 'region', segment_top_k: 20 }],
];

function writeRunConfigs(dir: string): string[] {
  return RUN_CASES.map(([, extra], i) => {
    const file = path.join(dir, `config-${i}.json`);
    fs.writeFileSync(file, JSON.stringify({ reference: 'reference.csv', analysis: 'analysis.csv', analysis_targets: path.join(DATA, 'synthetic_car_loan_analysis_target.csv'), calculators: CALCULATORS, ...extra }));
    return file;
  });
}

interface RunSample {
  wall: number;
  cpu: number;
  rssMiB: number;
  rows: number;
  outBytes: number;
}

async function runCase(dir: string, config: string, i: number, threads: number): Promise<RunSample> {
  const out = path.join(dir, `out-${i}.json`);
  const m = await runNode(path.join(ROOT, 'bin', 'vigil.js'), ['run', config, '--out', out], { env: { VIGIL_THREADS: String(threads) }, timeoutMs: 600_000 });
  if (m.exit_code !== 0) throw new Error(`${RUN_CASES[i][0]}: exit ${m.exit_code}: ${m.stderr}`);
  const rows = (JSON.parse(fs.readFileSync(out, 'utf8')).results as unknown[]).length;
  return { wall: m.wall_s, cpu: cpuOf(m), rssMiB: rssMiBOf(m), rows, outBytes: fs.statSync(out).size };
}

// ---- server ----

const SERVER_CASES: [string, string, object][] = [
  ['no segments', 'plain', {}],
  ['segment_top_k 20 (21 segments)', 'segmented', { segment_by: 'region', segment_top_k: 20 }],
];

/** What a server case left in its database, and what its compute did (from the compute totals log). */
interface ServerStored {
  models: number;
  dbBytes: number;
  resultRows: number;
  analysisRows: number;
  chunks: number;
  /** bytes of the results table with its index (SQLite dbstat), null where dbstat is not compiled in */
  resultBytes: number | null;
  /** chunk computations (a chunk dirtied by several batches counts each time) and their read+compute+write ms */
  chunkComputes: number;
  computeMs: number;
}

interface ServerSample extends ServerStored {
  wall: number;
  cpu: number;
  rssMiB: number;
}

/** In the child process: one server case in this process (compute inline), its stored sizes as a JSON line. */
async function serverCaseChild(dir: string, index: number): Promise<void> {
  const [, name, extra] = SERVER_CASES[index];
  const { VigilService } = await import('../backend/service/service');
  const { openStore } = await import('../backend/store');
  const { ingestPatiently } = await import('../backend/demo/ingest');
  const db = path.join(dir, `${name}.db`);
  // a fresh database each run (--repeats runs a case again in the same folder)
  for (const f of fs.readdirSync(dir).filter((x) => x.startsWith(`${name}.db`))) fs.rmSync(path.join(dir, f));
  const totals = { chunkComputes: 0, computeMs: 0 };
  const logger = {
    debug() {},
    warn() {},
    error() {},
    info(msg: string, f?: Record<string, unknown>) {
      if (msg !== 'compute totals' || !f) return;
      totals.chunkComputes += Number(f.chunks ?? 0);
      totals.computeMs += Number(f.readMs ?? 0) + Number(f.computeMs ?? 0) + Number(f.writeMs ?? 0);
    },
  };
  const service = new VigilService({ store: openStore(db, { synchronous: 'normal' }), compute: 'inline', logger });
  await service.start();
  await service.registerModel({
    name,
    problem_type: 'classification_binary',
    columns: { features: [...FEATURES, 'region'], timestamp: 'timestamp', id: 'id', y_pred: 'y_pred', y_pred_proba: 'y_pred_proba', y_true: 'repaid' },
    chunking: { chunk_period: 'W' },
    calculators: [
      { class: 'UnivariateDriftCalculator', id: 'drift', params: { column_names: FEATURES, continuous_methods: ['jensen_shannon'], categorical_methods: ['jensen_shannon'] } },
      { class: 'PerformanceCalculator', id: 'realized', params: { problem_type: 'classification_binary', metrics: ['roc_auc'] } },
    ],
    ...extra,
  });
  await service.putReference(name, fs.readFileSync(path.join(dir, 'reference.csv'), 'utf8'), 'text/csv');
  const [header, ...lines] = fs.readFileSync(path.join(dir, 'analysis.csv'), 'utf8').trimEnd().split('\n');
  for (let i = 0; i < lines.length; i += 5000) await ingestPatiently(service, name, [header, ...lines.slice(i, i + 5000)].join('\n'), 'text/csv');
  await service.attachTargets(name, fs.readFileSync(path.join(DATA, 'synthetic_car_loan_analysis_target.csv'), 'utf8'), 'text/csv');
  await service.idle();
  const models = service.modelNames().length;
  await service.close();
  const dbBytes = fs.readdirSync(dir).filter((f) => f.startsWith(`${name}.db`)).reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0);
  const Database = (await import('better-sqlite3')).default;
  const sql = new Database(db, { readonly: true });
  const count = (table: string) => (sql.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  let resultBytes: number | null = null;
  try {
    resultBytes = (sql.prepare(`SELECT sum(pgsize) AS b FROM dbstat WHERE name IN ('results', 'results_series')`).get() as { b: number }).b;
  } catch {
    resultBytes = null;
  }
  const stored: ServerStored = { models, dbBytes, resultRows: count('results'), analysisRows: count('analysis_rows'), chunks: count('chunks'), resultBytes, ...totals };
  sql.close();
  process.stdout.write(`${JSON.stringify(stored)}\n`);
}

/** One server case in a process of its own (its peak RSS and CPU are the case's alone). */
async function serverCase(dir: string, index: number): Promise<ServerSample> {
  const m = await runNode(__filename, ['--server-case', String(index), '--dir', dir], { timeoutMs: 600_000 });
  if (m.exit_code !== 0) throw new Error(`server ${SERVER_CASES[index][0]}: exit ${m.exit_code}: ${m.stderr}`);
  const stored = JSON.parse(m.stdout.trim().split('\n').pop()!) as ServerStored;
  return { ...stored, wall: m.wall_s, cpu: cpuOf(m), rssMiB: rssMiBOf(m) };
}

const ratio = (a: number | null, b: number | null) => (a === null || b === null || !b ? null : a / b);

/** The `segments` scenario of `npm run bench`: one run per case, none vs 21 segments (and 6 for `vigil run`). */
export const segmentsScenario: Scenario = {
  id: 'segments',
  title: 'segments: car loan + a 25-value region column, no segments vs segment_top_k 20 (21 segments), vigil run and the server',
  issue: '#17',
  async run(ctx: Context): Promise<ScenarioResult> {
    const result: ScenarioResult = { id: this.id, title: this.title, issue: this.issue, status: 'ok', metrics: {}, targets: [], notes: [] };
    const dir = fs.mkdtempSync(path.join(ctx.workDir, 'segments-'));
    try {
      prepareData(dir);
      const configs = writeRunConfigs(dir);
      const run = [];
      for (let i = 0; i < RUN_CASES.length; i++) run.push(await runCase(dir, configs[i], i, 1));
      const server = [];
      for (let i = 0; i < SERVER_CASES.length; i++) server.push(await serverCase(dir, i));
      const M = result.metrics;
      const none = run[0];
      const seg = run[2];
      Object.assign(M, {
        run_none_wall_s: none.wall,
        run_none_cpu_s: none.cpu,
        run_none_peak_rss_mib: none.rssMiB,
        run_none_result_rows: none.rows,
        run_none_output_mib: none.outBytes / MIB,
        run_seg6_cpu_s: run[1].cpu,
        run_seg21_wall_s: seg.wall,
        run_seg21_cpu_s: seg.cpu,
        run_seg21_peak_rss_mib: seg.rssMiB,
        run_seg21_result_rows: seg.rows,
        run_seg21_output_mib: seg.outBytes / MIB,
        run_cpu_x_none: ratio(seg.cpu, none.cpu),
      });
      for (const [key, s] of [['none', server[0]], ['seg21', server[1]]] as const) {
        Object.assign(M, {
          [`server_${key}_wall_s`]: s.wall,
          [`server_${key}_cpu_s`]: s.cpu,
          [`server_${key}_peak_rss_mib`]: s.rssMiB,
          [`server_${key}_db_mib`]: s.dbBytes / MIB,
          [`server_${key}_result_rows`]: s.resultRows,
          [`server_${key}_result_mib`]: s.resultBytes === null ? null : s.resultBytes / MIB,
          [`server_${key}_analysis_rows`]: s.analysisRows,
          [`server_${key}_chunks`]: s.chunks,
          [`server_${key}_chunk_computes`]: s.chunkComputes,
          [`server_${key}_compute_ms`]: s.computeMs,
          [`server_${key}_ms_per_chunk_compute`]: s.chunkComputes ? s.computeMs / s.chunkComputes : null,
        });
      }
      M.server_cpu_x_none = ratio(server[1].cpu, server[0].cpu);
      M.server_db_x_none = ratio(server[1].dbBytes, server[0].dbBytes);
      M.wall_s = run.reduce((a, r) => a + r.wall, 0) + server.reduce((a, r) => a + r.wall, 0);
      M.cpu_s = run.reduce((a, r) => a + r.cpu, 0) + server.reduce((a, r) => a + r.cpu, 0);
      M.peak_rss_mib = Math.max(...run.map((r) => r.rssMiB), ...server.map((r) => r.rssMiB));
      result.notes.push(
        `vigil run CPU ${none.cpu.toFixed(2)} s -> ${seg.cpu.toFixed(2)} s (x${(seg.cpu / none.cpu).toFixed(1)}), result rows ${none.rows} -> ${seg.rows}`,
        `server CPU ${server[0].cpu.toFixed(2)} s -> ${server[1].cpu.toFixed(2)} s, database ${(server[0].dbBytes / MIB).toFixed(1)} -> ${(server[1].dbBytes / MIB).toFixed(1)} MiB, ` +
          `per chunk compute ${(M.server_none_ms_per_chunk_compute ?? NaN).toFixed(1)} -> ${(M.server_seg21_ms_per_chunk_compute ?? NaN).toFixed(1)} ms`,
      );
    } catch (e) {
      result.status = 'failed';
      result.notes.push(e instanceof Error ? e.message : String(e));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return result;
  },
};

async function serverBench(dir: string, repeats: number): Promise<void> {
  const samples: ServerSample[][] = SERVER_CASES.map(() => []);
  for (let r = 0; r < repeats; r++) for (let i = 0; i < SERVER_CASES.length; i++) samples[i].push(await serverCase(dir, i));
  process.stdout.write(`server, a process per case (compute inline): car loan + region (${REGIONS} values), weekly chunks, load ${os.loadavg()[0].toFixed(1)}, median of ${repeats}\n`);
  process.stdout.write('case | wall s | CPU s | peak MiB | database MiB | results rows | results MiB | analysis rows | chunks | chunk computes | ms per chunk compute | models\n');
  SERVER_CASES.forEach(([label], i) => {
    const s = samples[i];
    const med = (f: (x: ServerSample) => number) => median(s.map(f));
    const last = s[s.length - 1];
    process.stdout.write(
      `${label} | ${med((x) => x.wall).toFixed(2)} | ${med((x) => x.cpu).toFixed(2)} | ${med((x) => x.rssMiB).toFixed(0)} | ${(last.dbBytes / MIB).toFixed(1)} | ${last.resultRows} | ` +
        `${last.resultBytes === null ? '-' : (last.resultBytes / MIB).toFixed(1)} | ${last.analysisRows} | ${last.chunks} | ${last.chunkComputes} | ${med((x) => x.computeMs / x.chunkComputes).toFixed(1)} | ${last.models}\n`,
    );
  });
}

async function main(): Promise<void> {
  const repeats = arg('--repeats', 3);
  const threads = arg('--threads', 1);
  const child = process.argv.indexOf('--server-case');
  if (child >= 0) return serverCaseChild(process.argv[process.argv.indexOf('--dir') + 1], Number(process.argv[child + 1]));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-segments-'));
  try {
    prepareData(dir);
    if (process.argv.includes('--server')) return await serverBench(dir, repeats);
    const configs = writeRunConfigs(dir);
    const samples: RunSample[][] = RUN_CASES.map(() => []);
    for (let r = 0; r < repeats; r++) for (let i = 0; i < RUN_CASES.length; i++) samples[i].push(await runCase(dir, configs[i], i, threads));
    const base = median(samples[0].map((x) => x.cpu));
    process.stdout.write(`car loan + region (${REGIONS} values), chunk_number 10, VIGIL_THREADS=${threads}, load ${os.loadavg()[0].toFixed(1)}, median of ${repeats}\n`);
    process.stdout.write('case | wall s | CPU s | CPU x none | peak MiB | result rows | output MiB\n');
    RUN_CASES.forEach(([name], i) => {
      const s = samples[i];
      const med = (f: (x: RunSample) => number) => median(s.map(f));
      process.stdout.write(`${name} | ${med((x) => x.wall).toFixed(2)} | ${med((x) => x.cpu).toFixed(2)} | ${(med((x) => x.cpu) / base).toFixed(1)} | ${med((x) => x.rssMiB).toFixed(0)} | ${s[0].rows} | ${(s[0].outBytes / MIB).toFixed(2)}\n`);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
