import { ConfigError, DataError } from '../../calculator';
import { categorical, Frame, makeFrame, numeric } from '../../frame';
import { GbdtModel } from '../../gbdt';
import { DEFAULT_STD_THRESHOLD } from '../../thresholds';
import { dleCalculator } from './calculator';
import { encodeCategories, fitCategoryEncoder, MISSING_CATEGORY } from './encoding';
import { DleModel, estimateChunk, fitDleModel } from './model';
import { parseDleParams } from './params';

const where = 'calculators[0].params';

function uniform(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

/**
 * y_pred = x; y = x + e with |e| growing with z: the model's error depends on z, so DLE can learn it.
 * zRange picks where z is drawn (covariate shift towards large errors).
 */
function data(n: number, seed: number, zRange: [number, number] = [0, 1], withTargets = true): Frame {
  const r = uniform(seed);
  const x: number[] = [];
  const z: number[] = [];
  const c: string[] = [];
  const yPred: number[] = [];
  const yTrue: number[] = [];
  for (let i = 0; i < n; i++) {
    const xi = 10 + 10 * r();
    const zi = zRange[0] + (zRange[1] - zRange[0]) * r();
    const ci = r() < 0.5 ? 'a' : 'b';
    const scale = 0.2 + 3 * zi + (ci === 'b' ? 1 : 0);
    x.push(xi);
    z.push(zi);
    c.push(ci);
    yPred.push(xi);
    yTrue.push(xi + scale * (2 * r() - 1));
  }
  const cols = [numeric('x', x), numeric('z', z), categorical('c', c), numeric('y_pred', yPred)];
  if (withTargets) cols.push(numeric('y_true', yTrue));
  return makeFrame(cols);
}

const baseParams = { feature_column_names: ['x', 'z', 'c'], y_pred: 'y_pred', y_true: 'y_true' };

describe('categorical preprocessing', () => {
  test("sorted categories → 1..k, 'NML_missing_value' for missing, unknown → 0", () => {
    const ref = categorical('c', ['b', null, 'a', 'b']);
    const enc = fitCategoryEncoder(ref);
    // code-point order: uppercase 'N' sorts before lowercase letters
    expect(enc.categories).toEqual([MISSING_CATEGORY, 'a', 'b']);
    expect(Array.from(encodeCategories(enc, ref))).toEqual([3, 1, 2, 3]);
    expect(Array.from(encodeCategories(enc, categorical('c', ['a', 'zz', null])))).toEqual([2, 0, 1]);
  });

  test('without missing values in the reference, a missing value is unknown (0)', () => {
    const enc = fitCategoryEncoder(categorical('c', ['x', 'y']));
    expect(enc.categories).toEqual(['x', 'y']);
    expect(Array.from(encodeCategories(enc, categorical('c', [null, 'y'])))).toEqual([0, 2]);
  });

  test('booleans sort False, True', () => {
    const enc = fitCategoryEncoder(categorical('b', [true, false]));
    expect(enc.categories).toEqual(['False', 'True']);
  });
});

describe('DLE parameters', () => {
  test("NannyML's defaults: all six metrics, standard-deviation thresholds, LightGBM's regressor", () => {
    const p = parseDleParams(baseParams, where);
    expect(p.metrics).toEqual(['mae', 'mape', 'mse', 'msle', 'rmse', 'rmsle']);
    for (const m of p.metrics) expect(p.thresholds.get(m)).toEqual(DEFAULT_STD_THRESHOLD);
    expect(p.gbdt).toMatchObject({ objective: 'regression', numIterations: 100, learningRate: 0.1, numLeaves: 31, minDataInLeaf: 20 });
  });

  test('hyperparameters and thresholds per metric', () => {
    const p = parseDleParams({ ...baseParams, metrics: ['rmse'], hyperparameters: { n_estimators: 7, num_leaves: 8 }, thresholds: { rmse: { type: 'constant', lower: 1, upper: 2 } } }, where);
    expect(p.gbdt).toMatchObject({ numIterations: 7, numLeaves: 8 });
    expect(p.thresholds.get('rmse')).toEqual({ type: 'constant', lower: 1, upper: 2 });
  });

  test('bad parameters name the key', () => {
    const bad = (raw: Record<string, unknown>, message: RegExp) => {
      expect(() => parseDleParams({ ...baseParams, ...raw }, where)).toThrow(ConfigError);
      expect(() => parseDleParams({ ...baseParams, ...raw }, where)).toThrow(message);
    };
    bad({ tune_hyperparameters: true }, /params\.tune_hyperparameters: hyperparameter tuning \(FLAML\) is not supported/);
    bad({ metrics: ['mae', 'r2'] }, /params\.metrics: unknown metric 'r2'/);
    bad({ metrics: [] }, /params\.metrics/);
    bad({ feature_column_names: ['x', 'y_pred'] }, /feature_column_names: must not list the y_pred column/);
    bad({ hyperparameters: { learning_rate: 0 } }, /hyperparameters\.learning_rate: must be > 0/);
    bad({ thresholds: { accuracy: { type: 'constant', upper: 1 } } }, /thresholds\.accuracy/);
    bad({ problem_type: 'regression' }, /problem_type: unknown parameter/);
    expect(() => parseDleParams({ feature_column_names: ['x'], y_pred: 'p' }, where)).toThrow(/y_true: is required/);
  });
});

describe('DLE estimates', () => {
  const reference = data(6000, 1);
  const p = parseDleParams({ ...baseParams, metrics: ['mae', 'rmse'], chunk_size: 1500 }, where);
  const model = fitDleModel(reference, p);

  test('on unshifted data the estimate is close to the realized error', () => {
    for (const v of estimateChunk(model, data(3000, 2), 'analysis')) {
      expect(Math.abs(v.estimate - v.realized) / v.realized).toBeLessThan(0.05);
    }
  });

  test('a covariate shift towards large errors raises the estimate with the realized error', () => {
    const before = estimateChunk(model, data(3000, 3), 'analysis');
    const after = estimateChunk(model, data(3000, 3, [0.8, 1]), 'analysis');
    after.forEach((v, i) => {
      expect(v.realized).toBeGreaterThan(before[i].realized * 1.3);
      expect(Math.abs(v.estimate - v.realized) / v.realized).toBeLessThan(0.06);
    });
  });

  test('without targets: an estimate and sampling error, realized NaN', () => {
    const [mae] = estimateChunk(model, data(500, 4, [0, 1], false), 'analysis');
    expect(mae.estimate).toBeGreaterThan(0);
    expect(mae.realized).toBeNaN();
    expect(mae.samplingError).toBeCloseTo(model.metrics[0].samplingError.std / Math.sqrt(500), 12);
  });

  test('the sampling error counts the rows with y_pred; the estimate averages over every row', () => {
    const chunk = data(100, 5);
    const yPred = (chunk.columns.get('y_pred') as { values: Float64Array }).values;
    yPred[0] = NaN;
    yPred[1] = NaN;
    const [mae] = estimateChunk(model, chunk, 'analysis');
    expect(mae.samplingError).toBeCloseTo(model.metrics[0].samplingError.std / Math.sqrt(98), 12);
    expect(Number.isFinite(mae.estimate)).toBe(true);
  });

  test('a category the reference never had is encoded 0 and still scored', () => {
    const chunk = data(200, 6);
    const c = categorical('c', Array.from({ length: 200 }, () => 'new'));
    const frame = makeFrame(chunk.names.map((n) => (n === 'c' ? c : chunk.columns.get(n)!)));
    for (const v of estimateChunk(model, frame, 'analysis')) expect(Number.isFinite(v.estimate)).toBe(true);
  });

  test('is deterministic', () => {
    const again = fitDleModel(reference, p);
    expect(JSON.stringify(again)).toBe(JSON.stringify(model));
  });
});

describe('DLE estimate arithmetic on a hand-made model', () => {
  // one tree on x: x ≤ 0.5 → −2, else +4 (no start score); predicted losses below 0 count as 0
  const regressor: GbdtModel = {
    objective: 'regression',
    initScore: 0,
    features: [{ name: 'x', kind: 'numeric', missingType: 'none' }, { name: 'y_pred', kind: 'numeric', missingType: 'none' }],
    trees: [{ splitFeature: [0], threshold: [0.5], decision: [0], left: [-1], right: [-2], catSets: [], leafValue: [-2, 4] }],
  };
  const model = (metric: 'mae' | 'rmse'): DleModel => ({
    features: [{ name: 'x', kind: 'numeric' }],
    yPred: 'y_pred',
    yTrue: 'y_true',
    metrics: [{ metric, regressor, samplingError: { metric, std: 2, mean: 4 } }],
  });
  const chunk = makeFrame([numeric('x', [0, 0, 1, 1]), numeric('y_pred', [1, 1, 1, 1]), numeric('y_true', [1, 2, 3, 5])]);

  test('mean of the clipped predictions; its square root for rmse', () => {
    const [mae] = estimateChunk(model('mae'), chunk, 'analysis');
    expect(mae.estimate).toBe((0 + 0 + 4 + 4) / 4);
    expect(mae.realized).toBe((0 + 1 + 2 + 4) / 4);
    expect(mae.samplingError).toBe(2 / Math.sqrt(4));
    const [rmse] = estimateChunk(model('rmse'), chunk, 'analysis');
    expect(rmse.estimate).toBe(Math.sqrt(2));
    expect(rmse.realized).toBe(Math.sqrt((0 + 1 + 4 + 16) / 4));
    // sqrt(std² / (4 n mean))
    expect(rmse.samplingError).toBe(Math.sqrt(4 / (4 * 4 * 4)));
  });
});

describe('DLE calculator', () => {
  test('thresholds come from the realized reference chunks; bands clipped at 0; strict alert on the estimate', () => {
    const fitted = dleCalculator.fit(data(6000, 1), parseDleParams({ ...baseParams, metrics: ['mae'], chunk_size: 1500 }, where));
    const realized = fitted.reference.map((c) => c.rows[0].realized!);
    const mean = realized.reduce((s, v) => s + v, 0) / realized.length;
    const sd = Math.sqrt(realized.reduce((s, v) => s + (v - mean) ** 2, 0) / realized.length);
    for (const c of fitted.reference) {
      const r = c.rows[0];
      expect(r.metric).toBe('mae');
      expect(r.upper_threshold).toBeCloseTo(mean + 3 * sd, 12);
      expect(r.lower_threshold).toBeCloseTo(Math.max(0, mean - 3 * sd), 12);
      expect(r.upper_confidence_boundary).toBeCloseTo(r.value! + 3 * r.sampling_error!, 12);
      expect(r.lower_confidence_boundary).toBeCloseTo(Math.max(0, r.value! - 3 * r.sampling_error!), 12);
    }
    const [shifted] = fitted.calculate(data(1500, 9, [0.9, 1]));
    expect(shifted.alert).toBe(true);
    expect(shifted.value!).toBeGreaterThan(shifted.upper_threshold!);
    const [same] = fitted.calculate(data(1500, 10, [0, 1], false));
    expect(same.alert).toBe(false);
    expect(same.realized).toBeNull();
  });

  test('msle refuses negative values, naming the column', () => {
    const ref = data(500, 1);
    (ref.columns.get('y_true') as { values: Float64Array }).values[3] = -1;
    expect(() => dleCalculator.fit(ref, parseDleParams({ ...baseParams, metrics: ['msle'] }, where))).toThrow(DataError);
    expect(() => dleCalculator.fit(ref, parseDleParams({ ...baseParams, metrics: ['msle'] }, where))).toThrow(/column 'y_true' \(y_true\) has a negative value/);
  });

  test('a reference without any labelled row is refused', () => {
    const ref = data(100, 1);
    (ref.columns.get('y_true') as { values: Float64Array }).values.fill(NaN);
    expect(() => dleCalculator.fit(ref, parseDleParams({ ...baseParams, metrics: ['mae'] }, where))).toThrow(/no rows with both 'y_true'/);
  });
});
