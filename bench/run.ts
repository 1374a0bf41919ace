/**
 * `npm run bench [-- --quick] [-- --only a,b] [-- --profile] [-- --no-baseline] [-- --no-peers]`
 *
 * Runs each scenario in its own processes, one at a time, prints a table and writes bench/results.json.
 * Never part of `npm test`. See docs/performance.md.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { compareResults, Comparison } from './compare';
import { Part, RunData, writeConfig } from './configs';
import { DATA_DIR, ensureDataset } from './generate';
import { lastLine, Measurement, ROOT, runMeasured, runNode } from './measure';
import { formatHot, HotFunction, profileFiles, summariseProfile } from './profile';
import { check, Context, MIB, Options, Scenario, ScenarioResult, Sizes, TargetCheck } from './scenario';
import { mixedScenario } from './mixed';
import { restartScenario } from './restart';
import { lateTargetsScenario } from './late-targets';
import { manyModelsScenario } from './many-models';
import { replicasScenario } from './replicas';
import { rulesDuringIngestScenario } from './rules-during-ingest';
import { segmentsScenario } from './segments';
import { SERVER_SCENARIOS } from './server';
import { peersPython } from './peers/env';
import { Peer, runPeers } from './peers/measure';

// ---------------------------------------------------------------------------------------------------
// Options and shared context

const FULL: Sizes = {
  analysisRows: 1_000_000,
  referenceRows: 100_000,
  features: 20,
  chunkSize: 10_000,
  ingestBatch: 10_000,
  queryClients: 50,
  // p99 of 20,000 samples is the 200 slowest: one scheduler pause of the shared machine (which delays the
  // 50 requests in flight) no longer decides it, as it did the 50 slowest of 5,000
  queryRequests: 20_000,
};

const QUICK: Sizes = {
  analysisRows: 20_000,
  referenceRows: 5_000,
  features: 20,
  chunkSize: 1_000,
  ingestBatch: 5_000,
  queryClients: 50,
  queryRequests: 1_000,
};

const SEED = 42;
/** Above this 1-minute load per CPU the machine is busy with other work and wall times are not clean. */
const BUSY_LOAD_PER_CPU = 0.75;

// ---------------------------------------------------------------------------------------------------
// `vigil run` scenarios (a), (b) and the engine issues' scenarios

const CAR_LOAN_DIR = path.join(ROOT, 'examples', 'data', 'nannyml');

function carLoanData(): RunData {
  return {
    name: 'car-loan',
    reference: path.join(CAR_LOAN_DIR, 'synthetic_car_loan_reference.csv'),
    analysis: path.join(CAR_LOAN_DIR, 'synthetic_car_loan_analysis.csv'),
    targets: path.join(CAR_LOAN_DIR, 'synthetic_car_loan_analysis_target.csv'),
    numeric: ['car_value', 'debt_to_income_ratio', 'loan_length', 'driver_tenure'],
    categorical: ['salary_range', 'repaid_loan_on_prev_car', 'size_of_downpayment'],
    timestamp: 'timestamp',
    yTrue: 'repaid',
    yPred: 'y_pred',
    yPredProba: 'y_pred_proba',
    chunkSize: 5000,
    analysisRows: 50_000,
    referenceRows: 50_000,
  };
}

function generatedData(ctx: Context): RunData {
  const s = ctx.sizes;
  const ds = ensureDataset({ rows: s.analysisRows, referenceRows: s.referenceRows, features: s.features, seed: SEED }, ctx.log);
  return {
    name: path.basename(ds.dir),
    reference: ds.reference,
    analysis: ds.analysis,
    targets: ds.targets,
    numeric: ds.numeric,
    categorical: ds.categorical,
    timestamp: 'timestamp',
    yTrue: 'y_true',
    yPred: 'y_pred',
    yPredProba: 'y_pred_proba',
    chunkSize: s.chunkSize,
    analysisRows: s.analysisRows,
    referenceRows: s.referenceRows,
  };
}

const NOT_RUN: Measurement = { wall_s: 0, max_rss_bytes: null, user_cpu_s: null, system_cpu_s: null, extra: null, exit_code: null, stdout: '', stderr: '' };
const VIGIL_TIMEOUT_MS = 15 * 60_000;
const BASELINE_TIMEOUT_MS = 60 * 60_000;

interface RunScenarioSpec {
  id: string;
  title: string;
  issue: string;
  parts: Part[];
  data(ctx: Context): RunData;
  targets(m: { wall_s: number; peak_rss_mib: number | null; speedup: number | null }): TargetCheck[];
  /** calculators without a Python counterpart (ratio then covers only part of the work) */
  noBaseline?: string[];
  /** the Python libraries themselves, run on the same config (bench/peers/measure.ts) */
  peers?: Peer[];
  /**
   * Runs of each side, alternating Vigil and Python; the median wall time of each counts (a short
   * scenario on a shared machine moves by tens of percent from one run to the next). Default 1.
   */
  repeats?: number;
}

/** The run with the median wall time (of an odd count; the lower middle of an even one). */
function medianRun<T extends { wall_s: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.wall_s - b.wall_s)[(runs.length - 1) >> 1];
}

interface BaselineTiming {
  read_s: number;
  compute_s: number;
  total_s: number;
  per_calculator_s: Record<string, number>;
  skipped: string[];
  max_rss_bytes: number;
  cpu_s: number;
  read_cpu_s: number;
  compute_cpu_s: number;
}

function runScenario(spec: RunScenarioSpec): Scenario {
  return {
    id: spec.id,
    title: spec.title,
    issue: spec.issue,
    async run(ctx) {
      const result: ScenarioResult = { id: spec.id, title: spec.title, issue: spec.issue, status: 'ok', metrics: {}, targets: [], notes: [] };
      const data = spec.data(ctx);
      const cfg = writeConfig(data, spec.parts, ctx.registered, path.join(ctx.workDir, `${spec.id}.json`));
      if (cfg.missing.length) result.notes.push(`not registered in Vigil yet: ${cfg.missing.join(', ')}`);
      if (cfg.calculators.length === 0) {
        result.status = 'skipped';
        return result;
      }
      result.notes.push(`calculators: ${cfg.calculators.map((c) => c.id).join(', ')}`);
      const vigilOut = path.join(ctx.workDir, `${spec.id}.vigil.json`);
      const profileDir = ctx.options.profile ? path.join(ctx.workDir, 'profiles', spec.id) : undefined;
      if (profileDir) fs.rmSync(profileDir, { recursive: true, force: true });
      const repeats = profileDir ? 1 : spec.repeats ?? 1;
      const baselineOut = path.join(ctx.workDir, `${spec.id}.baseline.json`);
      const runVigil = () =>
        runNode(path.join(ROOT, 'bin', 'vigil.js'), ['run', cfg.path, '--out', vigilOut], {
          timeoutMs: VIGIL_TIMEOUT_MS,
          cpuProfileDir: profileDir,
        });
      // numpy/scipy come from the peers' pinned venv (not installed system-wide)
      const runPython = () =>
        Promise.resolve()
          .then(() => runMeasured(peersPython(), [path.join(__dirname, 'baseline', 'baseline.py'), cfg.path, '--out', baselineOut], { timeoutMs: BASELINE_TIMEOUT_MS }))
          .catch((e: Error): Measurement => ({ ...NOT_RUN, stderr: `the peers' python could not be started (${e.message}); see bench/peers/env.sh, or use --no-baseline` }));
      ctx.log(`${spec.id}: vigil run (${data.analysisRows.toLocaleString('en-US')} analysis rows)${repeats > 1 ? `, ${repeats} runs alternating with the Python baseline` : ''} ...`);
      const vigilRuns: Measurement[] = [];
      const pythonRuns: Measurement[] = [];
      for (let r = 0; r < repeats; r++) {
        const run = await runVigil();
        vigilRuns.push(run);
        if (run.exit_code !== 0) break;
        if (repeats > 1 && ctx.options.baseline) {
          const py = await runPython();
          pythonRuns.push(py);
          if (py.exit_code !== 0) break;
        }
      }
      const vigil = vigilRuns.some((v) => v.exit_code !== 0) ? vigilRuns.find((v) => v.exit_code !== 0)! : medianRun(vigilRuns);
      if (vigil.exit_code !== 0) {
        result.status = 'failed';
        result.notes.push(`vigil run exited ${vigil.exit_code}: ${lastLine(vigil.stderr)}`);
        return result;
      }
      const peak = vigil.max_rss_bytes === null ? null : vigil.max_rss_bytes / MIB;
      Object.assign(result.metrics, {
        wall_s: vigil.wall_s,
        peak_rss_mib: peak,
        cpu_s: (vigil.user_cpu_s ?? 0) + (vigil.system_cpu_s ?? 0),
        analysis_rows: data.analysisRows,
        rows_per_s: data.analysisRows / vigil.wall_s,
      });
      const read = await runNode(path.join(__dirname, 'child.ts'), ['read', data.reference, data.analysis, ...(data.targets ? [data.targets] : []), '--timestamp', data.timestamp], {
        timeoutMs: VIGIL_TIMEOUT_MS,
      });
      const readS = (read.extra as { read_s?: number } | null)?.read_s ?? null;
      result.metrics.read_s = readS;
      if (readS !== null) result.metrics.compute_s = Math.max(0, vigil.wall_s - readS);
      // CPU time is what a busy machine distorts least: the run's CPU minus that of a process that only
      // starts and reads the same CSV files (start-up cancels out).
      const readCpu = read.exit_code === 0 && read.user_cpu_s !== null ? read.user_cpu_s + (read.system_cpu_s ?? 0) : null;
      result.metrics.read_cpu_s = readCpu;
      if (readCpu !== null) result.metrics.compute_cpu_s = Math.max(0, (result.metrics.cpu_s ?? 0) - readCpu);

      let speedup: number | null = null;
      if (ctx.options.baseline) {
        if (pythonRuns.length === 0) {
          ctx.log(`${spec.id}: python baseline ...`);
          pythonRuns.push(await runPython());
        }
        const failed = pythonRuns.find((p) => p.exit_code !== 0);
        const py = failed ?? medianRun(pythonRuns);
        if (repeats > 1) {
          const walls = (runs: Measurement[]) => runs.map((m) => m.wall_s.toFixed(2)).join(' ');
          result.notes.push(`median of ${repeats} alternating runs; wall s per run: vigil ${walls(vigilRuns)}; python ${walls(pythonRuns)}`);
        }
        if (py.exit_code !== 0) {
          result.notes.push(`baseline exited ${py.exit_code}: ${lastLine(py.stderr)}`);
        } else {
          const timing: BaselineTiming = JSON.parse(lastLine(py.stdout));
          Object.assign(result.metrics, {
            baseline_wall_s: py.wall_s,
            baseline_read_s: timing.read_s,
            baseline_compute_s: timing.compute_s,
            baseline_peak_rss_mib: timing.max_rss_bytes / MIB,
            baseline_cpu_s: timing.cpu_s,
            cpu_speedup: result.metrics.cpu_s ? timing.cpu_s / result.metrics.cpu_s : null,
            vigil_over_baseline: vigil.wall_s / py.wall_s,
            speedup: py.wall_s / vigil.wall_s,
          });
          speedup = py.wall_s / vigil.wall_s;
          if (result.metrics.compute_s !== undefined && result.metrics.compute_s !== null && result.metrics.compute_s > 0) {
            result.metrics.speedup_without_csv_wall = timing.compute_s / result.metrics.compute_s;
          }
          result.metrics.baseline_read_cpu_s = timing.read_cpu_s;
          result.metrics.baseline_compute_cpu_s = timing.compute_cpu_s;
          const vigilComputeCpu = result.metrics.compute_cpu_s;
          if (vigilComputeCpu !== undefined && vigilComputeCpu !== null && vigilComputeCpu > 0) {
            result.metrics.speedup_without_csv = timing.compute_cpu_s / vigilComputeCpu;
          }
          const without = cfg.calculators.filter((c) => timing.skipped.includes(c.class)).map((c) => c.id);
          if (without.length) {
            // Not like for like: the Python side skipped some of the work, so no ratios.
            result.notes.push(`no Python baseline for: ${without.join(', ')}; speed-up ratios omitted (the Python times cover the other calculators only)`);
            for (const k of ['speedup', 'cpu_speedup', 'speedup_without_csv', 'speedup_without_csv_wall', 'vigil_over_baseline']) delete result.metrics[k];
            speedup = null;
          }
          result.comparison = compareResults(vigilOut, baselineOut);
          const c = result.comparison;
          if (c.mismatches || c.only_in_baseline || c.only_in_vigil) {
            const line = `${spec.id}: ${c.mismatches} of ${c.compared_values} values differ from the baseline (${c.only_in_vigil} rows only in Vigil, ${c.only_in_baseline} only in the baseline)`;
            result.notes.push(`WARNING ${line}`);
            ctx.log(`WARNING ${line}; e.g.\n    ${c.examples.slice(0, 5).join('\n    ')}`);
          }
        }
      }
      if (ctx.options.peers && spec.peers) {
        const p = await runPeers(spec.peers, cfg.path, ctx.workDir, spec.id, vigil, ctx.log);
        Object.assign(result.metrics, p.metrics);
        result.notes.push(...p.notes);
      }
      result.targets = spec.targets({ wall_s: vigil.wall_s, peak_rss_mib: peak, speedup });
      if (profileDir) {
        const files = profileFiles(profileDir);
        if (files.length) {
          result.hot_functions = summariseProfile(files);
          ctx.log(`${spec.id}: hottest functions (self time)\n${formatHot(result.hot_functions)}`);
        }
      }
      return result;
    },
  };
}

const RUN_SCENARIOS: Scenario[] = [
  runScenario({
    id: 'carloan',
    title: '(a) NannyML car loan: drift (all methods), quality, stats, PCA, CBPE, realized; vigil run end to end',
    issue: '#8',
    parts: ['drift_all', 'quality', 'stats', 'pca', 'cbpe', 'realized'],
    data: carLoanData,
    repeats: 5,
    peers: ['nannyml'],
    targets: (m) => [check('speed-up vs Python', '>= 3x', m.speedup, (v) => v >= 3)],
  }),
  runScenario({
    id: 'suite',
    title: '(b) 1M x 20 analysis vs 100k reference: the same suite',
    issue: '#8',
    parts: ['drift_all', 'quality', 'stats', 'pca', 'cbpe', 'realized'],
    data: generatedData,
    peers: ['nannyml'],
    targets: (m) => [
      check('wall time', '< 10 s', m.wall_s, (v) => v < 10),
      check('peak RSS', '< 2048 MiB', m.peak_rss_mib, (v) => v < 2048),
    ],
  }),
  runScenario({
    id: 'drift',
    title: 'univariate drift (JS, KS, Wasserstein) on 1M x 20 vs 100k',
    issue: '#2',
    parts: ['drift_js_ks_wasserstein'],
    data: generatedData,
    peers: ['nannyml', 'evidently'],
    targets: (m) => [
      check('wall time', '< 5 s', m.wall_s, (v) => v < 5),
      check('peak RSS', '< 1536 MiB', m.peak_rss_mib, (v) => v < 1536),
    ],
  }),
  runScenario({
    id: 'performance',
    title: 'CBPE + realized performance on 1M rows',
    issue: '#3',
    parts: ['cbpe', 'realized'],
    data: generatedData,
    targets: () => [],
  }),
  runScenario({
    id: 'multivariate',
    title: 'PCA reconstruction + outlier detection on 1M x 20',
    issue: '#4',
    parts: ['pca', 'outliers'],
    data: generatedData,
    targets: () => [],
  }),
];

// ---------------------------------------------------------------------------------------------------
// Table and results

function fmt(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return v.toFixed(digits);
}

function fmtRate(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return v >= 1e6 ? `${(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${(v / 1e3).toFixed(0)}k` : v.toFixed(0);
}

export function formatTable(results: ScenarioResult[]): string {
  const head = ['scenario', 'wall s', 'CPU s', 'peak MiB', 'rows/s', 'Python wall/CPU s', 'speed-up wall / CPU / CPU w/o CSV', 'NannyML / Evidently wall s (x Vigil)', 'targets'];
  const rows = results.map((r) => {
    const m = r.metrics;
    const targets = r.targets.map((t) => `${t.name} ${t.target}: ${t.ok === null ? '?' : t.ok ? 'ok' : 'MISSED'} (${fmt(t.value)})`).join('; ');
    const x = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${fmt(v, 1)}x`);
    return [
      r.id + (r.status === 'ok' ? '' : ` (${r.status})`),
      fmt(m.wall_s),
      fmt(m.cpu_s),
      fmt(m.peak_rss_mib, 0),
      fmtRate(m.rows_per_s),
      m.baseline_wall_s === undefined ? '-' : `${fmt(m.baseline_wall_s)} / ${fmt(m.baseline_cpu_s)}`,
      m.speedup === undefined ? '-' : `${x(m.speedup)} / ${x(m.cpu_speedup)} / ${x(m.speedup_without_csv)}`,
      (['nannyml', 'evidently'] as const)
        .filter((p) => m[`${p}_wall_s`] !== undefined)
        .map((p) => `${fmt(m[`${p}_wall_s`])} (${x(m[`${p}_wall_ratio`])})`)
        .join(' / ') || '-',
      targets || '-',
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function parseArgs(argv: string[]): Options {
  const options: Options = { quick: false, only: null, profile: false, baseline: true, peers: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') options.quick = true;
    else if (a === '--profile') options.profile = true;
    else if (a === '--no-baseline') options.baseline = false;
    else if (a === '--no-peers') options.peers = false;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? argv[++i] : a.slice('--only='.length);
      if (!v) throw new Error('--only needs scenario ids (comma-separated)');
      options.only = [...(options.only ?? []), ...v.split(',').filter(Boolean)];
    } else throw new Error(`unknown option '${a}' (options: --quick, --only ID[,ID], --profile, --no-baseline, --no-peers)`);
  }
  return options;
}

function machine() {
  let python = 'unknown';
  try {
    python = execFileSync(peersPython(), ['-c', 'import sys, numpy, scipy; print(sys.version.split()[0], numpy.__version__, scipy.__version__)']).toString().trim();
  } catch {
    // reported as unknown
  }
  return {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    python_numpy_scipy: python,
    load_average: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

async function registeredClasses(): Promise<Set<string>> {
  const { calculatorNames } = await import('../backend/engine/registry');
  return new Set(calculatorNames());
}

export async function main(argv: string[]): Promise<number> {
  const options = parseArgs(argv);
  const all = [...RUN_SCENARIOS, ...SERVER_SCENARIOS, mixedScenario, restartScenario, lateTargetsScenario, rulesDuringIngestScenario, manyModelsScenario, replicasScenario, segmentsScenario];
  const unknown = (options.only ?? []).filter((id) => !all.some((s) => s.id === id));
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')} (known: ${all.map((s) => s.id).join(', ')})`);
  const selected = options.only ? all.filter((s) => options.only!.includes(s.id)) : all;
  const workDir = path.join(DATA_DIR, options.quick ? 'run-quick' : 'run');
  fs.mkdirSync(workDir, { recursive: true });
  const ctx: Context = {
    options,
    sizes: options.quick ? QUICK : FULL,
    workDir,
    registered: await registeredClasses(),
    log: (line) => process.stderr.write(`[bench] ${line}\n`),
  };
  const results: ScenarioResult[] = [];
  for (const s of selected) {
    ctx.log(`== ${s.id}: ${s.title}`);
    const load = os.loadavg()[0];
    if (load > os.cpus().length * BUSY_LOAD_PER_CPU) {
      ctx.log(`note: load average ${load.toFixed(1)} on ${os.cpus().length} CPUs: other work shares the machine, wall times will be inflated (CPU times less so)`);
    }
    let r: ScenarioResult;
    try {
      r = await s.run(ctx);
    } catch (e) {
      r = { id: s.id, title: s.title, issue: s.issue, status: 'failed', metrics: {}, targets: [], notes: [`${e instanceof Error ? e.message : e}`] };
    }
    r.metrics.load_average_1m ??= load;
    r.measured_at = new Date().toISOString();
    results.push(r);
    for (const n of r.notes) ctx.log(`${s.id}: ${n}`);
  }
  process.stdout.write(`\n${formatTable(results)}\n`);
  // Quick (smoke) and profiled (slowed) runs never overwrite the real numbers.
  const file = options.quick
    ? path.join(DATA_DIR, 'results-quick.json')
    : options.profile
      ? path.join(DATA_DIR, 'results-profile.json')
      : path.join(__dirname, 'results.json');
  // A run of some scenarios (--only) updates those and keeps the others' latest results.
  let kept: ScenarioResult[] = [];
  if (options.only && fs.existsSync(file)) {
    try {
      kept = (JSON.parse(fs.readFileSync(file, 'utf8')).scenarios as ScenarioResult[]).filter((r) => !results.some((x) => x.id === r.id));
    } catch {
      kept = [];
    }
  }
  const order = all.map((s) => s.id);
  const scenarios = [...kept, ...results].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  fs.writeFileSync(
    file,
    JSON.stringify({ generated_at: new Date().toISOString(), quick: options.quick, sizes: ctx.sizes, machine: machine(), scenarios }, null, 1) + '\n',
  );
  process.stdout.write(`\nwritten ${path.relative(process.cwd(), file)}\n`);
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`bench: ${e instanceof Error ? e.message : e}\n`);
      process.exitCode = 2;
    },
  );
}

