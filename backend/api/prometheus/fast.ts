/**
 * `/prometheus/api/v1/query` and `query_range` (GET, and POST with a form body, as Grafana sends them)
 * straight on Node's request listener, before Express (api/fast-path.ts): Grafana panels, Explore and
 * alert rules send these over and over. Answers and errors come from the same QueryAnswers as the router's
 * (router.ts), so they are the same; on top of its cache, answers are also cached by the request's exact
 * text (target and form body), so a repeated request is answered without parsing its parameters.
 *
 * Requests it is not sure to read exactly as Express's body parser would (another content type or
 * charset, a compressed or chunked body, a body over the limit, a GET with a body, HEAD) are left to
 * Express, which answers them as before.
 */
import * as http from 'http';
import { ApiError } from '../../service/errors';
import { Logger } from '../../service/log';
import { oncePerTurn, WireAnswer } from '../../service/response-cache';
import { AuthConfig, checkAccess } from '../auth';
import { hasBody, logAnswer, readText, sendAnswer } from '../fast-path';
import { errorAnswer, FORM_BODY_LIMIT_BYTES, Params, QueryAnswers, QueryEndpoint } from './router';

/** Content types read as a UTF-8 form, written as Grafana and curl send them (lower-cased). */
const UTF8_FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'application/x-www-form-urlencoded;charset=utf-8']);
const BOM = 0xfeff;

/** Whether Express's text parser would read this POST's body as the plain UTF-8 form that readText reads. */
function plainFormPost(req: http.IncomingMessage): boolean {
  const h = req.headers;
  const type = h['content-type'];
  if (type === undefined || !UTF8_FORM_TYPES.has(type.toLowerCase())) return false;
  if (h['transfer-encoding'] !== undefined) return false;
  const encoding = h['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  const length = h['content-length'];
  return length === undefined || (/^\d+$/.test(length) && Number(length) <= FORM_BODY_LIMIT_BYTES);
}

/**
 * The fast path for the Prometheus API mounted at `prefix`; returns false for requests it leaves to
 * Express. `answers` must be the router's, and must cache (a results version is given).
 */
export function fastPrometheusHandler(answers: QueryAnswers, opts: { auth: AuthConfig; logger: Logger; prefix: string }) {
  const cache = answers.cache;
  if (cache === null) throw new Error('fastPrometheusHandler needs answers with a cache (a results version)');
  const resultsVersion = oncePerTurn(() => answers.version());
  const queryPath = `${opts.prefix}/api/v1/query`;
  const log = opts.logger;

  const send = (req: http.IncomingMessage, res: http.ServerResponse, a: WireAnswer, t0: number) => {
    sendAnswer(res, a);
    logAnswer(log, req.method, req.url, a.status, t0);
  };

  /** Answers from the exact-text cache, else through QueryAnswers (and keeps a reusable answer). */
  const respond = (req: http.IncomingMessage, res: http.ServerResponse, endpoint: QueryEndpoint, url: string, body: string | undefined, t0: number) => {
    const key = body === undefined ? url : `${url}\u0000${body}`;
    resultsVersion().then(
      (version) => {
        const hit = cache.get(key, version);
        if (hit !== null) return send(req, res, hit, t0);
        return answers.answer(endpoint, new Params(url, body), version).then(({ answer, cacheable }) => {
          if (cacheable) cache.set(key, version, answer);
          send(req, res, answer, t0);
        });
      },
      (e) => send(req, res, errorAnswer(e), t0),
    );
  };

  return (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    const url = req.url;
    if (url === undefined || !url.startsWith(queryPath)) return false;
    let endpoint: QueryEndpoint = 'query';
    let at = queryPath.length;
    if (url.startsWith('_range', at)) {
      endpoint = 'query_range';
      at += '_range'.length;
    }
    if (at < url.length && url.charCodeAt(at) !== 0x3f /* ? */) return false;
    const post = req.method === 'POST';
    if (post ? !plainFormPost(req) : req.method !== 'GET' || hasBody(req)) return false;

    const t0 = performance.now();
    const refused = checkAccess('read', opts.auth, req.headers.authorization);
    if (refused) {
      send(req, res, errorAnswer(refused), t0);
      req.resume();
      return true;
    }
    if (!post) {
      respond(req, res, endpoint, url, undefined, t0);
      return true;
    }
    readText(req, FORM_BODY_LIMIT_BYTES, (outcome, text) => {
      if (outcome !== null) {
        // Only a length that lied or a client that went away get here (the length was checked above).
        const e = outcome === 'too_large'
          ? new ApiError(413, 'body_too_large', `the request body exceeds the limit of ${FORM_BODY_LIMIT_BYTES} bytes; send smaller batches`, 'body')
          : new ApiError(400, 'request_aborted', 'the client closed the request before the body was complete', 'body');
        return send(req, res, errorAnswer(e), t0);
      }
      // Express's text parser (iconv-lite) drops a byte-order mark.
      respond(req, res, endpoint, url, text.charCodeAt(0) === BOM ? text.slice(1) : text, t0);
    });
    return true;
  };
}
