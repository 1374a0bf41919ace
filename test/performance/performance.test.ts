/**
 * `vigil run` end to end for PerformanceCalculator and CBPE on NannyML's data sets:
 * - against rows derived independently with numpy/scipy by test/fixtures/scripts/performance_nannyml.py
 *   from the same configs (test/fixtures/performance/<case>.config.json → <case>.expected.json): values,
 *   sampling errors, realized values, thresholds, bands, alerts, targets_missing_rate and chunk fields,
 *   to 1e-9 relative; the AP sampling error is a bootstrap (unseeded in NannyML, spec §9.3) and is
 *   checked to 20 %;
 * - against the numbers NannyML publishes in its tutorials (car loan, credit card, car price);
 * - bad parameters and data: exit 2, one line naming the key or column, nothing written.
 */
import * as fs from 'fs';
import * as path from 'path';
import { close, DATA, OutputRow, runConfig, tempDir, vigil } from '../run/helpers';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'performance');
const CASES = ['car_loan', 'car_loan_partial', 'mc', 'car_price'];

type ExpectedRow = OutputRow & { approx?: string[] };

const results = new Map<string, OutputRow[]>();
function rowsOf(name: string): OutputRow[] {
  let rows = results.get(name);
  if (!rows) {
    rows = runConfig(path.join(FIXTURES, `${name}.config.json`));
    results.set(name, rows);
  }
  return rows;
}

const key = (r: OutputRow) => `${r.id} | ${r.metric} | ${r.period} | ${r.chunk.key}`;
const FIELDS = [
  'value',
  'sampling_error',
  'realized',
  'upper_threshold',
  'lower_threshold',
  'upper_confidence_boundary',
  'lower_confidence_boundary',
  'targets_missing_rate',
] as const;
/** The bootstrap AP sampling error (spec §9.3). */
const BOOTSTRAP_TOLERANCE = 0.2;

function differences(actual: OutputRow[], expected: ExpectedRow[]): string[] {
  const out: string[] = [];
  if (actual.length !== expected.length) out.push(`row count ${actual.length}, expected ${expected.length}`);
  for (let i = 0; i < Math.min(actual.length, expected.length) && out.length < 20; i++) {
    const a = actual[i];
    const e = expected[i];
    if (key(a) !== key(e) || a.calculator !== e.calculator || a.column !== null) {
      out.push(`row ${i}: ${key(a)}, expected ${key(e)}`);
      continue;
    }
    for (const k of ['index', 'start_index', 'end_index', 'start_date', 'end_date'] as const) {
      if (a.chunk[k] !== e.chunk[k]) out.push(`${key(e)}: chunk.${k} ${a.chunk[k]}, expected ${e.chunk[k]}`);
    }
    const approx = new Set(e.approx ?? []);
    const se = e.sampling_error ?? 0;
    for (const f of FIELDS) {
      let ok: boolean;
      if (!approx.has(f)) ok = close(a[f], e[f], 1e-9, 1e-12);
      else if (f === 'sampling_error') ok = close(a[f], e[f], BOOTSTRAP_TOLERANCE);
      else ok = close(a[f], e[f], 0, 3 * BOOTSTRAP_TOLERANCE * se + 1e-12); // band = value ± 3·SE
      if (!ok) out.push(`${key(e)}: ${f} ${a[f]}, expected ${e[f]}`);
    }
    if (a.alert !== e.alert) out.push(`${key(e)}: alert ${a.alert}, expected ${e.alert}`);
  }
  return out;
}

describe.each(CASES)('vigil run %s matches the numpy/scipy derivation', (name) => {
  it('has every row, value, sampling error, realized value, threshold, band, alert and chunk field', () => {
    const expected: ExpectedRow[] = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.expected.json`), 'utf8')).results;
    expect(expected.length).toBeGreaterThan(100);
    expect(differences(rowsOf(name), expected)).toEqual([]);
  });
});

function find(name: string, id: string, metric: string, period: string, chunkKey: string): OutputRow {
  const r = rowsOf(name).find((x) => x.id === id && x.metric === metric && x.period === period && x.chunk.key === chunkKey);
  if (!r) throw new Error(`no row ${id} ${metric} ${period} ${chunkKey}`);
  return r;
}

/** NannyML prints 6 significant decimals; `se` allows the AUROC tie-order tolerance (spec §9.1). */
function published(r: OutputRow, p: { value: number; se?: number; seRel?: number; lower?: number; upper?: number; alert?: boolean; band?: [number, number] }) {
  expect(r.value).toBeCloseTo(p.value, 6);
  if (p.se !== undefined) {
    if (p.seRel) expect(Math.abs(r.sampling_error! - p.se) / p.se).toBeLessThan(p.seRel);
    else expect(r.sampling_error).toBeCloseTo(p.se, 6);
  }
  if (p.lower !== undefined) expect(r.lower_threshold).toBeCloseTo(p.lower, 6);
  if (p.upper !== undefined) expect(r.upper_threshold).toBeCloseTo(p.upper, 6);
  if (p.alert !== undefined) expect(r.alert).toBe(p.alert);
  if (p.band) {
    expect(r.upper_confidence_boundary).toBeCloseTo(p.band[0], 6);
    expect(r.lower_confidence_boundary).toBeCloseTo(p.band[1], 6);
  }
}

describe('NannyML published numbers (tutorials, chunk_size 5000/6000)', () => {
  it('car loan, realized: roc_auc, f1, precision, recall, specificity, accuracy of analysis chunk [0:4999]', () => {
    const at = (m: string, k = '[0:4999]') => find('car_loan', 'realized_all', m, 'analysis', k);
    // AUROC SE: NannyML's unstable argsort orders ties differently; 0.5 % (spec §9.1)
    published(at('roc_auc'), { value: 0.970962, se: 0.00181072, seRel: 0.005, upper: 0.97866, lower: 0.963317, alert: false });
    published(at('f1'), { value: 0.943344, se: 0.00643972, upper: 0.95085, lower: 0.93466 });
    published(at('precision'), { value: 0.95666, se: 0.00412503, upper: 0.967054, lower: 0.946681 });
    published(at('recall'), { value: 0.930394, se: 0.00513664, upper: 0.941033, lower: 0.9171 });
    published(at('specificity'), { value: 0.954847, se: 0.00400118, upper: 0.967647, lower: 0.948756 });
    published(at('accuracy'), { value: 0.9422, se: 0.003261, upper: 0.951421, lower: 0.935859 });
    published(at('roc_auc', '[25000:29999]'), { value: 0.96005, alert: true });
    published(at('specificity', '[45000:49999]'), { value: 0.918886, alert: true });
    expect(at('accuracy').targets_missing_rate).toBe(0);
    expect(at('accuracy').upper_confidence_boundary).toBeNull();
  });

  it('car loan, CBPE: f1 and accuracy estimates, sampling errors, bands, thresholds from realized reference', () => {
    const at = (m: string, k: string) => find('car_loan', 'cbpe_all', m, 'analysis', k);
    published(at('f1', '[0:4999]'), { value: 0.94303, se: 0.00644, band: [0.96235, 0.923711], upper: 0.95085, lower: 0.93466, alert: false });
    published(at('f1', '[25000:29999]'), { value: 0.911753, band: [0.931073, 0.892434], alert: true });
    published(at('accuracy', '[0:4999]'), { value: 0.941792, se: 0.003261, band: [0.951576, 0.932008], upper: 0.951421, lower: 0.935859 });
    published(at('accuracy', '[45000:49999]'), { value: 0.911731, alert: true });
    // the thresholds are the realized ones: CBPE and PerformanceCalculator agree
    const realized = find('car_loan', 'realized_all', 'roc_auc', 'analysis', '[0:4999]');
    expect(at('roc_auc', '[0:4999]').upper_threshold).toBe(realized.upper_threshold);
    expect(at('roc_auc', '[0:4999]').realized).toBe(realized.value);
  });

  it('credit card (multiclass), realized: roc_auc, specificity, accuracy', () => {
    const at = (m: string, k: string) => find('mc', 'realized_all', m, 'analysis', k);
    published(at('roc_auc', '[0:5999]'), { value: 0.907595, se: 0.002143 });
    published(at('roc_auc', '[30000:35999]'), { value: 0.748588 });
    published(at('specificity', '[0:5999]'), { value: 0.87555, se: 0.003002, upper: 0.882586, lower: 0.870566, alert: false });
    published(at('specificity', '[30000:35999]'), { value: 0.779905, alert: true });
    published(at('accuracy', '[0:5999]'), { value: 0.751167, se: 0.005566, upper: 0.765102, lower: 0.741231 });
    published(at('accuracy', '[54000:59999]'), { value: 0.566, alert: true });
  });

  it('credit card (multiclass), CBPE: roc_auc and f1 estimates with bands (ROC AUC tie order, spec §9.2: 1e-4)', () => {
    const at = (m: string, k: string) => find('mc', 'cbpe_all', m, 'analysis', k);
    for (const [k, v] of [['[0:5999]', 0.906962], ['[30000:35999]', 0.819359], ['[54000:59999]', 0.821429]] as const) {
      expect(Math.abs(at('roc_auc', k).value! - v) / v).toBeLessThan(1e-4);
    }
    expect(at('roc_auc', '[0:5999]').lower_threshold).toBeCloseTo(0.900902, 6);
    expect(at('roc_auc', '[0:5999]').sampling_error).toBeCloseTo(0.002143, 6);
    published(at('f1', '[0:5999]'), { value: 0.753301, se: 0.005652, band: [0.770258, 0.736345], upper: 0.764944, lower: 0.741254, alert: false });
    published(at('f1', '[30000:35999]'), { value: 0.630985, band: [0.647941, 0.614028], alert: true });
  });

  it('car price (regression), realized: mae, rmse, rmsle', () => {
    const at = (m: string, k: string) => find('car_price', 'realized_all', m, 'analysis', k);
    published(at('mae', '[0:5999]'), { value: 853.399667, se: 8.215759 });
    published(at('rmse', '[0:5999]'), { value: 1069.172249, se: 10.348009, upper: 1103.313741, lower: 1014.276167, alert: false });
    published(at('rmse', '[30000:35999]'), { value: 910.818035, alert: true });
    published(at('rmsle', '[0:5999]'), { value: 0.265496, se: 0.002239, upper: 0.271511, lower: 0.263948, alert: false });
    published(at('rmsle', '[54000:59999]'), { value: 0.325394, alert: true });
    expect(at('mae', '[0:5999]').chunk.end_date).toBe('2017-02-18T23:59:26.400Z');
  });
});

describe('missing targets (spec §6)', () => {
  it('computes realized metrics on the labelled rows and reports the missing share', () => {
    const a = find('car_loan_partial', 'realized_partial', 'accuracy', 'analysis', '[0:4999]');
    expect(a.targets_missing_rate).toBeCloseTo(1667 / 5000, 12);
    expect(a.value).not.toBeNull();
    const none = find('car_loan_partial', 'realized_partial', 'accuracy', 'analysis', '[20000:24999]');
    expect(none.targets_missing_rate).toBe(1);
    expect(none.value).toBeNull();
    expect(none.sampling_error).toBeNull();
    expect(none.alert).toBe(false);
  });

  it('CBPE still estimates a chunk without targets, with realized null', () => {
    const r = find('car_loan_partial', 'cbpe_partial', 'precision', 'analysis', '[20000:24999]');
    expect(r.value).not.toBeNull();
    expect(r.realized).toBeNull();
    expect(find('car_loan_partial', 'cbpe_partial', 'precision', 'analysis', '[0:4999]').realized).not.toBeNull();
  });
});

// -------------------------------------------------------------------------------------------------
// bad input

const CAR_LOAN = {
  reference: path.join(DATA, 'synthetic_car_loan_reference.csv'),
  analysis: path.join(DATA, 'synthetic_car_loan_analysis.csv'),
  analysis_targets: path.join(DATA, 'synthetic_car_loan_analysis_target.csv'),
};
const BINARY = { y_pred_proba: 'y_pred_proba', y_pred: 'y_pred', y_true: 'repaid', problem_type: 'classification_binary', chunk_size: 10000 };

function runBad(config: object, files: Record<string, string> = {}): { status: number | null; stderr: string; wrote: boolean } {
  const dir = tempDir('vigil-perf-bad-');
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    const cfg = path.join(dir, 'config.json');
    fs.writeFileSync(cfg, JSON.stringify(config));
    const out = path.join(dir, 'out.json');
    const r = vigil(['run', cfg, '--out', out]);
    return { status: r.status, stderr: r.stderr, wrote: fs.existsSync(out) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function expectExit2(r: ReturnType<typeof runBad>, ...fragments: string[]) {
  expect(r.status).toBe(2);
  expect(r.wrote).toBe(false);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  for (const f of fragments) expect(r.stderr).toContain(f);
}

describe('bad parameters and data: exit 2 with a clear message', () => {
  const calc = (cls: string, params: object) => ({ ...CAR_LOAN, calculators: [{ class: cls, params }] });

  it('unknown metric', () => {
    expectExit2(runBad(calc('CBPE', { ...BINARY, metrics: ['roc_auc', 'mae'] })), 'calculators[0].params.metrics', "unknown metric 'mae'");
  });

  it('a metric that needs y_pred without y_pred', () => {
    const { y_pred: _drop, ...noPred } = BINARY;
    expectExit2(runBad(calc('PerformanceCalculator', { ...noPred, metrics: ['roc_auc', 'f1'] })), 'params.y_pred', 'f1');
  });

  it('business_value without a matrix, and a matrix of the wrong shape', () => {
    expectExit2(runBad(calc('CBPE', { ...BINARY, metrics: ['business_value'] })), 'business_value_matrix', 'required');
    expectExit2(
      runBad(calc('CBPE', { ...BINARY, metrics: ['business_value'], business_value_matrix: [[1, 2, 3], [4, 5, 6]] })),
      'business_value_matrix',
      '2×2',
    );
  });

  it('a {class: column} map for a binary model, a bad normalisation, a bad calibration, CBPE for regression', () => {
    expectExit2(runBad(calc('CBPE', { ...BINARY, y_pred_proba: { '1': 'y_pred_proba' }, metrics: ['roc_auc'] })), 'y_pred_proba', 'column name');
    expectExit2(runBad(calc('CBPE', { ...BINARY, metrics: ['confusion_matrix'], normalize_confusion_matrix: 'rows' })), 'normalize_confusion_matrix', "'rows'");
    expectExit2(runBad(calc('CBPE', { ...BINARY, metrics: ['f1'], calibration: 'platt' })), 'calibration', 'platt');
    expectExit2(runBad(calc('CBPE', { y_pred: 'y_pred', y_true: 'y_true', problem_type: 'regression', metrics: ['mae'] })), 'problem_type', 'DLE');
  });

  it('a multiclass y_pred_proba map that does not cover the classes in y_true / y_pred', () => {
    const mc = {
      reference: path.join(DATA, 'mc_reference.csv'),
      analysis: path.join(DATA, 'mc_analysis.csv'),
      calculators: [
        {
          class: 'CBPE',
          params: {
            y_pred_proba: { prepaid_card: 'y_pred_proba_prepaid_card', highstreet_card: 'y_pred_proba_highstreet_card' },
            y_pred: 'y_pred',
            y_true: 'y_true',
            problem_type: 'classification_multiclass',
            metrics: ['roc_auc'],
            chunk_size: 6000,
          },
        },
      ],
    };
    expectExit2(runBad(mc), 'mc_reference.csv', "'upmarket_card'", 'not a key of y_pred_proba');
  });

  it('PerformanceCalculator without analysis targets names the y_true column', () => {
    const { analysis_targets: _drop, ...noTargets } = CAR_LOAN;
    expectExit2(runBad({ ...noTargets, calculators: [{ class: 'PerformanceCalculator', params: { ...BINARY, metrics: ['f1'] } }] }), "'repaid'", 'analysis_targets');
  });

  it('negative values for msle / rmsle, and non-0/1 binary predictions', () => {
    const csv = 'y_true,y_pred\n1,2\n3,4\n5,6\n2,3\n';
    const neg = 'y_true,y_pred\n1,2\n3,-4\n5,6\n2,3\n';
    const params = { y_true: 'y_true', y_pred: 'y_pred', problem_type: 'regression', metrics: ['mae', 'rmsle'], chunk_size: 2 };
    const r = runBad({ reference: 'ref.csv', analysis: 'ana.csv', calculators: [{ class: 'PerformanceCalculator', params }] }, { 'ref.csv': csv, 'ana.csv': neg });
    expectExit2(r, 'ana.csv', "'y_pred'", '-4', 'rmsle');
    const bin = 'y_true,y_pred,p\n1,1,0.9\n0,2,0.3\n1,0,0.4\n0,0,0.1\n';
    const b = { y_true: 'y_true', y_pred: 'y_pred', y_pred_proba: 'p', problem_type: 'classification_binary', metrics: ['f1'], chunk_size: 2 };
    expectExit2(runBad({ reference: 'ref.csv', analysis: 'ref.csv', calculators: [{ class: 'PerformanceCalculator', params: b }] }, { 'ref.csv': bin }), "'y_pred'", '0/1', 'found 2');
  });

  it('CBPE refuses missing reference targets (NannyML needs them to calibrate)', () => {
    const ref = 'y_true,y_pred,p\n1,1,0.9\n,0,0.3\n1,0,0.4\n0,0,0.1\n';
    const b = { y_true: 'y_true', y_pred: 'y_pred', y_pred_proba: 'p', problem_type: 'classification_binary', metrics: ['f1'], chunk_size: 2 };
    expectExit2(runBad({ reference: 'ref.csv', analysis: 'ref.csv', calculators: [{ class: 'CBPE', params: b }] }, { 'ref.csv': ref }), "'y_true'", 'row 2');
  });
});
