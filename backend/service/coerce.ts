/**
 * Source columns (JSON values or CSV-typed columns) → the model's stored types.
 *
 * Structural problems reject the batch (400): no rows, a missing id or timestamp column, an id or
 * timestamp that cannot be read. Value-level problems are what a monitor observes, not refuses: a value
 * of the wrong type for its column (text in a numeric feature, ±Infinity, a number where categories are
 * text) is stored as missing and counted, per column, in the response and in the data-quality metric
 * `type_inconsistent_values`. Columns the model does not know are ignored and named. A classifier's
 * output or target of the right type that the model cannot have (validity.ts) is stored as missing too,
 * flagged and counted as invalid.
 */
import { Column, MISSING_CODE } from '../engine/frame';
import { parseTimestamp } from '../engine/timestamps';
import { parseNumber } from '../io/csv';
import { ParsedRows, SourceColumn } from './body';
import { badRequest } from './errors';
import { ColumnSpec, DictionaryOverlay, ModelLayout } from './layout';
import { markInvalid, ValidityRules } from './validity';

const TRUE_TOKENS = new Set(['True', 'TRUE', 'true']);
const FALSE_TOKENS = new Set(['False', 'FALSE', 'false']);

/** Epoch seconds below this are taken as seconds, above as ms (as timestamps.ts does). */
const EPOCH_SECONDS_LIMIT = 1e11;

export interface CoercedColumn {
  values: Float64Array;
  flags: Uint8Array | null;
  inconsistent: number;
}

/** Maps a text level to a stored code/number, or `undefined` when it has the wrong type for the column. */
type LevelMapper = (text: string) => number | undefined;

function levelMapper(spec: ColumnSpec, dict: DictionaryOverlay): LevelMapper {
  if (spec.kind === 'numeric') {
    return (t) => {
      const v = parseNumber(t);
      return Number.isFinite(v) ? v : undefined;
    };
  }
  switch (spec.dtype) {
    case 'bool':
      return (t) => (TRUE_TOKENS.has(t) ? dict.code(spec.name, 'True') : FALSE_TOKENS.has(t) ? dict.code(spec.name, 'False') : undefined);
    case 'number':
      return (t) => {
        const v = parseNumber(t);
        return Number.isFinite(v) ? dict.code(spec.name, String(v)) : undefined;
      };
    default:
      return (t) => dict.code(spec.name, t);
  }
}

/** Coerces one source column to the spec. */
export function coerceColumn(spec: ColumnSpec, src: SourceColumn, n: number, dict: DictionaryOverlay): CoercedColumn {
  const values = new Float64Array(n);
  let flags: Uint8Array | null = null;
  let inconsistent = 0;
  const flag = (i: number) => {
    values[i] = NaN;
    (flags ??= new Uint8Array(n))[i] = 1;
    inconsistent++;
  };
  const mapLevel = levelMapper(spec, dict);
  if (src.type === 'frame') {
    const c: Column = src.column;
    if (c.kind === 'numeric') {
      for (let i = 0; i < n; i++) {
        const v = c.values[i];
        if (Number.isNaN(v)) values[i] = NaN;
        else if (spec.kind === 'numeric') {
          if (Number.isFinite(v)) values[i] = v;
          else flag(i);
        } else {
          // CSV numbers in a categorical column: their text is the category.
          const code = Number.isFinite(v) ? mapLevel(String(v)) : undefined;
          if (code === undefined) flag(i);
          else values[i] = code;
        }
      }
    } else {
      // One decision per distinct text, then a pass over the codes.
      const byLevel = c.levels.map((l) => mapLevel(l));
      for (let i = 0; i < n; i++) {
        const code = c.codes[i];
        if (code === MISSING_CODE) values[i] = NaN;
        else {
          const v = byLevel[code];
          if (v === undefined) flag(i);
          else values[i] = v;
        }
      }
    }
    return { values, flags, inconsistent };
  }
  const raw = src.values;
  for (let i = 0; i < n; i++) {
    const v = raw[i];
    if (v === null || v === undefined) {
      values[i] = NaN;
      continue;
    }
    let out: number | undefined;
    if (spec.kind === 'numeric') out = typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    else if (spec.dtype === 'string') out = typeof v === 'string' ? mapLevel(v) : undefined;
    else if (spec.dtype === 'bool') out = typeof v === 'boolean' ? dict.code(spec.name, v ? 'True' : 'False') : typeof v === 'string' ? mapLevel(v) : undefined;
    else out = typeof v === 'number' ? (Number.isFinite(v) ? mapLevel(String(v)) : undefined) : typeof v === 'string' ? mapLevel(v) : undefined;
    if (out === undefined) flag(i);
    else values[i] = out;
  }
  return { values, flags, inconsistent };
}

/** A row id as text; numbers and number-like text meet (`5`, `"5"`, `5.0`), as a join on ids does. */
export function normalizeId(v: unknown): string | null | undefined {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'string') {
    if (v === '') return null;
    const num = parseNumber(v);
    return Number.isFinite(num) ? String(num) : v;
  }
  return undefined;
}

export function readIds(src: SourceColumn, n: number, parsed: ParsedRows): string[] {
  const out = new Array<string>(n);
  const bad = (i: number, what: string): never => {
    throw badRequest('invalid_id', `${what} in id column '${src.name}'`, `${parsed.rowWhere(i)}, column '${src.name}'`);
  };
  if (src.type === 'frame') {
    const c = src.column;
    for (let i = 0; i < n; i++) {
      let id: string | null | undefined;
      if (c.kind === 'numeric') id = normalizeId(c.values[i]);
      else id = c.codes[i] === MISSING_CODE ? null : normalizeId(c.levels[c.codes[i]]);
      if (id === null) bad(i, 'missing id');
      if (id === undefined) bad(i, `unreadable id`);
      out[i] = id as string;
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    const id = normalizeId(src.values[i]);
    if (id === null) bad(i, 'missing id');
    if (id === undefined) bad(i, `unreadable id ${JSON.stringify(src.values[i])} (expected a string or a number)`);
    out[i] = id as string;
  }
  return out;
}

export function readTimestamps(src: SourceColumn, n: number, parsed: ParsedRows): Float64Array {
  const out = new Float64Array(n);
  const where = (i: number) => `${parsed.rowWhere(i)}, column '${src.name}'`;
  const fromNumber = (v: number, i: number) => {
    if (!Number.isFinite(v)) throw badRequest('invalid_timestamp', `missing or invalid timestamp in column '${src.name}'`, where(i));
    return Math.abs(v) < EPOCH_SECONDS_LIMIT ? v * 1000 : v;
  };
  const fromText = (t: string, i: number) => {
    const ms = parseTimestamp(t);
    if (Number.isNaN(ms)) {
      throw badRequest(
        'invalid_timestamp',
        `unparsable timestamp ${JSON.stringify(t.length > 40 ? t.slice(0, 40) + '…' : t)} in column '${src.name}' (expected ISO 8601, YYYY-MM-DD[ HH:MM:SS], or epoch seconds/ms)`,
        where(i),
      );
    }
    return ms;
  };
  if (src.type === 'frame') {
    const c = src.column;
    if (c.kind === 'numeric') for (let i = 0; i < n; i++) out[i] = fromNumber(c.values[i], i);
    else {
      const levelMs = c.levels.map((l) => parseTimestamp(l));
      for (let i = 0; i < n; i++) {
        const code = c.codes[i];
        if (code === MISSING_CODE) throw badRequest('invalid_timestamp', `missing timestamp in column '${src.name}'`, where(i));
        out[i] = Number.isNaN(levelMs[code]) ? fromText(c.levels[code], i) : levelMs[code];
      }
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    const v = src.values[i];
    if (typeof v === 'number') out[i] = fromNumber(v, i);
    else if (typeof v === 'string') out[i] = fromText(v, i);
    else if (v === null || v === undefined) throw badRequest('invalid_timestamp', `missing timestamp in column '${src.name}'`, where(i));
    else throw badRequest('invalid_timestamp', `unparsable timestamp ${JSON.stringify(v)} in column '${src.name}'`, where(i));
  }
  return out;
}

export interface CoercedRows {
  n: number;
  ids: string[] | null;
  timestamps: Float64Array | null;
  values: Float64Array[];
  typeFlags: (Uint8Array | null)[];
  targets: Float64Array | null;
  targetFlags: Uint8Array | null;
  /** Per column: values of the wrong type, stored as missing. */
  typeInconsistent: Record<string, number>;
  /** Invalid-value flags: per payload column, then the target (null = none). */
  invalidFlags: (Uint8Array | null)[];
  /** Per column: values of the right type that the model cannot have (validity.ts), stored as missing. */
  invalid: Record<string, number>;
  /** Columns in the body the model does not know (ignored). */
  unknownColumns: string[];
  /** Model columns the body lacks (stored as missing). */
  missingColumns: string[];
}

export type LayoutColumns = Pick<ModelLayout, 'payload' | 'target' | 'timestamp' | 'id'>;

/** Every column of a rows body, coerced to the layout. `dataset` names the body in messages. */
export function coerceRows(
  parsed: ParsedRows,
  layout: LayoutColumns,
  dict: DictionaryOverlay,
  opts: { requireId: boolean; validity?: ValidityRules },
): CoercedRows {
  const n = parsed.n;
  if (n === 0) throw badRequest('empty_body', 'the body holds no rows', 'body');
  const known = new Set<string>(layout.payload.map((c) => c.name));
  if (layout.target) known.add(layout.target.name);
  if (layout.timestamp) known.add(layout.timestamp);
  if (layout.id) known.add(layout.id);
  const unknownColumns = parsed.names.filter((c) => !known.has(c));

  let timestamps: Float64Array | null = null;
  if (layout.timestamp) {
    const src = parsed.columns.get(layout.timestamp);
    if (!src) throw badRequest('missing_column', `the model's timestamp column '${layout.timestamp}' is missing`, 'body');
    timestamps = readTimestamps(src, n, parsed);
  }
  let ids: string[] | null = null;
  if (layout.id) {
    const src = parsed.columns.get(layout.id);
    if (src) ids = readIds(src, n, parsed);
    else if (opts.requireId) throw badRequest('missing_column', `the model's id column '${layout.id}' is missing`, 'body');
  }

  const typeInconsistent: Record<string, number> = {};
  const invalid: Record<string, number> = {};
  const invalidFlags: (Uint8Array | null)[] = [];
  // The validity hook: after type coercion, values the model cannot have become missing and flagged.
  const check = (spec: ColumnSpec, values: Float64Array): Uint8Array | null => {
    const rule = opts.validity?.[spec.name];
    if (!rule) return null;
    const r = markInvalid(rule, spec.kind, values, () => dict.levelsOf(spec.name));
    if (r.count > 0) invalid[spec.name] = r.count;
    return r.flags;
  };
  const missingColumns: string[] = [];
  const values: Float64Array[] = [];
  const typeFlags: (Uint8Array | null)[] = [];
  for (const spec of layout.payload) {
    const src = parsed.columns.get(spec.name);
    if (!src) {
      missingColumns.push(spec.name);
      values.push(new Float64Array(n).fill(NaN));
      typeFlags.push(null);
      invalidFlags.push(null);
      continue;
    }
    const c = coerceColumn(spec, src, n, dict);
    values.push(c.values);
    typeFlags.push(c.flags);
    invalidFlags.push(check(spec, c.values));
    if (c.inconsistent > 0) typeInconsistent[spec.name] = c.inconsistent;
  }
  let targets: Float64Array | null = null;
  let targetFlags: Uint8Array | null = null;
  let targetInvalid: Uint8Array | null = null;
  if (layout.target) {
    const src = parsed.columns.get(layout.target.name);
    if (src) {
      const c = coerceColumn(layout.target, src, n, dict);
      targets = c.values;
      targetFlags = c.flags;
      targetInvalid = check(layout.target, c.values);
      if (c.inconsistent > 0) typeInconsistent[layout.target.name] = c.inconsistent;
    } else missingColumns.push(layout.target.name);
  }
  invalidFlags.push(targetInvalid);
  return { n, ids, timestamps, values, typeFlags, targets, targetFlags, typeInconsistent, invalidFlags, invalid, unknownColumns, missingColumns };
}

/** Reorders rows stably by timestamp (arrival order within a batch follows time, as `vigil run` sorts). */
export function sortByTime(rows: CoercedRows): CoercedRows {
  const ts = rows.timestamps;
  if (!ts) return rows;
  let sorted = true;
  for (let i = 1; i < ts.length; i++) {
    if (ts[i - 1] > ts[i]) {
      sorted = false;
      break;
    }
  }
  if (sorted) return rows;
  const order = Array.from({ length: rows.n }, (_, i) => i).sort((a, b) => ts[a] - ts[b] || a - b);
  const takeF = (a: Float64Array) => Float64Array.from(order, (i) => a[i]);
  const takeU = (a: Uint8Array | null) => (a ? Uint8Array.from(order, (i) => a[i]) : null);
  return {
    ...rows,
    ids: rows.ids ? order.map((i) => rows.ids![i]) : null,
    timestamps: takeF(ts),
    values: rows.values.map(takeF),
    typeFlags: rows.typeFlags.map(takeU),
    invalidFlags: rows.invalidFlags.map(takeU),
    targets: rows.targets ? takeF(rows.targets) : null,
    targetFlags: takeU(rows.targetFlags),
  };
}
