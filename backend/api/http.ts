/**
 * Shared HTTP plumbing: body readers with size limits, the error shape
 * `{"error": {"code", "message", "where"}}`, and readers for query-string parameters.
 */
import express, { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { z } from 'zod';
import { parseTimestamp } from '../engine/timestamps';
import { MODEL_NAME_RE, zodError } from '../service/definition';
import { ApiError, badRequest, unknownModel } from '../service/errors';
import { Logger } from '../service/log';
import { contentCodings, corruptBody, isZlibError, readBody, unsupportedCoding } from './request-body';

/** Default limit of a rows body (reference, rows, targets, score): a 10,000-row × 20-column JSON batch is ~4 MB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Limit of the small JSON bodies (model definitions, queries). */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Reads a rows body whole into `req.body` as bytes, decoded from its Content-Encoding (request-body.ts);
 * the service picks JSON, NDJSON or CSV by Content-Type and parses it.
 */
export function rowsBody(limit: number): RequestHandler {
  return (req, _res, next) => {
    readBody(req, limit).then((body) => {
      req.body = body;
      next();
    }, next);
  };
}

export const jsonBody = express.json({ limit: JSON_BODY_LIMIT_BYTES, strict: false });

/** Maps body-parser and other errors to the API error shape. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let e: ApiError;
    if (err instanceof ApiError) e = err;
    else if (isZlibError(err)) {
      // body-parser's decoding of a small JSON body (gzip, deflate, br) met data that is not that coding
      e = corruptBody(contentCodings(req).join(', ') || 'identity', err as Error);
    } else if (err && typeof err === 'object' && 'type' in err) {
      const type = (err as { type: string }).type;
      const status = (err as { status?: number }).status ?? 400;
      if (type === 'entity.too.large') {
        e = new ApiError(413, 'body_too_large', `the request body exceeds the limit of ${(err as { limit: number }).limit} bytes; send smaller batches`, 'body');
      } else if (type === 'entity.parse.failed') {
        e = new ApiError(400, 'malformed_body', `malformed JSON: ${(err as Error).message}`, 'body');
      } else if (type === 'encoding.unsupported') {
        e = unsupportedCoding(String((err as { encoding?: string }).encoding ?? req.headers['content-encoding']));
      } else if (type === 'charset.unsupported') {
        e = new ApiError(415, 'unsupported_media_type', (err as Error).message, 'header.content-type');
      } else if (type === 'request.aborted') {
        e = new ApiError(400, 'request_aborted', 'the client closed the request before the body was complete', 'body');
      } else {
        e = new ApiError(status >= 400 && status < 500 ? status : 400, 'bad_request', (err as Error).message, 'body');
      }
    } else {
      log.error('unhandled error', { method: req.method, path: req.path, error: (err as Error)?.stack ?? String(err) });
      e = new ApiError(500, 'internal_error', 'internal error; see the server log', null);
    }
    if (!res.headersSent) res.status(e.status).set(e.headers).json(e.toJSON());
  };
}

/** The `{name}` path parameter: a name that cannot exist is simply unknown. */
export function modelParam(req: Request): string {
  const name = String(req.params.name ?? '');
  if (!MODEL_NAME_RE.test(name)) throw unknownModel(name);
  return name;
}

/** An epoch-ms number or an ISO 8601 / `YYYY-MM-DD[ HH:MM:SS]` timestamp. */
export function parseTime(v: unknown, where: string): number | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw badRequest('invalid_parameter', 'must be a finite number (epoch ms)', where);
    return v;
  }
  if (typeof v !== 'string') throw badRequest('invalid_parameter', 'must be epoch ms or an ISO 8601 timestamp', where);
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  const ms = parseTimestamp(v);
  if (Number.isNaN(ms)) throw badRequest('invalid_parameter', `'${v}' is neither epoch ms nor an ISO 8601 timestamp`, where);
  return ms;
}

/** A list parameter: repeated (`?metric=a&metric=b`) or comma-separated (`?metric=a,b`). */
export function listParam(v: unknown): string[] | null {
  if (v === undefined) return null;
  const parts = (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(','));
  const out = parts.map((s) => s.trim()).filter((s) => s !== '');
  return out.length > 0 ? out : null;
}

/** Validates `req.query` against a schema (unknown parameters are refused, naming them). */
export function parseQuery<T extends z.ZodType>(schema: T, req: Request): z.infer<T> {
  const r = schema.safeParse(req.query);
  if (!r.success) throw zodError('invalid_parameter', r.error, 'query');
  return r.data;
}
