/**
 * Which values of a classifier's outputs and targets are valid, checked at ingestion after type coercion.
 *
 * A value can have the right type and still be one the model cannot produce: a class it does not have in
 * `y_pred` or `y_true`, a probability outside [0, 1] in `y_pred_proba`. The performance calculators would
 * refuse the whole chunk over one such value (the engine's label readers throw), so ingestion stores it as
 * missing and flags it instead: CBPE, realized performance and concept drift then leave that row out the
 * way NannyML leaves out rows with a missing target or prediction (per metric, only the rows whose needed
 * columns are present), and `InvalidValuesCalculator` counts the flags per column and chunk.
 *
 * The classes are the model's: 0/1 for `classification_binary` (what the engine and NannyML accept:
 * numbers 0/1, or True/False), the keys of `y_pred_proba` for `classification_multiclass` (NannyML requires
 * every one of them in the reference targets, so they are the reference's classes). Regression outputs
 * and targets only need a finite number, which type coercion already checks.
 *
 * The rules are plain data, so they can travel with a batch to wherever it is coerced.
 */
import { ModelDefinition } from './definition';

export type ValidityRule = { kind: 'binary' } | { kind: 'classes'; classes: string[] } | { kind: 'probability' };

/** Column name → its rule; columns without one are not checked. */
export type ValidityRules = Record<string, ValidityRule>;

const BINARY_LEVELS = new Set(['0', '1', 'True', 'False', 'true', 'false']);

export function validityRules(def: Pick<ModelDefinition, 'problem_type' | 'columns'>): ValidityRules {
  const rules: ValidityRules = {};
  const c = def.columns;
  let labels: ValidityRule;
  if (def.problem_type === 'classification_binary') labels = { kind: 'binary' };
  else if (def.problem_type === 'classification_multiclass' && c.y_pred_proba && typeof c.y_pred_proba === 'object') {
    labels = { kind: 'classes', classes: Object.keys(c.y_pred_proba).sort() };
  } else return rules;
  const proba = c.y_pred_proba;
  for (const col of typeof proba === 'string' ? [proba] : proba ? Object.values(proba) : []) rules[col] = { kind: 'probability' };
  if (c.y_pred) rules[c.y_pred] = labels;
  if (c.y_true) rules[c.y_true] = labels;
  return rules;
}

/** The columns a model's rules check, in a stable order (y_pred, y_pred_proba..., y_true). */
export function checkedColumns(def: Pick<ModelDefinition, 'problem_type' | 'columns'>): string[] {
  const rules = validityRules(def);
  const c = def.columns;
  const proba = c.y_pred_proba;
  const ordered = [c.y_pred, ...(typeof proba === 'string' ? [proba] : proba ? Object.values(proba) : []), c.y_true];
  return [...new Set(ordered.filter((n): n is string => !!n && n in rules))];
}

/** Whether a stored number (numeric column) is valid under the rule. */
function validNumber(rule: ValidityRule, v: number): boolean {
  switch (rule.kind) {
    case 'binary':
      return v === 0 || v === 1;
    case 'probability':
      return v >= 0 && v <= 1;
    case 'classes':
      return rule.classes.some((k) => k.trim() !== '' && Number(k) === v);
  }
}

/** Whether a categorical level is valid under the rule (the engine's own matching of labels to classes). */
function validLevel(rule: ValidityRule, level: string): boolean {
  switch (rule.kind) {
    case 'binary':
      return BINARY_LEVELS.has(level);
    case 'probability':
      return false;
    case 'classes':
      return rule.classes.includes(level) || rule.classes.includes(level === 'True' ? 'true' : level === 'False' ? 'false' : level);
  }
}

export interface InvalidValues {
  /** 1 where the value was invalid (it is now NaN), null when none was. */
  flags: Uint8Array | null;
  count: number;
}

/**
 * Stores invalid values of one coerced column as missing (in place) and flags them. `values` holds numbers
 * for a numeric column, dictionary codes for a categorical one (`levels` by code); NaN is missing.
 */
export function markInvalid(rule: ValidityRule, kind: 'numeric' | 'categorical', values: Float64Array, levels: () => string[]): InvalidValues {
  let flags: Uint8Array | null = null;
  let count = 0;
  let validCode: boolean[] | null = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) continue;
    let ok: boolean;
    if (kind === 'numeric') ok = validNumber(rule, v);
    else {
      validCode ??= levels().map((l) => validLevel(rule, l));
      ok = validCode[v] === true;
    }
    if (ok) continue;
    values[i] = NaN;
    (flags ??= new Uint8Array(values.length))[i] = 1;
    count++;
  }
  return { flags, count };
}
