/**
 * The Evidently-style methods inside UnivariateDriftCalculator (issue 17): names and aliases, the series a
 * test reports (statistic, p-value, alert), default thresholds, `auto`, and fits that restore.
 */
import { DataError, MetricRow } from '../../calculator';
import { metricsOfFamily, UNIVARIATE_METHODS } from '../../catalog';
import { categorical, Frame, makeFrame, numeric } from '../../frame';
import { seededRandom } from '../../random';
import { parseUnivariateDriftParams, univariateDriftCalculator } from './calculator';

const WHERE = 'calculators[0].params';
const fit = (reference: Frame, params: Record<string, unknown>) => univariateDriftCalculator.fit(reference, parseUnivariateDriftParams(params, WHERE));
const row = (rows: MetricRow[], column: string, metric: string) => rows.find((r) => r.column === column && r.metric === metric);

const rng = seededRandom(7);
const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
const normals = (n: number, shift = 0) => Array.from({ length: n }, () => shift + normal());

describe('Evidently-style methods: names', () => {
  it("accepts Evidently's aliases in method lists and thresholds, and reports the long names", () => {
    const p = parseUnivariateDriftParams(
      { column_names: ['x'], continuous_methods: ['psi', 'kl_div', 'anderson', 'ed', 'es', 'mannw', 't_test', 'cramer_von_mises', 'empirical_mmd'], categorical_methods: ['TVD', 'z', 'fisher_exact', 'g_test'], thresholds: { psi: { type: 'constant', upper: 0.2 } } },
      WHERE,
    );
    expect(p.continuousMethods).toEqual(['population_stability_index', 'kullback_leibler', 'anderson_darling', 'energy_distance', 'epps_singleton', 'mann_whitney', 't_test', 'cramer_von_mises', 'empirical_mmd']);
    expect(p.categoricalMethods).toEqual(['total_variation', 'z_test', 'fisher_exact', 'g_test']);
    expect(p.thresholds.get('population_stability_index')).toEqual({ type: 'constant', lower: null, upper: 0.2 });
  });

  it('rejects a method of the wrong kind, naming the key and listing auto and the aliases', () => {
    expect(() => parseUnivariateDriftParams({ column_names: ['x'], continuous_methods: ['z'] }, WHERE)).toThrow(
      /continuous_methods: unknown method 'z' for continuous columns \(expected one of: auto, .*or an alias: psi/,
    );
    expect(() => parseUnivariateDriftParams({ column_names: ['x'], categorical_methods: ['t_test'] }, WHERE)).toThrow(/unknown method 't_test' for categorical/);
  });

  it('every method and p-value is in the catalog the pickers and the Prometheus method label read', () => {
    const ids = metricsOfFamily('univariate_drift').map((m) => m.id);
    for (const m of [...UNIVARIATE_METHODS.continuous, ...UNIVARIATE_METHODS.categorical]) expect(ids).toContain(m);
    for (const t of ['anderson_darling', 'cramer_von_mises', 'epps_singleton', 'mann_whitney', 't_test', 'empirical_mmd', 'z_test', 'fisher_exact', 'g_test']) {
      expect(ids).toContain(`${t}_p_value`);
      expect(ids).toContain(`${t}_p_value_adjusted`);
    }
  });
});

describe('Evidently-style methods: series and alerts', () => {
  const reference = makeFrame([numeric('x', normals(600)), categorical('c', Array.from({ length: 600 }, (_, i) => (i % 3 ? 'a' : 'b')))]);

  it('a test reports its statistic and p-value; it alerts below its level (t_test: 0.05), on the statistic row only', () => {
    const fitted = fit(reference, { column_names: ['x'], continuous_methods: ['t_test'], chunk_size: 100 });
    expect(fitted.reference[0].rows.map((r) => r.metric)).toEqual(['t_test', 't_test_p_value']);
    const pRow = fitted.reference[0].rows[1];
    expect([pRow.lower_threshold, pRow.upper_threshold]).toEqual([0.05, null]);
    // The reference's own middle: same mean to within noise.
    const same = fitted.calculate(makeFrame([numeric('x', (reference.columns.get('x') as { values: Float64Array }).values.slice(200, 400))]));
    const shifted = fitted.calculate(makeFrame([numeric('x', normals(100, 1))]));
    expect(row(same, 'x', 't_test_p_value')!.value!).toBeGreaterThan(0.05);
    expect(row(same, 'x', 't_test')!.alert).toBe(false);
    expect(row(same, 'x', 't_test_p_value')!.alert).toBeNull();
    expect(row(shifted, 'x', 't_test_p_value')!.value!).toBeLessThan(1e-6);
    expect(row(shifted, 'x', 't_test')!.alert).toBe(true);
    expect(row(shifted, 'x', 't_test_p_value')!.alert).toBeNull();
    expect(row(shifted, 'x', 't_test')!.upper_threshold).toBeNull();
  });

  it("a distance uses Evidently's constant threshold by default (PSI > 0.1) and the user's when given", () => {
    const byDefault = fit(reference, { column_names: ['x'], continuous_methods: ['psi'], chunk_size: 100 });
    expect(byDefault.reference[0].rows[0].upper_threshold).toBe(0.1);
    const given = fit(reference, { column_names: ['x'], continuous_methods: ['psi'], thresholds: { population_stability_index: { type: 'constant', upper: 0.5 } }, chunk_size: 100 });
    expect(given.reference[0].rows[0].upper_threshold).toBe(0.5);
    expect(row(byDefault.calculate(makeFrame([numeric('x', normals(300, 1))])), 'x', 'population_stability_index')!.alert).toBe(true);
  });

  it('categorical tests: z_test, g_test and fisher_exact on a binary column', () => {
    const fitted = fit(reference, { column_names: ['c'], categorical_methods: ['z', 'g_test', 'fisher_exact', 'TVD'], chunk_size: 100 });
    const rows = fitted.calculate(makeFrame([categorical('c', Array.from({ length: 200 }, (_, i) => (i % 3 ? 'b' : 'a')))]));
    for (const t of ['z_test', 'g_test', 'fisher_exact']) {
      expect(row(rows, 'c', `${t}_p_value`)!.value!).toBeLessThan(1e-6);
      expect(row(rows, 'c', t)!.alert).toBe(true);
    }
    expect(row(rows, 'c', 'total_variation')!.value).toBeCloseTo(1 / 3, 2);
  });

  it('fisher_exact on a reference with more than two categories is a data error naming the column', () => {
    const three = makeFrame([categorical('k', Array.from({ length: 30 }, (_, i) => 'abc'[i % 3]))]);
    expect(() => fit(three, { column_names: ['k'], categorical_methods: ['fisher_exact'], chunk_size: 10 })).toThrow(DataError);
    expect(() => fit(three, { column_names: ['k'], categorical_methods: ['fisher_exact'], chunk_size: 10 })).toThrow(/column 'k': fisher_exact needs a binary column/);
  });

  it('an empty chunk has no value and no alert for a test', () => {
    const fitted = fit(reference, { column_names: ['x'], continuous_methods: ['mannw'], chunk_size: 100 });
    const rows = fitted.calculate(makeFrame([numeric('x', [NaN, NaN])]));
    expect(rows.map((r) => [r.metric, r.value, r.alert])).toEqual([
      ['mann_whitney', null, false],
      ['mann_whitney_p_value', null, null],
    ]);
  });

  it('a fit with every new method restores from its saved data and calculates the same', () => {
    const params = parseUnivariateDriftParams(
      { column_names: ['x', 'c'], continuous_methods: [...UNIVARIATE_METHODS.continuous], categorical_methods: UNIVARIATE_METHODS.categorical.filter((m) => m !== 'fisher_exact'), chunk_size: 200, multiple_testing: { method: 'benjamini_hochberg', q: 0.1 } },
      WHERE,
    );
    const fitted = univariateDriftCalculator.fit(reference, params);
    const restored = univariateDriftCalculator.restore!(JSON.parse(JSON.stringify(fitted.saved, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v))), params);
    const chunk = makeFrame([numeric('x', normals(150, 0.2)), categorical('c', Array.from({ length: 150 }, (_, i) => (i % 2 ? 'a' : 'b')))]);
    expect(restored.calculate(chunk)).toEqual(fitted.calculate(chunk));
  });
});

describe('method: auto (Evidently get_default_stattest)', () => {
  const ints = (n: number, k: number) => Array.from({ length: n }, (_, i) => i % k);
  const choose = (columns: ReturnType<typeof numeric | typeof categorical>[]) => {
    const fitted = fit(makeFrame(columns), { column_names: columns.map((c) => c.name), continuous_methods: ['auto'], categorical_methods: ['auto'], chunk_number: 2 });
    return Object.fromEntries(fitted.reference[0].rows.filter((r) => !r.metric.endsWith('_p_value')).map((r) => [r.column, r.metric]));
  };

  it('small reference (≤ 1000): numeric ≤ 2 values → z_test, 3–5 → chi2, more → kolmogorov_smirnov; categorical ≤ 2 → z_test, more → chi2', () => {
    expect(choose([numeric('b', ints(1000, 2)), numeric('f', ints(1000, 5)), numeric('x', normals(1000)), categorical('c2', ints(1000, 2).map(String)), categorical('c3', ints(1000, 3).map(String))])).toEqual({
      x: 'kolmogorov_smirnov',
      b: 'z_test',
      c2: 'z_test',
      c3: 'chi2',
      f: 'chi2',
    });
  });

  it('large reference (> 1000): numeric ≤ 5 values → jensen_shannon on its values, more → wasserstein; categorical → jensen_shannon', () => {
    expect(choose([numeric('f', ints(1001, 5)), numeric('x', normals(1001)), categorical('c', ints(1001, 2).map(String))])).toEqual({
      x: 'wasserstein',
      c: 'jensen_shannon',
      f: 'jensen_shannon',
    });
  });

  it('counts distinct values as a Set does, wherever they occur: 5 vs 6 values decide the kind, -0 and 0 are one value', () => {
    const signedZeros = Array.from({ length: 1000 }, (_, i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : 1));
    expect(choose([numeric('six', [...ints(999, 5), 7]), numeric('five', [...ints(999, 4), 9]), numeric('zeros', signedZeros)])).toEqual({
      six: 'kolmogorov_smirnov',
      five: 'chi2',
      zeros: 'z_test',
    });
  });

  it('auto next to explicit methods: a numeric column with few values keeps its explicit methods and gains the categorical choice', () => {
    const fitted = fit(makeFrame([numeric('f', ints(2000, 4)), numeric('g', ints(1000, 4).concat(Array(1000).fill(NaN)))]), { column_names: ['f', 'g'], continuous_methods: ['hellinger', 'auto'], chunk_number: 2 });
    expect(fitted.reference[0].rows.map((r) => `${r.column}/${r.metric}`)).toEqual(['f/hellinger', 'g/hellinger', 'f/jensen_shannon', 'g/chi2']);
  });

  it('auto next to explicit methods adds the chosen one once', () => {
    const fitted = fit(makeFrame([numeric('x', normals(2000))]), { column_names: ['x'], continuous_methods: ['wasserstein', 'auto', 't_test'], chunk_number: 2 });
    expect(fitted.reference[0].rows.map((r) => r.metric)).toEqual(['wasserstein', 't_test', 't_test_p_value']);
  });
});
