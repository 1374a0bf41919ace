/**
 * Plumbing of the query fast paths, which answer on Node's request listener before Express (api/query.ts
 * for `POST /api/query`, prometheus/fast.ts for `/prometheus/api/v1/query` and `query_range`): every
 * panel refresh and alert evaluation lands there, most are answered from the cache, and on a hit
 * Express's routing, middleware and body parsing would be most of the cost.
 */
import * as http from 'http';
import { Logger } from '../service/log';
import { WireAnswer } from '../service/response-cache';

export function sendAnswer(res: http.ServerResponse, a: WireAnswer): void {
  res.writeHead(a.status, a.headers);
  res.end(a.body);
}

/**
 * Logs a fast-path request the way the Express app logs reads (app.ts): failures at error (5xx) and
 * warn (4xx), answers at debug. Queries are reads even when sent as POST, so they are not logged at info.
 */
export function logAnswer(log: Logger, method: string | undefined, url: string | undefined, status: number, t0: number): void {
  if (status < 400) return log.debug('request', fields(method, url, status, t0));
  if (status >= 500) log.error('request', fields(method, url, status, t0));
  else log.warn('request', fields(method, url, status, t0));
}

function fields(method: string | undefined, url: string | undefined, status: number, t0: number) {
  const u = url ?? '';
  const q = u.indexOf('?');
  return { method, path: q < 0 ? u : u.slice(0, q), status, ms: Math.round((performance.now() - t0) * 10) / 10 };
}

/** Whether a request carries a body (what body parsers check: a length above 0 or a transfer encoding). */
export function hasBody(req: http.IncomingMessage): boolean {
  const len = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

/**
 * Reads the whole body as UTF-8 text; `done(null, text)`, or `done(tooLarge)` once it exceeds `limit`
 * bytes (the rest is drained), or `done(aborted)` when the client goes away.
 */
export function readText(req: http.IncomingMessage, limit: number, done: (outcome: 'too_large' | 'aborted' | null, text: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  let finished = false;
  const finish = (outcome: 'too_large' | 'aborted' | null, text: string) => {
    if (finished) return;
    finished = true;
    done(outcome, text);
  };
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > limit) tooLarge = true;
    else chunks.push(c);
  });
  req.on('end', () => {
    if (tooLarge) finish('too_large', '');
    else finish(null, chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'));
  });
  req.on('error', () => finish('aborted', ''));
}
