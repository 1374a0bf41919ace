/**
 * Bad input, for EVERY registered class (run contract): exit 2, nothing written to --out (no temporary file
 * left either), nothing on stdout, and exactly one line on stderr naming the right file and the key or
 * column. Cases: unknown parameter, wrong type, missing required parameter, a column missing from the
 * reference, a column missing from the analysis only, an unparsable analysis timestamp, an empty analysis
 * file, a header-only one and one that is not UTF-8. Data: the first rows of NannyML's California housing set.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DATA, readCsvColumns, RunOutcome, runMany, tempDir } from './contract';
import { ALL_CLASSES } from './scenarios';

interface ClassCase {
  params: Record<string, unknown>;
  /** a param naming a column: [key, the column it names] (the column is removed from the analysis) */
  column: [string, string];
  /** a param with a value of the wrong type */
  wrongType: [string, unknown];
  /** a required param (null: the class has none) */
  required: string | null;
}

const BINARY = { problem_type: 'classification_binary', y_true: 'clf_target', y_pred: 'y_pred', y_pred_proba: 'y_pred_proba', metrics: ['roc_auc', 'f1'] };
const STATS = (cls: string): [string, ClassCase] => [
  cls,
  { params: { column_names: ['MedInc'] }, column: ['column_names', 'MedInc'], wrongType: ['threshold', { type: 'constant', upper: 'high' }], required: 'column_names' },
];

const CASES: Record<string, ClassCase> = Object.fromEntries([
  ['UnivariateDriftCalculator', { params: { column_names: ['MedInc', 'HouseAge'] }, column: ['column_names', 'MedInc'], wrongType: ['column_names', 5], required: 'column_names' }],
  ['DataReconstructionDriftCalculator', { params: { column_names: ['MedInc', 'HouseAge', 'AveRooms'] }, column: ['column_names', 'MedInc'], wrongType: ['n_components', 'many'], required: 'column_names' }],
  ['DomainClassifierCalculator', { params: { feature_column_names: ['MedInc', 'HouseAge', 'AveRooms'] }, column: ['feature_column_names', 'MedInc'], wrongType: ['cv_folds_num', 'five'], required: 'feature_column_names' }],
  ['CBPE', { params: BINARY, column: ['y_pred_proba', 'y_pred_proba'], wrongType: ['metrics', 5], required: 'y_true' }],
  ['PerformanceCalculator', { params: BINARY, column: ['y_pred', 'y_pred'], wrongType: ['thresholds', 5], required: 'metrics' }],
  ['DLE', { params: { feature_column_names: ['MedInc', 'HouseAge'], y_true: 'clf_target', y_pred: 'y_pred_proba', metrics: ['mae'] }, column: ['feature_column_names', 'MedInc'], wrongType: ['metrics', { mae: true }], required: 'y_pred' }],
  ['MissingValuesCalculator', { params: { column_names: ['MedInc'] }, column: ['column_names', 'MedInc'], wrongType: ['normalize', 'yes'], required: 'column_names' }],
  ['UnseenValuesCalculator', { params: { column_names: ['y_pred'] }, column: ['column_names', 'y_pred'], wrongType: ['threshold', 5], required: 'column_names' }],
  ['NumericalRangeCalculator', { params: { column_names: ['MedInc'] }, column: ['column_names', 'MedInc'], wrongType: ['chunk_number', 'ten'], required: 'column_names' }],
  STATS('SummaryStatsAvgCalculator'),
  STATS('SummaryStatsSumCalculator'),
  STATS('SummaryStatsStdCalculator'),
  STATS('SummaryStatsMedianCalculator'),
  ['SummaryStatsRowCountCalculator', { params: {}, column: ['timestamp_column_name', 'timestamp'], wrongType: ['chunk_size', '10'], required: null }],
  ['OutlierDetectionCalculator', { params: { column_names: ['MedInc', 'HouseAge'] }, column: ['column_names', 'MedInc'], wrongType: ['n_estimators', 'many'], required: 'column_names' }],
  ['ConceptDriftCalculator', { params: BINARY, column: ['y_pred_proba', 'y_pred_proba'], wrongType: ['metrics', 5], required: 'y_true' }],
] as [string, ClassCase][]);

interface Job {
  cls: string;
  name: string;
  config: string;
  /** what the single stderr line must contain */
  parts: string[];
  /** what it must not contain (the other file) */
  not?: string;
}

const ROWS = 120;
let dir: string;
const jobs: Job[] = [];
let outcomes: RunOutcome[] = [];

/** Writes `rows` (header first) as CSV, quoting nothing (California has no commas in fields). */
const writeCsv = (file: string, rows: string[][]) => fs.writeFileSync(path.join(dir, file), rows.map((r) => r.join(',')).join('\n') + '\n');

function without(rows: string[][], column: string): string[][] {
  const j = rows[0].indexOf(column);
  return rows.map((r) => r.filter((_, i) => i !== j));
}

function job(cls: string, name: string, params: Record<string, unknown>, parts: string[], files: { analysis?: string } = {}, not?: string) {
  const config = path.join(dir, `${cls}-${name.replace(/\W+/g, '_')}.json`);
  fs.writeFileSync(
    config,
    JSON.stringify({ reference: 'reference.csv', analysis: files.analysis ?? 'analysis.csv', analysis_targets: 'targets.csv', calculators: [{ class: cls, params }] }),
  );
  jobs.push({ cls, name, config, parts: [...parts], not });
}

beforeAll(async () => {
  dir = tempDir('vigil-contract-bad-');
  const ref = readCsvColumns(path.join(DATA, 'california_housing_reference.csv'));
  const ana = readCsvColumns(path.join(DATA, 'california_housing_analysis.csv'));
  const gt = readCsvColumns(path.join(DATA, 'california_housing_analysis_gt.csv'));
  const refRows = [ref.header, ...ref.rows.slice(0, ROWS)];
  const anaRows = [ana.header, ...ana.rows.slice(0, ROWS)];
  writeCsv('reference.csv', refRows);
  writeCsv('analysis.csv', anaRows);
  writeCsv('targets.csv', [gt.header, ...gt.rows.slice(0, ROWS)]);
  for (const c of ['MedInc', 'y_pred_proba', 'y_pred', 'timestamp']) writeCsv(`analysis_without_${c}.csv`, without(anaRows, c));
  const ts = ana.header.indexOf('timestamp');
  writeCsv('analysis_bad_timestamp.csv', anaRows.map((r, i) => (i === 7 ? r.map((v, j) => (j === ts ? '2021-06-31 07:00:00' : v)) : r)));
  fs.writeFileSync(path.join(dir, 'analysis_empty.csv'), '');
  // A Latin-1 byte (é) in data line 5's first field: line 6 of the file, column 1 (pandas: UnicodeDecodeError).
  const text = anaRows.map((r) => r.join(',')).join('\n') + '\n';
  const line6 = Buffer.byteLength(text.split('\n').slice(0, 5).join('\n') + '\n');
  const bytes = Buffer.from(text);
  fs.writeFileSync(path.join(dir, 'analysis_latin1.csv'), Buffer.concat([bytes.subarray(0, line6), Buffer.from([0xe9]), bytes.subarray(line6)]));
  writeCsv('analysis_header_only.csv', [ana.header]);

  for (const [cls, c] of Object.entries(CASES)) {
    const p = c.params;
    job(cls, 'unknown parameter', { ...p, chunk_sise: 10 }, ['.json', 'calculators[0].params.chunk_sise', 'unknown parameter']);
    job(cls, 'wrong type', { ...p, [c.wrongType[0]]: c.wrongType[1] }, ['.json', `calculators[0].params.${c.wrongType[0]}`]);
    if (c.required) {
      const rest = { ...p };
      delete rest[c.required];
      job(cls, 'missing required parameter', rest, ['.json', `calculators[0].params.${c.required}`, 'required']);
    }
    const [key, column] = c.column;
    const renamed = (to: string) => (Array.isArray(p[key]) ? (p[key] as string[]).map((x) => (x === column ? to : x)) : to);
    job(cls, 'column missing from the reference', { ...p, [key]: renamed('no_such_column') }, ['reference.csv', "'no_such_column'"], {}, 'analysis.csv');
    const withTs = { ...p, timestamp_column_name: 'timestamp' };
    job(cls, 'column missing from the analysis only', key === 'timestamp_column_name' ? withTs : p, [`analysis_without_${column}.csv`, `'${column}'`], { analysis: `analysis_without_${column}.csv` }, 'reference.csv');
    job(cls, 'unparsable analysis timestamp', withTs, ['analysis_bad_timestamp.csv', "'timestamp'", 'row 7', '2021-06-31 07:00:00'], { analysis: 'analysis_bad_timestamp.csv' });
    job(cls, 'empty analysis file', p, ['analysis_empty.csv'], { analysis: 'analysis_empty.csv' });
    job(cls, 'analysis file not in UTF-8', p, ['analysis_latin1.csv', 'line 6, column 1 ', 'invalid UTF-8'], { analysis: 'analysis_latin1.csv' });
    job(cls, 'header-only analysis file', p, ['analysis_header_only.csv'], { analysis: 'analysis_header_only.csv' });
  }
  outcomes = await runMany(jobs.map((j) => ({ config: j.config, cwd: dir })));
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('covers every class of the contract', () => {
  expect(Object.keys(CASES).sort()).toEqual([...ALL_CLASSES].sort());
});

describe.each(Object.keys(CASES))('%s', (cls) => {
  it('rejects each bad input with exit 2, one stderr line naming file and key/column, nothing written', () => {
    const problems: string[] = [];
    jobs.forEach((j, i) => {
      if (j.cls !== cls) return;
      const o = outcomes[i];
      const lines = o.stderr.split('\n').filter((l) => l !== '');
      const say = (m: string) => problems.push(`${j.name}: ${m} (stderr: ${JSON.stringify(o.stderr.slice(0, 300))})`);
      if (o.status !== 2) say(`exit ${o.status}`);
      if (o.outText !== null || o.leftovers.length > 0) say(`wrote ${o.outText !== null ? 'the output' : o.leftovers.join(', ')}`);
      if (o.stdout !== '') say('wrote to stdout');
      if (lines.length !== 1) say(`${lines.length} stderr lines`);
      for (const part of j.parts) if (!lines.join('\n').includes(part)) say(`message lacks ${JSON.stringify(part)}`);
      if (j.not && lines.join('\n').includes(j.not)) say(`message names ${j.not}`);
    });
    expect(problems).toEqual([]);
  });
});
