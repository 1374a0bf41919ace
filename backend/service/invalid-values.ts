/**
 * InvalidValuesCalculator (the server's own data-quality calculator, beside TypeInconsistencyCalculator):
 * per column and chunk, the share of a classifier's outputs and targets that had the right type but a
 * value the model cannot have — a class it does not have in `y_pred` or `y_true`, a probability outside
 * [0, 1] (validity.ts). Ingestion stores them as missing (so the performance calculators leave those rows
 * out, as NannyML leaves out missing targets and predictions) and flags them; the flags reach this
 * calculator as side columns of the chunk frame. Any invalid value alerts (flag-share.ts).
 */
import { METRICS } from '../engine/catalog';
import { FLAG_COLUMN_PREFIX, flagShareCalculator } from './flag-share';

export const INVALID_VALUES_CLASS = 'InvalidValuesCalculator';
export const INVALID_VALUES_METRIC = METRICS.find((m) => m.calculators.includes(INVALID_VALUES_CLASS))!.id;

/** Side column holding 1 where column `name` had an invalid value. */
export const invalidFlagColumn = (name: string) => `${FLAG_COLUMN_PREFIX}invalid:${name}`;

export const invalidValuesCalculator = flagShareCalculator(INVALID_VALUES_CLASS, INVALID_VALUES_METRIC, invalidFlagColumn);
