/**
 * Request bodies with rows: a JSON array of objects (or `{"rows": [...]}`), NDJSON (one object per line)
 * or CSV (pandas semantics, backend/io/csv.ts). Parsed into named source columns, model-agnostic; a
 * malformed body is a 400 naming where it breaks.
 */
import { Column } from '../engine/frame';
import { CsvError, parseCsvBytes } from '../io/csv';
import { badRequest } from './errors';

/** A rows body as received: its bytes (UTF-8), or text already decoded. */
export type RowsBody = string | Uint8Array;

export type BodyFormat = 'json' | 'ndjson' | 'csv';

export type SourceColumn = { type: 'json'; name: string; values: unknown[] } | { type: 'frame'; name: string; column: Column };

export interface ParsedRows {
  format: BodyFormat;
  n: number;
  /** Column names in first-seen order. */
  names: string[];
  columns: Map<string, SourceColumn>;
  /** Where row i (0-based) is, for messages: `body[3]`, `body line 4`, `body row 3 (line 4)`. */
  rowWhere(i: number): string;
}

/** Picks the format from the Content-Type (parameters ignored); unknown types are refused. */
export function formatOf(contentType: string | undefined): BodyFormat {
  const t = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (t === 'application/json' || t === 'text/json' || t.endsWith('+json')) return 'json';
  if (t === 'application/x-ndjson' || t === 'application/ndjson' || t === 'application/jsonl' || t === 'application/x-jsonlines') return 'ndjson';
  if (t === 'text/csv' || t === 'application/csv') return 'csv';
  throw new UnsupportedMediaType(t);
}

export class UnsupportedMediaType extends Error {
  constructor(readonly contentType: string) {
    super(
      `unsupported Content-Type '${contentType || '(none)'}': send application/json (array of row objects), application/x-ndjson or text/csv`,
    );
  }
}

/** Line and column of a character offset, for JSON syntax errors. */
function lineCol(text: string, offset: number): string {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return `line ${line}, column ${offset - last}`;
}

/** V8's reason without the position (reported separately) and with its source excerpt shortened. */
function jsonReason(e: Error): string {
  return e.message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/, ("[\s\S]{0,60}?"|\.\.\."[\s\S]{0,60}?") is not valid JSON$/, ' near $1')
    .replace(/, [\s\S]* is not valid JSON$/, '');
}

function jsonSyntaxError(text: string, e: Error, where: string): Error {
  const m = /position (\d+)/.exec(e.message);
  // V8 gives no position when the text ends early ("Unexpected end of JSON input"): that is its end.
  const at = ` at ${lineCol(text, m ? Number(m[1]) : text.length)}`;
  return badRequest('malformed_body', `malformed JSON${at}: ${jsonReason(e)}`, where);
}

/** JSON.parse with the API's error (400 malformed_body, naming line and column). */
export function parseJson(text: string, where = 'body'): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw jsonSyntaxError(text, e as Error, where);
  }
}

/**
 * What a parse produces, without the `rowWhere` function: plain data that a worker thread can post
 * (structured clone), and that `rowsFromParts` turns back into ParsedRows.
 */
export interface ParsedParts {
  format: BodyFormat;
  n: number;
  names: string[];
  columns: Map<string, SourceColumn>;
  /** NDJSON: the 1-based line of each row; null for JSON and CSV. */
  lineOf: number[] | null;
}

export function rowsFromParts(p: ParsedParts): ParsedRows {
  const lineOf = p.lineOf;
  const rowWhere =
    p.format === 'csv' ? (i: number) => `body row ${i + 1} (line ${i + 2})` : lineOf ? (i: number) => `body line ${lineOf[i]}` : (i: number) => `body[${i}]`;
  return { format: p.format, n: p.n, names: p.names, columns: p.columns, rowWhere };
}

/** UTF-8 text of a body, without a leading byte-order mark (JSON.parse refuses one). */
function bodyText(body: RowsBody): string {
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function parseRowsBody(body: RowsBody, format: BodyFormat): ParsedRows {
  return rowsFromParts(parseRowsParts(body, format));
}

/** Parses a body into named source columns (the part of ingest a worker thread can do). */
export function parseRowsParts(body: RowsBody, format: BodyFormat): ParsedParts {
  if (format === 'csv') return parseCsvBody(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  const text = bodyText(body);
  let records: unknown[];
  let lineOf: number[] | null = null;
  if (format === 'json') {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw jsonSyntaxError(text, e as Error, 'body');
    }
    if (Array.isArray(raw)) records = raw;
    else if (typeof raw === 'object' && raw !== null && Array.isArray((raw as { rows?: unknown }).rows)) records = (raw as { rows: unknown[] }).rows;
    else {
      const start = text.length - text.trimStart().length;
      throw badRequest('malformed_body', `expected a JSON array of row objects (or {"rows": [...]}), got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw} at ${lineCol(text, start)}`, 'body');
    }
  } else {
    records = [];
    lineOf = [];
    const lines = text.split('\n');
    for (let l = 0; l < lines.length; l++) {
      const line = lines[l].trim();
      if (line === '') continue;
      try {
        records.push(JSON.parse(line));
      } catch (e) {
        throw badRequest('malformed_body', `malformed JSON on line ${l + 1}: ${jsonReason(e as Error)}`, `body line ${l + 1}`);
      }
      lineOf.push(l + 1);
    }
  }
  const rowWhere = lineOf ? (i: number) => `body line ${lineOf![i]}` : (i: number) => `body[${i}]`;
  const n = records.length;
  const columns = new Map<string, SourceColumn & { type: 'json' }>();
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = records[i];
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      throw badRequest('malformed_body', `each row must be a JSON object, got ${Array.isArray(r) ? 'an array' : JSON.stringify(r)}`, rowWhere(i));
    }
    for (const key in r) {
      let c = columns.get(key);
      if (!c) {
        c = { type: 'json', name: key, values: new Array(n) };
        columns.set(key, c);
        names.push(key);
      }
      c.values[i] = (r as Record<string, unknown>)[key];
    }
  }
  return { format, n, names, columns, lineOf };
}

function parseCsvBody(bytes: Uint8Array): ParsedParts {
  let frame;
  try {
    frame = parseCsvBytes(bytes, { source: 'body' });
  } catch (e) {
    if (e instanceof CsvError) {
      const m = /line (\d+)/.exec(e.message);
      // The reader's errors without a line or offset are about the header (or its absence): line 1.
      const placed = m || /offset \d+/.test(e.message) ? '' : ' (line 1)';
      throw badRequest('malformed_body', `malformed CSV: ${e.message.replace(/^body: /, '')}${placed}`, m ? `body line ${m[1]}` : placed ? 'body line 1' : 'body');
    }
    throw e;
  }
  const columns = new Map<string, SourceColumn>();
  for (const name of frame.names) columns.set(name, { type: 'frame', name, column: frame.columns.get(name)! });
  return { format: 'csv', n: frame.length, names: [...frame.names], columns, lineOf: null };
}
