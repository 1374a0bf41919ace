import { ConfigError, DataError, MetricRow } from '../../calculator';
import { categorical, Frame, makeFrame, numeric, sliceFrame } from '../../frame';
import { chi2Contingency } from './chi2';
import { parseUnivariateDriftParams, univariateDriftCalculator } from './calculator';
import { jensenShannonDistance } from './jensen-shannon';

const WHERE = 'calculators[0].params';

function fit(reference: Frame, params: Record<string, unknown>) {
  return univariateDriftCalculator.fit(reference, parseUnivariateDriftParams(params, WHERE));
}

const row = (rows: MetricRow[], column: string, metric: string) => rows.find((r) => r.column === column && r.metric === metric)!;

/** 20 reference rows: x = 0..19 (continuous), c = a/b alternating, flag = True/False. */
const reference = makeFrame([
  numeric('x', Array.from({ length: 20 }, (_, i) => i)),
  categorical('c', Array.from({ length: 20 }, (_, i) => (i % 2 ? 'b' : 'a'))),
  numeric('k', Array.from({ length: 20 }, (_, i) => i % 3), 'int'),
]);

describe('UnivariateDriftCalculator parameters', () => {
  it('defaults to jensen_shannon for both kinds and the std threshold with no lower bound', () => {
    const p = parseUnivariateDriftParams({ column_names: 'x' }, WHERE);
    expect(p.columnNames).toEqual(['x']);
    expect(p.continuousMethods).toEqual(['jensen_shannon']);
    expect(p.categoricalMethods).toEqual(['jensen_shannon']);
    expect(p.computationParams.kolmogorov_smirnov).toEqual({ calculationMethod: 'auto', nBins: 10_000 });
  });

  it.each([
    [{ column_names: ['x'], continuous_methods: ['chi2'] }, 'continuous_methods', "unknown method 'chi2' for continuous columns"],
    [{ column_names: ['x'], categorical_methods: ['wasserstein'] }, 'categorical_methods', "unknown method 'wasserstein'"],
    [{ column_names: ['x'], thresholds: { jensen: { type: 'constant', upper: 1 } } }, 'thresholds.jensen', 'unknown method or metric'],
    [{ column_names: ['x'], computation_params: { jensen_shannon: {} } }, 'computation_params.jensen_shannon', 'computation_params apply to'],
    [{ column_names: ['x'], computation_params: { kolmogorov_smirnov: { calculation_method: 'fast' } } }, 'computation_params.kolmogorov_smirnov.calculation_method', "unknown value 'fast'"],
    [{ column_names: ['x'], computation_params: { wasserstein: { n_bins: 0 } } }, 'computation_params.wasserstein.n_bins', 'must be ≥ 1'],
    [{ column_names: ['x'], computation_params: { wasserstein: { bins: 5 } } }, 'computation_params.wasserstein.bins', 'unknown parameter'],
    [{ column_names: ['x'], treat_as_categorical: ['x'], treat_as_numerical: ['x'] }, 'treat_as_numerical', 'also listed'],
    [{ column_names: ['x'], chunk_sise: 5 }, 'chunk_sise', 'unknown parameter'],
    [{}, 'column_names', 'is required'],
  ])('rejects %j at %s', (params, key, message) => {
    expect(() => parseUnivariateDriftParams(params, WHERE)).toThrow(ConfigError);
    try {
      parseUnivariateDriftParams(params, WHERE);
    } catch (e) {
      expect((e as ConfigError).where).toBe(`${WHERE}.${key}`);
      expect((e as Error).message).toContain(message);
    }
  });
});

describe('UnivariateDriftCalculator', () => {
  it('types columns by dtype, with treat_as_categorical overriding (sorted names, continuous first)', () => {
    const fitted = fit(reference, { column_names: ['k', 'c', 'x'], treat_as_categorical: ['k'], chunk_size: 10 });
    expect(fitted.reference[0].rows.map((r) => `${r.column}/${r.metric}`)).toEqual(['x/jensen_shannon', 'c/jensen_shannon', 'k/jensen_shannon']);
  });

  it('derives the default threshold from the reference chunks: mean + 3·std₀, no lower bound', () => {
    const fitted = fit(reference, { column_names: ['x'], continuous_methods: ['jensen_shannon'], chunk_size: 4 });
    const values = fitted.reference.map((c) => c.rows[0].value!);
    const mean = values.reduce((a, b) => a + b) / values.length;
    const std0 = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
    expect(fitted.reference[0].rows[0].upper_threshold).toBeCloseTo(mean + 3 * std0, 14);
    expect(fitted.reference[0].rows[0].lower_threshold).toBeNull();
    expect(fitted.reference.every((c) => c.rows[0].alert === false)).toBe(true);
    const analysis = fitted.calculate(makeFrame([numeric('x', [100, 101, 102])]));
    expect(analysis[0].value).toBe(1);
    expect(analysis[0].alert).toBe(true);
  });

  it('clips a KS upper threshold at its limit 1 (inclusive), so KS = 1 does not alert', () => {
    // Exact KS of the 5-row quarters of 0..19 against the whole: [.75, .5, .5, .75] → .625 + 3·.125 = 1 → limit 1
    const fitted = fit(reference, { column_names: ['x'], continuous_methods: ['kolmogorov_smirnov'], chunk_size: 5 });
    expect(fitted.reference.map((c) => c.rows[0].value)).toEqual([0.75, 0.5, 0.5, 0.75]);
    expect(fitted.reference[0].rows[0].upper_threshold).toBe(1);
    const [ks] = fitted.calculate(makeFrame([numeric('x', [100, 101, 102])]));
    expect([ks.value, ks.alert]).toEqual([1, false]);
  });

  it('honours custom thresholds per method, still clipped to the method limits', () => {
    const fitted = fit(reference, {
      column_names: ['x'],
      continuous_methods: ['kolmogorov_smirnov', 'jensen_shannon'],
      chunk_size: 5,
      thresholds: {
        kolmogorov_smirnov: { type: 'constant', lower: 0.1, upper: 2 },
        jensen_shannon: { type: 'standard_deviation', std_lower_multiplier: 1, std_upper_multiplier: null },
      },
    });
    const [ks, js] = fitted.reference[0].rows;
    expect([ks.lower_threshold, ks.upper_threshold]).toEqual([0.1, 1]);
    expect(js.upper_threshold).toBeNull();
    expect(js.lower_threshold).not.toBeNull();
  });

  it('chi2: thresholds always None (even when configured), alert = p < 0.05', () => {
    const fitted = fit(reference, {
      column_names: ['c'],
      categorical_methods: ['chi2'],
      chunk_size: 10,
      thresholds: { chi2: { type: 'constant', upper: 0.1 } },
    });
    const analysis = fitted.calculate(makeFrame([categorical('c', Array(30).fill('a'))]));
    const expected = chi2Contingency([10, 10], [30, 0]);
    expect(analysis[0].value).toBe(expected.statistic);
    expect(analysis[0].alert).toBe(expected.pValue < 0.05);
    expect(analysis[0].alert).toBe(true);
    for (const r of [...fitted.reference.map((c) => c.rows[0]), analysis[0]]) {
      expect(r.upper_threshold).toBeNull();
      expect(r.lower_threshold).toBeNull();
    }
  });

  it('an empty chunk after NaN removal gives value null and no alert, for every method', () => {
    const fitted = fit(reference, {
      column_names: ['x', 'c'],
      continuous_methods: ['kolmogorov_smirnov', 'jensen_shannon', 'wasserstein', 'hellinger'],
      categorical_methods: ['chi2', 'jensen_shannon', 'l_infinity', 'hellinger'],
      chunk_size: 10,
    });
    const rows = fitted.calculate(makeFrame([numeric('x', [NaN, NaN]), categorical('c', [null, null])]));
    expect(rows).toHaveLength(8);
    for (const r of rows) {
      expect(r.value).toBeNull();
      expect(r.alert).toBe(false);
    }
  });

  it('removes NaN from the reference and from chunks before scoring', () => {
    const withNaN = makeFrame([numeric('x', [0, 1, NaN, 2, 3, NaN])]);
    const fitted = fit(withNaN, { column_names: ['x'], continuous_methods: ['kolmogorov_smirnov'], chunk_size: 6 });
    expect(fitted.reference[0].rows[0].value).toBe(0);
    expect(fitted.calculate(makeFrame([numeric('x', [NaN, 0, 1, 2, 3])]))[0].value).toBe(0);
  });

  it('all reference values equal (Doane first == last): same value 0, other value 1', () => {
    const flat = makeFrame([numeric('x', Array(12).fill(7))]);
    const fitted = fit(flat, { column_names: ['x'], continuous_methods: ['jensen_shannon', 'kolmogorov_smirnov', 'wasserstein'], chunk_size: 4 });
    expect(fitted.calculate(makeFrame([numeric('x', [7, 7])])).map((r) => r.value)).toEqual([0, 0, 0]);
    expect(fitted.calculate(makeFrame([numeric('x', [8])])).map((r) => r.value)).toEqual([1, 1, 1]);
  });

  it('values outside the reference range go to the leftover bin (JS) and move KS/Wasserstein', () => {
    const fitted = fit(reference, { column_names: ['x'], continuous_methods: ['jensen_shannon', 'wasserstein'], chunk_size: 10 });
    const [js, w] = fitted.calculate(makeFrame([numeric('x', [-50, 1000])]));
    expect(js.value).toBe(1);
    // ∫|F_ref − F_c|: [−50, 0) ½·50 = 25; [0, 19) Σ|j/20 − ½|·1 = 4.5; [19, 1000) ½·981 = 490.5
    expect(w.value).toBeCloseTo(520, 10);
  });

  it('single category: a chunk with an unseen category drifts, chi2 has one dof', () => {
    const single = makeFrame([categorical('c', Array(10).fill('a'))]);
    const fitted = fit(single, { column_names: ['c'], categorical_methods: ['jensen_shannon', 'chi2', 'l_infinity'], chunk_size: 5 });
    expect(fitted.reference.map((c) => c.rows.map((r) => r.value))).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    const [js, chi, linf] = fitted.calculate(makeFrame([categorical('c', ['a', 'z'])]));
    expect(js.value).toBe(jensenShannonDistance([1, 0], [0.5, 0.5]));
    expect(chi.value).toBe(chi2Contingency([10, 0], [1, 1]).statistic);
    expect(linf.value).toBe(0.5);
  });

  it('treats a numeric column as categorical by value, so an int reference meets a float analysis column', () => {
    const fitted = fit(reference, { column_names: ['k'], treat_as_categorical: ['k'], categorical_methods: ['l_infinity'], chunk_size: 10 });
    const rows = fitted.calculate(makeFrame([numeric('k', [0, 1, 2, NaN, 0, 1, 2])]));
    // reference shares 7/20, 7/20, 6/20; chunk 1/3 each (the NaN dropped)
    expect(rows[0].value).toBeCloseTo(Math.abs(6 / 20 - 1 / 3), 15);
  });

  it('treat_as_numerical reads numbers written as text; text that is no number is a data error naming the column', () => {
    const textRef = makeFrame([categorical('t', ['1', '2', '3', '4'])]);
    const fitted = fit(textRef, { column_names: ['t'], treat_as_numerical: ['t'], continuous_methods: ['kolmogorov_smirnov'], chunk_size: 2 });
    expect(fitted.calculate(makeFrame([categorical('t', ['1', '2', '3', '4'])]))[0].value).toBe(0);
    expect(() => fitted.calculate(makeFrame([categorical('t', ['1', 'many'])]))).toThrow(DataError);
    expect(() => fitted.calculate(makeFrame([categorical('t', ['1', 'many'])]))).toThrow("column 't': value 'many' is not a number");
  });

  it('refuses a reference column without values', () => {
    const empty = makeFrame([numeric('x', [NaN, NaN])]);
    expect(() => fit(empty, { column_names: ['x'], chunk_size: 1 })).toThrow("column 'x' has no values");
  });

  it('scores reference chunks exactly as analysis chunks of the same rows', () => {
    const fitted = fit(reference, {
      column_names: ['x', 'c'],
      continuous_methods: ['kolmogorov_smirnov', 'jensen_shannon', 'wasserstein', 'hellinger'],
      categorical_methods: ['chi2', 'jensen_shannon', 'l_infinity', 'hellinger'],
      chunk_size: 7,
    });
    const again = fitted.calculate(sliceFrame(reference, 7, 13));
    expect(again.map((r) => r.value)).toEqual(fitted.reference[1].rows.map((r) => r.value));
    expect(row(again, 'c', 'chi2').alert).toBe(row(fitted.reference[1].rows, 'c', 'chi2').alert);
  });
});
