/**
 * Differential test: the byte-level reader against the string reader it replaced (kept here verbatim as
 * the reference), on random CSV texts mixing numbers in every spelling, NA tokens, booleans, quoted
 * fields with commas, `""` and newlines, non-ASCII text, CRLF and blank lines. Frames and error
 * messages must be identical.
 */
import { seededRandom } from '../engine/random';
import { CategoricalColumn, Column, Frame, makeFrame, MISSING_CODE, NumericColumn } from '../engine/frame';
import { parseCsv } from './csv';

// ---- reference: the string-based reader as of commit e3d9310 ----
/** pandas' default `na_values`. */
const NA_TOKENS = new Set([
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA',
  'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
]);
const TRUE_TOKENS = new Set(['True', 'TRUE', 'true']);
const FALSE_TOKENS = new Set(['False', 'FALSE', 'false']);

class LegacyCsvError extends Error {
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
function parseNumber(s: string): number {
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

interface ReadCsvOptions {
  /** Used in error messages, e.g. the file name. */
  source?: string;
}

function legacyParseCsv(text: string, options: ReadCsvOptions = {}): Frame {
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
          if (p >= len) throw new LegacyCsvError(`${src}: unterminated quoted field starting at offset ${pos}`);
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
          throw new LegacyCsvError(`${src}: unexpected character after a closing quote at offset ${pos}`);
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
  if (!readRecord()) throw new LegacyCsvError(`${src}: empty file (no header line)`);
  const header = fields.slice();
  const seen = new Set<string>();
  header.forEach((h, i) => {
    if (h === '') throw new LegacyCsvError(`${src}: header column ${i + 1} has no name`);
    if (seen.has(h)) throw new LegacyCsvError(`${src}: duplicate column '${h}' in the header`);
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
      throw new LegacyCsvError(`${src}: line ${lineAt(text, start)} has ${fields.length} fields, the header has ${width}`);
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

// ---- generator ----
const rng = seededRandom;

const NUMBERS = ['0', '-0', '1', '-17', '+3', '007', '1.5', '.5', '5.', '-.25', '1e3', '2.5E-4', '1e400', '1e-400', '123456789012345678', '0.1', 'inf', '-Infinity', '3.14159265358979323846', '1 ', '9.99e22'];
const NA = ['', 'NA', 'nan', 'NULL', 'None', '#N/A', '-1.#IND', '<NA>', 'n/a'];
const TEXT = ['a', 'Zürich', '20K - 40K €', '東京', 'True', 'false', 'TRUE', 'x y', 'none', '0x10', 'abc"def', 'a,b', 'two\nlines', 'é'];

function field(r: () => number, kind: number): string {
  const pick = (a: string[]) => a[Math.floor(r() * a.length)];
  const k = r();
  let v: string;
  if (kind === 0) v = k < 0.9 ? pick(NUMBERS) : pick(NA);
  else if (kind === 1) v = k < 0.8 ? pick(['True', 'False', 'true', 'FALSE']) : pick(NA);
  else if (kind === 2) v = k < 0.97 ? pick(NUMBERS) : k < 0.99 ? pick(TEXT) : pick(NA);
  else v = k < 0.6 ? pick(TEXT) : k < 0.8 ? pick(NUMBERS) : pick(NA);
  const needsQuotes = /[",\n\r]/.test(v);
  if (needsQuotes || r() < 0.1) return '"' + v.replace(/"/g, '""') + '"';
  return v;
}

function randomCsv(r: () => number): string {
  const width = 1 + Math.floor(r() * 5);
  const kinds = Array.from({ length: width }, () => Math.floor(r() * 4));
  const nl = r() < 0.3 ? '\r\n' : '\n';
  const lines = [Array.from({ length: width }, (_, j) => (r() < 0.1 ? `"c ${j}"` : `c${j}`)).join(',')];
  const rows = Math.floor(r() * 40);
  for (let i = 0; i < rows; i++) {
    if (r() < 0.05) lines.push('');
    let w = width;
    if (r() < 0.005) w += r() < 0.5 ? 1 : -1;
    lines.push(Array.from({ length: Math.max(w, 1) }, (_, j) => field(r, kinds[j % width])).join(','));
  }
  let text = (r() < 0.1 ? '\ufeff' : '') + lines.join(nl) + (r() < 0.8 ? nl : '');
  if (r() < 0.01) text += '"unterminated';
  return text;
}

function outcome(f: () => Frame): unknown {
  try {
    const fr = f();
    return fr.names.map((n) => {
      const c = fr.columns.get(n)!;
      return c.kind === 'numeric'
        ? { n, dtype: c.dtype, values: Array.from(c.values, (v) => (Object.is(v, -0) ? '-0' : String(v))) }
        : { n, dtype: c.dtype, levels: c.levels, codes: Array.from(c.codes) };
    });
  } catch (e) {
    return { error: (e as Error).message };
  }
}

it('the byte-level reader gives the same frames and errors as the string reader on 3000 random CSV texts', () => {
  const r = rng(42);
  let errors = 0;
  for (let t = 0; t < 3000; t++) {
    const text = randomCsv(r);
    const want = outcome(() => legacyParseCsv(text, { source: 'x.csv' }));
    const got = outcome(() => parseCsv(text, { source: 'x.csv' }));
    if ((want as { error?: string }).error) errors++;
    expect({ text, got }).toEqual({ text, got: want });
  }
  // the generator does produce malformed texts, so error messages are compared too
  expect(errors).toBeGreaterThan(20);
});
