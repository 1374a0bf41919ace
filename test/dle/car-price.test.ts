/**
 * DLE end to end on NannyML's car-price data (chunk_size 6000):
 * - realized values, sampling errors, thresholds and bands for all six metrics against an independent numpy
 *   computation (test/fixtures/scripts/dle_realized.py → test/fixtures/dle/car_price_realized.json);
 * - the rmse and rmsle estimates against the table NannyML publishes (test/fixtures/dle/car_price_published.json):
 *   NannyML trains LightGBM, Vigil its port of it; the issue asks for 3 % per chunk, the port agrees to the
 *   printed precision;
 * - every metric's estimate tracks the realized value.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ResultRow } from '../../backend/engine/calculator';
import { runCalculators } from '../../backend/engine/run';
import { leftJoinTargets, readCsvFile } from '../../backend/io/frames';
import { runConfig, tempDir, vigil } from '../run/helpers';

const DATA = path.join(__dirname, '../../examples/data/nannyml');
const FIXTURES = path.join(__dirname, '../fixtures/dle');
const realizedFx = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'car_price_realized.json'), 'utf8'));
const published = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'car_price_published.json'), 'utf8'));
const METRICS = ['mae', 'mape', 'mse', 'msle', 'rmse', 'rmsle'];
/** The bar for LightGBM-based DLE estimates against NannyML's, per chunk. */
const ESTIMATE_TOLERANCE = 0.03;
/**
 * What the GBDT port achieves on this table, pinned so that a change drifting from LightGBM's trees shows
 * here: rmse equal to the printed digits (relative 1e-10) on 19 of 20 chunks and 4e-5 on one reference
 * chunk; rmsle equal to the printed 6 decimals (relative 2e-6).
 */
const ACHIEVED_TOLERANCE = 1e-4;

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const closeRel = (a: number | null, b: number, rel = 1e-9) => expect(Math.abs(a! - b)).toBeLessThanOrEqual(rel * Math.abs(b));

function loadData() {
  const reference = readCsvFile(path.join(DATA, 'regression_synthetic_reference.csv'));
  const analysis = readCsvFile(path.join(DATA, 'regression_synthetic_analysis.csv'));
  const targets = readCsvFile(path.join(DATA, 'regression_synthetic_analysis_targets.csv'));
  return { reference, analysis: leftJoinTargets(analysis, targets, 'id').frame };
}

const series = (rows: ResultRow[], metric: string, period: string) => rows.filter((r) => r.metric === metric && r.period === period);

describe('DLE on car price, all six metrics, analysis targets given', () => {
  let rows: ResultRow[];
  let seconds: number;
  beforeAll(() => {
    const { reference, analysis } = loadData();
    const t0 = Date.now();
    rows = runCalculators(reference, analysis, [
      { className: 'DLE', id: 'dle', where: 'calculators[0]', params: { ...published.params, metrics: undefined } },
    ]);
    seconds = (Date.now() - t0) / 1000;
  }, 300_000);

  test('one series per metric in NannyML’s default order, reference chunks first', () => {
    const order = [...new Set(rows.map((r) => r.metric))];
    expect(order).toEqual(METRICS);
    for (const m of METRICS) {
      expect(series(rows, m, 'reference').map((r) => r.chunk.key)).toEqual(realizedFx.metrics[m].reference.map((c: { key: string }) => c.key));
      expect(series(rows, m, 'analysis').map((r) => r.chunk.key)).toEqual(realizedFx.metrics[m].analysis.map((c: { key: string }) => c.key));
    }
  });

  test.each(METRICS)('%s: realized, sampling error, thresholds, bands and alerts as the numpy derivation', (m) => {
    const fx = realizedFx.metrics[m];
    for (const period of ['reference', 'analysis'] as const) {
      series(rows, m, period).forEach((r, i) => {
        const c = fx[period][i];
        expect(r).toMatchObject({ calculator: 'DLE', id: 'dle', column: null, targets_missing_rate: null });
        closeRel(r.realized, c.realized);
        closeRel(r.sampling_error, c.sampling_error);
        if (fx.lower_threshold === 0) expect(r.lower_threshold).toBe(0);
        else closeRel(r.lower_threshold, fx.lower_threshold);
        closeRel(r.upper_threshold, fx.upper_threshold);
        closeRel(r.upper_confidence_boundary, r.value! + 3 * c.sampling_error);
        const lower = r.value! - 3 * c.sampling_error;
        if (lower > 0) closeRel(r.lower_confidence_boundary, lower);
        else expect(r.lower_confidence_boundary).toBe(0);
        expect(r.alert).toBe(r.value! < r.lower_threshold! || r.value! > r.upper_threshold!);
      });
    }
  });

  test.each(METRICS)('%s: the estimate tracks the realized value', (m) => {
    // a squared error's relative error is twice its root's
    const squared = m === 'mse' || m === 'msle';
    const worst = (period: string) => Math.max(...series(rows, m, period).map((r) => relative(r.value!, r.realized!)));
    expect(worst('reference')).toBeLessThan(squared ? 0.06 : 0.03);
    // NannyML's own rmsle estimates miss the drifted chunks' realized values by 5.1 % (its published table)
    expect(worst('analysis')).toBeLessThan(squared ? 0.12 : 0.06);
    // the drift in the second half of the analysis period shows in the estimate as in the realized value
    const analysis = series(rows, m, 'analysis');
    const mean = (rs: ResultRow[], f: 'value' | 'realized') => rs.reduce((s, r) => s + r[f]!, 0) / rs.length;
    const estimatedShift = mean(analysis.slice(5), 'value') - mean(analysis.slice(0, 5), 'value');
    const realizedShift = mean(analysis.slice(5), 'realized') - mean(analysis.slice(0, 5), 'realized');
    expect(Math.sign(estimatedShift)).toBe(Math.sign(realizedShift));
    expect(relative(estimatedShift, realizedShift)).toBeLessThan(0.35);
  });

  test('reports its speed', () => {
    // eslint-disable-next-line no-console
    console.log(`DLE (6 metrics) on car price: fit + 20 chunks in ${seconds.toFixed(1)} s`);
    expect(seconds).toBeGreaterThan(0);
  });
});

describe('DLE on car price against NannyML’s published rmse/rmsle table', () => {
  let rows: ResultRow[];
  beforeAll(() => {
    const { reference } = loadData();
    const analysis = readCsvFile(path.join(DATA, 'regression_synthetic_analysis.csv'));
    rows = runCalculators(reference, analysis, [{ className: 'DLE', id: 'dle', where: 'calculators[0]', params: published.params }]);
  }, 300_000);

  test.each(['rmse', 'rmsle'])('%s: estimates within 3 %% per chunk, realized/SE/thresholds/alerts as printed', (m) => {
    const pub = published.metrics[m];
    const diffs: number[] = [];
    for (const period of ['reference', 'analysis'] as const) {
      series(rows, m, period).forEach((r, i) => {
        const d = relative(r.value!, pub[period].value[i]);
        diffs.push(d);
        expect(d).toBeLessThanOrEqual(ESTIMATE_TOLERANCE);
        expect(r.alert).toBe(pub[period].alert[i]);
        expect(r.sampling_error).toBeCloseTo(pub.sampling_error, 6);
        expect(r.lower_threshold).toBeCloseTo(pub.lower_threshold, 6);
        expect(Math.abs(r.upper_threshold! - pub.upper_threshold)).toBeLessThan(0.01);
        if (period === 'reference') expect(r.realized).toBeCloseTo(pub.reference.realized[i], 6);
        else expect(r.realized).toBeNull(); // no targets given
      });
    }
    expect(Math.max(...diffs)).toBeLessThan(ACHIEVED_TOLERANCE);
    // eslint-disable-next-line no-console
    console.log(`DLE ${m} vs NannyML: max relative difference ${(100 * Math.max(...diffs)).toFixed(5)} %`);
  });
});

describe('DLE through vigil run', () => {
  const write = (dir: string, params: Record<string, unknown>, targets = true) => {
    const config = path.join(dir, 'dle.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        reference: path.join(DATA, 'regression_synthetic_reference.csv'),
        analysis: path.join(DATA, 'regression_synthetic_analysis.csv'),
        ...(targets ? { analysis_targets: path.join(DATA, 'regression_synthetic_analysis_targets.csv') } : {}),
        calculators: [{ class: 'DLE', params: { feature_column_names: published.params.feature_column_names, y_pred: 'y_pred', y_true: 'y_true', chunk_number: 2, ...params } }],
      }),
    );
    return config;
  };

  test('writes estimated and realized rows', () => {
    const dir = tempDir();
    const rows = runConfig(write(dir, { metrics: ['mae'] }));
    expect(rows.map((r) => [r.period, r.chunk.key, r.metric])).toEqual([
      ['reference', '[0:29999]', 'mae'],
      ['reference', '[30000:59999]', 'mae'],
      ['analysis', '[0:29999]', 'mae'],
      ['analysis', '[30000:59999]', 'mae'],
    ]);
    for (const r of rows) {
      expect(r).toMatchObject({ calculator: 'DLE', id: 'DLE', column: null });
      expect(r.realized).not.toBeNull();
      expect(relative(r.value!, r.realized!)).toBeLessThan(0.1);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  test('bad parameters exit 2 naming the key, and nothing is written', () => {
    const dir = tempDir();
    const out = path.join(dir, 'out.json');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ tune_hyperparameters: true }, /calculators\[0\]\.params\.tune_hyperparameters: hyperparameter tuning \(FLAML\) is not supported/],
      [{ metrics: ['rmse', 'r2'] }, /calculators\[0\]\.params\.metrics: unknown metric 'r2'/],
      [{ hyperparameters: { boosting_type: 'goss' } }, /calculators\[0\]\.params\.hyperparameters\.boosting_type: only "gbdt" is supported/],
      [{ thresholds: { r2: { type: 'constant', upper: 1 } } }, /calculators\[0\]\.params\.thresholds\.r2/],
      [{ y_true: undefined }, /calculators\[0\]\.params\.y_true: is required/],
    ];
    for (const [params, message] of cases) {
      const r = vigil(['run', write(dir, params), '--out', out]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(fs.existsSync(out)).toBe(false);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
