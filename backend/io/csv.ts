/**
 * CSV → Frame with pandas `read_csv` semantics (run-contract "CSV reading"):
 * first line is the header; empty fields and pandas' default NA tokens are missing; a column whose
 * non-missing values all parse as numbers is numeric; True/False columns are boolean (categorical);
 * everything else is a string column (categorical).
 *
 * One pass over the text; a column is parsed as numbers until a field refuses, and only then are the
 * earlier fields of that column re-read as text from the recorded record offsets.
 */
import { CategoricalColumn, Column, Frame, makeFrame, MISSING_CODE, NumericColumn } from '../engine/frame';

/** pandas' default `na_values`. */
const NA_TOKENS = new Set([
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA',
  'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
]);
const TRUE_TOKENS = new Set(['True', 'TRUE', 'true']);
const FALSE_TOKENS = new Set(['False', 'FALSE', 'false']);

export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** Parses a number as pandas would (plain decimal, exponent, inf). NaN means "not a number". */
export function parseNumber(s: string): number {
  if (s.length === 0) return NaN;
  const c = s.charCodeAt(0);
  // Fast reject: a number starts with a digit, sign, dot, or i/I (inf).
  if (!((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 105 || c === 73)) return NaN;
  const v = Number(s);
  if (!Number.isNaN(v)) {
    // Number() accepts hex/binary/octal literals and surrounding spaces, pandas does not.
    if (c === 48 && s.length > 1) {
      const c1 = s.charCodeAt(1) | 32;
      if (c1 === 120 || c1 === 98 || c1 === 111) return NaN;
    }
    return v;
  }
  const lower = s.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return NaN;
}

/**
 * pandas gives int64 only when every field is written as an integer: `1.0`, `1e3` or `inf` make float64
 * even when the value is whole. (The dtype matters: UnseenValuesCalculator accepts int columns only.)
 */
function isIntegerLiteral(s: string): boolean {
  let i = s.charCodeAt(0) === 45 || s.charCodeAt(0) === 43 ? 1 : 0;
  if (i === s.length) return false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** 1-based line number of a text offset, as an editor shows it (blank lines and quoted newlines count). */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === LF) line++;
  return line;
}

interface ColumnBuilder {
  name: string;
  mode: 'numeric' | 'text';
  allInt: boolean;
  numbers: Float64Array;
  /** text mode: dictionary coding */
  codes: Int32Array | null;
  levels: string[];
  index: Map<string, number>;
  boolOnly: boolean;
}

export interface ReadCsvOptions {
  /** Used in error messages, e.g. the file name. */
  source?: string;
}

export function parseCsv(text: string, options: ReadCsvOptions = {}): Frame {
  const src = options.source ?? 'CSV';
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const len = text.length;
  let pos = 0;
  const fields: string[] = [];

  /** Reads one record starting at `pos` into `fields`; returns false at end of text. */
  const readRecord = (): boolean => {
    fields.length = 0;
    if (pos >= len) return false;
    for (;;) {
      let field: string;
      if (text.charCodeAt(pos) === QUOTE) {
        let p = pos + 1;
        let out = '';
        let segStart = p;
        for (;;) {
          if (p >= len) throw new CsvError(`${src}: unterminated quoted field starting at offset ${pos}`);
          if (text.charCodeAt(p) === QUOTE) {
            if (text.charCodeAt(p + 1) === QUOTE) {
              out += text.slice(segStart, p + 1);
              p += 2;
              segStart = p;
              continue;
            }
            out += text.slice(segStart, p);
            p++;
            break;
          }
          p++;
        }
        field = out;
        pos = p;
        const c = text.charCodeAt(pos);
        if (pos < len && c !== COMMA && c !== LF && c !== CR) {
          throw new CsvError(`${src}: unexpected character after a closing quote at offset ${pos}`);
        }
      } else {
        let p = pos;
        while (p < len) {
          const c = text.charCodeAt(p);
          if (c === COMMA || c === LF || c === CR) break;
          p++;
        }
        field = text.slice(pos, p);
        pos = p;
      }
      fields.push(field);
      if (pos >= len) return true;
      const c = text.charCodeAt(pos);
      if (c === COMMA) {
        pos++;
        continue;
      }
      if (c === CR) pos++;
      if (text.charCodeAt(pos) === LF) pos++;
      return true;
    }
  };

  const skipBlankLines = () => {
    while (pos < len) {
      const c = text.charCodeAt(pos);
      if (c === LF || c === CR) pos++;
      else break;
    }
  };

  skipBlankLines();
  if (!readRecord()) throw new CsvError(`${src}: empty file (no header line)`);
  const header = fields.slice();
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (h === '') throw new CsvError(`${src}: header column ${i + 1} has no name`);
    if (seen.has(h)) throw new CsvError(`${src}: duplicate column '${h}' in the header`);
    seen.add(h);
  });
  const width = header.length;
  let capacity = 1024;
  const builders: ColumnBuilder[] = header.map((name) => ({
    name,
    mode: 'numeric',
    allInt: true,
    numbers: new Float64Array(capacity),
    codes: null,
    levels: [],
    index: new Map(),
    boolOnly: true,
  }));
  let recordStarts = new Float64Array(capacity);
  let n = 0;

  const addText = (b: ColumnBuilder, row: number, s: string) => {
    if (NA_TOKENS.has(s)) {
      b.codes![row] = MISSING_CODE;
      return;
    }
    let code = b.index.get(s);
    if (code === undefined) {
      code = b.levels.length;
      b.levels.push(s);
      b.index.set(s, code);
      if (b.boolOnly && !TRUE_TOKENS.has(s) && !FALSE_TOKENS.has(s)) b.boolOnly = false;
    }
    b.codes![row] = code;
  };

  const toText = (b: ColumnBuilder, col: number, upToRow: number) => {
    b.mode = 'text';
    b.codes = new Int32Array(capacity);
    const saved = pos;
    const savedFields = fields.slice();
    for (let r = 0; r < upToRow; r++) {
      pos = recordStarts[r];
      readRecord();
      addText(b, r, fields[col]);
    }
    pos = saved;
    fields.length = 0;
    fields.push(...savedFields);
  };

  for (;;) {
    skipBlankLines();
    const start = pos;
    if (!readRecord()) break;
    if (fields.length !== width) {
      throw new CsvError(`${src}: line ${lineAt(text, start)} has ${fields.length} fields, the header has ${width}`);
    }
    if (n === capacity) {
      capacity *= 2;
      const rs = new Float64Array(capacity);
      rs.set(recordStarts);
      recordStarts = rs;
      for (const b of builders) {
        const nb = new Float64Array(b.mode === 'numeric' ? capacity : 0);
        if (b.mode === 'numeric') nb.set(b.numbers);
        b.numbers = nb;
        if (b.codes) {
          const nc = new Int32Array(capacity);
          nc.set(b.codes);
          b.codes = nc;
        }
      }
    }
    recordStarts[n] = start;
    for (let j = 0; j < width; j++) {
      const b = builders[j];
      const s = fields[j];
      if (b.mode === 'numeric') {
        const v = parseNumber(s);
        if (!Number.isNaN(v)) {
          b.numbers[n] = v;
          if (b.allInt && !isIntegerLiteral(s)) b.allInt = false;
          continue;
        }
        if (NA_TOKENS.has(s)) {
          b.numbers[n] = NaN;
          b.allInt = false;
          continue;
        }
        toText(b, j, n);
      }
      addText(b, n, s);
    }
    n++;
  }

  const columns: Column[] = builders.map((b) => {
    if (b.mode === 'numeric') {
      const col: NumericColumn = { kind: 'numeric', name: b.name, dtype: b.allInt ? 'int' : 'float', values: b.numbers.slice(0, n) };
      return col;
    }
    const isBool = b.boolOnly && b.levels.length > 0;
    const levels = isBool ? b.levels.map((l) => (TRUE_TOKENS.has(l) ? 'True' : 'False')) : b.levels;
    let codes = b.codes!.slice(0, n);
    if (isBool && new Set(levels).size !== levels.length) {
      // e.g. both `True` and `true` present: merge onto two canonical levels.
      const canon = ['False', 'True'];
      const map = levels.map((l) => canon.indexOf(l));
      codes = codes.map((c) => (c === MISSING_CODE ? MISSING_CODE : map[c]));
      const col: CategoricalColumn = { kind: 'categorical', name: b.name, dtype: 'bool', codes, levels: canon };
      return col;
    }
    const col: CategoricalColumn = { kind: 'categorical', name: b.name, dtype: isBool ? 'bool' : 'string', codes, levels };
    return col;
  });
  return makeFrame(columns, n);
}
