/**
 * `vigil run` end to end on NannyML's data sets (car loan, California housing, Titanic) for the univariate
 * drift, data-quality and summary-statistics calculators:
 * - against rows derived independently with numpy/scipy by test/fixtures/scripts/univariate_stats_quality.py
 *   from the same configs (test/fixtures/univariate/<case>.config.json → <case>.expected.json): values,
 *   thresholds, alerts, sampling errors, bands, chunk keys, indices and dates, to 1e-9 relative;
 * - against the numbers NannyML publishes (shared/specs/nannyml-algorithms.md §2.9 and the data README).
 */
import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { differences, FIXTURES, OutputRow, runConfig, tempDir, vigil } from './helpers';

const CASES = ['car_loan_drift', 'car_loan_periods', 'california', 'titanic'];

const results = new Map<string, OutputRow[]>();
function rowsOf(name: string): OutputRow[] {
  let rows = results.get(name);
  if (!rows) {
    rows = runConfig(path.join(FIXTURES, `${name}.config.json`));
    results.set(name, rows);
  }
  return rows;
}

function find(rows: OutputRow[], id: string, column: string | null, metric: string, period: string, key: string): OutputRow {
  const r = rows.find((x) => x.id === id && x.column === column && x.metric === metric && x.period === period && x.chunk.key === key);
  if (!r) throw new Error(`no row ${id} ${column} ${metric} ${period} ${key}`);
  return r;
}

describe.each(CASES)('vigil run %s matches the numpy/scipy derivation', (name) => {
  it('has every row, value, threshold, alert, band and chunk field', () => {
    const expected: OutputRow[] = JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.expected.json`), 'utf8')).results;
    expect(expected.length).toBeGreaterThan(100);
    expect(differences(rowsOf(name), expected)).toEqual([]);
  });
});

describe('NannyML published numbers', () => {
  it('car loan, default chunker, debt_to_income_ratio: KS and JS thresholds, alerting chunk [20000:24999]', () => {
    const rows = rowsOf('car_loan_drift');
    const ks = find(rows, 'default_chunker', 'debt_to_income_ratio', 'kolmogorov_smirnov', 'analysis', '[20000:24999]');
    expect(ks.upper_threshold).toBeCloseTo(0.0185838, 7);
    expect(ks.lower_threshold).toBeNull();
    expect(ks.value).toBeCloseTo(0.01918, 5);
    expect(ks.alert).toBe(true);
    const js = find(rows, 'default_chunker', 'debt_to_income_ratio', 'jensen_shannon', 'analysis', '[20000:24999]');
    expect(js.upper_threshold).toBeCloseTo(0.0393276, 7);
  });

  it('car loan, chunk_size 5000, analysis chunk [0:4999] of debt_to_income_ratio: KS 0.01576, JS 0.0316611', () => {
    const rows = rowsOf('car_loan_drift');
    expect(find(rows, 'size_5000', 'debt_to_income_ratio', 'kolmogorov_smirnov', 'analysis', '[0:4999]').value).toBeCloseTo(0.01576, 5);
    // The size_5000 config overrides the JS threshold; the value does not depend on it.
    const js = find(rows, 'size_5000', 'debt_to_income_ratio', 'jensen_shannon', 'analysis', '[0:4999]');
    expect(js.value).toBeCloseTo(0.0316611, 7);
    expect(js.upper_threshold).toBe(0.03);
    expect(js.alert).toBe(true);
  });

  it('chi2 reports no thresholds even when one is configured, and alerts on p < 0.05', () => {
    const rows = rowsOf('car_loan_drift').filter((r) => r.metric === 'chi2');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.upper_threshold).toBeNull();
      expect(r.lower_threshold).toBeNull();
      expect(typeof r.alert).toBe('boolean');
    }
  });
});

describe('chunk keys and dates', () => {
  it('chunk_number 9 on 50 000 rows: nine chunks of 5 555 and [49995:49999]', () => {
    const keys = rowsOf('car_loan_drift')
      .filter((r) => r.id === 'exact_number_9' && r.column === 'driver_tenure' && r.metric === 'kolmogorov_smirnov' && r.period === 'analysis')
      .map((r) => r.chunk.key);
    expect(keys).toEqual([...Array.from({ length: 9 }, (_, i) => `[${i * 5555}:${i * 5555 + 5554}]`), '[49995:49999]']);
  });

  it('Titanic default chunker: size 89, ten chunks and [890:890]', () => {
    const keys = rowsOf('titanic')
      .filter((r) => r.id === 'drift' && r.column === 'Age' && r.metric === 'jensen_shannon' && r.period === 'reference')
      .map((r) => r.chunk.key);
    expect(keys).toEqual([...Array.from({ length: 10 }, (_, i) => `[${i * 89}:${i * 89 + 88}]`), '[890:890]']);
  });

  it('period chunks: month, quarter, week, year keys with period start and end dates', () => {
    const rows = rowsOf('car_loan_periods');
    const month = find(rows, 'monthly', 'car_value', 'jensen_shannon', 'reference', '2018-01');
    expect(month.chunk.start_date).toBe('2018-01-01T00:00:00.000Z');
    expect(month.chunk.end_date).toBe('2018-01-31T23:59:59.999Z');
    const quarter = find(rows, 'avg_quarterly', 'car_value', 'avg', 'reference', '2018Q1');
    expect(quarter.chunk.end_date).toBe('2018-03-31T23:59:59.999Z');
    const weeks = rows.filter((r) => r.id === 'rows_weekly' && r.period === 'reference');
    expect(weeks[0].chunk.key).toMatch(/^\d{4}-\d{2}-\d{2}\/\d{4}-\d{2}-\d{2}$/);
    const [monday] = weeks[0].chunk.key.split('/');
    expect(new Date(`${monday}T00:00:00Z`).getUTCDay()).toBe(1);
    expect(rows.some((r) => r.id === 'range_yearly' && r.chunk.key === '2019')).toBe(true);
  });

  it('size chunks with timestamps carry the first and last timestamp of the chunk', () => {
    const r = find(rowsOf('car_loan_drift'), 'size_5000', 'car_value', 'wasserstein', 'reference', '[0:4999]');
    expect(r.chunk.start_date).toBe('2018-01-01T00:00:00.000Z');
    expect(r.chunk.end_date).toMatch(/^2018-01-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});

describe('config formats and output target', () => {
  it('a YAML config gives the same rows as its JSON twin, and --out - writes them to standard output', () => {
    const dir = tempDir();
    try {
      const json = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'titanic.config.json'), 'utf8'));
      for (const k of ['reference', 'analysis']) json[k] = path.resolve(FIXTURES, json[k]);
      const yamlPath = path.join(dir, 'titanic.yaml');
      fs.writeFileSync(yamlPath, YAML.stringify(json));
      const r = vigil(['run', yamlPath, '--out', '-']);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout).results).toEqual(rowsOf('titanic'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
