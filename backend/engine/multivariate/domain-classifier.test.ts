import { ConfigError } from '../calculator';
import { categorical, Frame, makeFrame, numeric, sliceFrame } from '../frame';
import { gbdtParams } from '../gbdt';
import { crossValidatedAuroc, domainClassifierCalculator, ordinalCodes, parseDomainClassifierParams } from './domain-classifier';

function uniform(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

/** n rows: a ~ U(0,1) + shift, b ~ U(0,1), c one of 'x','y','z' with P(z) = pz. */
function frame(n: number, seed: number, shift = 0, pz = 1 / 3): Frame {
  const r = uniform(seed);
  const a = Array.from({ length: n }, () => r() + shift);
  const b = Array.from({ length: n }, () => r());
  const c = Array.from({ length: n }, () => {
    const u = r();
    return u < pz ? 'z' : u < pz + (1 - pz) / 2 ? 'x' : 'y';
  });
  return makeFrame([numeric('a', a), numeric('b', b), categorical('c', c)]);
}

const where = 'calculators[0].params';

describe('DomainClassifierCalculator parameters', () => {
  test("NannyML's defaults", () => {
    const p = parseDomainClassifierParams({ feature_column_names: ['a', 'b'] }, where);
    expect(p.cvFoldsNum).toBe(5);
    expect(p.threshold).toEqual({ type: 'constant', lower: 0.45, upper: 0.65 });
    expect(p.gbdt).toMatchObject({ objective: 'binary', numIterations: 100, learningRate: 0.1, numLeaves: 31, minDataInLeaf: 20, seed: 13 });
  });

  test('hyperparameters map onto the GBDT; NannyML’s own default mapping is accepted as is', () => {
    const nannymlDefaults = {
      boosting_type: 'gbdt', class_weight: null, colsample_bytree: 1.0, importance_type: 'split', learning_rate: 0.1, max_depth: -1,
      min_child_samples: 20, min_child_weight: 0.001, min_split_gain: 0.0, n_estimators: 100, n_jobs: -1, num_leaves: 31,
      objective: null, random_state: 13, reg_alpha: 0.0, reg_lambda: 0.0, silent: 'warn', subsample: 1.0, subsample_for_bin: 200000, subsample_freq: 0,
    };
    expect(parseDomainClassifierParams({ feature_column_names: ['a'], hyperparameters: nannymlDefaults }, where).gbdt).toEqual(
      gbdtParams({ objective: 'binary', seed: 13 }),
    );
    expect(parseDomainClassifierParams({ feature_column_names: ['a'], hyperparameters: { n_estimators: 20 } }, where).gbdt.numIterations).toBe(20);
  });

  test('bad parameters name the key', () => {
    const bad = (raw: Record<string, unknown>, key: RegExp) => {
      try {
        parseDomainClassifierParams({ feature_column_names: ['a', 'b'], ...raw }, where);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as ConfigError).message).toMatch(key);
        return;
      }
      throw new Error('expected a ConfigError');
    };
    bad({ tune_hyperparameters: true }, /tune_hyperparameters: .*not supported/);
    bad({ hyperparameters: { subsample: 0.5 } }, /hyperparameters\.subsample: only 1 is supported/);
    bad({ hyperparameters: { bogus: 1 } }, /hyperparameters\.bogus: unknown/);
    bad({ hyperparameters: [1] }, /hyperparameters: must be a mapping/);
    bad({ cv_folds_num: 1 }, /cv_folds_num: must be ≥ 2/);
    bad({ treat_as_categorical: ['zz'] }, /treat_as_categorical: 'zz' is not in feature_column_names/);
    bad({ column_names: ['a'] }, /column_names: unknown parameter/);
  });
});

describe('cross-validated AUROC', () => {
  const quick = gbdtParams({ objective: 'binary', numIterations: 20 });

  test('one class only: 0.5 without training', () => {
    const x = Float64Array.from({ length: 50 }, (_, i) => i);
    expect(crossValidatedAuroc([{ name: 'x', kind: 'numeric', values: x }], new Uint8Array(50), 5, quick)).toBe(0.5);
  });

  test('indistinguishable sets give about 0.5, separable sets about 1', () => {
    const r = uniform(4);
    const n = 3000;
    const x = Float64Array.from({ length: n }, r);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) y[i] = r() < 0.2 ? 1 : 0;
    const same = crossValidatedAuroc([{ name: 'x', kind: 'numeric', values: x }], y, 5, quick);
    expect(Math.abs(same - 0.5)).toBeLessThan(0.05);
    const shifted = Float64Array.from(x, (v, i) => v + (y[i] ? 1 : 0));
    expect(crossValidatedAuroc([{ name: 'x', kind: 'numeric', values: shifted }], y, 5, quick)).toBeGreaterThan(0.99);
  });
});

describe('ordinal encoding (scikit-learn OrdinalEncoder fitted on X = reference + chunk)', () => {
  test('categories present in X, in sorted order, become 0..k-1; missing stays NaN', () => {
    const ref = categorical('c', ['b', 'a', null, 'c']);
    const chunk = categorical('c', ['d', 'a']);
    expect(Array.from(ordinalCodes({ name: 'c', kind: 'categorical', reference: ref }, chunk))).toEqual([1, 0, NaN, 2, 3, 0]);
  });

  test('levels of the level table that X does not contain get no code', () => {
    // a sliced frame shares the whole file's level table: 'a' is known but absent from these rows
    const whole = categorical('c', ['a', 'b', 'c']);
    const rows = { ...whole, codes: whole.codes.subarray(1) };
    expect(Array.from(ordinalCodes({ name: 'c', kind: 'categorical', reference: rows }, null))).toEqual([0, 1]);
  });

  test('numbers treated as categorical are ranked numerically', () => {
    const source = { name: 'k', kind: 'numeric_categorical' as const, reference: Float64Array.from([3, 1, NaN]) };
    expect(Array.from(ordinalCodes(source, numeric('k', [2, 10])))).toEqual([2, 0, NaN, 1, 3]);
  });

  test('booleans sort False before True', () => {
    const ref = categorical('r', [true, false, true]);
    expect(Array.from(ordinalCodes({ name: 'r', kind: 'categorical', reference: ref }, null))).toEqual([1, 0, 1]);
  });
});

describe('DomainClassifierCalculator', () => {
  const params = (extra: Record<string, unknown> = {}) =>
    parseDomainClassifierParams({ feature_column_names: ['a', 'b', 'c'], chunk_size: 500, hyperparameters: { n_estimators: 30 }, ...extra }, where);

  test('reference chunks near 0.5 without alerts; a shifted chunk alerts; constant thresholds', () => {
    const fitted = domainClassifierCalculator.fit(frame(2000, 1), params());
    expect(fitted.reference).toHaveLength(4);
    for (const r of fitted.reference) {
      const [row] = r.rows;
      expect(row).toMatchObject({ column: null, metric: 'domain_classifier_auroc', upper_threshold: 0.65, lower_threshold: 0.45, alert: false, sampling_error: null });
      expect(Math.abs(row.value! - 0.5)).toBeLessThan(0.1);
    }
    const [same] = fitted.calculate(frame(500, 2));
    expect(same.alert).toBe(false);
    const [drifted] = fitted.calculate(frame(500, 3, 0.5));
    expect(drifted.value!).toBeGreaterThan(0.8);
    expect(drifted.alert).toBe(true);
  });

  test('a change in category shares alone is detected', () => {
    const fitted = domainClassifierCalculator.fit(frame(2000, 1), params());
    const [row] = fitted.calculate(frame(500, 5, 0, 0.9));
    expect(row.value!).toBeGreaterThan(0.75);
    expect(row.alert).toBe(true);
  });

  test('treat_as_categorical on a numeric column is accepted and used', () => {
    const ref = frame(2000, 1);
    const n = ref.length;
    const withCodes = makeFrame([...ref.names.map((k) => ref.columns.get(k)!), numeric('k', Array.from({ length: n }, (_, i) => (i * 7) % 3))]);
    const p = parseDomainClassifierParams({ feature_column_names: ['a', 'k'], treat_as_categorical: ['k'], chunk_size: 1000, hyperparameters: { n_estimators: 10 } }, where);
    const [row] = domainClassifierCalculator.fit(withCodes, p).calculate(sliceFrame(withCodes, 0, 499));
    expect(Math.abs(row.value! - 0.5)).toBeLessThan(0.1);
  });

  test('a standard-deviation threshold is derived from the reference chunks, clipped to [0, 1]', () => {
    const fitted = domainClassifierCalculator.fit(frame(2000, 1), params({ threshold: { type: 'standard_deviation', std_lower_multiplier: 100, std_upper_multiplier: 1 } }));
    const values = fitted.reference.map((r) => r.rows[0].value!);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(fitted.reference[0].rows[0].upper_threshold).toBeCloseTo(mean + sd, 12);
    expect(fitted.reference[0].rows[0].lower_threshold).toBe(0);
  });

  test('is deterministic', () => {
    const a = domainClassifierCalculator.fit(frame(1000, 9), params()).reference.map((r) => r.rows[0].value);
    const b = domainClassifierCalculator.fit(frame(1000, 9), params()).reference.map((r) => r.rows[0].value);
    expect(a).toEqual(b);
  });
});
