import { fromLightgbmParams, gbdtParams, HyperparameterError, predict, predictLeaves, trainGbdt, TrainFeature } from '.';

/** Deterministic uniform(0,1) stream (Park–Miller). */
function uniform(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

const numericFeature = (name: string, values: ArrayLike<number>): TrainFeature => ({ name, kind: 'numeric', values });

function rmse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
}

/** Mann-Whitney AUC (ties averaged). */
function auc(score: ArrayLike<number>, y: ArrayLike<number>): number {
  const idx = Array.from({ length: score.length }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  const rank = new Float64Array(score.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && score[idx[j + 1]] === score[idx[i]]) j++;
    for (let k = i; k <= j; k++) rank[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let pos = 0;
  let sum = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) {
    pos++;
    sum += rank[i];
  }
  const neg = y.length - pos;
  return (sum - (pos * (pos + 1)) / 2) / (pos * neg);
}

describe('L2 regression', () => {
  test('first tree on a two-level step is one split at the midpoint with ±lr·(half the gap)', () => {
    // every value 3 times, so each value has a bin of its own (min_data_in_bin = 3)
    const x = Float64Array.from({ length: 300 }, (_, i) => i % 100);
    const y = Float64Array.from(x, (v) => (v < 50 ? 0 : 10));
    const model = trainGbdt([numericFeature('x', x)], y, gbdtParams());
    expect(model.initScore).toBe(5);
    const t = model.trees[0];
    expect(t.splitFeature).toEqual([0]);
    expect(t.threshold[0]).toBeGreaterThan(49.5);
    expect(t.threshold[0]).toBeLessThan(49.5 + 1e-12);
    expect(t.leafValue[0]).toBeCloseTo(-0.5, 12);
    expect(t.leafValue[1]).toBeCloseTo(0.5, 12);
    // residuals shrink by (1 - 0.1) per tree: 5·0.9^100 ≈ 1.3e-4 after 100 trees
    const p = predict(model, [x]);
    expect(Math.abs(p[0] - 0)).toBeLessThan(2e-4);
    expect(Math.abs(p[99] - 10)).toBeLessThan(2e-4);
  });

  test('values seen once share bins of 3 (min_data_in_bin), so the best threshold is the nearest bin bound', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => i);
    const y = Float64Array.from(x, (v) => (v < 50 ? 0 : 10));
    const model = trainGbdt([numericFeature('x', x)], y, gbdtParams());
    // bins: {0}, {1,2,3}, ..., {46,47,48}, {49,50,51}: 48.5 is the bound closest to the step
    expect(model.trees[0].threshold[0]).toBeCloseTo(48.5, 12);
  });

  test('fits a smooth function of two features', () => {
    const r = uniform(7);
    const n = 5000;
    const a = Float64Array.from({ length: n }, r);
    const b = Float64Array.from({ length: n }, r);
    const truth = Float64Array.from({ length: n }, (_, i) => Math.sin(2 * Math.PI * a[i]) + 2 * b[i] * b[i]);
    const y = truth.map((t) => t + (r() - 0.5) * 0.2);
    const model = trainGbdt([numericFeature('a', a), numericFeature('b', b)], y, gbdtParams());
    expect(model.trees).toHaveLength(100);
    expect(rmse(predict(model, [a, b]), truth)).toBeLessThan(0.06);
  });
});

describe('binary log loss', () => {
  test('starts from the log-odds of the base rate and separates the classes', () => {
    const r = uniform(11);
    const n = 4000;
    const x = Float64Array.from({ length: n }, () => r() * 4 - 2);
    const y = Float64Array.from({ length: n }, (_, i) => (r() < 1 / (1 + Math.exp(-3 * x[i])) ? 1 : 0));
    const model = trainGbdt([numericFeature('x', x)], y, gbdtParams({ objective: 'binary' }));
    const p = y.reduce((s, v) => s + v, 0) / n;
    expect(model.initScore).toBeCloseTo(Math.log(p / (1 - p)), 12);
    const prob = predict(model, [x]);
    for (const v of prob) expect(v > 0 && v < 1).toBe(true);
    // the Bayes-optimal AUROC for this logistic model is about 0.88
    expect(auc(prob, y)).toBeGreaterThan(0.86);
    // calibration: mean predicted probability close to the base rate
    expect(Math.abs(prob.reduce((s, v) => s + v, 0) / n - p)).toBeLessThan(0.01);
  });
});

describe('missing values', () => {
  test('NaN rows get their own direction', () => {
    const r = uniform(3);
    const n = 3000;
    const x = Float64Array.from({ length: n }, () => (r() < 0.3 ? NaN : r()));
    const y = Float64Array.from(x, (v) => (Number.isNaN(v) ? 5 : v));
    const model = trainGbdt([numericFeature('x', x)], y, gbdtParams());
    expect(model.features[0].missingType).toBe('nan');
    const p = predict(model, [Float64Array.from([NaN, 0.1, 0.9])]);
    expect(p[0]).toBeCloseTo(5, 2);
    expect(p[1]).toBeCloseTo(0.1, 1);
    expect(p[2]).toBeCloseTo(0.9, 1);
  });

  test('without NaN in training, NaN is scored as 0 (LightGBM)', () => {
    const x = Float64Array.from({ length: 400 }, (_, i) => i / 100 - 2);
    const y = Float64Array.from(x, (v) => v * v);
    const model = trainGbdt([numericFeature('x', x)], y, gbdtParams());
    expect(model.features[0].missingType).toBe('none');
    const p = predict(model, [Float64Array.from([NaN, 0])]);
    expect(p[0]).toBe(p[1]);
  });
});

describe('categorical features', () => {
  function categoricalData(categories: number, perCategory: number, high: (c: number) => boolean) {
    const codes: number[] = [];
    const y: number[] = [];
    const r = uniform(5);
    for (let c = 0; c < categories; c++) {
      for (let i = 0; i < perCategory; i++) {
        codes.push(c);
        y.push((high(c) ? 10 : 0) + (r() - 0.5));
      }
    }
    return { codes: Float64Array.from(codes), y: Float64Array.from(y) };
  }

  test('many categories: sorted by gradient statistics and split into groups', () => {
    const { codes, y } = categoricalData(6, 300, (c) => c % 2 === 1);
    const model = trainGbdt([{ name: 'c', kind: 'categorical', values: codes }], y, gbdtParams());
    const p = predict(model, [Float64Array.from([0, 1, 2, 3, 4, 5])]);
    [0, 10, 0, 10, 0, 10].forEach((want, i) => expect(Math.abs(p[i] - want)).toBeLessThan(0.1));
    // a categorical node holds a set of categories, not a threshold
    expect(model.trees[0].catSets.length).toBeGreaterThan(0);
  });

  test('few categories: one category against the rest', () => {
    const { codes, y } = categoricalData(3, 300, (c) => c === 2);
    const model = trainGbdt([{ name: 'c', kind: 'categorical', values: codes }], y, gbdtParams());
    expect(model.trees[0].catSets[0]).toHaveLength(1);
    const p = predict(model, [Float64Array.from([0, 1, 2])]);
    [0, 0, 10].forEach((want, i) => expect(Math.abs(p[i] - want)).toBeLessThan(0.1));
  });

  test('unseen categories and NaN go right at every categorical node, so they score alike', () => {
    const { codes, y } = categoricalData(6, 300, (c) => c < 3);
    const model = trainGbdt([{ name: 'c', kind: 'categorical', values: codes }], y, gbdtParams());
    const p = predict(model, [Float64Array.from([99, NaN, -1])]);
    expect(p[0]).toBe(p[1]);
    expect(p[2]).toBe(p[1]);
  });

  test('mixed numeric and categorical features', () => {
    const r = uniform(21);
    const n = 4000;
    const x = Float64Array.from({ length: n }, r);
    const c = Float64Array.from({ length: n }, () => Math.floor(r() * 5));
    const truth = Float64Array.from({ length: n }, (_, i) => x[i] * 3 + (c[i] === 1 || c[i] === 3 ? 2 : 0));
    const model = trainGbdt([numericFeature('x', x), { name: 'c', kind: 'categorical', values: c }], truth, gbdtParams());
    expect(rmse(predict(model, [x, c]), truth)).toBeLessThan(0.05);
  });
});

describe('deterministic and constrained', () => {
  const r = uniform(99);
  const n = 2000;
  const a = Float64Array.from({ length: n }, r);
  const b = Float64Array.from({ length: n }, () => (r() < 0.1 ? NaN : r()));
  const c = Float64Array.from({ length: n }, () => Math.floor(r() * 6));
  const y = Float64Array.from({ length: n }, (_, i) => a[i] + (Number.isNaN(b[i]) ? 1 : b[i]) * c[i] + r());
  const features: TrainFeature[] = [numericFeature('a', a), numericFeature('b', b), { name: 'c', kind: 'categorical', values: c }];

  test('the same data and parameters give the same model', () => {
    const m1 = trainGbdt(features, y, gbdtParams());
    const m2 = trainGbdt(features, y, gbdtParams());
    expect(JSON.stringify(m1)).toBe(JSON.stringify(m2));
  });

  test('a model survives a JSON round trip', () => {
    const m = trainGbdt(features, y, gbdtParams({ numIterations: 10 }));
    const copy = JSON.parse(JSON.stringify(m));
    expect(Array.from(predict(copy, [a, b, c]))).toEqual(Array.from(predict(m, [a, b, c])));
  });

  test('every leaf holds at least min_child_samples training rows', () => {
    // 10 extreme rows would be isolated in a leaf of their own without the constraint
    const x = Float64Array.from({ length: 1000 }, (_, i) => i);
    const yy = Float64Array.from(x, (v) => (v >= 990 ? 1000 : v / 100));
    const leafSizes = (minDataInLeaf: number) => {
      const model = trainGbdt([numericFeature('x', x)], yy, gbdtParams({ minDataInLeaf, numIterations: 20 }));
      let smallest = Infinity;
      for (const leaves of predictLeaves(model, [x])) {
        const counts = new Map<number, number>();
        for (const l of leaves) counts.set(l, (counts.get(l) ?? 0) + 1);
        for (const v of counts.values()) smallest = Math.min(smallest, v);
      }
      return smallest;
    };
    expect(leafSizes(20)).toBeGreaterThanOrEqual(20);
    expect(leafSizes(5)).toBeLessThan(20);
  });

  test('num_leaves and n_estimators bound the model', () => {
    const m = trainGbdt(features, y, gbdtParams({ numLeaves: 4, numIterations: 7 }));
    expect(m.trees).toHaveLength(7);
    for (const t of m.trees) expect(t.leafValue.length).toBeLessThanOrEqual(4);
  });

  test('max_depth bounds the depth', () => {
    const m = trainGbdt(features, y, gbdtParams({ maxDepth: 2 }));
    for (const t of m.trees) expect(t.leafValue.length).toBeLessThanOrEqual(4);
  });
});

describe('LightGBM hyperparameter names', () => {
  test('maps scikit-learn names and ignores ones without effect', () => {
    const p = fromLightgbmParams(
      { n_estimators: 50, learning_rate: 0.05, num_leaves: 15, min_child_samples: 10, reg_lambda: 1, random_state: 13, n_jobs: -1, boosting_type: 'gbdt', subsample: 1.0 },
      gbdtParams(),
    );
    expect(p).toMatchObject({ numIterations: 50, learningRate: 0.05, numLeaves: 15, minDataInLeaf: 10, lambdaL2: 1, seed: 13 });
  });

  test('rejects what it cannot honour, naming the key', () => {
    expect(() => fromLightgbmParams({ subsample: 0.8 }, gbdtParams())).toThrow(HyperparameterError);
    expect(() => fromLightgbmParams({ boosting_type: 'dart' }, gbdtParams())).toThrow(/only "gbdt"/);
    expect(() => fromLightgbmParams({ n_estimators: 2.5 }, gbdtParams())).toThrow(/integer/);
    expect(() => fromLightgbmParams({ nonsense: 1 }, gbdtParams())).toThrow(/unknown/);
    expect(() => fromLightgbmParams({ objective: 'binary' }, gbdtParams())).toThrow(/objective|supported/);
  });
});
