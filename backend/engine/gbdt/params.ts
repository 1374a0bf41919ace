/**
 * GBDT parameters with LightGBM's defaults (the defaults of `LGBMRegressor()` / `LGBMClassifier()`), and
 * the mapping from LightGBM's scikit-learn parameter names, which is what NannyML users pass as
 * `hyperparameters`.
 */

export type Objective = 'regression' | 'binary';

export interface GbdtParams {
  objective: Objective;
  /** n_estimators */
  numIterations: number;
  learningRate: number;
  numLeaves: number;
  /** ≤ 0: unlimited */
  maxDepth: number;
  /** min_child_samples */
  minDataInLeaf: number;
  /** min_child_weight */
  minSumHessianInLeaf: number;
  /** reg_alpha */
  lambdaL1: number;
  /** reg_lambda */
  lambdaL2: number;
  /** min_split_gain */
  minGainToSplit: number;
  maxBin: number;
  minDataInBin: number;
  /** subsample_for_bin: rows sampled to find the bins */
  binConstructSampleCnt: number;
  /** Categorical splits: one category vs the rest when a feature has at most this many bins. */
  maxCatToOnehot: number;
  maxCatThreshold: number;
  catL2: number;
  catSmooth: number;
  minDataPerGroup: number;
  /** Seed for the only random step (row sample for binning when rows > binConstructSampleCnt). */
  seed: number;
}

/** LightGBM's defaults (docs: Parameters; LGBMModel.__init__). */
export const LIGHTGBM_DEFAULTS: Readonly<GbdtParams> = Object.freeze({
  objective: 'regression',
  numIterations: 100,
  learningRate: 0.1,
  numLeaves: 31,
  maxDepth: -1,
  minDataInLeaf: 20,
  minSumHessianInLeaf: 1e-3,
  lambdaL1: 0,
  lambdaL2: 0,
  minGainToSplit: 0,
  maxBin: 255,
  minDataInBin: 3,
  binConstructSampleCnt: 200000,
  maxCatToOnehot: 4,
  maxCatThreshold: 32,
  catL2: 10,
  catSmooth: 10,
  minDataPerGroup: 100,
  seed: 0,
});

export function gbdtParams(overrides: Partial<GbdtParams> = {}): GbdtParams {
  return { ...LIGHTGBM_DEFAULTS, ...overrides };
}

/** Thrown for a hyperparameter we cannot honour; `key` is the LightGBM name. */
export class HyperparameterError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'HyperparameterError';
  }
}

type NumberKey = Exclude<keyof GbdtParams, 'objective'>;

interface NumericSpec {
  target: NumberKey;
  integer?: boolean;
  min?: number;
  exclusiveMin?: boolean;
}

/** LightGBM scikit-learn names (and their core aliases) → our parameters. */
const NUMERIC: Record<string, NumericSpec> = {
  n_estimators: { target: 'numIterations', integer: true, min: 1 },
  num_iterations: { target: 'numIterations', integer: true, min: 1 },
  learning_rate: { target: 'learningRate', min: 0, exclusiveMin: true },
  num_leaves: { target: 'numLeaves', integer: true, min: 2 },
  max_depth: { target: 'maxDepth', integer: true },
  min_child_samples: { target: 'minDataInLeaf', integer: true, min: 0 },
  min_data_in_leaf: { target: 'minDataInLeaf', integer: true, min: 0 },
  min_child_weight: { target: 'minSumHessianInLeaf', min: 0 },
  min_sum_hessian_in_leaf: { target: 'minSumHessianInLeaf', min: 0 },
  reg_alpha: { target: 'lambdaL1', min: 0 },
  lambda_l1: { target: 'lambdaL1', min: 0 },
  reg_lambda: { target: 'lambdaL2', min: 0 },
  lambda_l2: { target: 'lambdaL2', min: 0 },
  min_split_gain: { target: 'minGainToSplit', min: 0 },
  min_gain_to_split: { target: 'minGainToSplit', min: 0 },
  max_bin: { target: 'maxBin', integer: true, min: 2 },
  min_data_in_bin: { target: 'minDataInBin', integer: true, min: 1 },
  subsample_for_bin: { target: 'binConstructSampleCnt', integer: true, min: 1 },
  max_cat_to_onehot: { target: 'maxCatToOnehot', integer: true, min: 1 },
  max_cat_threshold: { target: 'maxCatThreshold', integer: true, min: 1 },
  cat_l2: { target: 'catL2', min: 0 },
  cat_smooth: { target: 'catSmooth', min: 0 },
  min_data_per_group: { target: 'minDataPerGroup', integer: true, min: 1 },
  random_state: { target: 'seed', integer: true },
  seed: { target: 'seed', integer: true },
};

/** Accepted because they do not change the model (threading, logging, reporting). */
const NO_EFFECT = new Set(['n_jobs', 'num_threads', 'silent', 'verbose', 'verbosity', 'importance_type', 'deterministic']);

/** Accepted only at the value that means "off" (we do not implement bagging, feature sampling, class weights). */
const ONLY_DEFAULT: Record<string, unknown[]> = {
  boosting_type: ['gbdt'],
  boosting: ['gbdt'],
  subsample: [1, 1.0],
  bagging_fraction: [1, 1.0],
  subsample_freq: [0],
  bagging_freq: [0],
  colsample_bytree: [1, 1.0],
  feature_fraction: [1, 1.0],
  class_weight: [null],
};

/**
 * Reads a LightGBM hyperparameter mapping (scikit-learn names as NannyML passes them) onto `base`.
 * `objective` may be given if it agrees with the task (`regression`/`l2` or `binary`).
 */
export function fromLightgbmParams(raw: Record<string, unknown>, base: GbdtParams): GbdtParams {
  const out: GbdtParams = { ...base };
  for (const [key, value] of Object.entries(raw)) {
    const spec = NUMERIC[key];
    if (spec) {
      if (value === null || value === undefined) {
        if (key === 'random_state' || key === 'seed') continue;
        throw new HyperparameterError(key, 'must be a number');
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new HyperparameterError(key, `must be a number, got ${JSON.stringify(value)}`);
      if (spec.integer && !Number.isInteger(value)) throw new HyperparameterError(key, `must be an integer, got ${value}`);
      if (spec.min !== undefined && (spec.exclusiveMin ? value <= spec.min : value < spec.min)) {
        throw new HyperparameterError(key, `must be ${spec.exclusiveMin ? '>' : '≥'} ${spec.min}, got ${value}`);
      }
      (out as unknown as Record<string, number>)[spec.target] = value;
      continue;
    }
    if (NO_EFFECT.has(key)) continue;
    if (key in ONLY_DEFAULT) {
      if (!ONLY_DEFAULT[key].includes(value as never)) {
        throw new HyperparameterError(key, `only ${JSON.stringify(ONLY_DEFAULT[key][0])} is supported, got ${JSON.stringify(value)}`);
      }
      continue;
    }
    if (key === 'objective') {
      if (value === null) continue;
      const ok = base.objective === 'regression' ? ['regression', 'l2', 'mse', 'regression_l2'] : ['binary'];
      if (!ok.includes(value as string)) throw new HyperparameterError(key, `only ${ok.map((o) => `'${o}'`).join(', ')} is supported here, got ${JSON.stringify(value)}`);
      continue;
    }
    throw new HyperparameterError(key, 'unknown or unsupported LightGBM hyperparameter');
  }
  return out;
}
