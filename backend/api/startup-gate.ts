/**
 * The listener opens before the models are loaded, so `/healthz` answers at once (liveness) and
 * `/readyz` says when the server is ready. Until then, a request that needs the models waits for them
 * (up to STARTUP_WAIT_MS), then gets 503 with Retry-After: a client sees a slow first answer, not a
 * refused connection; a load balancer can route by `/readyz`.
 */
import * as http from 'http';

/** Answered while the models load: liveness, readiness and the process's own metrics. */
const ANSWERED_WHILE_STARTING = new Set(['/healthz', '/readyz', '/metrics']);
/** Longest wait of a request for the start to finish; then 503. */
export const STARTUP_WAIT_MS = 15_000;
/** Seconds a client is told to wait before retrying. */
const RETRY_AFTER_S = 2;

export interface StartupGate {
  listener: http.RequestListener;
  /** The start finished (requests pass straight through from now on). */
  open(): void;
}

export function startupGate(inner: http.RequestListener, waitMs = STARTUP_WAIT_MS): StartupGate {
  let opened = false;
  let waiting: (() => void)[] = [];
  const listener: http.RequestListener = (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (opened || ANSWERED_WHILE_STARTING.has(path)) return inner(req, res);
    const timer = setTimeout(() => {
      waiting = waiting.filter((w) => w !== pass);
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': String(RETRY_AFTER_S) });
      res.end(JSON.stringify({ error: { code: 'starting', message: 'the server is still loading its models; retry shortly (GET /readyz says when it is ready)', where: null } }));
    }, waitMs);
    const pass = () => {
      clearTimeout(timer);
      inner(req, res);
    };
    waiting.push(pass);
  };
  return {
    listener,
    open() {
      opened = true;
      const all = waiting;
      waiting = [];
      for (const pass of all) pass();
    },
  };
}
