/**
 * What segments cost in `vigil run` (docs/segments.md): the car-loan suite with a `region` column of 25
 * values added (so top 20 + `__other__` = 21 segments), run without segments, with `segment_top_k: 5` and
 * with `segment_top_k: 20`, each alternately `--repeats` times; median wall, CPU and peak RSS per case.
 * Every calculator uses `chunk_number: 10`, so each segment has as many chunks as the whole data.
 *
 *   npm run build:backend && node -r ./bench/register.js bench/segments.ts [--repeats 3] [--threads 1]
 *
 * `--server`: the same data through the server instead, in this process (compute inline, SQLite file):
 * register (drift and realized performance, daily chunks), reference, analysis in 5 000-row batches,
 * targets, until computed; without segments and with `segment_top_k: 20`; wall, CPU, database size.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT, runNode } from './measure';

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

async function serverCase(dir: string, name: string, extra: object): Promise<{ wall: number; cpu: number; dbMiB: number; models: number }> {
  const { VigilService } = await import('../backend/service/service');
  const { openStore } = await import('../backend/store');
  const db = path.join(dir, `${name}.db`);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const service = new VigilService({ store: openStore(db, { synchronous: 'normal' }), compute: 'inline' });
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
  for (let i = 0; i < lines.length; i += 5000) await service.ingestRows(name, [header, ...lines.slice(i, i + 5000)].join('\n'), 'text/csv');
  await service.attachTargets(name, fs.readFileSync(path.join(DATA, 'synthetic_car_loan_analysis_target.csv'), 'utf8'), 'text/csv');
  await service.idle();
  const models = service.modelNames().length;
  await service.close();
  const c = process.cpuUsage(c0);
  const dbMiB = fs.readdirSync(dir).filter((f) => f.startsWith(`${name}.db`)).reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0) / 2 ** 20;
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, dbMiB, models };
}

async function serverBench(dir: string): Promise<void> {
  process.stdout.write(`server, in process (compute inline): car loan + region (${REGIONS} values), weekly chunks, load ${os.loadavg()[0].toFixed(1)}\n`);
  process.stdout.write('case | wall s | CPU s | database MiB | models\n');
  for (const [label, name, extra] of [['no segments', 'plain', {}], ['segment_top_k 20 (21 segments)', 'segmented', { segment_by: 'region', segment_top_k: 20 }]] as const) {
    const r = await serverCase(dir, name, extra);
    process.stdout.write(`${label} | ${r.wall.toFixed(2)} | ${r.cpu.toFixed(2)} | ${r.dbMiB.toFixed(1)} | ${r.models}\n`);
  }
}

async function main(): Promise<void> {
  const repeats = arg('--repeats', 3);
  const threads = arg('--threads', 1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-segments-'));
  try {
    withRegion(path.join(DATA, 'synthetic_car_loan_reference.csv'), path.join(dir, 'reference.csv'));
    withRegion(path.join(DATA, 'synthetic_car_loan_analysis.csv'), path.join(dir, 'analysis.csv'));
    if (process.argv.includes('--server')) return await serverBench(dir);
    const cases: [string, object][] = [
      ['no segments', {}],
      ['segment_top_k 5 (6 segments)', { segment_by: 'region', segment_top_k: 5 }],
      ['segment_top_k 20 (21 segments)', { segment_by: 'region', segment_top_k: 20 }],
    ];
    const configs = cases.map(([, extra], i) => {
      const file = path.join(dir, `config-${i}.json`);
      fs.writeFileSync(
        file,
        JSON.stringify({ reference: 'reference.csv', analysis: 'analysis.csv', analysis_targets: path.join(DATA, 'synthetic_car_loan_analysis_target.csv'), calculators: CALCULATORS, ...extra }),
      );
      return file;
    });
    const samples = cases.map(() => ({ wall: [] as number[], cpu: [] as number[], rss: [] as number[], rows: 0 }));
    for (let r = 0; r < repeats; r++) {
      for (let i = 0; i < cases.length; i++) {
        const out = path.join(dir, `out-${i}.json`);
        const m = await runNode(path.join(ROOT, 'bin', 'vigil.js'), ['run', configs[i], '--out', out], { env: { VIGIL_THREADS: String(threads) }, timeoutMs: 600_000 });
        if (m.exit_code !== 0) throw new Error(`${cases[i][0]}: exit ${m.exit_code}: ${m.stderr}`);
        samples[i].wall.push(m.wall_s);
        samples[i].cpu.push((m.user_cpu_s ?? NaN) + (m.system_cpu_s ?? NaN));
        samples[i].rss.push((m.max_rss_bytes ?? NaN) / 2 ** 20);
        samples[i].rows = (JSON.parse(fs.readFileSync(out, 'utf8')).results as unknown[]).length;
      }
    }
    const base = median(samples[0].cpu);
    process.stdout.write(`car loan + region (${REGIONS} values), chunk_number 10, VIGIL_THREADS=${threads}, load ${os.loadavg()[0].toFixed(1)}, median of ${repeats}\n`);
    process.stdout.write('case | wall s | CPU s | CPU x none | peak MiB | result rows\n');
    cases.forEach(([name], i) => {
      const s = samples[i];
      process.stdout.write(`${name} | ${median(s.wall).toFixed(2)} | ${median(s.cpu).toFixed(2)} | ${(median(s.cpu) / base).toFixed(1)} | ${median(s.rss).toFixed(0)} | ${s.rows}\n`);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
