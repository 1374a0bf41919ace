/**
 * The part of Prometheus's HTTP API (v1) that Grafana's Prometheus data source and promtool use, mounted
 * by the server at `/prometheus` (so a Prometheus data source's URL is `http://<vigil>/prometheus`).
 * Request parameters are read like Prometheus reads them (Go's r.FormValue: POST form first, then the URL
 * query); answers and errors have Prometheus's exact JSON shape. Contract:
 * shared/specs/grafana-integration.md §4(a); user docs: docs/prometheus.md.
 */
import express, { ErrorRequestHandler, Request, Response, Router } from 'express';
import { PromApiError } from './errors';
import { EvalOptions, Lookback } from './evaluator';
import { successJson } from './format';
import { DEFAULT_QUERY_LIMITS, QueryLimits } from './limits';
import { errorAnswer, Params } from './params';
import { ListEndpoint, LocalSeriesAnswers, planQuery, QueryEndpoint, SeriesAnswers } from './series-answers';
import { SeriesSource } from './source';
import { STATUS_CONFIG_YAML, statusFlags } from './status';
import { prettyExpr } from './format-query';
import { ApiError } from '../../service/errors';
import { Logger } from '../../service/log';
import { ResponseCache, WireAnswer } from '../../service/response-cache';
import { sendAnswer } from '../fast-path';

export { errorAnswer, Params, parseTimeParam } from './params';
export type { QueryEndpoint } from './series-answers';

/** The Prometheus release whose API and query semantics Vigil's are tested against (test/prometheus). */
export const PROMETHEUS_API_VERSION = '2.42.0';

export interface MetricMetadata {
  type: 'gauge' | 'counter' | 'histogram' | 'summary' | 'unknown';
  help: string;
  unit: string;
}

export interface PrometheusApiOptions {
  /** The series to answer from, fetched per request (the store adapter caches between result changes). */
  source?: () => SeriesSource | Promise<SeriesSource>;
  /**
   * Where the answers that read the series are made, instead of `source` in this thread: the server's
   * query thread (query-thread.ts).
   */
  series?: SeriesAnswers;
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

/**
 * `query` and `query_range` answers, shared by the router below and the fast path on Node's request
 * listener (fast.ts), so both give the same answers and the same errors. With a results version, answers
 * are cached per (query, time or start/end/step) until the version changes: unlike /api/query's
 * `partial`, an answer for an explicit time (range) depends on the stored results only, not on the clock.
 */
export class QueryAnswers {
  /** null without a results version (tests over a fixed source): every answer is computed. */
  readonly cache: ResponseCache | null;
  /** Where evaluations (and the router's listings) are made. */
  readonly series: SeriesAnswers;
  private readonly now: () => number;
  private readonly evalOpts: EvalOptions;
  private readonly limits: QueryLimits;

  constructor(private readonly opts: PrometheusApiOptions) {
    this.cache = opts.resultsVersion ? (opts.cache ?? new ResponseCache()) : null;
    this.now = opts.now ?? Date.now;
    this.evalOpts = { lookback: opts.lookback };
    this.limits = opts.limits ?? DEFAULT_QUERY_LIMITS;
    if (opts.series) this.series = opts.series;
    else if (opts.source) this.series = new LocalSeriesAnswers({ source: opts.source, lookback: opts.lookback, metadata: opts.metadata, now: this.now, limits: this.limits });
    else throw new Error('the Prometheus API needs a series source or series answers');
  }

  /** The results version the cache is keyed by (only with a cache). */
  version(): Promise<string> {
    return this.opts.resultsVersion!();
  }

  /**
   * The answer to `endpoint` with parameters `p` (an error answer for a bad request, never thrown), and
   * whether it may be reused for the same parameters at the same results version: false for errors and
   * for instant queries at the clock's time (not worth a cache entry per millisecond). The parameters
   * are read and the expression parsed here, so a bad request is answered without an evaluation.
   */
  async answer(endpoint: QueryEndpoint, p: Params, version?: string): Promise<{ answer: WireAnswer; cacheable: boolean }> {
    try {
      const plan = planQuery(endpoint, p, this.now(), this.limits, this.evalOpts);
      const compute = () => this.series.evaluate(endpoint, p, plan);
      if (this.cache === null || plan.key === null) return { answer: await compute(), cacheable: false };
      const v = version ?? (await this.version());
      const hit = this.cache.get(plan.key, v);
      if (hit !== null) return { answer: hit, cacheable: true };
      const answer = await compute();
      if (answer.status !== 200) return { answer, cacheable: false };
      this.cache.set(plan.key, v, answer);
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

  // The listings read the series where the queries are evaluated (answers.series).
  const list = (endpoint: ListEndpoint) => async (req: Request, res: Response) => {
    try {
      const name = endpoint === 'label_values' ? String(req.params.name) : undefined;
      sendAnswer(res, await answers.series.list(endpoint, Params.of(req), name));
    } catch (e) {
      sendError(res, e);
    }
  };
  for (const [path, endpoint] of [['/api/v1/labels', 'labels'], ['/api/v1/series', 'series'], ['/api/v1/metadata', 'metadata']] as const) {
    router.get(path, list(endpoint));
    router.post(path, list(endpoint));
  }
  // GET in Prometheus; POST too, since Grafana's resource calls fall back between the two.
  router.get('/api/v1/label/:name/values', list('label_values'));
  router.post('/api/v1/label/:name/values', list('label_values'));

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

function sendJson(res: Response, body: string, status = 200) {
  res.status(status).type('application/json').send(body);
}

function sendError(res: Response, e: unknown) {
  sendAnswer(res, errorAnswer(e));
}
