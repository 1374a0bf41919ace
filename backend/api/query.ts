/**
 * `POST /api/query`: the plugin's queries (Grafana-shaped targets in, data frames out), and
 * `GET /api/query?model=&family=&metric=&column=&from=&to=&period=&format=&fields=`, the same for curl
 * (one query; model defaults to the only model, family to every family).
 */
import express, { Request, Router } from 'express';
import * as http from 'http';
import { z } from 'zod';
import { ResultField } from '../engine/catalog';
import { parseJson } from '../service/body';
import { zodError } from '../service/definition';
import { badRequest } from '../service/errors';
import { PanelSize } from '../service/downsample';
import { DataQuery, runQuery } from '../service/read';
import { segmentOfModelName, segmentQueryModel } from '../service/segment-models';
import { VigilService } from '../service/service';
import { ApiError } from '../service/errors';
import { Logger } from '../service/log';
import { AuthConfig, checkAccess, requireAccess } from './auth';
import { JSON_BODY_LIMIT_BYTES, listParam, parseQuery, parseTime } from './http';
import { jsonAnswer, oncePerTurn, ResponseCache, UNTIL_RESULTS_CHANGE, WireAnswer } from '../service/response-cache';
import { logAnswer, readText, sendAnswer } from './fast-path';

/**
 * Series one request may answer (VIGIL_QUERY_MAX_SERIES): this, with the 1 MiB body limit, bounds one
 * request's work instead of a count of queries (a dashboard of many models sends many small queries).
 */
export const DEFAULT_QUERY_MAX_SERIES = 10_000;

export function querySeriesLimitFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.VIGIL_QUERY_MAX_SERIES?.trim();
  if (!raw) return DEFAULT_QUERY_MAX_SERIES;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`VIGIL_QUERY_MAX_SERIES: '${raw}' is not a positive integer`);
  return Number(raw);
}

const time = z.union([z.number(), z.string()]).nullable().optional();
const names = z.array(z.string().min(1));
/** Grafana's panel size: points the panel draws, and the interval between two of them (ms). */
const maxDataPoints = z.number().int('must be an integer').min(1, 'must be at least 1').optional();
const intervalMs = z.number().min(0, 'must be at least 0').finite().optional();

/** A query may carry Grafana's own keys (datasource, key, ...): they are ignored. */
export const dataQuerySchema = z.looseObject({
  refId: z.string().min(1),
  model: z.string().min(1),
  family: z.string().min(1),
  metrics: names.optional(),
  columns: names.optional(),
  fields: names.optional(),
  period: z.enum(['analysis', 'reference', 'both']).optional(),
  format: z.enum(['time_series', 'table']).optional(),
  calculator_id: z.string().min(1).optional(),
  segment: z.string().min(1).optional(),
  hide: z.boolean().optional(),
  maxDataPoints,
  intervalMs,
});

export const queryRequestSchema = z.looseObject({
  from: time,
  to: time,
  maxDataPoints,
  intervalMs,
  queries: z.array(dataQuerySchema).min(1, 'must hold at least one query'),
});

export const getQuerySchema = z
  .object({
    model: z.string().min(1).optional(),
    family: z.string().min(1).optional(),
    metric: z.union([z.string(), z.array(z.string())]).optional(),
    column: z.union([z.string(), z.array(z.string())]).optional(),
    fields: z.union([z.string(), z.array(z.string())]).optional(),
    period: z.enum(['analysis', 'reference', 'both']).optional(),
    format: z.enum(['time_series', 'table']).optional(),
    calculator_id: z.string().min(1).optional(),
    segment: z.string().min(1).optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    maxDataPoints: z.string().regex(/^[1-9]\d{0,8}$/, 'must be a positive integer').optional(),
    intervalMs: z.string().regex(/^\d{1,12}(\.\d+)?$/, 'must be a number of milliseconds').optional(),
  })
  .strict();

/** The body as text whatever its Content-Type: it is the cache key before it is parsed. */
const rawQueryBody = express.text({ type: () => true, limit: JSON_BODY_LIMIT_BYTES });

/**
 * Answers from the cache when the same request was answered since the results last changed (and, for
 * `partial` flags that follow the clock, while none has flipped); otherwise computes, caches and sends.
 * Errors are never cached.
 */
async function cachedAnswer(service: VigilService, cache: ResponseCache, key: string, compute: () => Promise<QueryAnswer>, resultsVersion = () => service.store.resultsVersion()): Promise<WireAnswer> {
  const version = await resultsVersion();
  let answer = cache.get(key, version);
  if (answer === null) {
    const result = await compute();
    answer = jsonAnswer(JSON.stringify(result));
    cache.set(key, version, answer, clockValidity(service, result));
  }
  return answer;
}

/** The data frames of one query, as service/read.ts builds them. */
type Frames = Awaited<ReturnType<typeof runQuery>>;

interface QueryAnswer {
  results: Record<string, { frames: Frames }>;
}

/**
 * The last instant (ms) at which an answer still holds without a results change. Only `partial` follows
 * the clock: a chunk of a period-chunked model is partial while its period has not ended
 * (`end_date >= now`, service/read.ts isPartial), so the first such chunk's end bounds the answer; a
 * `partial` of false never turns true, and size chunks' flags are stored.
 */
export function clockValidity(service: VigilService, answer: QueryAnswer): number {
  let until = UNTIL_RESULTS_CHANGE;
  for (const { frames } of Object.values(answer.results)) {
    for (const frame of frames) {
      // A frame not of read.ts's shapes, or of a model gone meanwhile: not kept past this instant.
      const model = (frame.meta?.custom as { model?: unknown } | undefined)?.model;
      if (typeof model !== 'string') return Date.now();
      let periodChunks: boolean;
      try {
        periodChunks = service.model(model).layout?.chunker.type === 'period';
      } catch {
        return Date.now();
      }
      if (!periodChunks) continue;
      const ends = frame.fields.find((f) => f.name === 'time_end')?.values;
      const partial = frame.fields.find((f) => f.name === 'partial')?.values;
      if (!ends || !partial) return Date.now();
      for (let i = 0; i < partial.length; i++) if (partial[i] === true) until = Math.min(until, ends[i] as number);
    }
  }
  return until;
}

export function queryRouter(service: VigilService, opts: { auth: AuthConfig; cache?: ResponseCache; maxSeries?: number }): Router {
  const router = Router();
  const read = requireAccess('read', opts.auth);
  const cache = opts.cache ?? new ResponseCache();
  const maxSeries = opts.maxSeries ?? DEFAULT_QUERY_MAX_SERIES;

  router.post('/query', read, rawQueryBody, async (req: Request, res) => {
    const text = typeof req.body === 'string' ? req.body : '';
    sendAnswer(res, await cachedAnswer(service, cache, `POST ${text}`, () => postQuery(service, text, maxSeries)));
  });

  router.get('/query', read, async (req, res) => {
    sendAnswer(res, await cachedAnswer(service, cache, `GET ${req.originalUrl}`, () => getQuery(service, req)));
  });

  return router;
}

/**
 * `POST /api/query` straight on Node's request listener, before Express (api/fast-path.ts). Same auth,
 * limits, errors and answers as the Express route above (which serves GET and any other path). Returns
 * false for requests it does not handle.
 */
export function fastQueryHandler(service: VigilService, opts: { auth: AuthConfig; cache: ResponseCache; logger: Logger; maxSeries?: number }) {
  const log = opts.logger;
  const maxSeries = opts.maxSeries ?? DEFAULT_QUERY_MAX_SERIES;
  const resultsVersion = oncePerTurn(() => service.store.resultsVersion());
  const send = (req: http.IncomingMessage, res: http.ServerResponse, a: WireAnswer, t0: number) => {
    sendAnswer(res, a);
    logAnswer(log, req.method, req.url, a.status, t0);
  };
  const fail = (req: http.IncomingMessage, res: http.ServerResponse, e: unknown, t0: number) => {
    if (e instanceof ApiError) return send(req, res, jsonAnswer(JSON.stringify(e.toJSON()), e.status), t0);
    log.error('unhandled error', { method: 'POST', path: '/api/query', error: (e as Error)?.stack ?? String(e) });
    send(req, res, jsonAnswer(JSON.stringify(new ApiError(500, 'internal_error', 'internal error; see the server log', null).toJSON()), 500), t0);
  };
  return (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    if (req.method !== 'POST' || req.url !== '/api/query') return false;
    const t0 = performance.now();
    const refused = checkAccess('read', opts.auth, req.headers.authorization);
    if (refused) {
      fail(req, res, refused, t0);
      req.resume();
      return true;
    }
    readText(req, JSON_BODY_LIMIT_BYTES, (outcome, text) => {
      if (outcome === 'too_large') return fail(req, res, new ApiError(413, 'body_too_large', `the request body exceeds the limit of ${JSON_BODY_LIMIT_BYTES} bytes`, 'body'), t0);
      if (outcome === 'aborted') return fail(req, res, new ApiError(400, 'request_aborted', 'the client closed the request before the body was complete', 'body'), t0);
      cachedAnswer(service, opts.cache, `POST ${text}`, () => postQuery(service, text, maxSeries), resultsVersion).then(
        (a) => send(req, res, a, t0),
        (e) => fail(req, res, e, t0),
      );
    });
    return true;
  };
}

/** Series in a query's frames: one per time-series frame; a table frame holds the series of its rows. */
function seriesIn(frames: Frames): number {
  let n = 0;
  for (const f of frames) {
    const ids = f.fields.find((x) => x.name === 'calculator_id')?.values;
    if (!ids) {
      n++;
      continue;
    }
    const metrics = f.fields.find((x) => x.name === 'metric')!.values;
    const columns = f.fields.find((x) => x.name === 'column')!.values;
    n += new Set(ids.map((id, i) => `${id}\u0000${metrics[i]}\u0000${columns[i]}`)).size;
  }
  return n;
}

const panelOf = (maxPoints: number | undefined, interval: number | undefined): PanelSize | undefined =>
  maxPoints === undefined && interval === undefined ? undefined : { maxDataPoints: maxPoints ?? null, intervalMs: interval ?? null };

async function postQuery(service: VigilService, text: string, maxSeries: number): Promise<QueryAnswer> {
  const raw = parseJson(text);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw badRequest('malformed_body', 'expected a JSON object {"from", "to", "queries": [...]} (Content-Type: application/json)', 'body');
  }
  const parsed = queryRequestSchema.safeParse(raw);
  if (!parsed.success) throw zodError('invalid_query', parsed.error);
  const body = parsed.data;
  const range = { from: parseTime(body.from, 'from'), to: parseTime(body.to, 'to') };
  const results: QueryAnswer['results'] = {};
  let series = 0;
  for (let i = 0; i < body.queries.length; i++) {
    const q = body.queries[i];
    const dq: DataQuery = {
      refId: q.refId,
      model: q.segment ? segmentQueryModel(service.modelNames(), q.model, q.segment, `queries[${i}].segment`) : q.model,
      family: q.family,
      metrics: q.metrics ?? [],
      columns: q.columns ?? [],
      fields: (q.fields ?? []) as ResultField[],
      period: q.period ?? 'analysis',
      format: q.format ?? 'time_series',
      calculatorId: q.calculator_id ?? null,
      hide: q.hide ?? false,
      // A query's own panel size (as Grafana sends it to backend plugins) wins over the request's.
      panel: panelOf(q.maxDataPoints ?? body.maxDataPoints, q.intervalMs ?? body.intervalMs),
    };
    const frames = await runQuery(service, dq, range, `queries[${i}]`);
    series += seriesIn(frames);
    if (series > maxSeries) {
      throw badRequest(
        'too_many_series',
        `the request selects more than ${maxSeries} series (VIGIL_QUERY_MAX_SERIES), reached at queries[${i}]; narrow metrics/columns or split the request`,
        `queries[${i}]`,
      );
    }
    results[q.refId] = { frames };
  }
  return { results };
}

async function getQuery(service: VigilService, req: Request): Promise<QueryAnswer> {
  const q = parseQuery(getQuerySchema, req);
  let model = q.model;
  if (!model) {
    const all = service.modelNames().filter((n) => !segmentOfModelName(n));
    if (all.length !== 1) {
      throw badRequest('missing_parameter', all.length === 0 ? 'no model is registered' : `several models exist (${all.join(', ')}); name one with ?model=`, 'query.model');
    }
    model = all[0];
  }
  const dq: DataQuery = {
    refId: 'A',
    model: q.segment ? segmentQueryModel(service.modelNames(), model, q.segment, 'query.segment') : model,
    family: q.family ?? null,
    metrics: listParam(q.metric) ?? [],
    columns: listParam(q.column) ?? [],
    fields: (listParam(q.fields) ?? []) as ResultField[],
    period: q.period ?? 'analysis',
    format: q.format ?? 'time_series',
    calculatorId: q.calculator_id ?? null,
    hide: false,
    panel: panelOf(q.maxDataPoints === undefined ? undefined : Number(q.maxDataPoints), q.intervalMs === undefined ? undefined : Number(q.intervalMs)),
  };
  const range = { from: parseTime(q.from, 'query.from'), to: parseTime(q.to, 'query.to') };
  return { results: { A: { frames: await runQuery(service, dq, range, 'query') } } };
}
