/**
 * Leave-one-out std thresholds (issue 17): each reference chunk scored against the reference without it.
 * Checked by brute force, on its configuration errors, and measured on planted data and on NannyML's car
 * loan data (the numbers in docs/drift-methods.md come from the console lines of this file).
 */
import * as path from 'path';
import { ConfigError, MetricRow } from '../../calculator';
import { makeFrame, numeric, sliceFrame, takeRows } from '../../frame';
import { seededRandom } from '../../random';
import { readCsvFile } from '../../../io/frames';
import { parseUnivariateDriftParams, univariateDriftCalculator } from './calculator';

const WHERE = 'calculators[0].params';
const fit = (reference: ReturnType<typeof makeFrame>, params: Record<string, unknown>) =>
  univariateDriftCalculator.fit(reference, parseUnivariateDriftParams(params, WHERE));

describe('leave_one_out thresholds', () => {
  const rng = seededRandom(5);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const reference = makeFrame([numeric('x', Array.from({ length: 400 }, normal))]);
  const LOO = { jensen_shannon: { type: 'standard_deviation', std_upper_multiplier: 3, std_lower_multiplier: null, leave_one_out: true } };

  it('equal mean + 3·std₀ of each reference chunk scored by a fit on the other chunks (brute force)', () => {
    const fitted = fit(reference, { column_names: ['x'], chunk_size: 50, thresholds: LOO });
    const values = [];
    for (let start = 0; start < 400; start += 50) {
      const order = Int32Array.from({ length: 350 }, (_, i) => (i < start ? i : i + 50));
      const alone = fit(takeRows(reference, order), { column_names: ['x'], chunk_size: 50 });
      values.push(alone.calculate(sliceFrame(reference, start, start + 49))[0].value!);
    }
    const mean = values.reduce((a, b) => a + b) / values.length;
    const std0 = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
    expect(fitted.reference[0].rows[0].upper_threshold).toBeCloseTo(mean + 3 * std0, 14);
    // The reference rows keep the value against the whole reference, as analysis chunks are scored.
    const standard = fit(reference, { column_names: ['x'], chunk_size: 50 });
    expect(fitted.reference.map((c) => c.rows[0].value)).toEqual(standard.reference.map((c) => c.rows[0].value));
    expect(fitted.reference[0].rows[0].upper_threshold!).toBeGreaterThan(standard.reference[0].rows[0].upper_threshold!);
  });

  it('thresholds: {type: standard_deviation, leave_one_out: true} applies to every distance method', () => {
    const p = parseUnivariateDriftParams({ column_names: ['x'], continuous_methods: ['jensen_shannon', 'psi', 't_test'], thresholds: { type: 'standard_deviation', leave_one_out: true } }, WHERE);
    expect(p.leaveOneOut).toEqual(expect.arrayContaining(['jensen_shannon', 'population_stability_index', 'wasserstein', 'total_variation']));
    expect(p.leaveOneOut).not.toContain('t_test');
    expect(p.thresholds.get('population_stability_index')).toEqual({ type: 'standard_deviation', stdLowerMultiplier: 3, stdUpperMultiplier: 3 });
    const fitted = univariateDriftCalculator.fit(reference, { ...p, chunking: parseUnivariateDriftParams({ column_names: ['x'], chunk_size: 50 }, WHERE).chunking });
    const byMethod = fit(reference, { column_names: ['x'], continuous_methods: ['jensen_shannon'], chunk_size: 50, thresholds: { jensen_shannon: { type: 'standard_deviation', leave_one_out: true } } });
    expect(fitted.reference[0].rows[0].upper_threshold).toBe(byMethod.reference[0].rows[0].upper_threshold);
  });

  it('restores with the same thresholds', () => {
    const params = parseUnivariateDriftParams({ column_names: ['x'], chunk_size: 50, thresholds: LOO }, WHERE);
    const fitted = univariateDriftCalculator.fit(reference, params);
    const chunk = makeFrame([numeric('x', Array.from({ length: 50 }, () => 0.3 + normal()))]);
    expect(univariateDriftCalculator.restore!(fitted.saved, params).calculate(chunk)).toEqual(fitted.calculate(chunk));
  });

  it.each([
    [{ jensen_shannon: { type: 'standard_deviation', leave_one_out: 'yes' } }, 'thresholds.jensen_shannon.leave_one_out', 'true or false'],
    [{ jensen_shannon: { type: 'constant', upper: 0.1, leave_one_out: true } }, 'thresholds.jensen_shannon.leave_one_out', 'standard_deviation thresholds only'],
    [{ t_test: { type: 'standard_deviation', leave_one_out: true } }, 'thresholds.t_test', 'its threshold is the significance level'],
    [{ t_test: { type: 'constant', upper: 0.5 } }, 'thresholds.t_test', 'its threshold is the significance level'],
  ])('rejects %j at %s', (thresholds, key, message) => {
    try {
      parseUnivariateDriftParams({ column_names: ['x'], continuous_methods: ['jensen_shannon', 't_test'], thresholds }, WHERE);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).where).toBe(`${WHERE}.${key}`);
      expect((e as Error).message).toContain(message);
    }
  });
});

/** Share of rows that alert. */
const alertRate = (rows: MetricRow[]) => rows.filter((r) => r.alert).length / rows.length;

describe('how far leave-one-out moves thresholds and false alerts', () => {
  const METHODS = ['jensen_shannon', 'kolmogorov_smirnov', 'wasserstein', 'hellinger'];
  const stdLoo = Object.fromEntries(METHODS.map((m) => [m, { type: 'standard_deviation', std_lower_multiplier: null, leave_one_out: true }]));

  it('planted data: 10 undrifted columns, 10 reference chunks of 500, 200 undrifted analysis chunks', () => {
    const rng = seededRandom(11);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const names = Array.from({ length: 10 }, (_, j) => `x${j}`);
    const frame = (rows: number) => makeFrame(names.map((n) => numeric(n, Array.from({ length: rows }, normal))));
    const reference = frame(5_000);
    const analysis = Array.from({ length: 200 }, () => frame(500));
    const report: string[] = [];
    for (const method of METHODS) {
      const base = { column_names: names, continuous_methods: [method], chunk_size: 500 };
      const standard = fit(reference, base);
      const loo = fit(reference, { ...base, thresholds: { [method]: stdLoo[method] } });
      const up = (f: typeof standard) => f.reference[0].rows.map((r) => r.upper_threshold!);
      const ratio = up(loo).reduce((s, v, i) => s + v / up(standard)[i], 0) / names.length;
      const rate = (f: typeof standard) => alertRate(analysis.flatMap((c) => f.calculate(c)));
      const [rs, rl] = [rate(standard), rate(loo)];
      report.push(`${method}: upper threshold ×${ratio.toFixed(3)} (mean over columns); false-alert rate per column-chunk ${rs.toFixed(4)} → ${rl.toFixed(4)}`);
      expect(ratio).toBeGreaterThan(1);
      expect(rl).toBeLessThanOrEqual(rs);
    }
    // eslint-disable-next-line no-console
    console.log(`planted (10 N(0,1) columns, 200 analysis chunks of 500):\n${report.join('\n')}`);
  });

  it("NannyML's car loan: thresholds and alerts in the undrifted and drifted halves of the analysis", () => {
    const data = path.join(__dirname, '../../../../examples/data/nannyml');
    const reference = readCsvFile(path.join(data, 'synthetic_car_loan_reference.csv'));
    const analysis = readCsvFile(path.join(data, 'synthetic_car_loan_analysis.csv'));
    const columns = ['car_value', 'debt_to_income_ratio', 'driver_tenure', 'salary_range', 'repaid_loan_on_prev_car', 'size_of_downpayment', 'loan_length'];
    const base = { column_names: columns, continuous_methods: ['jensen_shannon'], categorical_methods: ['jensen_shannon'], chunk_size: 5_000 };
    const standard = fit(reference, base);
    const loo = fit(reference, { ...base, thresholds: { jensen_shannon: stdLoo.jensen_shannon } });
    const chunks = Array.from({ length: analysis.length / 5_000 }, (_, i) => sliceFrame(analysis, i * 5_000, i * 5_000 + 4_999));
    const report: string[] = [];
    const half = (f: typeof standard, from: number, to: number) => chunks.slice(from, to).flatMap((c) => f.calculate(c));
    for (const [i, r] of standard.reference[0].rows.entries()) {
      const l = loo.reference[0].rows[i];
      report.push(`${r.column}: upper ${r.upper_threshold!.toFixed(5)} → ${l.upper_threshold!.toFixed(5)} (×${(l.upper_threshold! / r.upper_threshold!).toFixed(2)})`);
      expect(l.upper_threshold!).toBeGreaterThan(r.upper_threshold!);
    }
    const rates = (f: typeof standard) => [alertRate(half(f, 0, 5)), alertRate(half(f, 5, 10))].map((v) => v.toFixed(3)).join(' / ');
    report.push(`alert rate per column-chunk, analysis chunks 0-4 (no drift) / 5-9 (drift): standard ${rates(standard)}, leave-one-out ${rates(loo)}`);
    // eslint-disable-next-line no-console
    console.log(`car loan (chunk_size 5000, jensen_shannon):\n${report.join('\n')}`);
    expect(alertRate(half(loo, 0, 5))).toBeLessThanOrEqual(alertRate(half(standard, 0, 5)));
  });
});
