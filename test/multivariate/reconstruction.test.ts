/**
 * DataReconstructionDriftCalculator end to end on NannyML's data sets, against
 * - an independent numpy computation (test/fixtures/scripts/pca_reconstruction.py → test/fixtures/multivariate/*.json);
 * - the table NannyML publishes for car loan with chunk_size 5000 (docs notebook
 *   "Tutorial - Drift - Multivariate.ipynb", printed to 6 decimals; its sampling errors come from an older
 *   NannyML that used the reference's spread for every chunk, so only values, thresholds and alerts are compared).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, ResultRow } from '../../backend/engine/calculator';
import { prepareCalculator, runCalculators } from '../../backend/engine/run';
import { readCsvFile } from '../../backend/io/frames';

const DATA = path.join(__dirname, '../../examples/data/nannyml');
const FIXTURES = path.join(__dirname, '../fixtures/multivariate');

interface Fixture {
  columns: string[];
  chunk_size: number;
  k: number;
  upper_threshold: number;
  lower_threshold: number | null;
  reference: { key: string; value: number; sampling_error: number | null }[];
  analysis: { key: string; value: number; sampling_error: number | null }[];
}

function run(dataset: string, analysisFile: string, params: Record<string, unknown>): ResultRow[] {
  const reference = readCsvFile(path.join(DATA, `${dataset}_reference.csv`));
  const analysis = readCsvFile(path.join(DATA, analysisFile));
  return runCalculators(reference, analysis, [{ className: 'DataReconstructionDriftCalculator', id: 'pca', params, where: 'calculators[0]' }]);
}

function expectMatchesFixture(rows: ResultRow[], fx: Fixture) {
  const expected = [...fx.reference.map((c) => ({ ...c, period: 'reference' })), ...fx.analysis.map((c) => ({ ...c, period: 'analysis' }))];
  expect(rows.map((r) => [r.period, r.chunk.key])).toEqual(expected.map((c) => [c.period, c.key]));
  rows.forEach((r, i) => {
    const c = expected[i];
    expect(r.metric).toBe('reconstruction_error');
    expect(r.column).toBeNull();
    expect(r.value).toBeCloseTo(c.value, 10);
    expect(r.sampling_error).toBeCloseTo(c.sampling_error!, 10);
    expect(r.upper_confidence_boundary).toBeCloseTo(c.value + 3 * c.sampling_error!, 10);
    expect(r.lower_confidence_boundary).toBeCloseTo(Math.max(0, c.value - 3 * c.sampling_error!), 10);
    expect(r.upper_threshold).toBeCloseTo(fx.upper_threshold, 10);
    if (fx.lower_threshold === null) expect(r.lower_threshold).toBeNull();
    else expect(r.lower_threshold).toBeCloseTo(fx.lower_threshold, 10);
    const lower = fx.lower_threshold ?? -Infinity;
    expect(r.alert).toBe(!(lower < c.value && c.value < fx.upper_threshold));
  });
}

describe('DataReconstructionDriftCalculator on car loan (chunk_size 5000)', () => {
  const fx: Fixture = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'pca_car_loan.json'), 'utf8'));
  let rows: ResultRow[];
  beforeAll(() => {
    rows = run('synthetic_car_loan', 'synthetic_car_loan_analysis.csv', {
      column_names: fx.columns,
      timestamp_column_name: 'timestamp',
      chunk_size: 5000,
    });
  });

  it('equals the numpy computation chunk by chunk (value, SE, bands, thresholds, alerts)', () => {
    expect(fx.k).toBe(4);
    expectMatchesFixture(rows, fx);
  });

  it("reproduces NannyML's published analysis table", () => {
    // value per analysis chunk, upper and lower threshold, as printed by NannyML (6 decimals)
    const published = [1.141517, 1.130636, 1.138914, 1.14504, 1.137563, 1.249205, 1.243101, 1.258147, 1.228179, 1.259884];
    const analysis = rows.filter((r) => r.period === 'analysis');
    expect(analysis.map((r) => r.value!.toFixed(6))).toEqual(published.map((v) => v.toFixed(6)));
    expect(analysis[0].upper_threshold!.toFixed(6)).toBe('1.153019');
    expect(analysis[0].lower_threshold!.toFixed(6)).toBe('1.115281');
    expect(analysis.map((r) => r.alert)).toEqual([false, false, false, false, false, true, true, true, true, true]);
    expect(analysis[0].chunk).toMatchObject({ key: '[0:4999]', start_index: 0, end_index: 4999 });
  });
});

describe('DataReconstructionDriftCalculator on titanic (missing values, unseen categories)', () => {
  it('equals the numpy computation', () => {
    const fx: Fixture = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'pca_titanic.json'), 'utf8'));
    const rows = run('titanic', 'titanic_analysis.csv', { column_names: fx.columns, chunk_size: fx.chunk_size });
    expectMatchesFixture(rows, fx);
  });
});

describe('DataReconstructionDriftCalculator parameters', () => {
  const prep = (params: Record<string, unknown>) =>
    prepareCalculator({ className: 'DataReconstructionDriftCalculator', id: 'x', params, where: 'calculators[0]' });
  it.each([
    [{}, /calculators\[0\]\.params\.column_names: is required/],
    [{ column_names: ['a'], n_components: 0 }, /n_components: must be > 0/],
    [{ column_names: ['a'], n_components: 1.5 }, /n_components: must be a share of variance/],
    [{ column_names: ['a', 'b'], n_components: 3 }, /n_components: must not exceed the number of columns \(2\)/],
    [{ column_names: ['a'], n_components: 'mle' }, /n_components: must be a number/],
    [{ column_names: ['a'], imputer_categorical: 'mean' }, /imputer_categorical: unknown imputer strategy/],
    [{ column_names: ['a'], threshold: { type: 'constant', lower: 2, upper: 1 } }, /threshold/],
    [{ column_names: ['a'], chunk_sizes: 10 }, /chunk_sizes: unknown parameter/],
  ])('%j → ConfigError', (params, message) => {
    expect(() => prep(params)).toThrow(ConfigError);
    expect(() => prep(params)).toThrow(message);
  });

  it('a column missing from the analysis is a data error naming the dataset', () => {
    const reference = readCsvFile(path.join(DATA, 'titanic_reference.csv'));
    const analysis = readCsvFile(path.join(DATA, 'titanic_analysis.csv'));
    expect(() =>
      runCalculators(reference, analysis, [
        { className: 'DataReconstructionDriftCalculator', id: 'x', params: { column_names: ['Age', 'Survived'] }, where: 'calculators[0]' },
      ]),
    ).toThrow(expect.objectContaining({ name: 'DataError', dataset: 'analysis', message: "column 'Survived' not found" }));
  });
});
