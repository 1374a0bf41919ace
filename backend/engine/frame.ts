/**
 * Columnar frames: the engine's only data structure.
 *
 * - numeric columns are Float64Array with NaN for missing (pandas float64 semantics);
 * - categorical columns (strings, booleans, or numbers treated as categorical) are dictionary-coded:
 *   `codes[i]` indexes `levels`, -1 is missing;
 * - timestamps are numeric columns of epoch milliseconds (fractional ms keep microseconds).
 *
 * Frames are immutable by convention: operations return new frames that may share buffers.
 */

export type NumericDtype = 'float' | 'int';
export type CategoricalDtype = 'string' | 'bool' | 'number';

export interface NumericColumn {
  readonly kind: 'numeric';
  readonly name: string;
  readonly dtype: NumericDtype;
  readonly values: Float64Array;
  /** Values are epoch ms already: a timestamp column the CSV reader parsed (ReadCsvOptions.timestampColumns). */
  readonly epochMs?: boolean;
}

export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly name: string;
  /** `string` for text, `bool` for True/False, `number` for a numeric column treated as categorical. */
  readonly dtype: CategoricalDtype;
  /** Index into `levels`; -1 = missing. */
  readonly codes: Int32Array;
  /** Distinct values in first-seen order (not sorted: use `sortedLevelOrder` for NannyML's np.unique order). */
  readonly levels: string[];
}

export type Column = NumericColumn | CategoricalColumn;

export interface Frame {
  readonly length: number;
  readonly columns: ReadonlyMap<string, Column>;
  /** Column names in file order. */
  readonly names: readonly string[];
}

export const MISSING_CODE = -1;

export function makeFrame(columns: Column[], length?: number): Frame {
  const map = new Map<string, Column>();
  let n = length ?? -1;
  for (const c of columns) {
    const len = columnLength(c);
    if (n === -1) n = len;
    else if (len !== n) throw new Error(`column '${c.name}' has ${len} rows, expected ${n}`);
    map.set(c.name, c);
  }
  return { length: Math.max(n, 0), columns: map, names: columns.map((c) => c.name) };
}

export function columnLength(c: Column): number {
  return c.kind === 'numeric' ? c.values.length : c.codes.length;
}

export function numeric(name: string, values: ArrayLike<number>, dtype: NumericDtype = 'float'): NumericColumn {
  return { kind: 'numeric', name, dtype, values: Float64Array.from(values) };
}

/** Builds a categorical column from raw values; null/undefined are missing. */
export function categorical(
  name: string,
  values: ArrayLike<string | boolean | number | null | undefined>,
  dtype?: CategoricalDtype,
): CategoricalColumn {
  const levels: string[] = [];
  const index = new Map<string, number>();
  const codes = new Int32Array(values.length);
  let inferred: CategoricalDtype | undefined = dtype;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
      codes[i] = MISSING_CODE;
      continue;
    }
    if (inferred === undefined) inferred = typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'number' : 'string';
    const key = typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
    let code = index.get(key);
    if (code === undefined) {
      code = levels.length;
      levels.push(key);
      index.set(key, code);
    }
    codes[i] = code;
  }
  return { kind: 'categorical', name, dtype: inferred ?? 'string', codes, levels };
}

/** Thrown when a configured column is not in the data; the runner names the dataset (file). */
export class ColumnNotFoundError extends Error {
  constructor(readonly column: string) {
    super(`column '${column}' not found`);
    this.name = 'ColumnNotFoundError';
  }
}

export function getColumn(frame: Frame, name: string): Column {
  const c = frame.columns.get(name);
  if (!c) throw new ColumnNotFoundError(name);
  return c;
}

export function hasColumn(frame: Frame, name: string): boolean {
  return frame.columns.has(name);
}

/** Numeric values of a column; a categorical column is refused (callers decide typing first). */
export function numericValues(frame: Frame, name: string): Float64Array {
  const c = getColumn(frame, name);
  if (c.kind !== 'numeric') throw new Error(`column '${name}' is categorical, expected numeric`);
  return c.values;
}

/**
 * Turns any column into a categorical one (NannyML's `treat_as_categorical`). Numbers are rendered the way
 * pandas prints them in a category (`1.0` → `1.0`); level order is fixed later by `sortedLevelOrder`.
 */
export function asCategorical(c: Column): CategoricalColumn {
  if (c.kind === 'categorical') return c;
  const levels: string[] = [];
  const index = new Map<number, number>();
  const codes = new Int32Array(c.values.length);
  for (let i = 0; i < c.values.length; i++) {
    const v = c.values[i];
    if (Number.isNaN(v)) {
      codes[i] = MISSING_CODE;
      continue;
    }
    let code = index.get(v);
    if (code === undefined) {
      code = levels.length;
      levels.push(formatNumberLevel(v, c.dtype));
      index.set(v, code);
    }
    codes[i] = code;
  }
  return { kind: 'categorical', name: c.name, dtype: 'number', codes, levels };
}

/** Treats a categorical column of numbers-as-strings back as numeric (NannyML's `treat_as_numerical`). */
export function asNumeric(c: Column): NumericColumn {
  if (c.kind === 'numeric') return c;
  const values = new Float64Array(c.codes.length);
  const levelValues = c.levels.map((l) => (c.dtype === 'bool' ? (l === 'True' ? 1 : 0) : Number(l)));
  for (let i = 0; i < values.length; i++) {
    const code = c.codes[i];
    values[i] = code === MISSING_CODE ? NaN : levelValues[code];
  }
  return { kind: 'numeric', name: c.name, dtype: 'float', values };
}

function formatNumberLevel(v: number, dtype: NumericDtype): string {
  if (dtype === 'int' || !Number.isInteger(v)) return String(v);
  return `${v}.0`;
}

/**
 * Level order as np.unique sorts values: numbers numerically, False < True, strings by code point.
 * Returns the level indices in that order.
 */
export function sortedLevelOrder(c: CategoricalColumn): number[] {
  const idx = c.levels.map((_, i) => i);
  if (c.dtype === 'number') idx.sort((a, b) => Number(c.levels[a]) - Number(c.levels[b]));
  else idx.sort((a, b) => compareCodePoints(c.levels[a], c.levels[b]));
  return idx;
}

/** Python's str ordering (by code point); differs from UTF-16 order only outside the BMP. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

/** Rows [start, end] inclusive, sharing buffers with the source frame. */
export function sliceFrame(frame: Frame, start: number, end: number): Frame {
  const cols: Column[] = [];
  for (const name of frame.names) {
    const c = frame.columns.get(name)!;
    if (c.kind === 'numeric') cols.push({ ...c, values: c.values.subarray(start, end + 1) });
    else cols.push({ ...c, codes: c.codes.subarray(start, end + 1) });
  }
  return makeFrame(cols, end - start + 1);
}

/** Reorders rows by an index permutation (copies). */
export function takeRows(frame: Frame, order: ArrayLike<number>): Frame {
  const cols: Column[] = [];
  for (const name of frame.names) {
    const c = frame.columns.get(name)!;
    if (c.kind === 'numeric') {
      const out = new Float64Array(order.length);
      for (let i = 0; i < order.length; i++) out[i] = c.values[order[i]];
      cols.push({ ...c, values: out });
    } else {
      const out = new Int32Array(order.length);
      for (let i = 0; i < order.length; i++) out[i] = c.codes[order[i]];
      cols.push({ ...c, codes: out });
    }
  }
  return makeFrame(cols, order.length);
}

/** Stable sort by a numeric column (NaN last), as a port of pandas' sort_values must be (spec §0). */
export function sortByColumn(frame: Frame, name: string): Frame {
  const keys = numericValues(frame, name);
  let sorted = true;
  for (let i = 1; i < keys.length; i++) {
    if (!(keys[i - 1] <= keys[i])) {
      sorted = false;
      break;
    }
  }
  if (sorted) return frame;
  const order = Array.from({ length: frame.length }, (_, i) => i);
  order.sort((a, b) => {
    const ka = keys[a];
    const kb = keys[b];
    if (Number.isNaN(ka)) return Number.isNaN(kb) ? a - b : 1;
    if (Number.isNaN(kb)) return -1;
    return ka - kb || a - b;
  });
  return takeRows(frame, order);
}

/** Values of a column without missing entries. */
export function dropNaN(values: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) n++;
  if (n === values.length) return values;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) out[j++] = values[i];
  return out;
}

/** Re-codes a categorical column onto another column's level table (unknown levels get new codes). */
export function recodeTo(c: CategoricalColumn, reference: CategoricalColumn): CategoricalColumn {
  if (c.levels === reference.levels) return c;
  const levels = reference.levels.slice();
  const index = new Map<string, number>();
  levels.forEach((l, i) => index.set(l, i));
  const map = new Int32Array(c.levels.length);
  c.levels.forEach((l, i) => {
    let code = index.get(l);
    if (code === undefined) {
      code = levels.length;
      levels.push(l);
      index.set(l, code);
    }
    map[i] = code;
  });
  const codes = new Int32Array(c.codes.length);
  for (let i = 0; i < codes.length; i++) codes[i] = c.codes[i] === MISSING_CODE ? MISSING_CODE : map[c.codes[i]];
  return { kind: 'categorical', name: c.name, dtype: reference.dtype, codes, levels };
}
