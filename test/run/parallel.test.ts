/**
 * `vigil run` on worker threads (backend/batch) against the sequential run (VIGIL_THREADS=1): the same
 * bytes out on the car-loan and multiclass configs, and the same single error line, exit code and no
 * output file when a calculator fails (the first configured one's error, as the sequential run reports).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { BIN, DATA, ROOT, tempDir } from './helpers';

function run(args: string[], threads: number) {
  const r = spawnSync(process.execPath, [BIN, 'run', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    env: { ...process.env, VIGIL_THREADS: String(threads) },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
beforeAll(() => (dir = tempDir('vigil-parallel-')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const MC_PROBA = Object.fromEntries(['prepaid_card', 'highstreet_card', 'upmarket_card'].map((c) => [c, `y_pred_proba_${c}`]));
const MC_COMMON = { problem_type: 'classification_multiclass', y_true: 'y_true', y_pred: 'y_pred', y_pred_proba: MC_PROBA, timestamp_column_name: 'timestamp', chunk_size: 6000 };

function multiclassConfig(calculators: object[]): string {
  const file = path.join(dir, `mc-${calculators.length}-${Math.random().toString(36).slice(2)}.json`);
  const config = {
    reference: path.join(DATA, 'mc_reference.csv'),
    analysis: path.join(DATA, 'mc_analysis.csv'),
    analysis_targets: path.join(DATA, 'mc_analysis_gt.csv'),
    calculators,
  };
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

const MC_CALCULATORS = [
  { class: 'UnivariateDriftCalculator', params: { column_names: ['app_behavioral_score', 'requested_credit_limit', 'acq_channel', 'is_customer'], timestamp_column_name: 'timestamp', chunk_size: 6000 } },
  { class: 'CBPE', params: { ...MC_COMMON, metrics: ['roc_auc', 'f1', 'accuracy', 'confusion_matrix'] } },
  { class: 'PerformanceCalculator', params: { ...MC_COMMON, metrics: ['roc_auc', 'f1', 'accuracy'] } },
  { class: 'MissingValuesCalculator', params: { column_names: ['app_behavioral_score', 'acq_channel'] } },
  { class: 'SummaryStatsAvgCalculator', params: { column_names: ['app_behavioral_score', 'requested_credit_limit'], timestamp_column_name: 'timestamp', chunk_size: 6000 } },
];

describe('parallel vigil run', () => {
  it.each([
    ['car loan (examples/car-loan.yaml)', () => path.join(ROOT, 'examples', 'car-loan.yaml')],
    ['multiclass credit card', () => multiclassConfig(MC_CALCULATORS)],
  ])('%s: byte-identical output on 1, 2 and 3 threads', (_name, config) => {
    const file = config();
    const sequential = run([file], 1);
    expect(sequential.stderr).toBe('');
    expect(sequential.status).toBe(0);
    expect(JSON.parse(sequential.stdout).results.length).toBeGreaterThan(100);
    // 3 threads: a second worker that neither reads a file nor fits while waiting (datasets relayed to it)
    for (const threads of [2, 3]) {
      const parallel = run([file], threads);
      expect(parallel.status).toBe(0);
      expect(parallel.stderr).toBe(sequential.stderr);
      expect(parallel.stdout === sequential.stdout).toBe(true);
    }
  });

  it('reports the first failing calculator in config order, once, exit 2, nothing written', () => {
    // The last (cheapest, scheduled last) and a middle calculator both name a missing column.
    const file = multiclassConfig([
      MC_CALCULATORS[1],
      { class: 'MissingValuesCalculator', params: { column_names: ['no_such_column'] } },
      MC_CALCULATORS[0],
      { class: 'SummaryStatsAvgCalculator', params: { column_names: ['another_missing_column'] } },
    ]);
    const outputs = [1, 2].map((threads) => {
      const out = path.join(dir, `out-${threads}.json`);
      const r = run([file, '--out', out], threads);
      expect(fs.existsSync(out)).toBe(false);
      return r;
    });
    expect(outputs[0].status).toBe(2);
    expect(outputs[0].stderr).toMatch(/no_such_column/);
    expect(outputs[0].stderr.trim().split('\n')).toHaveLength(1);
    expect(outputs[1]).toEqual(outputs[0]);
  });

  it('reports a bad file like the sequential run, and rejects a bad VIGIL_THREADS', () => {
    const file = path.join(dir, 'bad-file.json');
    fs.writeFileSync(file, JSON.stringify({ reference: path.join(DATA, 'mc_reference.csv'), analysis: path.join(dir, 'missing.csv'), calculators: [MC_CALCULATORS[3]] }));
    const [a, b] = [run([file], 1), run([file], 2)];
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/missing\.csv: file not found/);
    expect(b).toEqual(a);
    const bad = spawnSync(process.execPath, [BIN, 'run', file], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, VIGIL_THREADS: 'many' } });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/VIGIL_THREADS/);
  });
});

/** A small data set written as CSV: ids, timestamps, one number and one category; `rows` lines. */
function smallCsv(name: string, rows: number, opts: { badTimestampAt?: number; extraColumn?: boolean } = {}): string {
  const lines = [`id,timestamp,x,c${opts.extraColumn ? ',only_here' : ''}`];
  for (let i = 0; i < rows; i++) {
    const ts = i === opts.badTimestampAt ? 'not a time' : `2024-01-${String(1 + (i % 28)).padStart(2, '0')} 00:00:${String(i % 60).padStart(2, '0')}`;
    lines.push(`${i},${ts},${(i * 7) % 13},${'abc'[i % 3]}${opts.extraColumn ? `,${i}` : ''}`);
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function smallConfig(name: string, config: object): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

const SMALL_CHUNKING = { timestamp_column_name: 'timestamp', chunk_size: 20 };

describe('parallel vigil run: reading order and the targets join', () => {
  it('gives the same warning and rows for target rows without a match', () => {
    const targets = path.join(dir, 'targets-unmatched.csv');
    fs.writeFileSync(targets, ['id,y', ...Array.from({ length: 60 }, (_, i) => `${i + 10},${i % 2}`)].join('\n') + '\n');
    const file = smallConfig('unmatched.json', {
      reference: smallCsv('ref.csv', 100),
      analysis: smallCsv('ana.csv', 60),
      analysis_targets: targets,
      calculators: [
        { class: 'UnivariateDriftCalculator', params: { column_names: ['x', 'c'], ...SMALL_CHUNKING } },
        { class: 'MissingValuesCalculator', params: { column_names: ['x'], ...SMALL_CHUNKING } },
      ],
    });
    const [a, b] = [run([file], 1), run([file], 2)];
    expect(a.status).toBe(0);
    expect(a.stderr).toMatch(/10 target row\(s\) have no matching 'id'/);
    expect(b).toEqual(a);
  });

  it('reports a join error (no shared column) as the sequential run does', () => {
    const targets = path.join(dir, 'targets-nojoin.csv');
    fs.writeFileSync(targets, 'key,y\n1,0\n2,1\n');
    const file = smallConfig('nojoin.json', {
      reference: smallCsv('ref.csv', 100),
      analysis: smallCsv('ana.csv', 60),
      analysis_targets: targets,
      calculators: [{ class: 'MissingValuesCalculator', params: { column_names: ['x'], ...SMALL_CHUNKING } }],
    });
    const [a, b] = [run([file], 1), run([file], 2)];
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/targets-nojoin\.csv: no column is shared/);
    expect(b).toEqual(a);
  });

  it('reports a bad reference file before a bad analysis file', () => {
    const file = smallConfig('both-bad.json', {
      reference: path.join(dir, 'no-reference.csv'),
      analysis: path.join(dir, 'no-analysis.csv'),
      calculators: [{ class: 'MissingValuesCalculator', params: { column_names: ['x'] } }],
    });
    const [a, b] = [run([file], 1), run([file], 2)];
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/no-reference\.csv: file not found/);
    expect(b).toEqual(a);
  });

  it('reports an unparsable analysis timestamp before a fit error, as the sequential run does', () => {
    // The first calculator's fit fails (its column is missing from the reference); the sequential run
    // prepares both frames first, so the analysis timestamp is the error it reports.
    const file = smallConfig('ts-vs-fit.json', {
      reference: smallCsv('ref.csv', 100),
      analysis: smallCsv('ana-badts.csv', 60, { badTimestampAt: 7, extraColumn: true }),
      calculators: [
        { class: 'SummaryStatsAvgCalculator', params: { column_names: ['only_here'], ...SMALL_CHUNKING } },
        { class: 'MissingValuesCalculator', params: { column_names: ['x'], ...SMALL_CHUNKING } },
      ],
    });
    const [a, b] = [run([file], 1), run([file], 2)];
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/ana-badts\.csv: .*row 8.*not a time/);
    expect(b).toEqual(a);
  });

  it('reports invalid UTF-8 in the full car-loan files (analysis on worker 0, reference on the main thread) as the sequential run does', () => {
    // The issue's case: a Latin-1 byte in salary_range was read as a new category (JS 0.041 -> 0.052).
    const latin1 = (source: string, name: string, row: number) => {
      const text = fs.readFileSync(path.join(DATA, source));
      let at = 0;
      for (let line = 0; line < row; line++) at = text.indexOf(10, at) + 1;
      at = text.indexOf(','.charCodeAt(0), text.indexOf(','.charCodeAt(0), at) + 1) + 1; // the third field: salary_range
      const file = path.join(dir, name);
      fs.writeFileSync(file, Buffer.concat([text.subarray(0, at), Buffer.from([0xe9]), text.subarray(at)]));
      return file;
    };
    const carLoan = fs.readFileSync(path.join(ROOT, 'examples', 'car-loan.yaml'), 'utf8').replace(/data\/nannyml\//g, `${DATA}/`);
    const analysisBad = path.join(dir, 'car-loan-latin1-analysis.yaml');
    fs.writeFileSync(analysisBad, carLoan.replace(/analysis: .*_analysis\.csv/, `analysis: ${latin1('synthetic_car_loan_analysis.csv', 'latin1-analysis.csv', 40000)}`));
    const bothBad = path.join(dir, 'car-loan-latin1-both.yaml');
    fs.writeFileSync(bothBad, fs.readFileSync(analysisBad, 'utf8').replace(/reference: .*_reference\.csv/, `reference: ${latin1('synthetic_car_loan_reference.csv', 'latin1-reference.csv', 3)}`));
    for (const [file, expected] of [
      [analysisBad, /^vigil: .*latin1-analysis\.csv: line 40001, column \d+ \(characters counted from 1; byte \d+ of the line\): invalid UTF-8 byte 0xe9/],
      [bothBad, /^vigil: .*latin1-reference\.csv: line 4, column \d+ .*invalid UTF-8 byte 0xe9/],
    ] as const) {
      const out = path.join(dir, 'latin1-out.json');
      const [a, b, c] = [1, 2, 3].map((threads) => {
        const r = run([file, '--out', out], threads);
        expect(fs.existsSync(out)).toBe(false);
        return r;
      });
      expect(a.status).toBe(2);
      expect(a.stderr.trim().split('\n')).toHaveLength(1);
      expect(a.stderr).toMatch(expected);
      expect(b).toEqual(a);
      expect(c).toEqual(a);
    }
  });

  it('runs calculators with different timestamp columns (no shared sort) to the same bytes', () => {
    const file = smallConfig('mixed-ts.json', {
      reference: smallCsv('ref.csv', 100),
      analysis: smallCsv('ana.csv', 60),
      calculators: [
        { class: 'UnivariateDriftCalculator', params: { column_names: ['x', 'c'], ...SMALL_CHUNKING } },
        { class: 'SummaryStatsSumCalculator', params: { column_names: ['x'], chunk_size: 25 } },
      ],
    });
    const [a, b] = [run([file], 1), run([file], 2)];
    expect(a.status).toBe(0);
    expect(JSON.parse(a.stdout).results.length).toBeGreaterThan(10);
    expect(b).toEqual(a);
  });
});

describe('timestamp columns read straight to epoch ms', () => {
  it('keeps a timestamp column that is also a feature as text (categorical drift methods)', () => {
    const file = smallConfig('ts-feature.json', {
      reference: smallCsv('ref.csv', 100),
      analysis: smallCsv('ana.csv', 60),
      calculators: [
        {
          class: 'UnivariateDriftCalculator',
          // chunked by rows: this calculator sees the timestamp column as the text it is in the file
          params: { column_names: ['x', 'timestamp'], continuous_methods: ['kolmogorov_smirnov'], categorical_methods: ['chi2'], chunk_size: 20 },
        },
        { class: 'SummaryStatsSumCalculator', params: { column_names: ['x'], ...SMALL_CHUNKING } },
      ],
    });
    const [a, b] = [run([file], 1), run([file], 2)];
    expect(a.status).toBe(0);
    const metrics = new Set((JSON.parse(a.stdout).results as { column: string; metric: string }[]).filter((r) => r.column === 'timestamp').map((r) => r.metric));
    expect([...metrics]).toEqual(['chi2']);
    expect(b).toEqual(a);
  });

  it('joins targets on the timestamp column as text when it is the shared column', () => {
    const targets = path.join(dir, 'targets-by-time.csv');
    const times = fs.readFileSync(smallCsv('ana.csv', 60), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[1]);
    fs.writeFileSync(targets, ['timestamp,y', ...times.map((t, i) => `${t},${i % 2}`)].join('\n') + '\n');
    const file = smallConfig('join-on-time.json', {
      reference: smallCsv('ref.csv', 100),
      analysis: smallCsv('ana.csv', 60),
      analysis_targets: targets,
      calculators: [{ class: 'SummaryStatsSumCalculator', params: { column_names: ['x'], ...SMALL_CHUNKING } }],
    });
    const [a, b] = [run([file], 1), run([file], 2)];
    expect(a.stderr).toBe('');
    expect(a.status).toBe(0);
    expect(b).toEqual(a);
  });
});
