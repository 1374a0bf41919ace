/**
 * Invalid predictions and targets are data-quality findings, not errors (issue 12, item 2), on the real
 * server with NannyML's data sets.
 *
 * Car loan (binary): one row's y_pred is 2, another's y_pred_proba 1.5, and one late target is 7. The
 * batch and targets answers count them per column; `invalid_values` reports them per chunk; no
 * calculator fails; and every result equals `vigil run` (NannyML's numbers) on the same files with those
 * three cells left empty — the rows are left out of CBPE, realized performance and concept drift only for
 * the metrics that need the missing value, as NannyML leaves out missing predictions and targets.
 *
 * Multiclass: a probability outside [0, 1], a class the model does not have in y_pred and in y_true.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { call, CAR_LOAN_MODEL, ROOT, startVigil, tempDir, Vigil, waitComputed } from './helpers';

const DATA = path.join(ROOT, 'examples', 'data', 'nannyml');
const SERVER_CALCULATORS = ['TypeInconsistencyCalculator', 'InvalidValuesCalculator'];
const BATCH_ROWS = 10_000;

let vigil: Vigil;
let dir: string;

// A server per test: the car-loan test idles in `vigil run` longer than the server keeps an idle
// keep-alive socket, and the next request could race its close.
beforeEach(async () => {
  dir = tempDir();
  vigil = await startVigil({ db: path.join(dir, 'vigil.db') });
}, 240_000);

afterEach(async () => {
  await vigil?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** CSV lines with one cell replaced (line index in the data rows, column by name). */
function setCell(header: string, lines: string[], row: number, column: string, value: string): void {
  const j = header.split(',').indexOf(column);
  const cells = lines[row].split(',');
  cells[j] = value;
  lines[row] = cells.join(',');
}

async function postCsv(urlPath: string, header: string, lines: string[]) {
  return call(vigil.url, 'POST', urlPath, { body: [header, ...lines].join('\n') + '\n', contentType: 'text/csv' });
}

test('car loan: y_pred = 2, y_pred_proba = 1.5 and a target of 7 are counted, and every chunk keeps its performance results (= vigil run with the cells empty)', async () => {
  const model = CAR_LOAN_MODEL;
  expect((await call(vigil.url, 'POST', '/api/models', { body: model })).status).toBe(201);
  const reference = path.join(DATA, 'synthetic_car_loan_reference.csv');
  expect((await call(vigil.url, 'PUT', '/api/models/carloan/reference', { body: fs.readFileSync(reference, 'utf8'), contentType: 'text/csv' })).status).toBe(200);

  const [header, ...lines] = fs.readFileSync(path.join(DATA, 'synthetic_car_loan_analysis.csv'), 'utf8').trimEnd().split('\n');
  const [tHeader, ...tLines] = fs.readFileSync(path.join(DATA, 'synthetic_car_loan_analysis_target.csv'), 'utf8').trimEnd().split('\n');
  const sent = [...lines];
  const sentTargets = [...tLines];
  setCell(header, sent, 1234, 'y_pred', '2'); // chunk [0:4999]
  setCell(header, sent, 7777, 'y_pred_proba', '1.5'); // chunk [5000:9999]
  setCell(tHeader, sentTargets, 20_000, 'repaid', '7'); // chunk [20000:24999]

  const answers = [];
  for (let i = 0; i < sent.length; i += BATCH_ROWS) answers.push((await postCsv('/api/models/carloan/rows', header, sent.slice(i, i + BATCH_ROWS))).body);
  expect(answers[0]).toMatchObject({ inserted: BATCH_ROWS, type_inconsistent_total: 0, invalid: { y_pred: 1, y_pred_proba: 1 }, invalid_total: 2 });
  for (const a of answers.slice(1)) expect(a).toMatchObject({ invalid: {}, invalid_total: 0 });
  const t = await postCsv('/api/models/carloan/targets', tHeader, sentTargets);
  expect(t.body).toMatchObject({ attached: 50_000, invalid: 1, type_inconsistent: 0, missing_targets: 0 });

  const m = await waitComputed(vigil.url, 'carloan', undefined, 180_000);
  expect({ errors: m.status.errors, total: m.status.errors_total }).toEqual({ errors: [], total: 0 });
  const served = (await call(vigil.url, 'GET', '/api/models/carloan/results?period=analysis')).body.results;

  // Counted per column and chunk by the data-quality metric (share of the chunk's 5000 rows).
  const invalid = served.filter((r: any) => r.metric === 'invalid_values' && r.value > 0).map((r: any) => [r.column, r.chunk.key, r.value, r.alert]);
  expect(invalid).toEqual([
    ['y_pred', '[0:4999]', 1 / 5000, true],
    ['y_pred_proba', '[5000:9999]', 1 / 5000, true],
    ['repaid', '[20000:24999]', 1 / 5000, true],
  ]);
  expect(served.filter((r: any) => r.metric === 'invalid_values').map((r: any) => r.column)).toEqual(expect.arrayContaining(['y_pred', 'y_pred_proba', 'repaid']));

  // Every chunk has CBPE, realized-performance and concept-drift results, with values.
  const performance = ['CBPE', 'ConceptDriftCalculator', 'PerformanceCalculator'];
  const perChunk = new Map<string, Set<string>>();
  for (const r of served) {
    if (performance.includes(r.calculator) && Number.isFinite(r.value)) (perChunk.get(r.chunk.key) ?? perChunk.set(r.chunk.key, new Set()).get(r.chunk.key)!).add(r.calculator);
  }
  expect(perChunk.size).toBe(10);
  for (const [key, calcs] of perChunk) expect({ key, calculators: [...calcs].sort() }).toEqual({ key, calculators: performance });

  // Realized accuracy of [0:4999] by hand: the 4999 rows with a prediction (sklearn on NannyML's dropped set).
  const yPred = header.split(',').indexOf('y_pred');
  let right = 0;
  for (let i = 0; i < 5000; i++) if (i !== 1234 && lines[i].split(',')[yPred] === tLines[i].split(',')[1]) right++;
  const accuracy = served.find((r: any) => r.calculator === 'PerformanceCalculator' && r.metric === 'accuracy' && r.chunk.key === '[0:4999]');
  expect(accuracy.value).toBeCloseTo(right / 4999, 15);

  // The same calculators run by `vigil run` on the files with the three cells empty.
  const blank = [...lines];
  const blankTargets = [...tLines];
  setCell(header, blank, 1234, 'y_pred', '');
  setCell(header, blank, 7777, 'y_pred_proba', '');
  setCell(tHeader, blankTargets, 20_000, 'repaid', '');
  const analysis = path.join(dir, 'analysis.csv');
  const targets = path.join(dir, 'targets.csv');
  fs.writeFileSync(analysis, [header, ...blank].join('\n') + '\n');
  fs.writeFileSync(targets, [tHeader, ...blankTargets].join('\n') + '\n');
  const calculators = m.calculators.filter((c: any) => !SERVER_CALCULATORS.includes(c.class)).map((c: any) => ({ class: c.class, id: c.id, params: c.params }));
  const config = path.join(dir, 'carloan.json');
  fs.writeFileSync(config, JSON.stringify({ reference, analysis, analysis_targets: targets, calculators }));
  const out = path.join(dir, 'run.json');
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'vigil.js'), 'run', config, '--out', out], { encoding: 'utf8', timeout: 180_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const expected = JSON.parse(fs.readFileSync(out, 'utf8')).results.filter((r: any) => r.period === 'analysis');
  const comparable = served.filter((r: any) => !SERVER_CALCULATORS.includes(r.calculator)).map(({ partial: _p, ...r }: any) => r);
  expect(comparable.length).toBe(expected.length);
  expect(comparable).toEqual(expected);
}, 400_000);

test('multiclass: a probability outside [0, 1] and classes the model does not have are counted; CBPE and realized performance keep every chunk', async () => {
  const classes = ['highstreet_card', 'prepaid_card', 'upmarket_card'];
  const model = {
    name: 'mc',
    problem_type: 'classification_multiclass',
    columns: {
      features: ['acq_channel', 'app_behavioral_score', 'requested_credit_limit', 'app_channel', 'credit_bureau_score', 'stated_income', 'is_customer'],
      timestamp: 'timestamp',
      id: 'id',
      y_pred: 'y_pred',
      y_pred_proba: Object.fromEntries(classes.map((c) => [c, `y_pred_proba_${c}`])),
      y_true: 'y_true',
    },
    chunking: { chunk_size: 6000 },
    calculators: [{ class: 'CBPE', params: { metrics: ['roc_auc', 'f1'] } }, { class: 'PerformanceCalculator', params: { metrics: ['roc_auc', 'f1'] } }],
  };
  expect((await call(vigil.url, 'POST', '/api/models', { body: model })).status).toBe(201);
  const ref = await call(vigil.url, 'PUT', '/api/models/mc/reference', { body: fs.readFileSync(path.join(DATA, 'mc_reference.csv'), 'utf8'), contentType: 'text/csv' });
  expect(ref.status).toBe(200);
  const [header, ...lines] = fs.readFileSync(path.join(DATA, 'mc_analysis.csv'), 'utf8').trimEnd().split('\n');
  setCell(header, lines, 10, 'y_pred_proba_prepaid_card', '1.7');
  setCell(header, lines, 11, 'y_pred_proba_upmarket_card', '-0.2');
  setCell(header, lines, 6010, 'y_pred', 'gold_card');
  const rows = await postCsv('/api/models/mc/rows', header, lines);
  expect(rows.body).toMatchObject({
    inserted: 60_000,
    type_inconsistent_total: 0,
    invalid: { y_pred_proba_prepaid_card: 1, y_pred_proba_upmarket_card: 1, y_pred: 1 },
    invalid_total: 3,
  });
  const [tHeader, ...tLines] = fs.readFileSync(path.join(DATA, 'mc_analysis_gt.csv'), 'utf8').trimEnd().split('\n');
  setCell(tHeader, tLines, 12_345, 'y_true', 'gold_card');
  expect((await postCsv('/api/models/mc/targets', tHeader, tLines)).body).toMatchObject({ attached: 60_000, invalid: 1 });

  const m = await waitComputed(vigil.url, 'mc', undefined, 180_000);
  expect(m.status.errors).toEqual([]);
  expect(m.calculators.map((c: any) => c.class)).toEqual(['CBPE', 'PerformanceCalculator', 'TypeInconsistencyCalculator', 'InvalidValuesCalculator']);
  const served = (await call(vigil.url, 'GET', '/api/models/mc/results?period=analysis')).body.results;
  const counts = served.filter((r: any) => r.metric === 'invalid_values' && r.value > 0).map((r: any) => [r.column, r.chunk.key, Math.round(r.value * 6000)]);
  expect(counts).toEqual([
    ['y_pred', '[6000:11999]', 1],
    ['y_pred_proba_prepaid_card', '[0:5999]', 1],
    ['y_pred_proba_upmarket_card', '[0:5999]', 1],
    ['y_true', '[12000:17999]', 1],
  ]);
  for (const calculator of ['CBPE', 'PerformanceCalculator']) {
    for (const metric of ['roc_auc', 'f1']) {
      const values = served.filter((r: any) => r.calculator === calculator && r.metric === metric);
      expect(values).toHaveLength(10);
      for (const r of values) expect({ calculator, metric, chunk: r.chunk.key, finite: Number.isFinite(r.value) }).toEqual({ calculator, metric, chunk: r.chunk.key, finite: true });
    }
  }
}, 400_000);
