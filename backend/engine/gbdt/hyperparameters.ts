/**
 * The `hyperparameters` calculator parameter (DLE, DomainClassifierCalculator): a mapping of LightGBM
 * scikit-learn parameter names, read onto the GBDT's parameters with errors that name the key.
 */
import { ConfigError } from '../calculator';
import { ParamReader } from '../params';
import { fromLightgbmParams, GbdtParams, HyperparameterError } from './params';

export function parseHyperparameters(r: ParamReader, key: string, base: GbdtParams): GbdtParams {
  const raw = r.raw_(key);
  if (raw === undefined || raw === null) return base;
  if (typeof raw !== 'object' || Array.isArray(raw)) r.fail(key, 'must be a mapping of LightGBM parameter names to values');
  try {
    return fromLightgbmParams(raw as Record<string, unknown>, base);
  } catch (e) {
    if (e instanceof HyperparameterError) throw new ConfigError(`${r.where}.${key}.${e.key}`, e.message);
    throw e;
  }
}

/** NannyML's `tune_hyperparameters` (FLAML AutoML) is not available: true is refused, the config ignored. */
export function refuseTuning(r: ParamReader): void {
  if (r.boolean('tune_hyperparameters', false)) {
    r.fail('tune_hyperparameters', 'hyperparameter tuning (FLAML) is not supported; set hyperparameters instead');
  }
  const tuning = r.raw_('hyperparameter_tuning_config');
  if (tuning !== undefined && tuning !== null && (typeof tuning !== 'object' || Array.isArray(tuning))) {
    r.fail('hyperparameter_tuning_config', 'must be a mapping');
  }
}
