/**
 * `vigil run` invocation and config rules (run contract): `.yaml`/`.yml`/`.json` configs with paths relative
 * to the config's folder, `--out -` and no `--out` on stdout, `id` defaulting to the class name,
 * `analysis_targets` joins (default and explicit `join_on`, unmatched target rows → one warning), NannyML's
 * spellings (period aliases, a string for a list, problem types), and the run-level failures (unwritable
 * --out, chunking that leaves no chunk).
 */
import * as fs from 'fs';
import * as path from 'path';
import { contractProblems, DATA, parseOutput, readCsvColumns, Row, runMany, RunOutcome, series, tempDir, timestampsOf } from './contract';
import { CALIFORNIA, CAR_LOAN } from './scenarios';

let dir: string;
const outcomes = new Map<string, RunOutcome>();
const jobs: { name: string; config: string; cwd?: string; args?: string[] }[] = [];

const writeCsv = (file: string, rows: string[][]) => fs.writeFileSync(file, rows.map((r) => r.join(',')).join('\n') + '\n');

/** A config written as YAML, YML or JSON under dir/configs (data under dir/data, referenced relatively). */
function configFile(name: string, body: Record<string, unknown>, ext = '.json'): string {
  const file = path.join(dir, 'configs', name + ext);
  const yaml = (v: unknown): string => JSON.stringify(v); // JSON is valid YAML flow style
  fs.writeFileSync(file, ext === '.json' ? JSON.stringify(body) : Object.entries(body).map(([k, v]) => `${k}: ${yaml(v)}`).join('\n') + '\n');
  return file;
}

const MANY = {
  column_names: ['MedInc', 'HouseAge', 'AveRooms', 'AveBedrms', 'Population', 'AveOccup', 'Latitude', 'Longitude', 'y_pred', 'y_pred_proba'],
  timestamp_column_name: 'timestamp',
  chunk_period: 'h',
};
const DATAREL = { reference: '../data/reference.csv', analysis: '../data/analysis.csv' };
const DRIFT = { class: 'UnivariateDriftCalculator', params: { column_names: ['MedInc', 'HouseAge', 'y_pred'], timestamp_column_name: 'timestamp', chunk_period: 'M' } };
const PERF = {
  class: 'PerformanceCalculator',
  params: { problem_type: 'classification_binary', y_true: 'clf_target', y_pred: 'y_pred', y_pred_proba: 'y_pred_proba', metrics: ['roc_auc', 'accuracy'], chunk_size: 100 },
};

function add(name: string, config: string, cwd?: string) {
  jobs.push({ name, config, cwd });
}

beforeAll(async () => {
  dir = tempDir('vigil-contract-cli-');
  fs.mkdirSync(path.join(dir, 'configs'));
  fs.mkdirSync(path.join(dir, 'data'));
  // The first 600 rows of NannyML's California housing set; targets shuffled, some missing, some extra.
  const ref = readCsvColumns(CALIFORNIA.reference);
  const ana = readCsvColumns(CALIFORNIA.analysis);
  const gt = readCsvColumns(CALIFORNIA.targets);
  writeCsv(path.join(dir, 'data', 'reference.csv'), [ref.header, ...ref.rows.slice(0, 600)]);
  writeCsv(path.join(dir, 'data', 'analysis.csv'), [ana.header, ...ana.rows.slice(0, 600)]);
  const targets = gt.rows.slice(0, 600);
  writeCsv(path.join(dir, 'data', 'targets.csv'), [gt.header, ...targets]);
  writeCsv(path.join(dir, 'data', 'targets_reversed.csv'), [gt.header, ...[...targets].reverse()]);
  writeCsv(path.join(dir, 'data', 'targets_extra.csv'), [gt.header, ...targets.slice(0, 550), ['999991', '1'], ['999992', '0']]);
  writeCsv(path.join(dir, 'data', 'targets_renamed.csv'), [['row_id', 'clf_target'], ...targets]);
  const withKey = (header: string[], rows: string[][]) => [[...header, 'row_id'], ...rows.map((r) => [...r, r[0]])];
  writeCsv(path.join(dir, 'data', 'analysis_row_id.csv'), withKey(ana.header, ana.rows.slice(0, 600)));

  // timestamp spellings: microseconds (truncated, not rounded), ISO with T and Z or an offset, date only, no seconds
  fs.writeFileSync(
    path.join(dir, 'data', 'timestamps.csv'),
    'ts,x\n2020-01-01 23:59:59.999999,1\n2020-01-02 00:00:00.0005,2\n2020-01-02T10:00:00Z,3\n2020-01-02T12:30:00+02:00,4\n2020-01-03,5\n2020-01-03 01:02,6\n',
  );
  add('timestamp spellings', configFile('timestamps', { reference: '../data/timestamps.csv', analysis: '../data/timestamps.csv', calculators: [{ class: 'SummaryStatsRowCountCalculator', params: { timestamp_column_name: 'ts', chunk_size: 2 } }] }));

  const base = { ...DATAREL, calculators: [DRIFT] };
  add('json', configFile('drift', base, '.json'));
  add('yaml', configFile('drift', base, '.yaml'));
  add('yml', configFile('drift', base, '.yml'));
  add('json from the config folder', configFile('drift', base, '.json'), path.join(dir, 'configs'));
  add('absolute paths', configFile('absolute', { reference: path.join(dir, 'data', 'reference.csv'), analysis: path.join(dir, 'data', 'analysis.csv'), calculators: [DRIFT] }));
  add('ids', configFile('ids', { ...DATAREL, calculators: [DRIFT, { ...DRIFT, id: 'drift_again', params: { ...DRIFT.params, chunk_period: 'Q' } }] }));
  add('duplicate ids', configFile('dup', { ...DATAREL, calculators: [DRIFT, DRIFT] }));

  add('targets, default join_on', configFile('t_default', { ...DATAREL, analysis_targets: '../data/targets.csv', calculators: [PERF] }));
  add('targets reversed, explicit join_on', configFile('t_reversed', { ...DATAREL, analysis_targets: '../data/targets_reversed.csv', join_on: 'id', calculators: [PERF] }));
  add('targets with unmatched rows', configFile('t_extra', { ...DATAREL, analysis_targets: '../data/targets_extra.csv', calculators: [PERF] }));
  add('targets joined on another key', configFile('t_renamed', { ...DATAREL, analysis: '../data/analysis_row_id.csv', analysis_targets: '../data/targets_renamed.csv', join_on: 'row_id', calculators: [PERF] }));

  const binaryNoScores = { ...PERF, params: { ...PERF.params, y_pred_proba: undefined, metrics: ['accuracy', 'f1', 'confusion_matrix'] } };
  add('PerformanceCalculator without y_pred_proba', configFile('noscores', { ...DATAREL, analysis_targets: '../data/targets.csv', calculators: [binaryNoScores] }));
  add('PerformanceCalculator roc_auc without y_pred_proba', configFile('noscores_auc', { ...DATAREL, analysis_targets: '../data/targets.csv', calculators: [{ ...binaryNoScores, params: { ...binaryNoScores.params, metrics: 'roc_auc' } }] }));
  add('strings', configFile('strings', { ...DATAREL, analysis_targets: '../data/targets.csv', calculators: [
    { class: 'PerformanceCalculator', params: { ...PERF.params, metrics: 'roc_auc' } },
    { class: 'UnivariateDriftCalculator', params: { column_names: 'MedInc', continuous_methods: 'wasserstein', treat_as_categorical: 'y_pred' } },
  ] }));
  add('lists', configFile('lists', { ...DATAREL, analysis_targets: '../data/targets.csv', calculators: [
    { class: 'PerformanceCalculator', params: { ...PERF.params, metrics: ['roc_auc'] } },
    { class: 'UnivariateDriftCalculator', params: { column_names: ['MedInc'], continuous_methods: ['wasserstein'], treat_as_categorical: ['y_pred'] } },
  ] }));
  add('unknown problem type', configFile('ptype', { ...DATAREL, calculators: [{ ...PERF, params: { ...PERF.params, problem_type: 'binary_classification' } }] }));
  add('incomplete with chunk_period', configFile('incomplete_period', { ...DATAREL, calculators: [{ ...DRIFT, params: { ...DRIFT.params, incomplete: 'append' } }] }));
  add('drop leaves no chunk', configFile('nochunk', { ...DATAREL, calculators: [{ class: 'SummaryStatsRowCountCalculator', params: { chunk_size: 1000, incomplete: 'drop' } }] }));

  // hourly chunks of the full California files × 10 columns: 140 640 rows from one calculator
  add('many rows', configFile('many', { reference: CALIFORNIA.reference, analysis: CALIFORNIA.analysis, calculators: [{ class: 'MissingValuesCalculator', params: MANY }] }));

  // period aliases on the full car-loan files (one row-count series each: cheap)
  const carLoan = (name: string, period: string) =>
    add(name, configFile(name, { reference: CAR_LOAN.reference, analysis: CAR_LOAN.analysis, calculators: [{ class: 'SummaryStatsRowCountCalculator', params: { timestamp_column_name: 'timestamp', chunk_period: period } }] }));
  for (const p of ['h', 'H', 'Y', 'A', 'D']) carLoan(`period ${p}`, p);

  const results = await runMany(jobs.map((j) => ({ config: j.config, cwd: j.cwd })));
  jobs.forEach((j, i) => outcomes.set(j.name, results[i]));
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function ok(name: string): Row[] {
  const o = outcomes.get(name)!;
  expect({ name, status: o.status, stderr: o.stderr }).toEqual({ name, status: 0, stderr: '' });
  const parsed = parseOutput(o.outText ?? '');
  expect(parsed.problems).toEqual([]);
  return parsed.rows;
}

function rejected(name: string, ...parts: string[]) {
  const o = outcomes.get(name)!;
  const lines = o.stderr.split('\n').filter((l) => l !== '');
  expect({ status: o.status, lines: lines.length, written: o.outText !== null || o.leftovers.length > 0 }).toEqual({ status: 2, lines: 1, written: false });
  for (const p of parts) expect(lines[0]).toContain(p);
}

describe('config files', () => {
  it('.yaml, .yml and .json give the same output; data paths are relative to the config folder, whatever the cwd', () => {
    const json = outcomes.get('json')!.outText;
    expect(ok('json').length).toBeGreaterThan(0);
    for (const name of ['yaml', 'yml', 'json from the config folder', 'absolute paths']) {
      ok(name);
      expect(outcomes.get(name)!.outText).toBe(json);
    }
  });

  it('the rows conform to the contract (chunk_period M, timestamp)', () => {
    const calcs = [{ id: 'UnivariateDriftCalculator', className: 'UnivariateDriftCalculator', params: DRIFT.params, series: DRIFT.params.column_names.map((c): [string, string] => [c, 'jensen_shannon']) }];
    expect(contractProblems(ok('json'), { reference: path.join(dir, 'data', 'reference.csv'), analysis: path.join(dir, 'data', 'analysis.csv'), calculators: calcs })).toEqual([]);
  });

  it('id defaults to the class name and is echoed when given; two calculators with one id are refused', () => {
    const rows = ok('ids');
    expect([...new Set(rows.map((r) => `${r.calculator}/${r.id}`))]).toEqual(['UnivariateDriftCalculator/UnivariateDriftCalculator', 'UnivariateDriftCalculator/drift_again']);
    rejected('duplicate ids', 'dup.json', 'calculators[1].id');
  });
});

describe('standard output', () => {
  it('--out - and no --out write the same JSON to stdout, and nothing else', async () => {
    const config = jobs.find((j) => j.name === 'json')!.config;
    const file = outcomes.get('json')!.outText;
    const { spawnSync } = await import('child_process');
    const { BIN } = await import('./contract');
    for (const args of [['--out', '-'], [], ['--out=-']]) {
      const r = spawnSync(process.execPath, [BIN, 'run', config, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
      expect({ args, status: r.status, stderr: r.stderr }).toEqual({ args, status: 0, stderr: '' });
      expect(r.stdout).toBe(file);
    }
  });

  it('an --out in a missing folder: exit 2, one line, before computing', async () => {
    const { spawnSync } = await import('child_process');
    const { BIN } = await import('./contract');
    const out = path.join(dir, 'no', 'such', 'folder', 'results.json');
    const r = spawnSync(process.execPath, [BIN, 'run', jobs[0].config, '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(path.join(dir, 'no', 'such', 'folder'));
  });
});

describe('analysis_targets', () => {
  const byChunk = (rows: Row[], metric: string) => series(rows, 'PerformanceCalculator', null, metric).map((r) => [r.period, r.chunk.key, r.value, r.targets_missing_rate]);

  it('joins on the one shared column by default, by key not by row order, and on join_on when given', () => {
    const rows = ok('targets, default join_on');
    expect(byChunk(rows, 'accuracy').every(([, , v, m]) => v !== null && m === 0)).toBe(true);
    expect(byChunk(ok('targets reversed, explicit join_on'), 'accuracy')).toEqual(byChunk(rows, 'accuracy'));
    expect(byChunk(ok('targets joined on another key'), 'roc_auc')).toEqual(byChunk(rows, 'roc_auc'));
  });

  it('target rows without a match: one warning line on stderr, exit 0; analysis rows without a target count as missing', () => {
    const o = outcomes.get('targets with unmatched rows')!;
    expect(o.status).toBe(0);
    const lines = o.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/targets_extra\.csv.*2 target row/);
    const rows = parseOutput(o.outText!).rows;
    const last = series(rows, 'PerformanceCalculator', null, 'accuracy').filter((r) => r.period === 'analysis');
    // rows 550..599 have no target: the last chunk [500:599] misses half
    expect(last.map((r) => r.targets_missing_rate)).toEqual([0, 0, 0, 0, 0, 0.5]);
  });
});

describe("NannyML's spellings", () => {
  it('a string where NannyML takes a string or a list (metrics, column_names, methods, treat_as_categorical)', () => {
    expect(outcomes.get('strings')!.outText).toBe(outcomes.get('lists')!.outText);
    const rows = ok('strings');
    expect([...new Set(rows.map((r) => `${r.column}/${r.metric}`))]).toEqual(['null/roc_auc', 'MedInc/wasserstein']);
  });

  it('PerformanceCalculator (binary) needs y_pred_proba only for roc_auc / average_precision', () => {
    const rows = ok('PerformanceCalculator without y_pred_proba');
    expect([...new Set(rows.map((r) => r.metric))]).toEqual(['accuracy', 'f1', 'true_positive', 'true_negative', 'false_positive', 'false_negative']);
    rejected('PerformanceCalculator roc_auc without y_pred_proba', 'calculators[0].params.y_pred_proba', 'roc_auc');
  });

  it('an unknown problem_type is refused, naming the accepted spellings', () => {
    rejected('unknown problem type', 'calculators[0].params.problem_type', 'classification_binary', 'classification_multiclass', 'regression');
  });

  it("period aliases: 'h' keys 'YYYY-MM-DD HH:00' (pandas), 'H' = 'h', 'A' = 'Y', 'D' keys the day", () => {
    const keys = (name: string) => ok(name).map((r) => `${r.period} ${r.chunk.key} ${r.chunk.start_date} ${r.chunk.end_date} ${r.value}`);
    const h = keys('period h');
    expect(h[0]).toBe('reference 2018-01-01 00:00 2018-01-01T00:00:00.000Z 2018-01-01T00:59:59.999Z 7');
    expect(keys('period H')).toEqual(h);
    expect(keys('period A')).toEqual(keys('period Y'));
    const in2018 = timestampsOf(CAR_LOAN.analysis, 'timestamp').filter((t) => new Date(t).getUTCFullYear() === 2018).length;
    expect(keys('period Y')).toEqual([
      'reference 2018 2018-01-01T00:00:00.000Z 2018-12-31T23:59:59.999Z 50000',
      `analysis 2018 2018-01-01T00:00:00.000Z 2018-12-31T23:59:59.999Z ${in2018}`,
      `analysis 2019 2019-01-01T00:00:00.000Z 2019-12-31T23:59:59.999Z ${50000 - in2018}`,
    ]);
    const calcs = (p: string) => [{ id: 'SummaryStatsRowCountCalculator', className: 'SummaryStatsRowCountCalculator', params: { timestamp_column_name: 'timestamp', chunk_period: p }, series: [[null, 'rows_count']] as [null, string][] }];
    for (const p of ['h', 'D']) {
      expect(contractProblems(ok(`period ${p}`), { reference: CAR_LOAN.reference, analysis: CAR_LOAN.analysis, calculators: calcs(p) })).toEqual([]);
    }
  });
});

describe('dates', () => {
  it('chunk dates are ISO UTC with milliseconds, truncated, ending in Z, whatever the input spelling', () => {
    const chunks = ok('timestamp spellings').filter((r) => r.period === 'analysis').map((r) => [r.chunk.key, r.chunk.start_date, r.chunk.end_date]);
    expect(chunks).toEqual([
      ['[0:1]', '2020-01-01T23:59:59.999Z', '2020-01-02T00:00:00.000Z'],
      ['[2:3]', '2020-01-02T10:00:00.000Z', '2020-01-02T10:30:00.000Z'],
      ['[4:5]', '2020-01-03T00:00:00.000Z', '2020-01-03T01:02:00.000Z'],
    ]);
  });
});

describe('size', () => {
  it('hourly chunks × 10 columns (140 640 rows from one calculator) run and conform', () => {
    const rows = ok('many rows');
    expect(rows).toHaveLength(10 * (5832 + 8232));
    const calcs = [{ id: 'MissingValuesCalculator', className: 'MissingValuesCalculator', params: MANY, series: MANY.column_names.map((c): [string, string] => [c, 'missing_values']) }];
    expect(contractProblems(rows, { reference: CALIFORNIA.reference, analysis: CALIFORNIA.analysis, calculators: calcs })).toEqual([]);
  });
});

describe('run-level failures', () => {
  it('chunking that leaves no chunk (chunk_size > rows, incomplete drop): exit 2 naming the file', () => {
    rejected('drop leaves no chunk', 'reference.csv', 'chunk size 1000', 'drop');
  });

  it("incomplete append/drop with chunk_period (NannyML's period chunker has no such rule) is refused, not ignored", () => {
    rejected('incomplete with chunk_period', 'incomplete_period.json', 'calculators[0].params.incomplete', 'chunk_period');
  });
});

it('uses the shipped data', () => {
  expect(fs.existsSync(path.join(DATA, 'california_housing_reference.csv'))).toBe(true);
});
