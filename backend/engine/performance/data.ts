/**
 * Reading the model-output and target columns of a chunk into the arrays the metric kernels take, with
 * errors that name the dataset, the column and the offending value.
 */
import { DataError } from '../calculator';
import { Column, Frame, getColumn, MISSING_CODE } from '../frame';

export type Dataset = 'reference' | 'analysis';

function describe(role: string, column: string) {
  return `column '${column}' (${role})`;
}

/** A numeric column (scores, regression targets/predictions); NaN = missing. */
export function numericColumn(frame: Frame, column: string, dataset: Dataset, role: string): Float64Array {
  const c = getColumn(frame, column);
  if (c.kind !== 'numeric') {
    const sample = c.levels.find((_, code) => c.codes.includes(code));
    throw new DataError(dataset, `${describe(role, column)} must be numeric, found '${sample ?? ''}'`);
  }
  return c.values;
}

/** 0/1 labels of a binary classifier (numbers 0/1 or True/False); NaN = missing. */
export function binaryLabels(frame: Frame, column: string, dataset: Dataset, role: string): Float64Array {
  const c = getColumn(frame, column);
  if (c.kind === 'numeric') {
    const bad = firstNotBinary(c.values);
    if (bad >= 0) throw new DataError(dataset, `${describe(role, column)} must hold 0/1 for classification_binary, found ${c.values[bad]}`);
    return c.values;
  }
  const levelValue = c.levels.map((l) => (l === 'True' || l === 'true' || l === '1' ? 1 : l === 'False' || l === 'false' || l === '0' ? 0 : NaN));
  const out = new Float64Array(c.codes.length);
  for (let i = 0; i < out.length; i++) {
    const code = c.codes[i];
    if (code === MISSING_CODE) out[i] = NaN;
    else if (Number.isNaN(levelValue[code])) {
      throw new DataError(dataset, `${describe(role, column)} must hold 0/1 for classification_binary, found '${c.levels[code]}'`);
    } else out[i] = levelValue[code];
  }
  return out;
}

/**
 * Index of the first value that is neither 0, 1 nor missing; -1 when there is none. v·(v − 1) is 0
 * exactly for 0 and 1 (and NaN for NaN): one test that holds on every valid row, so the loop does not
 * branch on the labels (a coin flip to the branch predictor).
 */
function firstNotBinary(values: Float64Array): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v * (v - 1) !== 0 && v === v) return i;
  }
  return -1;
}

/** Index of each row's class in `classes` (-1 = missing); a class outside `classes` is an error. */
export function classIndices(frame: Frame, column: string, classes: readonly string[], dataset: Dataset, role: string): Int32Array {
  const c = getColumn(frame, column);
  const out = new Int32Array(frame.length);
  const unknown = (value: string): never => {
    throw new DataError(
      dataset,
      `${describe(role, column)} holds class '${value}', which is not a key of y_pred_proba (classes: ${classes.join(', ')})`,
    );
  };
  if (c.kind === 'numeric') {
    const byValue = new Map<number, number>();
    classes.forEach((k, i) => {
      const v = Number(k);
      if (k.trim() !== '' && Number.isFinite(v)) byValue.set(v, i);
    });
    for (let i = 0; i < out.length; i++) {
      const v = c.values[i];
      if (Number.isNaN(v)) out[i] = -1;
      else {
        const idx = byValue.get(v);
        out[i] = idx === undefined ? unknown(String(v)) : idx;
      }
    }
    return out;
  }
  const byLevel = levelIndex(c, classes);
  for (let i = 0; i < out.length; i++) {
    const code = c.codes[i];
    if (code === MISSING_CODE) out[i] = -1;
    else {
      const idx = byLevel[code];
      out[i] = idx < 0 ? unknown(c.levels[code]) : idx;
    }
  }
  return out;
}

function levelIndex(c: Extract<Column, { kind: 'categorical' }>, classes: readonly string[]): Int32Array {
  const index = new Map<string, number>();
  classes.forEach((k, i) => index.set(k, i));
  return Int32Array.from(c.levels, (l) => index.get(l) ?? index.get(normalizeBool(l)) ?? -1);
}

const normalizeBool = (l: string) => (l === 'True' ? 'true' : l === 'False' ? 'false' : l);

/** Share of the chunk's rows whose target is missing (PerformanceCalculator's `targets_missing_rate`). */
export function missingRate(frame: Frame, column: string): number {
  const c = getColumn(frame, column);
  let k = 0;
  if (c.kind === 'numeric') {
    const values = c.values;
    for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) k++;
  } else {
    const codes = c.codes;
    for (let i = 0; i < codes.length; i++) if (codes[i] === MISSING_CODE) k++;
  }
  return frame.length === 0 ? NaN : k / frame.length;
}
