/**
 * ConceptDriftCalculator on generated data (see generate.ts): a planted change of P(y|x) alerts on its
 * chunks; a pure covariate shift, which CBPE explains, does not.
 */
import { ConfigError, ResultRow } from '../../backend/engine/calculator';
import { makeFrame } from '../../backend/engine/frame';
import { prepareCalculator, runCalculators } from '../../backend/engine/run';
import { generate, generateRegression } from './generate';

const CHUNK = 5000;
const PARAMS = {
  problem_type: 'classification_binary',
  y_pred_proba: 'y_pred_proba',
  y_pred: 'y_pred',
  y_true: 'y_true',
  metrics: ['roc_auc', 'accuracy', 'f1'],
  chunk_size: CHUNK,
};
const COVARIATE = [2, 3, 4, 5, 6, 7, 8, 9];
const CONCEPT = [6, 7];
const reference = generate({ rows: 50_000, chunkSize: CHUNK, seed: 1 });
const analysis = generate({ rows: 50_000, chunkSize: CHUNK, seed: 2, covariateChunks: COVARIATE, conceptChunks: CONCEPT, unlabelledChunks: [9] });
const covariateOnly = generate({ rows: 50_000, chunkSize: CHUNK, seed: 3, covariateChunks: COVARIATE });

function run(data: ReturnType<typeof generate>, params: Record<string, unknown> = PARAMS): ResultRow[] {
  return runCalculators(reference, data, [
    { className: 'ConceptDriftCalculator', id: 'concept', params, where: 'calculators[0]' },
    { className: 'CBPE', id: 'cbpe', params, where: 'calculators[1]' },
    { className: 'PerformanceCalculator', id: 'realized', params, where: 'calculators[2]' },
  ]);
}

const pick = (rows: ResultRow[], id: string, metric: string, period = 'analysis') => rows.filter((r) => r.id === id && r.metric === metric && r.period === period);
const alertedChunks = (rows: ResultRow[]) => rows.flatMap((r) => (r.alert ? [r.chunk.index] : []));

describe('ConceptDriftCalculator', () => {
  let rows: ResultRow[];
  beforeAll(() => {
    rows = run(analysis);
  }, 120_000);

  it.each(['roc_auc', 'accuracy', 'f1'])('%s: alerts on exactly the chunks where P(y|x) changed', (metric) => {
    expect(alertedChunks(pick(rows, 'concept', metric))).toEqual(CONCEPT);
    expect(alertedChunks(pick(rows, 'concept', metric, 'reference'))).toEqual([]);
    for (const r of pick(rows, 'concept', metric).filter((x) => CONCEPT.includes(x.chunk.index))) expect(r.value!).toBeLessThan(-0.1);
  });

  it('the covariate shift moves performance (CBPE alerts on accuracy) without a concept-drift alert', () => {
    const shifted = COVARIATE.filter((c) => !CONCEPT.includes(c) && c !== 9);
    expect(alertedChunks(pick(rows, 'cbpe', 'accuracy')).filter((c) => shifted.includes(c))).toEqual(shifted);
    for (const metric of ['roc_auc', 'accuracy', 'f1']) {
      expect(alertedChunks(pick(rows, 'concept', metric)).filter((c) => shifted.includes(c))).toEqual([]);
    }
  });

  it('value = realized − estimated; SE = √(SE_estimated² + SE_realized²); band ± 3·SE; std thresholds from the reference', () => {
    for (const metric of ['roc_auc', 'accuracy', 'f1']) {
      for (const period of ['reference', 'analysis']) {
        const concept = pick(rows, 'concept', metric, period);
        const cbpe = pick(rows, 'cbpe', metric, period);
        const realized = pick(rows, 'realized', metric, period);
        concept.forEach((r, i) => {
          if (cbpe[i].realized === null) return;
          expect(r.chunk).toEqual(cbpe[i].chunk);
          expect(r.value).toBeCloseTo(cbpe[i].realized! - cbpe[i].value!, 14);
          expect(cbpe[i].realized).toBeCloseTo(realized[i].value!, 14);
          const se = Math.sqrt(cbpe[i].sampling_error! ** 2 + realized[i].sampling_error! ** 2);
          expect(r.sampling_error).toBeCloseTo(se, 14);
          expect(r.upper_confidence_boundary).toBeCloseTo(r.value! + 3 * se, 14);
          expect(r.lower_confidence_boundary).toBeCloseTo(r.value! - 3 * se, 14);
        });
      }
      const ref = pick(rows, 'concept', metric, 'reference').map((r) => r.value!);
      const mean = ref.reduce((a, b) => a + b) / ref.length;
      const sd = Math.sqrt(ref.reduce((a, v) => a + (v - mean) ** 2, 0) / ref.length);
      for (const r of pick(rows, 'concept', metric)) {
        expect(r.upper_threshold).toBeCloseTo(mean + 3 * sd, 14);
        expect(r.lower_threshold).toBeCloseTo(mean - 3 * sd, 14);
        expect(r).toMatchObject({ column: null, realized: null, targets_missing_rate: null, calculator: 'ConceptDriftCalculator' });
      }
    }
  });

  it('a chunk without targets has no value and no alert', () => {
    for (const metric of ['roc_auc', 'accuracy', 'f1']) {
      const last = pick(rows, 'concept', metric).find((r) => r.chunk.index === 9)!;
      expect(last).toMatchObject({ value: null, sampling_error: null, upper_confidence_boundary: null, alert: false });
    }
  });

  it('a pure covariate shift raises no concept-drift alert', () => {
    const clean = run(covariateOnly);
    expect(clean.filter((r) => r.id === 'concept' && r.alert)).toEqual([]);
    expect(alertedChunks(pick(clean, 'cbpe', 'accuracy')).length).toBeGreaterThan(0);
  }, 120_000);

  it('analysis without a target column: every analysis value is null', () => {
    const noTargets = makeFrame(analysis.names.filter((n) => n !== 'y_true').map((n) => analysis.columns.get(n)!));
    const out = runCalculators(reference, noTargets, [{ className: 'ConceptDriftCalculator', id: 'c', params: PARAMS, where: 'c' }]);
    const ana = out.filter((r) => r.period === 'analysis');
    expect(ana).toHaveLength(30);
    expect(ana.every((r) => r.value === null && r.alert === false)).toBe(true);
    expect(out.filter((r) => r.period === 'reference').every((r) => r.value !== null)).toBe(true);
  }, 120_000);

  it('thresholds apply to the differences; a confusion matrix gives one series per cell', () => {
    const out = runCalculators(reference, analysis, [
      {
        className: 'ConceptDriftCalculator',
        id: 'c',
        params: { ...PARAMS, metrics: ['roc_auc', 'confusion_matrix'], thresholds: { roc_auc: { type: 'constant', lower: -0.3, upper: 0.3 } } },
        where: 'c',
      },
    ]);
    const auc = out.filter((r) => r.metric === 'roc_auc' && r.period === 'analysis');
    expect(auc.every((r) => r.lower_threshold === -0.3 && r.upper_threshold === 0.3)).toBe(true);
    expect(alertedChunks(auc)).toEqual([]); // the planted change (≈ −0.15) is inside these wide bounds
    expect([...new Set(out.map((r) => r.metric))]).toEqual(['roc_auc', 'true_positive', 'true_negative', 'false_positive', 'false_negative']);
  }, 120_000);
});

describe('ConceptDriftCalculator for regression (DLE)', () => {
  const REG = { problem_type: 'regression', feature_column_names: ['x1', 'x2'], y_pred: 'y_pred', y_true: 'y_true', metrics: ['mae', 'rmse'], chunk_size: CHUNK };
  const { problem_type: _, ...DLE_PARAMS } = REG;
  let rows: ResultRow[];
  beforeAll(() => {
    const reg = generateRegression({ rows: 50_000, chunkSize: CHUNK, seed: 2, covariateChunks: COVARIATE, conceptChunks: CONCEPT, unlabelledChunks: [9] });
    rows = runCalculators(generateRegression({ rows: 50_000, chunkSize: CHUNK, seed: 1 }), reg, [
      { className: 'ConceptDriftCalculator', id: 'concept', params: REG, where: 'calculators[0]' },
      { className: 'DLE', id: 'dle', params: DLE_PARAMS, where: 'calculators[1]' },
      { className: 'PerformanceCalculator', id: 'realized', params: { problem_type: 'regression', y_pred: 'y_pred', y_true: 'y_true', metrics: ['mae', 'rmse'], chunk_size: CHUNK }, where: 'calculators[2]' },
    ]);
  }, 120_000);

  it.each(['mae', 'rmse'])('%s: alerts on exactly the chunks where the relation changed, not on the covariate shift', (metric) => {
    expect(alertedChunks(pick(rows, 'concept', metric))).toEqual(CONCEPT);
    // the covariate shift did raise the error (DLE sees it from the inputs and alerts)
    const shifted = [2, 3, 4, 5, 8];
    expect(alertedChunks(pick(rows, 'dle', metric)).filter((c) => shifted.includes(c))).toEqual(shifted);
    // errors grow under concept drift: realized − estimated is positive
    for (const r of pick(rows, 'concept', metric).filter((x) => CONCEPT.includes(x.chunk.index))) expect(r.value!).toBeGreaterThan(0.5);
    expect(pick(rows, 'concept', metric).find((r) => r.chunk.index === 9)).toMatchObject({ value: null, alert: false });
  });

  it("pairs DLE's estimate with realized performance and both sampling errors", () => {
    for (const metric of ['mae', 'rmse']) {
      const concept = pick(rows, 'concept', metric);
      const dle = pick(rows, 'dle', metric);
      const realized = pick(rows, 'realized', metric);
      concept.slice(0, 9).forEach((r, i) => {
        expect(r.value).toBeCloseTo(dle[i].realized! - dle[i].value!, 12);
        expect(r.sampling_error).toBeCloseTo(Math.sqrt(dle[i].sampling_error! ** 2 + realized[i].sampling_error! ** 2), 12);
      });
    }
  });
});

describe('ConceptDriftCalculator parameters', () => {
  const prep = (params: Record<string, unknown>) => prepareCalculator({ className: 'ConceptDriftCalculator', id: 'x', params, where: 'calculators[0]' });
  it.each([
    [{ ...PARAMS, problem_type: undefined }, /calculators\[0\]\.params\.problem_type: is required/],
    [{ ...PARAMS, metrics: ['roc_auc', 'rmse'] }, /params\.metrics: unknown metric 'rmse'/],
    [{ ...PARAMS, y_true: undefined }, /params\.y_true: is required/],
    [{ ...PARAMS, chunk_size: 0 }, /params\.chunk_size: must be ≥ 1/],
    [{ ...PARAMS, colour: 'red' }, /params\.colour: unknown parameter/],
    [{ ...PARAMS, thresholds: { f1: { type: 'constant', upper: 1 } }, metrics: ['roc_auc'] }, /params\.thresholds\.f1: unknown method or metric/],
    [{ ...PARAMS, thresholds: { roc_auc: { type: 'sigma' } } }, /params\.thresholds\.roc_auc/],
    [{ problem_type: 'regression', y_pred: 'p', y_true: 't', metrics: ['mae'] }, /params\.feature_column_names: is required/],
    [{ problem_type: 'regression', feature_column_names: ['a'], y_pred: 'p', y_true: 't', metrics: ['roc_auc'] }, /params\.metrics: unknown metric 'roc_auc'/],
    [{ problem_type: 'regression', feature_column_names: ['a'], y_pred: 'p', y_true: 't', metrics: ['mae'], thresholds: { rmse: {} } }, /params\.thresholds\.rmse: unknown method or metric/],
  ])('%j → ConfigError', (params, message) => {
    expect(() => prep(params)).toThrow(ConfigError);
    expect(() => prep(params)).toThrow(message);
  });
});
