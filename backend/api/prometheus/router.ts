/**
 * The part of Prometheus's HTTP API (v1) that Grafana's Prometheus data source and promtool use, mounted
 * by the server at `/prometheus` (so a Prometheus data source's URL is `http://<vigil>/prometheus`).
 * Request parameters are read like Prometheus reads them (Go's r.FormValue: POST form first, then the URL
 * query); answers and errors have Prometheus's exact JSON shape. Contract:
 * shared/specs/grafana-integration.md §4(a); user docs: docs/prometheus.md.
 */
import express, { ErrorRequestHandler, Request, Response, Router } from 'express';
import { LabelMatcher, VectorSelector } from './ast';
import { EvaluationError, HTTP_STATUS, PromApiError, PromQLParseError } from './errors';
import { evaluateInstant, evaluateRange, EvalOptions, Lookback, MAX_POINTS_PER_SERIES } from './evaluator';
import { instantAnswer, rangeAnswer, successJson } from './format';
import { DEFAULT_QUERY_LIMITS, QueryBudget, QueryLimits } from './limits';
import { compareLabels, compareStrings, Labels, METRIC_NAME } from './labels';
import { parseDurationParam } from './lexer';
import { parseQuery } from './parser';
import { Series, SeriesSource } from './source';
import { STATUS_CONFIG_YAML, statusFlags } from './status';
import { prettyExpr } from './format-query';
import { ApiError } from '../../service/errors';
import { Logger } from '../../service/log';
import { jsonAnswer, ResponseCache, WireAnswer } from '../../service/response-cache';
import { sendAnswer } from '../fast-path';

/** The Prometheus release whose API and query semantics Vigil's are tested against (test/prometheus). */
export const PROMETHEUS_API_VERSION = '2.42.0';

export interface MetricMetadata {
  type: 'gauge' | 'counter' | 'histogram' | 'summary' | 'unknown';
  help: string;
  unit: string;
}

export interface PrometheusApiOptions {
  /** The series to answer from, fetched per request (the store adapter caches between result changes). */
  source: () => SeriesSource | Promise<SeriesSource>;
  lookback: Lookback;
  /** HELP/TYPE of a metric name, for /metadata. */
  metadata?: (metricName: string) => MetricMetadata | undefined;
  /** Clock for instant queries without `time` (ms). */
  now?: () => number;
  /**
   * The store's results version (Store.resultsVersion): when given, query and query_range answers are
   * cached per (query, time range, step) until it changes, as /api/query's are (service/response-cache).
   */
  resultsVersion?: () => Promise<string>;
  cache?: ResponseCache;
  /** Timeout (the `timeout` parameter may shorten it) and result size of query and query_range. */
  limits?: QueryLimits;
}

/** Form bodies of Grafana's POST queries can hold long expressions; Prometheus itself has no lower cap. */
export const FORM_BODY_LIMIT_BYTES = 1024 * 1024;

export type QueryEndpoint = 'query' | 'query_range';

/**
 * `query` and `query_range` answers, shared by the router below and the fast path on Node's request
 * listener (fast.ts), so both give the same answers and the same errors. With a results version, answers
 * are cached per (query, time or start/end/step) until the version changes: unlike /api/query's
 * `partial`, an answer for an explicit time (range) depends on the stored results only, not on the clock.
 */
export class QueryAnswers {
  /** null without a results version (tests over a fixed source): every answer is computed. */
  readonly cache: ResponseCache | null;
  private readonly now: () => number;
  private readonly evalOpts: EvalOptions;
  private readonly limits: QueryLimits;

  constructor(private readonly opts: PrometheusApiOptions) {
    this.cache = opts.resultsVersion ? (opts.cache ?? new ResponseCache()) : null;
    this.now = opts.now ?? Date.now;
    this.evalOpts = { lookback: opts.lookback };
    this.limits = opts.limits ?? DEFAULT_QUERY_LIMITS;
  }

  /**
   * The query's budget (limits.ts), made once its parameters are read and its expression parsed, as
   * Prometheus checks them before it runs the query: the `timeout` parameter shortens the server's
   * timeout; a timeout of zero or less has already passed (503 timeout).
   */
  private budget(timeoutMs: number | null): QueryBudget {
    const ms = timeoutMs === null ? this.limits.timeoutMs : Math.min(timeoutMs, this.limits.timeoutMs);
    return new QueryBudget(ms, this.limits.maxSamples);
  }

  /** The results version the cache is keyed by (only with a cache). */
  version(): Promise<string> {
    return this.opts.resultsVersion!();
  }

  /**
   * The answer to `endpoint` with parameters `p` (an error answer for a bad request, never thrown), and
   * whether it may be reused for the same parameters at the same results version: false for errors and
   * for instant queries at the clock's time (not worth a cache entry per millisecond).
   */
  async answer(endpoint: QueryEndpoint, p: Params, version?: string): Promise<{ answer: WireAnswer; cacheable: boolean }> {
    try {
      let key: string | null;
      let compute: () => Promise<Buffer>;
      if (endpoint === 'query') {
        const expr = p.query();
        const explicitTime = p.has('time');
        const time = explicitTime ? p.time('time') : this.now();
        const budget = this.budget(p.optionalDuration('timeout'));
        key = explicitTime ? `query\u0000${p.get('query')}\u0000${time}` : null;
        compute = async () => instantAnswer(await evaluateInstant(expr, await this.opts.source(), time, this.evalOpts, budget), time, budget);
      } else {
        const start = p.time('start');
        const end = p.time('end');
        const step = p.duration('step');
        const timeout = p.optionalDuration('timeout');
        if (end < start) throw new PromApiError('bad_data', 'end timestamp must not be before start time');
        if (step <= 0) throw new PromApiError('bad_data', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
        if ((end - start) / step > MAX_POINTS_PER_SERIES) {
          throw new PromApiError('bad_data', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
        }
        const expr = p.query();
        const budget = this.budget(timeout);
        key = `query_range\u0000${p.get('query')}\u0000${start}\u0000${end}\u0000${step}`;
        compute = async () => rangeAnswer(await evaluateRange(expr, await this.opts.source(), start, end, step, this.evalOpts, budget), budget);
      }
      if (this.cache === null || key === null) return { answer: jsonAnswer(await compute()), cacheable: false };
      const v = version ?? (await this.version());
      let answer = this.cache.get(key, v);
      if (answer === null) {
        answer = jsonAnswer(await compute());
        this.cache.set(key, v, answer);
      }
      return { answer, cacheable: true };
    } catch (e) {
      return { answer: errorAnswer(e), cacheable: false };
    }
  }
}

export function prometheusRouter(opts: PrometheusApiOptions, answers = new QueryAnswers(opts)): Router {
  const router = express.Router();
  router.use(express.text({ type: 'application/x-www-form-urlencoded', limit: FORM_BODY_LIMIT_BYTES }));

  const both = (path: string, handler: (p: Params, res: Response) => void | Promise<void>) => {
    const h = async (req: Request, res: Response) => {
      try {
        await handler(Params.of(req), res);
      } catch (e) {
        sendError(res, e);
      }
    };
    router.get(path, h);
    router.post(path, h);
  };

  both('/api/v1/query', async (p, res) => sendAnswer(res, (await answers.answer('query', p)).answer));
  both('/api/v1/query_range', async (p, res) => sendAnswer(res, (await answers.answer('query_range', p)).answer));

  both('/api/v1/labels', async (p, res) => {
    const names = new Set<string>();
    for (const s of selectSeries(p, await opts.source(), opts.lookback)) for (const n of Object.keys(s.labels)) names.add(n);
    sendJson(res, successJson(JSON.stringify(limit(p, [...names].sort(compareStrings)))));
  });

  // GET in Prometheus; POST too, since Grafana's resource calls fall back between the two.
  const labelValues = async (req: Request, res: Response) => {
    try {
      const p = Params.of(req);
      const name = String(req.params.name);
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new PromApiError('bad_data', `invalid label name: "${name}"`);
      const values = new Set<string>();
      for (const s of selectSeries(p, await opts.source(), opts.lookback)) if (name in s.labels) values.add(s.labels[name]);
      sendJson(res, successJson(JSON.stringify(limit(p, [...values].sort(compareStrings)))));
    } catch (e) {
      sendError(res, e);
    }
  };
  router.get('/api/v1/label/:name/values', labelValues);
  router.post('/api/v1/label/:name/values', labelValues);

  both('/api/v1/series', async (p, res) => {
    if (p.all('match[]').length === 0) throw new PromApiError('bad_data', 'no match[] parameter provided');
    const series = selectSeries(p, await opts.source(), opts.lookback).map((s) => s.labels);
    sendJson(res, successJson(JSON.stringify(limit(p, series))));
  });

  both('/api/v1/metadata', async (p, res) => {
    const only = p.get('metric');
    const names = new Set<string>();
    for (const s of (await opts.source()).select([])) names.add(s.labels[METRIC_NAME]);
    const data: Record<string, MetricMetadata[]> = {};
    for (const name of [...names].sort(compareStrings)) {
      if (only && name !== only) continue;
      const meta = opts.metadata?.(name);
      if (meta) data[name] = [meta];
    }
    const max = p.has('limit') ? Number(p.get('limit')) : 0;
    const entries = max > 0 ? Object.entries(data).slice(0, max) : Object.entries(data);
    sendJson(res, successJson(JSON.stringify(Object.fromEntries(entries))));
  });

  router.get('/api/v1/status/buildinfo', (_req, res) => {
    // No `features` map: Grafana would take a non-empty one for Mimir and assume a ruler API.
    sendJson(res, successJson(JSON.stringify({ version: PROMETHEUS_API_VERSION, revision: 'vigil', branch: '', buildUser: '', buildDate: '', goVersion: '' })));
  });
  // The expression printed as Prometheus 2.42 prints it (format-query.ts); parse errors as for `query`.
  both('/api/v1/format_query', (p, res) => sendJson(res, successJson(JSON.stringify(prettyExpr(p.query())))));

  // GET only, as in Prometheus 2.42 (a POST gets the catch-all's 404 here, 405 there).
  router.get('/api/v1/status/flags', (_req, res) => {
    sendJson(res, successJson(JSON.stringify(statusFlags(opts.lookback, opts.limits ?? DEFAULT_QUERY_LIMITS))));
  });
  router.get('/api/v1/status/config', (_req, res) => sendJson(res, successJson(JSON.stringify({ yaml: STATUS_CONFIG_YAML }))));
  // Vigil evaluates no rules itself: alerting runs in Grafana (provisioning/alerting) or Prometheus.
  both('/api/v1/rules', (_p, res) => sendJson(res, successJson('{"groups":[]}')));
  both('/api/v1/alerts', (_p, res) => sendJson(res, successJson('{"alerts":[]}')));
  both('/api/v1/query_exemplars', (_p, res) => sendJson(res, successJson('[]')));

  // Every other path under the mount answers in Prometheus's shape too (Prometheus: 404 for unknown paths).
  router.use((_req, res) => {
    sendError(res, new PromApiError('not_found', 'unknown API endpoint'));
  });
  return router;
}

/**
 * Errors raised before or around the router (the API-key check, the form body parser) in Prometheus's
 * shape, so Grafana's Prometheus client shows their message: promlib's converter reads the body's
 * `status`, `errorType` and `error` (a string) whatever the HTTP status, and reports
 * "<errorType>: <error>"; with Vigil's own `{"error":{...}}` shape it failed on reading `error` (not a string).
 * Mount after the router: `app.use('/prometheus', requireRead, router, prometheusErrors(log))`.
 */
export function prometheusErrors(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    if (!(err instanceof ApiError || err instanceof PromApiError)) {
      const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
      if (status === 500) log.error('unhandled error', { method: req.method, path: req.path, error: (err as Error)?.stack ?? String(err) });
      // body-parser errors (too large, bad charset) are the client's: bad_data with their own status.
      err = status === 500 ? new ApiError(500, 'internal', 'internal error; see the server log') : new ApiError(status, 'bad_data', (err as Error).message);
    }
    sendAnswer(res, errorAnswer(err));
  };
}

/** Request parameters: POST form values first, then the URL query, each name possibly repeated. */
export class Params {
  private readonly form: URLSearchParams;
  private readonly url: URLSearchParams;

  /** `url`: the request target (path and query string); `body`: a form body as text, or as parsed. */
  constructor(url: string, body: unknown) {
    const qs = url.indexOf('?');
    this.url = new URLSearchParams(qs >= 0 ? url.slice(qs + 1) : '');
    this.form = formOf(body);
  }

  static of(req: Request): Params {
    return new Params(req.originalUrl, req.body);
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

/** Series for labels/values/series: those matching any `match[]` (all without), active in [start, end]. */
function selectSeries(p: Params, source: SeriesSource, lookback: Lookback): Series[] {
  const start = p.has('start') ? p.time('start') : -Infinity;
  const end = p.has('end') ? p.time('end') : Infinity;
  const matches = p.all('match[]');
  let found: Series[];
  if (matches.length === 0) {
    found = source.select([]);
  } else {
    const byKey = new Map<Labels, Series>();
    for (const m of matches) for (const s of source.select(parseSelector(m))) byKey.set(s.labels, s);
    found = [...byKey.values()].sort((a, b) => compareLabels(a.labels, b.labels));
  }
  if (start === -Infinity && end === Infinity) return found;
  return found.filter((s) => activeIn(s, start, end, lookback));
}

/** Whether a series has a value that counts in [start, end]: a sample there, or (chunk rule) one still current. */
function activeIn(s: Series, start: number, end: number, lookback: Lookback): boolean {
  const n = s.timestamps.length;
  if (n === 0 || s.timestamps[0] > end) return false;
  if (lookback.kind === 'window') {
    for (let i = 0; i < n; i++) if (s.timestamps[i] >= start && s.timestamps[i] <= end) return true;
    return false;
  }
  return (s.currentUntil ?? s.timestamps[n - 1] + lookback.ms) > start;
}

function parseSelector(text: string): LabelMatcher[] {
  let expr;
  try {
    expr = parseQuery(text);
  } catch (e) {
    if (e instanceof PromQLParseError) throw new PromApiError('bad_data', `invalid parameter "match[]": ${e.message}`);
    throw e;
  }
  if (expr.type !== 'vector_selector') throw new PromApiError('bad_data', `invalid parameter "match[]": ${JSON.stringify(text)} is not a series selector`);
  return (expr as VectorSelector).matchers;
}

function limit<T>(p: Params, items: T[]): T[] {
  const raw = p.get('limit');
  const n = raw === null || raw === '' ? 0 : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new PromApiError('bad_data', `invalid parameter "limit": cannot parse "${raw}" to a valid limit`);
  return n > 0 ? items.slice(0, n) : items;
}

function sendJson(res: Response, body: string, status = 200) {
  res.status(status).type('application/json').send(body);
}

function sendError(res: Response, e: unknown) {
  sendAnswer(res, errorAnswer(e));
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
