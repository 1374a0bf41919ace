/**
 * `POST /api/query`: the plugin's queries (Grafana-shaped targets in, data frames out), and
 * `GET /api/query?model=&family=&metric=&column=&from=&to=&period=&format=&fields=`, the same for curl
 * (one query; model defaults to the only model, family to every family).
 */
import express, { Request, Response, Router } from 'express';
import * as http from 'http';
import { z } from 'zod';
import { ResultField } from '../engine/catalog';
import { parseJson } from '../service/body';
import { zodError } from '../service/definition';
import { badRequest } from '../service/errors';
import { DataQuery, runQuery } from '../service/read';
import { VigilService } from '../service/service';
import { ApiError } from '../service/errors';
import { Logger } from '../service/log';
import { AuthConfig, checkAccess, requireAccess } from './auth';
import { JSON_BODY_LIMIT_BYTES, listParam, parseQuery, parseTime } from './http';
import { ResponseCache } from '../service/response-cache';

/** Queries per request: a dashboard panel sends a handful; this bounds one request's work. */
const MAX_QUERIES = 100;

const time = z.union([z.number(), z.string()]).nullable().optional();
const names = z.array(z.string().min(1));

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
  hide: z.boolean().optional(),
});

export const queryRequestSchema = z.looseObject({
  from: time,
  to: time,
  queries: z.array(dataQuerySchema).min(1, 'must hold at least one query').max(MAX_QUERIES, `at most ${MAX_QUERIES} queries per request`),
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
    from: z.string().optional(),
    to: z.string().optional(),
  })
  .strict();

/** The body as text whatever its Content-Type: it is the cache key before it is parsed. */
const rawQueryBody = express.text({ type: () => true, limit: JSON_BODY_LIMIT_BYTES });

/**
 * Answers from the cache when the same request was answered since the results last changed; otherwise
 * computes, caches and sends. Errors are never cached.
 */
async function cached(service: VigilService, cache: ResponseCache, key: string, res: Response, compute: () => Promise<unknown>): Promise<void> {
  const version = await service.store.resultsVersion();
  let body = cache.get(key, version);
  if (body === null) {
    body = JSON.stringify(await compute());
    cache.set(key, version, body);
  }
  res.type('application/json').send(body);
}

export function queryRouter(service: VigilService, opts: { auth: AuthConfig; cache?: ResponseCache }): Router {
  const router = Router();
  const read = requireAccess('read', opts.auth);
  const cache = opts.cache ?? new ResponseCache();

  router.post('/query', read, rawQueryBody, async (req: Request, res) => {
    const text = typeof req.body === 'string' ? req.body : '';
    await cached(service, cache, `POST ${text}`, res, () => postQuery(service, text));
  });

  router.get('/query', read, async (req, res) => {
    await cached(service, cache, `GET ${req.originalUrl}`, res, () => getQuery(service, req));
  });

  return router;
}

/**
 * `POST /api/query` straight on Node's request, before Express: every panel refresh lands here, and most
 * are answered from the cache, where Express's routing and body parsing would be most of the cost. Same
 * auth, limits, errors and answers as the Express route above (which serves GET and any other path).
 * Returns false for requests it does not handle.
 */
export function fastQueryHandler(service: VigilService, opts: { auth: AuthConfig; cache: ResponseCache; logger: Logger }) {
  const send = (res: http.ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const fail = (res: http.ServerResponse, e: unknown) => {
    if (e instanceof ApiError) return send(res, e.status, JSON.stringify(e.toJSON()));
    opts.logger.error('unhandled error', { method: 'POST', path: '/api/query', error: (e as Error)?.stack ?? String(e) });
    send(res, 500, JSON.stringify(new ApiError(500, 'internal_error', 'internal error; see the server log', null).toJSON()));
  };
  return (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    if (req.method !== 'POST' || req.url !== '/api/query') return false;
    const refused = checkAccess('read', opts.auth, req.headers.authorization);
    if (refused) {
      fail(res, refused);
      req.resume();
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > JSON_BODY_LIMIT_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) return fail(res, new ApiError(413, 'body_too_large', `the request body exceeds the limit of ${JSON_BODY_LIMIT_BYTES} bytes`, 'body'));
      const text = Buffer.concat(chunks).toString('utf8');
      service.store
        .resultsVersion()
        .then(async (version) => {
          const key = `POST ${text}`;
          let body = opts.cache.get(key, version);
          if (body === null) {
            body = JSON.stringify(await postQuery(service, text));
            opts.cache.set(key, version, body);
          }
          send(res, 200, body);
        })
        .catch((e) => fail(res, e));
    });
    req.on('error', (e) => fail(res, new ApiError(400, 'request_aborted', e.message, 'body')));
    return true;
  };
}

async function postQuery(service: VigilService, text: string) {
  const raw = parseJson(text);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw badRequest('malformed_body', 'expected a JSON object {"from", "to", "queries": [...]} (Content-Type: application/json)', 'body');
  }
  const parsed = queryRequestSchema.safeParse(raw);
  if (!parsed.success) throw zodError('invalid_query', parsed.error);
  const body = parsed.data;
  const range = { from: parseTime(body.from, 'from'), to: parseTime(body.to, 'to') };
  const results: Record<string, { frames: unknown[] }> = {};
  for (let i = 0; i < body.queries.length; i++) {
    const q = body.queries[i];
    const dq: DataQuery = {
      refId: q.refId,
      model: q.model,
      family: q.family,
      metrics: q.metrics ?? [],
      columns: q.columns ?? [],
      fields: (q.fields ?? []) as ResultField[],
      period: q.period ?? 'analysis',
      format: q.format ?? 'time_series',
      calculatorId: q.calculator_id ?? null,
      hide: q.hide ?? false,
    };
    results[q.refId] = { frames: await runQuery(service, dq, range, `queries[${i}]`) };
  }
  return { results };
}

async function getQuery(service: VigilService, req: Request) {
  const q = parseQuery(getQuerySchema, req);
  let model = q.model;
  if (!model) {
    const all = service.modelNames();
    if (all.length !== 1) {
      throw badRequest('missing_parameter', all.length === 0 ? 'no model is registered' : `several models exist (${all.join(', ')}); name one with ?model=`, 'query.model');
    }
    model = all[0];
  }
  const dq: DataQuery = {
    refId: 'A',
    model,
    family: q.family ?? null,
    metrics: listParam(q.metric) ?? [],
    columns: listParam(q.column) ?? [],
    fields: (listParam(q.fields) ?? []) as ResultField[],
    period: q.period ?? 'analysis',
    format: q.format ?? 'time_series',
    calculatorId: q.calculator_id ?? null,
    hide: false,
  };
  const range = { from: parseTime(q.from, 'query.from'), to: parseTime(q.to, 'query.to') };
  return { results: { A: { frames: await runQuery(service, dq, range, 'query') } } };
}
