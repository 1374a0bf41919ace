/**
 * Reading a Prometheus API request's parameters as Prometheus reads them (Go's r.FormValue: POST form
 * first, then the URL query), and turning any failure into Prometheus's error answer. Shared by the router
 * (router.ts), the fast path (fast.ts) and the query thread (query-worker.ts), which gets the parameters
 * as text (`Params.wire`) and reads them again there.
 */
import { EvaluationError, HTTP_STATUS, PromApiError, PromQLParseError } from './errors';
import { parseDurationParam } from './lexer';
import { parseQuery } from './parser';
import { ApiError } from '../../service/errors';
import { jsonAnswer, WireAnswer } from '../../service/response-cache';

/** The parameters in a form that crosses to another thread: the request target and the form body. */
export interface WireParams {
  url: string;
  form: string;
}

/** Request parameters: POST form values first, then the URL query, each name possibly repeated. */
export class Params {
  private readonly form: URLSearchParams;
  private readonly url: URLSearchParams;

  /** `url`: the request target (path and query string); `body`: a form body as text, or as parsed. */
  constructor(
    private readonly target: string,
    body: unknown,
  ) {
    const qs = target.indexOf('?');
    this.url = new URLSearchParams(qs >= 0 ? target.slice(qs + 1) : '');
    this.form = formOf(body);
  }

  static of(req: { originalUrl: string; body?: unknown }): Params {
    return new Params(req.originalUrl, req.body);
  }

  static fromWire(w: WireParams): Params {
    return new Params(w.url, w.form);
  }

  /** The same parameters as text (a form re-encoded by URLSearchParams reads back to the same values). */
  wire(): WireParams {
    return { url: this.target, form: this.form.toString() };
  }

  has(name: string): boolean {
    return this.form.has(name) || this.url.has(name);
  }
  get(name: string): string | null {
    return this.form.get(name) ?? this.url.get(name);
  }
  all(name: string): string[] {
    return [...this.form.getAll(name), ...this.url.getAll(name)];
  }

  query() {
    try {
      return parseQuery(this.get('query') ?? '');
    } catch (e) {
      if (e instanceof PromQLParseError) throw new PromApiError('bad_data', `invalid parameter "query": ${e.message}`);
      throw e;
    }
  }

  time(name: string): number {
    const raw = this.get(name);
    const ms = raw === null ? NaN : parseTimeParam(raw);
    if (Number.isNaN(ms)) throw new PromApiError('bad_data', `invalid parameter "${name}": cannot parse "${raw ?? ''}" to a valid timestamp`);
    return ms;
  }

  duration(name: string): number {
    const raw = this.get(name);
    const ms = raw === null ? NaN : parseDurationParam(raw);
    if (Number.isNaN(ms)) throw new PromApiError('bad_data', `invalid parameter "${name}": cannot parse "${raw ?? ''}" to a valid duration`);
    return ms;
  }

  optionalDuration(name: string): number | null {
    return this.has(name) && this.get(name) !== '' ? this.duration(name) : null;
  }
}

function formOf(body: unknown): URLSearchParams {
  if (typeof body === 'string') return new URLSearchParams(body);
  const out = new URLSearchParams();
  // The app may have parsed the form already (express.urlencoded): values are strings or arrays.
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      for (const item of Array.isArray(v) ? v : [v]) if (typeof item === 'string') out.append(k, item);
    }
  }
  return out;
}

/** Prometheus's parseTime: unix seconds (fractional, kept to ms) or RFC 3339. Returns ms or NaN. */
export function parseTimeParam(s: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim())) {
    const secs = Number(s);
    const whole = Math.trunc(secs);
    return whole * 1000 + Math.round((secs - whole) * 1000);
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? NaN : ms;
  }
  return NaN;
}

/** Prometheus's error answer for an exception: its errorType and the HTTP status Prometheus uses for it. */
export function errorAnswer(e: unknown): WireAnswer {
  let type: PromApiError['errorType'] = 'internal';
  let message = String(e);
  if (e instanceof ApiError) {
    // Vigil's own refusals (401 unauthorized, 403 forbidden, 413 body_too_large, ...): their status and
    // code as the errorType (Prometheus has no auth of its own, so no errorType of its own for these).
    return jsonAnswer(JSON.stringify({ status: 'error', errorType: e.code, error: e.message }), e.status);
  }
  if (e instanceof PromApiError) {
    type = e.errorType;
    message = e.message;
  } else if (e instanceof EvaluationError) {
    type = 'execution';
    message = e.message;
  } else if (e instanceof PromQLParseError) {
    type = 'bad_data';
    message = e.message;
  } else if (e instanceof Error) {
    message = e.message;
  }
  return jsonAnswer(JSON.stringify({ status: 'error', errorType: type, error: message }), HTTP_STATUS[type]);
}
