/**
 * CSV → Frame with pandas `read_csv` semantics (run-contract "CSV reading"):
 * first line is the header; empty fields and pandas' default NA tokens are missing; a column whose
 * non-missing values all parse as numbers is numeric; True/False columns are boolean (categorical);
 * everything else is a string column (categorical).
 *
 * One pass over the UTF-8 bytes (no JS string per field): numbers are parsed straight from the bytes
 * (csv-number.ts), text fields are interned per column by hashing their bytes, so a string is only
 * decoded once per distinct value. A column is parsed as numbers until a field refuses, and only then
 * are the earlier fields of that column re-read as text from the recorded record offsets.
 */
import { CategoricalColumn, Column, Frame, makeFrame, MISSING_CODE, NumericColumn } from '../engine/frame';
import { parseCanonicalTimestampBytes } from '../engine/timestamps';
import { numberIsInteger, parseNumber, parseNumberBytes } from './csv-number';

export { parseNumber };

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


export interface ReadCsvOptions {
  /** Used in error messages, e.g. the file name. */
  source?: string;
  /**
   * Columns known to be timestamps (`vigil run`: chunking columns used for nothing else). While every
   * field has the canonical shape (parseCanonicalTimestampBytes) they are read straight to epoch ms, a
   * numeric column marked `epochMs`, without a string per distinct value; any other field turns the
   * column back into the text column it would otherwise be.
   */
  timestampColumns?: ReadonlySet<string>;
}

/** UTF-16 offsets in messages stay those of the decoded text (as when this reader took a string). */
function textOffset(buf: Buffer, bodyStart: number, byteOffset: number): number {
  return buf.toString('utf8', bodyStart, byteOffset).length;
}

/** 1-based line number of a byte offset, as an editor shows it (blank lines and quoted newlines count). */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === LF) line++;
  return line;
}

/** Field kinds recorded by the record scanner. */
const PLAIN = 0;
const QUOTED = 1;
/** quoted with `""` inside: the bytes need unescaping before they are text */
const ESCAPED = 2;

/** One record's fields as byte ranges (quoted fields: the range inside the quotes). */
class FieldRanges {
  count = 0;
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  kinds = new Uint8Array(64);

  push(start: number, end: number, kind: number): void {
    if (this.count === this.starts.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
      const k = new Uint8Array(this.kinds.length * 2);
      k.set(this.kinds);
      this.kinds = k;
    }
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.kinds[this.count] = kind;
    this.count++;
  }
}

/** FNV-1a: cheap and good enough for per-column dictionaries of field bytes. */
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * Per-column dictionary from field bytes to a level code (or MISSING_CODE for NA tokens), an
 * open-addressing hash table over a byte pool: a field is hashed and compared in place, and a JS
 * string is made only for a value not seen before.
 */
class TextInterner {
  levels: string[] = [];
  boolOnly = true;
  private slots = new Int32Array(256); // entry + 1; 0 = empty
  private entryHash = new Int32Array(64);
  private entryStart = new Int32Array(64);
  private entryLen = new Int32Array(64);
  private entryCode = new Int32Array(64);
  private entries = 0;
  private pool = new Uint8Array(4096);
  private poolUsed = 0;

  code(bytes: Uint8Array, start: number, end: number, decode: (start: number, end: number) => string): number {
    let h = FNV_OFFSET;
    for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME);
    const len = end - start;
    const mask = this.slots.length - 1;
    let slot = h & mask;
    for (;;) {
      const e = this.slots[slot];
      if (e === 0) break;
      const k = e - 1;
      if (this.entryHash[k] === h && this.entryLen[k] === len && this.sameBytes(k, bytes, start, len)) return this.entryCode[k];
      slot = (slot + 1) & mask;
    }
    // a new value
    const s = decode(start, end);
    let code: number;
    if (NA_TOKENS.has(s)) code = MISSING_CODE;
    else {
      code = this.levels.length;
      this.levels.push(s);
      if (this.boolOnly && !TRUE_TOKENS.has(s) && !FALSE_TOKENS.has(s)) this.boolOnly = false;
    }
    this.add(h, bytes, start, len, code, slot);
    return code;
  }

  private sameBytes(k: number, bytes: Uint8Array, start: number, len: number): boolean {
    const pool = this.pool;
    const o = this.entryStart[k];
    for (let i = 0; i < len; i++) if (pool[o + i] !== bytes[start + i]) return false;
    return true;
  }

  private add(h: number, bytes: Uint8Array, start: number, len: number, code: number, slot: number): void {
    const k = this.entries;
    if (k === this.entryHash.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.entryHash = grow(this.entryHash);
      this.entryStart = grow(this.entryStart);
      this.entryLen = grow(this.entryLen);
      this.entryCode = grow(this.entryCode);
    }
    if (this.poolUsed + len > this.pool.length) {
      const p = new Uint8Array(Math.max(this.pool.length * 2, this.poolUsed + len));
      p.set(this.pool.subarray(0, this.poolUsed));
      this.pool = p;
    }
    this.pool.set(bytes.subarray(start, start + len), this.poolUsed);
    this.entryHash[k] = h;
    this.entryStart[k] = this.poolUsed;
    this.entryLen[k] = len;
    this.entryCode[k] = code;
    this.poolUsed += len;
    this.entries++;
    this.slots[slot] = k + 1;
    // keep the table at most half full
    if (this.entries * 2 > this.slots.length) this.rehash();
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let k = 0; k < this.entries; k++) {
      let slot = this.entryHash[k] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = k + 1;
    }
    this.slots = slots;
  }
}

interface ColumnBuilder {
  name: string;
  mode: 'numeric' | 'text' | 'timestamp';
  allInt: boolean;
  numbers: Float64Array;
  /** text mode: dictionary coding */
  codes: Int32Array | null;
  text: TextInterner;
}

export function parseCsv(text: string, options: ReadCsvOptions = {}): Frame {
  return parseCsvBytes(Buffer.from(text, 'utf8'), options);
}

/** Reads CSV from its UTF-8 bytes (a leading byte-order mark is skipped). */
export function parseCsvBytes(input: Uint8Array, options: ReadCsvOptions = {}): Frame {
  const src = options.source ?? 'CSV';
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const len = buf.length;
  const bodyStart = len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  let pos = bodyStart;
  let scratch = new Uint8Array(256);
  let scratchLen = 0;

  /** Reads one record starting at `at` into `out`; returns the position after it, or -1 at the end. */
  const readRecord = (at: number, out: FieldRanges): number => {
    out.count = 0;
    if (at >= len) return -1;
    let p = at;
    for (;;) {
      if (buf[p] === QUOTE) {
        const open = p;
        p++;
        const start = p;
        let kind = QUOTED;
        for (;;) {
          if (p >= len) throw new CsvError(`${src}: unterminated quoted field starting at offset ${textOffset(buf, bodyStart, open)}`);
          if (buf[p] === QUOTE) {
            if (p + 1 < len && buf[p + 1] === QUOTE) {
              kind = ESCAPED;
              p += 2;
              continue;
            }
            break;
          }
          p++;
        }
        out.push(start, p, kind);
        p++; // the closing quote
        if (p < len) {
          const c = buf[p];
          if (c !== COMMA && c !== LF && c !== CR) {
            throw new CsvError(`${src}: unexpected character after a closing quote at offset ${textOffset(buf, bodyStart, p)}`);
          }
        }
      } else {
        const start = p;
        while (p < len) {
          const c = buf[p];
          if (c === COMMA || c === LF || c === CR) break;
          p++;
        }
        out.push(start, p, PLAIN);
      }
      if (p >= len) return p;
      const c = buf[p];
      if (c === COMMA) {
        p++;
        continue;
      }
      if (c === CR) p++;
      if (p < len && buf[p] === LF) p++;
      return p;
    }
  };

  /** Unescapes `""` of field i into `scratch`. */
  const unescape = (f: FieldRanges, i: number) => {
    const start = f.starts[i];
    const end = f.ends[i];
    if (scratch.length < end - start) scratch = new Uint8Array(end - start);
    let n = 0;
    for (let p = start; p < end; p++) {
      scratch[n++] = buf[p];
      if (buf[p] === QUOTE) p++;
    }
    scratchLen = n;
  };

  const decodeBuf = (start: number, end: number) => buf.toString('utf8', start, end);
  const decodeScratch = (start: number, end: number) => Buffer.from(scratch.buffer, scratch.byteOffset, scratch.length).toString('utf8', start, end);

  const fieldText = (f: FieldRanges, i: number): string => {
    if (f.kinds[i] !== ESCAPED) return decodeBuf(f.starts[i], f.ends[i]);
    unescape(f, i);
    return decodeScratch(0, scratchLen);
  };

  const skipBlankLines = () => {
    while (pos < len) {
      const c = buf[pos];
      if (c === LF || c === CR) pos++;
      else break;
    }
  };

  const fields = new FieldRanges();
  skipBlankLines();
  const afterHeader = readRecord(pos, fields);
  if (afterHeader < 0) throw new CsvError(`${src}: empty file (no header line)`);
  pos = afterHeader;
  const header: string[] = [];
  for (let i = 0; i < fields.count; i++) header.push(fieldText(fields, i));
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
    mode: options.timestampColumns?.has(name) ? 'timestamp' : 'numeric',
    allInt: true,
    numbers: new Float64Array(capacity),
    codes: null,
    text: new TextInterner(),
  }));
  let recordStarts = new Float64Array(capacity);
  let n = 0;

  const textCode = (b: ColumnBuilder, f: FieldRanges, i: number): number => {
    if (f.kinds[i] !== ESCAPED) return b.text.code(buf, f.starts[i], f.ends[i], decodeBuf);
    unescape(f, i);
    return b.text.code(scratch, 0, scratchLen, decodeScratch);
  };

  const reread = new FieldRanges();
  const toText = (b: ColumnBuilder, col: number, upToRow: number) => {
    b.mode = 'text';
    b.codes = new Int32Array(capacity);
    for (let r = 0; r < upToRow; r++) {
      readRecord(recordStarts[r], reread);
      b.codes[r] = textCode(b, reread, col);
    }
  };

  for (;;) {
    skipBlankLines();
    const start = pos;
    const next = readRecord(pos, fields);
    if (next < 0) break;
    pos = next;
    if (fields.count !== width) {
      throw new CsvError(`${src}: line ${lineAt(buf, start)} has ${fields.count} fields, the header has ${width}`);
    }
    if (n === capacity) {
      capacity *= 2;
      const rs = new Float64Array(capacity);
      rs.set(recordStarts);
      recordStarts = rs;
      for (const b of builders) {
        if (b.mode !== 'text') {
          const nb = new Float64Array(capacity);
          nb.set(b.numbers);
          b.numbers = nb;
        }
        if (b.codes) {
          const nc = new Int32Array(capacity);
          nc.set(b.codes);
          b.codes = nc;
        }
      }
    }
    recordStarts[n] = start;
    const starts = fields.starts;
    const ends = fields.ends;
    for (let j = 0; j < width; j++) {
      const b = builders[j];
      if (b.mode === 'numeric') {
        // A field with `""` inside is never a number: its raw bytes contain a quote.
        const v = parseNumberBytes(buf, starts[j], ends[j]);
        if (v === v) {
          b.numbers[n] = v;
          if (b.allInt && !numberIsInteger()) b.allInt = false;
          continue;
        }
        if (isNaToken(buf, starts[j], ends[j], fields.kinds[j])) {
          b.numbers[n] = NaN;
          b.allInt = false;
          continue;
        }
        toText(b, j, n);
      } else if (b.mode === 'timestamp') {
        const v = fields.kinds[j] === ESCAPED ? undefined : parseCanonicalTimestampBytes(buf, starts[j], ends[j]);
        if (v !== undefined && v === v) {
          b.numbers[n] = v;
          continue;
        }
        toText(b, j, n);
      }
      b.codes![n] = textCode(b, fields, j);
    }
    n++;
  }

  const columns: Column[] = builders.map((b) => {
    if (b.mode === 'numeric') {
      const col: NumericColumn = { kind: 'numeric', name: b.name, dtype: b.allInt ? 'int' : 'float', values: b.numbers.slice(0, n) };
      return col;
    }
    if (b.mode === 'timestamp') {
      const col: NumericColumn = { kind: 'numeric', name: b.name, dtype: 'float', values: b.numbers.slice(0, n), epochMs: true };
      return col;
    }
    const isBool = b.text.boolOnly && b.text.levels.length > 0;
    const levels = isBool ? b.text.levels.map((l) => (TRUE_TOKENS.has(l) ? 'True' : 'False')) : b.text.levels;
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

/** The NA tokens as bytes, by length (all ASCII, none contains a quote). */
const NA_BY_LENGTH: Uint8Array[][] = [];
for (const t of NA_TOKENS) (NA_BY_LENGTH[t.length] ??= []).push(Uint8Array.from(t, (ch) => ch.charCodeAt(0)));

function isNaToken(bytes: Uint8Array, start: number, end: number, kind: number): boolean {
  if (kind === ESCAPED) return false;
  const cands = NA_BY_LENGTH[end - start];
  if (!cands) return false;
  outer: for (const t of cands) {
    for (let i = 0; i < t.length; i++) if (bytes[start + i] !== t[i]) continue outer;
    return true;
  }
  return false;
}
