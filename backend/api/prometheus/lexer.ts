/**
 * PromQL lexer: turns a query into tokens with their character positions. It knows the whole PromQL
 * token set (so an unsupported construct is recognised and named by the parser rather than failing as
 * "unexpected character"), following Prometheus's lexer (promql/parser/lex.go) for what is a number, a
 * duration, a string and an identifier.
 */
import { PromQLParseError } from './errors';

export type TokenKind = 'number' | 'duration' | 'string' | 'ident' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text (for strings: the unquoted, unescaped value is in `value`). */
  text: string;
  /** Parsed value: numbers and durations (ms) as number, strings as string. */
  value?: number | string;
  pos: number;
  end: number;
}

/** Longest first, so `=~` wins over `=`. */
const PUNCTUATION = ['==', '!=', '=~', '!~', '<=', '>=', '+', '-', '*', '/', '%', '^', '<', '>', '=', ',', '(', ')', '{', '}', '[', ']', ':', '@'];

/** Duration units and their length in ms (Prometheus model.ParseDuration: y = 365d, w = 7d). */
export const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];

/** Parses a Prometheus duration (`5m`, `1h30m`, `7d`); null when the text is not one. */
export function parseDuration(text: string): number | null {
  if (text === '' || text === '0') return text === '0' ? 0 : null;
  const m = DURATION_RE.exec(text);
  if (!m) return null;
  let ms = 0;
  for (let i = 0; i < DURATION_ORDER.length; i++) {
    if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * DURATION_UNITS[DURATION_ORDER[i]];
  }
  return ms;
}

/** Go's time.Duration holds at most 2^63-1 ns (~292 years): Prometheus refuses longer durations. */
const MAX_DURATION_SECONDS = 9_223_372_036;

/** Prometheus's parseDuration: float seconds or a duration string (`1m`). Returns ms or NaN. */
export function parseDurationParam(s: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim())) {
    const secs = Number(s);
    return Math.abs(secs) > MAX_DURATION_SECONDS ? NaN : Math.round(secs * 1000);
  }
  const d = parseDuration(s);
  return d === null ? NaN : d;
}

const isDigit = (c: string) => c >= '0' && c <= '9';
const isAlpha = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdentStart = (c: string) => isAlpha(c) || c === ':';
const isIdentPart = (c: string) => isIdentStart(c) || isDigit(c);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** The query's tokens, ending with `eof`; a parse error at the token past `maxTokens`. */
export function tokenize(query: string, maxTokens = Number.POSITIVE_INFINITY): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = query.length;
  while (i < n) {
    const c = query[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && query[i] !== '\n') i++;
      continue;
    }
    if (tokens.length >= maxTokens) {
      throw new PromQLParseError(query, i, `query too long: more than ${maxTokens} tokens (Vigil's limit, see docs/prometheus.md)`);
    }
    const start = i;
    if (isDigit(c) || (c === '.' && i + 1 < n && isDigit(query[i + 1]))) {
      i = lexNumberOrDuration(query, i, tokens);
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(query[i])) i++;
      const text = query.slice(start, i);
      const lower = text.toLowerCase();
      if (lower === 'inf' || lower === 'nan') {
        tokens.push({ kind: 'number', text, value: lower === 'inf' ? Infinity : NaN, pos: start, end: i });
      } else {
        tokens.push({ kind: 'ident', text, pos: start, end: i });
      }
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      i = lexString(query, i, tokens);
      continue;
    }
    const punct = PUNCTUATION.find((p) => query.startsWith(p, i));
    if (punct) {
      tokens.push({ kind: 'punct', text: punct, pos: i, end: i + punct.length });
      i += punct.length;
      continue;
    }
    if (c === '!') throw new PromQLParseError(query, i, `unexpected character after '!': '${query[i + 1] ?? ''}'`);
    throw new PromQLParseError(query, i, `unexpected character: '${c}'`);
  }
  tokens.push({ kind: 'eof', text: '', pos: n, end: n });
  return tokens;
}

function lexNumberOrDuration(query: string, start: number, out: Token[]): number {
  const n = query.length;
  let i = start;
  // A duration: digits immediately followed by a unit letter (`5m`, `1h30m`, `100ms`).
  let j = i;
  while (j < n && isDigit(query[j])) j++;
  if (j > i && j < n && /[smhdwy]/.test(query[j])) {
    let k = j;
    while (k < n && (isDigit(query[k]) || /[smhdwy]/.test(query[k]))) k++;
    const text = query.slice(start, k);
    // `:` may follow a duration inside a subquery's brackets (`[1h:5m]`).
    if (k < n && isIdentPart(query[k]) && query[k] !== ':') {
      throw new PromQLParseError(query, start, `bad number or duration syntax: "${query.slice(start, k + 1)}"`);
    }
    const ms = parseDuration(text);
    if (ms === null) throw new PromQLParseError(query, start, `bad duration syntax: "${text}"`);
    out.push({ kind: 'duration', text, value: ms, pos: start, end: k });
    return k;
  }
  if (query[i] === '0' && (query[i + 1] === 'x' || query[i + 1] === 'X')) {
    i += 2;
    while (i < n && /[0-9a-fA-F]/.test(query[i])) i++;
  } else {
    while (i < n && isDigit(query[i])) i++;
    if (query[i] === '.') {
      i++;
      while (i < n && isDigit(query[i])) i++;
    }
    if (query[i] === 'e' || query[i] === 'E') {
      let k = i + 1;
      if (query[k] === '+' || query[k] === '-') k++;
      if (isDigit(query[k] ?? '')) {
        i = k;
        while (i < n && isDigit(query[i])) i++;
      }
    }
  }
  const text = query.slice(start, i);
  if (i < n && isIdentPart(query[i])) throw new PromQLParseError(query, start, `bad number or duration syntax: "${query.slice(start, i + 1)}"`);
  const value = text.startsWith('0x') || text.startsWith('0X') ? parseInt(text.slice(2), 16) : Number(text);
  if (Number.isNaN(value)) throw new PromQLParseError(query, start, `bad number syntax: "${text}"`);
  out.push({ kind: 'number', text, value, pos: start, end: i });
  return i;
}

function lexString(query: string, start: number, out: Token[]): number {
  const quote = query[start];
  const n = query.length;
  let i = start + 1;
  let value = '';
  if (quote === '`') {
    const close = query.indexOf('`', i);
    if (close < 0) throw new PromQLParseError(query, start, 'unterminated raw string');
    out.push({ kind: 'string', text: query.slice(start, close + 1), value: query.slice(i, close), pos: start, end: close + 1 });
    return close + 1;
  }
  for (;;) {
    if (i >= n || query[i] === '\n') throw new PromQLParseError(query, start, 'unterminated quoted string');
    const c = query[i];
    if (c === quote) break;
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = query[i + 1];
    if (e === undefined) throw new PromQLParseError(query, start, 'unterminated quoted string');
    if (e in SIMPLE_ESCAPES) {
      value += SIMPLE_ESCAPES[e];
      i += 2;
    } else if (e === quote) {
      value += e;
      i += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = query.slice(i + 2, i + 2 + len);
      if (hex.length !== len || !/^[0-9a-fA-F]+$/.test(hex)) throw new PromQLParseError(query, i, `invalid escape sequence '\\${e}${hex}'`);
      value += String.fromCodePoint(parseInt(hex, 16));
      i += 2 + len;
    } else if (e >= '0' && e <= '7') {
      const oct = query.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct)) throw new PromQLParseError(query, i, `invalid escape sequence '\\${oct}'`);
      value += String.fromCharCode(parseInt(oct, 8));
      i += 4;
    } else {
      throw new PromQLParseError(query, i, `unknown escape sequence '\\${e}'`);
    }
  }
  out.push({ kind: 'string', text: query.slice(start, i + 1), value, pos: start, end: i + 1 });
  return i + 1;
}
