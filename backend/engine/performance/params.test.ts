import { ConfigError } from '../calculator';
import { parsePerformanceParams, sortClasses } from './params';

const binary = { y_pred_proba: 'p', y_pred: 'y_pred', y_true: 'y', problem_type: 'classification_binary', metrics: ['roc_auc'] };
const parse = (raw: Record<string, unknown>, who: 'CBPE' | 'PerformanceCalculator' = 'CBPE') => parsePerformanceParams(raw, 'calculators[0].params', who);
const fails = (raw: Record<string, unknown>, where: string, text: string, who: 'CBPE' | 'PerformanceCalculator' = 'CBPE') => {
  let err: unknown;
  try {
    parse(raw, who);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).where).toBe(`calculators[0].params.${where}`);
  expect((err as Error).message).toContain(text);
};

describe('performance parameters', () => {
  it('sorts class labels as NannyML does: numbers numerically, text by code point', () => {
    expect(sortClasses(['upmarket_card', 'highstreet_card', 'prepaid_card'])).toEqual(['highstreet_card', 'prepaid_card', 'upmarket_card']);
    expect(sortClasses(['10', '2', '1'])).toEqual(['1', '2', '10']);
  });

  it('reads the multiclass map in sorted class order and the defaults', () => {
    const p = parse({ ...binary, problem_type: 'classification_multiclass', y_pred_proba: { b: 'pb', a: 'pa' } });
    expect(p.classes).toEqual(['a', 'b']);
    expect(p.classColumns).toEqual(['pa', 'pb']);
    expect(p.calibration).toBe('auto');
    expect(p.normalizeConfusionMatrix).toBeNull();
    expect(parse({ ...binary, calibration: 'isotonic' }).calibration).toBe('auto');
    expect(parse({ ...binary, calibration: false }).calibration).toBe('never');
    expect(parse({ ...binary, metrics: 'f1' }).metrics).toEqual(['f1']);
  });

  it('rejects what NannyML rejects, naming the key', () => {
    fails({ ...binary, metrics: ['roc_auc', 'rmse'] }, 'metrics', "unknown metric 'rmse'");
    fails({ ...binary, metrics: ['roc_auc', 'roc_auc'] }, 'metrics', 'listed twice');
    fails({ ...binary, y_pred: undefined, metrics: ['accuracy'] }, 'y_pred', 'accuracy');
    fails({ ...binary, problem_type: 'classification_multiclass', y_pred: undefined, y_pred_proba: { a: 'x', b: 'y' } }, 'y_pred', 'required');
    fails({ ...binary, problem_type: 'ranking' }, 'problem_type', "unknown value 'ranking'");
    fails({ ...binary, y_pred_proba: undefined }, 'y_pred_proba', 'required');
    fails({ ...binary, problem_type: 'classification_multiclass', y_pred_proba: 'p' }, 'y_pred_proba', '{class: column} map');
    fails({ ...binary, problem_type: 'classification_multiclass', y_pred_proba: { a: 'x' } }, 'y_pred_proba', 'two classes');
    fails({ ...binary, metrics: ['business_value'] }, 'business_value_matrix', 'required');
    fails({ ...binary, business_value_matrix: [[1, 2], [3, 'x']] }, 'business_value_matrix', 'numbers');
    fails({ ...binary, problem_type: 'classification_multiclass', y_pred_proba: { a: 'x', b: 'y', c: 'z' }, business_value_matrix: [[1, 2], [3, 4]] }, 'business_value_matrix', '3×3');
    fails({ ...binary, normalize_business_value: 'per_row' }, 'normalize_business_value', "'per_row'");
    fails({ ...binary, thresholds: { mae: { type: 'constant', upper: 1 } } }, 'thresholds.mae', 'unknown');
    fails({ ...binary, calibration: 'sigmoid' }, 'calibration', 'sigmoid');
    fails({ ...binary, calibration: true }, 'calibration', 'unknown parameter', 'PerformanceCalculator');
    fails({ ...binary, bogus: 1 }, 'bogus', 'unknown parameter');
  });
});
