/**
 * `vigil run` contract for the classes and problem types chunking.test.ts does not cover: multiclass CBPE /
 * PerformanceCalculator / concept drift (NannyML's `{class: column}` y_pred_proba map and confusion-matrix
 * cell names), regression (DLE, PerformanceCalculator), the domain classifier, and data quality on Titanic
 * (missing values, no timestamp). Each class with only its required parameters first, then DLE and the
 * domain classifier under several chunkings on a slice of the car-price data; and timestamp sorting.
 */
import * as fs from 'fs';
import * as path from 'path';
import { calculatorNames } from '../../backend/engine/registry';
import {
  CalculatorExpectation,
  clipBounds,
  closeTo,
  CONTRACT_FIXTURES,
  contractProblems,
  parseOutput,
  Row,
  runToFile,
  series,
  stdBounds,
  tempDir,
  writeConfig,
} from './contract';
import { ALL_CLASSES, CAR_PRICE, CLASSIFICATION_METRICS, configOf, Dataset, MC_CLASSES, MULTICLASS, REGRESSION_METRICS, TITANIC } from './scenarios';

let dir: string;
beforeAll(() => (dir = tempDir()));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  status: number | null;
  stderr: string;
  rows: Row[];
  problems: string[];
}

/** Runs one config (once, in beforeAll) and returns a getter for its outcome. */
function runOnce(name: string, ds: Dataset, calcs: CalculatorExpectation[], targets: boolean): () => Outcome {
  let outcome: Outcome | null = null;
  beforeAll(() => {
    const r = runToFile(writeConfig(dir, `${name}.yaml`, configOf(ds, calcs, targets)));
    const parsed = parseOutput(r.outText ?? '');
    outcome = { status: r.status, stderr: r.stderr, rows: parsed.rows, problems: parsed.problems };
  });
  return () => outcome!;
}

function expectConforms(o: Outcome, ds: Dataset, calcs: CalculatorExpectation[]) {
  expect({ status: o.status, stderr: o.status === 0 ? '' : o.stderr }).toEqual({ status: 0, stderr: '' });
  expect(o.problems).toEqual([]);
  expect(contractProblems(o.rows, { reference: ds.reference, analysis: ds.analysis, calculators: calcs })).toEqual([]);
}

/** `estimator`'s realized values equal PerformanceCalculator's values, chunk by chunk (spec §4.4, §5). */
function realizedProblems(rows: Row[], estimatorId: string, metrics: string[]): string[] {
  const out: string[] = [];
  for (const m of metrics) {
    const est = series(rows, estimatorId, null, m);
    const real = series(rows, 'PerformanceCalculator', null, m);
    if (est.length === 0 || est.length !== real.length) out.push(`${m}: ${est.length} estimator rows, ${real.length} realized rows`);
    est.forEach((e, i) => {
      if (!closeTo(e.realized, real[i]?.value ?? null, 1e-9)) out.push(`${m} ${e.period} ${e.chunk.key}: realized ${e.realized}, PerformanceCalculator ${real[i]?.value}`);
    });
  }
  return out;
}

const model = (metrics: string[]): [null, string][] => metrics.map((m) => [null, m]);

it('every registered class is covered by the contract tests', () => {
  expect(calculatorNames().filter((c) => !ALL_CLASSES.includes(c))).toEqual([]);
});

describe('multiclass (credit card): CBPE, PerformanceCalculator, concept drift, univariate drift with treat_as_categorical', () => {
  const proba = Object.fromEntries(['prepaid_card', 'highstreet_card', 'upmarket_card'].map((c) => [c, `y_pred_proba_${c}`]));
  const common = { problem_type: 'classification_multiclass', y_true: 'y_true', y_pred: 'y_pred', y_pred_proba: proba };
  const metrics = [...CLASSIFICATION_METRICS.filter((m) => m !== 'average_precision'), 'confusion_matrix'];
  const cells = MC_CLASSES.flatMap((a) => MC_CLASSES.map((b) => `true_${a}_pred_${b}`));
  const expanded = [...metrics.filter((m) => m !== 'confusion_matrix'), ...cells];
  const calcs: CalculatorExpectation[] = [
    { id: 'CBPE', className: 'CBPE', params: { ...common, metrics }, series: model(expanded), analysisTargets: true },
    { id: 'PerformanceCalculator', className: 'PerformanceCalculator', params: { ...common, metrics }, series: model(expanded) },
    { id: 'ConceptDriftCalculator', className: 'ConceptDriftCalculator', params: { ...common, metrics: ['roc_auc', 'accuracy'] }, series: model(['roc_auc', 'accuracy']) },
    {
      id: 'UnivariateDriftCalculator',
      className: 'UnivariateDriftCalculator',
      // requested_credit_limit is an integer column: continuous by dtype, categorical when listed
      params: { column_names: ['app_behavioral_score', 'requested_credit_limit', 'acq_channel', 'is_customer', 'y_pred'], treat_as_categorical: 'requested_credit_limit', categorical_methods: ['chi2'] },
      series: [['app_behavioral_score', 'jensen_shannon'], ['requested_credit_limit', 'chi2'], ['acq_channel', 'chi2'], ['is_customer', 'chi2'], ['y_pred', 'chi2']],
    },
  ];
  const outcome = runOnce('multiclass', MULTICLASS, calcs, true);

  it('conforms to the contract; confusion-matrix cells are named true_<a>_pred_<b>', () => expectConforms(outcome(), MULTICLASS, calcs));

  it("CBPE's realized equals PerformanceCalculator's values; thresholds from the realized reference chunks", () => {
    const rows = outcome().rows;
    expect(realizedProblems(rows, 'CBPE', expanded)).toEqual([]);
    for (const m of ['roc_auc', 'f1', 'accuracy']) {
      const s = series(rows, 'CBPE', null, m);
      const [lo, hi] = clipBounds(stdBounds(s.filter((r) => r.period === 'reference').map((r) => r.realized)), [0, 1]);
      expect([s[0].lower_threshold, s[0].upper_threshold]).toEqual([expect.closeTo(lo!, 12), expect.closeTo(hi!, 12)]);
    }
  });
});

describe('regression (car price): DLE with only its required parameters, PerformanceCalculator', () => {
  const features = ['car_age', 'km_driven', 'price_new', 'accident_count', 'door_count', 'fuel', 'transmission'];
  const calcs: CalculatorExpectation[] = [
    { id: 'DLE', className: 'DLE', params: { feature_column_names: features, y_pred: 'y_pred', y_true: 'y_true' }, series: model(REGRESSION_METRICS), analysisTargets: true },
    {
      id: 'PerformanceCalculator',
      className: 'PerformanceCalculator',
      params: { problem_type: 'regression', y_true: 'y_true', y_pred: 'y_pred', metrics: REGRESSION_METRICS, timestamp_column_name: 'timestamp' },
      series: model(REGRESSION_METRICS),
    },
  ];
  // DLE without timestamp and PerformanceCalculator with: same default chunks, since the file is in time order
  const outcome = runOnce('regression', CAR_PRICE, calcs, true);

  it('conforms to the contract (all six metrics by default)', () => expectConforms(outcome(), CAR_PRICE, calcs));

  it("DLE's realized equals PerformanceCalculator's values; thresholds from the realized reference chunks, lower limit 0", () => {
    const rows = outcome().rows;
    expect(realizedProblems(rows, 'DLE', REGRESSION_METRICS)).toEqual([]);
    const problems: string[] = [];
    for (const m of REGRESSION_METRICS) {
      const s = series(rows, 'DLE', null, m);
      const [lo, hi] = clipBounds(stdBounds(s.filter((r) => r.period === 'reference').map((r) => r.realized)), [0, null]);
      if (!closeTo(s[0].lower_threshold, lo) || !closeTo(s[0].upper_threshold, hi)) problems.push(`${m}: [${s[0].lower_threshold}, ${s[0].upper_threshold}], expected [${lo}, ${hi}]`);
    }
    expect(problems).toEqual([]);
  });
});

describe('Titanic (no timestamp, missing values): domain classifier and data quality with required parameters only', () => {
  const calcs: CalculatorExpectation[] = [
    { id: 'DomainClassifierCalculator', className: 'DomainClassifierCalculator', params: { feature_column_names: ['Pclass', 'Sex', 'Age', 'Fare', 'Embarked', 'SibSp'] }, series: [[null, 'domain_classifier_auroc']] },
    { id: 'MissingValuesCalculator', className: 'MissingValuesCalculator', params: { column_names: ['Age', 'Cabin', 'Embarked', 'Fare'] }, series: [['Age', 'missing_values'], ['Cabin', 'missing_values'], ['Embarked', 'missing_values'], ['Fare', 'missing_values']] },
    { id: 'UnseenValuesCalculator', className: 'UnseenValuesCalculator', params: { column_names: ['Cabin', 'Embarked', 'Sex', 'Pclass'] }, series: [['Cabin', 'unseen_values'], ['Embarked', 'unseen_values'], ['Sex', 'unseen_values'], ['Pclass', 'unseen_values']] },
    { id: 'NumericalRangeCalculator', className: 'NumericalRangeCalculator', params: { column_names: ['Age', 'Fare'] }, series: [['Age', 'numerical_range'], ['Fare', 'numerical_range']] },
    {
      id: 'UnivariateDriftCalculator',
      className: 'UnivariateDriftCalculator',
      params: { column_names: ['Age', 'Sex', 'Embarked'], continuous_methods: 'kolmogorov_smirnov', categorical_methods: ['chi2', 'l_infinity'] },
      series: [['Age', 'kolmogorov_smirnov'], ['Sex', 'chi2'], ['Sex', 'l_infinity'], ['Embarked', 'chi2'], ['Embarked', 'l_infinity']],
    },
    { id: 'DataReconstructionDriftCalculator', className: 'DataReconstructionDriftCalculator', params: { column_names: ['Age', 'Fare', 'Sex', 'Embarked'] }, series: [[null, 'reconstruction_error']] },
  ];
  const outcome = runOnce('titanic', TITANIC, calcs, false);

  it('conforms to the contract (891 rows: DefaultChunker size 89, ten chunks plus [890:890])', () => {
    expectConforms(outcome(), TITANIC, calcs);
    const keys = series(outcome().rows, 'MissingValuesCalculator', 'Age', 'missing_values').filter((r) => r.period === 'reference').map((r) => r.chunk.key);
    expect(keys).toHaveLength(11);
    expect(keys[10]).toBe('[890:890]');
  });

  it('domain classifier: constant thresholds 0.45 / 0.65', () => {
    const s = series(outcome().rows, 'DomainClassifierCalculator', null, 'domain_classifier_auroc');
    expect(s.every((r) => r.lower_threshold === 0.45 && r.upper_threshold === 0.65)).toBe(true);
  });
});

const SMALL: Dataset = {
  reference: path.join(CONTRACT_FIXTURES, 'car_price_small_reference.csv'),
  analysis: path.join(CONTRACT_FIXTURES, 'car_price_small_analysis.csv'),
  targets: path.join(CONTRACT_FIXTURES, 'car_price_small_analysis_targets.csv'),
  timestamp: 'timestamp',
};
const SMALL_FEATURES = ['car_age', 'km_driven', 'price_new', 'accident_count', 'door_count', 'fuel', 'transmission'];

describe.each([
  { name: 'default chunker with timestamp', chunking: { timestamp_column_name: 'timestamp' } },
  { name: 'chunk_size 700, incomplete drop', chunking: { chunk_size: 700, incomplete: 'drop' } },
  { name: 'chunk_number 4, incomplete append, with timestamp', chunking: { chunk_number: 4, incomplete: 'append', timestamp_column_name: 'timestamp' } },
  { name: "chunk_period 'W'", chunking: { chunk_period: 'W', timestamp_column_name: 'timestamp' } },
])('car-price slice, DLE and domain classifier, $name', ({ name, chunking }) => {
  const calcs: CalculatorExpectation[] = [
    { id: 'DLE', className: 'DLE', params: { feature_column_names: SMALL_FEATURES, y_pred: 'y_pred', y_true: 'y_true', metrics: ['mae', 'rmse'], ...chunking }, series: model(['mae', 'rmse']), analysisTargets: true },
    { id: 'DomainClassifierCalculator', className: 'DomainClassifierCalculator', params: { feature_column_names: SMALL_FEATURES, ...chunking }, series: [[null, 'domain_classifier_auroc']] },
    {
      id: 'ConceptDriftCalculator',
      className: 'ConceptDriftCalculator',
      params: { problem_type: 'regression', feature_column_names: SMALL_FEATURES, y_pred: 'y_pred', y_true: 'y_true', metrics: ['mae', 'rmse'], ...chunking },
      series: model(['mae', 'rmse']),
    },
  ];
  const outcome = runOnce(`small_${name.replace(/\W+/g, '_')}`, SMALL, calcs, true);
  it('conforms to the contract', () => expectConforms(outcome(), SMALL, calcs));
  it('regression concept drift = realized − DLE estimate, chunk by chunk', () => {
    const rows = outcome().rows;
    const problems: string[] = [];
    for (const m of ['mae', 'rmse']) {
      const dle = series(rows, 'DLE', null, m);
      series(rows, 'ConceptDriftCalculator', null, m).forEach((d, i) => {
        const e = dle[i];
        const want = e.realized === null || e.value === null ? null : e.realized - e.value;
        if (!closeTo(d.value, want, 1e-9)) problems.push(`${m} ${d.period} ${d.chunk.key}: ${d.value}, expected ${want}`);
      });
    }
    expect(problems).toEqual([]);
  });
});

describe('with timestamp_column_name the rows are sorted by time before chunking', () => {
  const calcs: CalculatorExpectation[] = [
    { id: 'DLE', className: 'DLE', params: { feature_column_names: SMALL_FEATURES, y_pred: 'y_pred', y_true: 'y_true', metrics: ['mae'], timestamp_column_name: 'timestamp', chunk_size: 500 }, series: model(['mae']), analysisTargets: true },
    { id: 'SummaryStatsAvgCalculator', className: 'SummaryStatsAvgCalculator', params: { column_names: ['price_new'], timestamp_column_name: 'timestamp', chunk_period: 'D' }, series: [['price_new', 'avg']] },
    { id: 'UnivariateDriftCalculator', className: 'UnivariateDriftCalculator', params: { column_names: ['km_driven', 'fuel'], timestamp_column_name: 'timestamp', chunk_number: 7 }, series: [['km_driven', 'jensen_shannon'], ['fuel', 'jensen_shannon']] },
  ];
  const sorted = runOnce('sorted', SMALL, calcs, true);
  const shuffledSet = { ...SMALL, analysis: path.join(CONTRACT_FIXTURES, 'car_price_small_analysis_shuffled.csv') };
  const shuffled = runOnce('shuffled', shuffledSet, calcs, true);

  it('a shuffled analysis file (targets joined by id) gives exactly the rows of the time-ordered one', () => {
    expect(sorted().status).toBe(0);
    expect(shuffled().status).toBe(0);
    expect(sorted().rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(shuffled().rows)).toBe(JSON.stringify(sorted().rows));
  });
});
