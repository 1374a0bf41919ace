/**
 * The listener opens before the models are loaded — before the app's modules are, even — so `/healthz`
 * answers at once (liveness) and `/readyz` says when the server is ready. Until then, a request that needs
 * the models waits for them (up to STARTUP_WAIT_MS), then gets 503 with Retry-After: a client sees a slow
 * first answer, not a refused connection; a load balancer can route by `/readyz`.
 */
import * as http from 'http';

/** Answered by the app (health.ts) as soon as it exists, models loaded or not. */
const HEALTH_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
/** Longest wait of a request for the start to finish; then 503. */
export const STARTUP_WAIT_MS = 15_000;
/** Seconds a client is told to wait before retrying. */
const RETRY_AFTER_S = 2;

export interface StartupGate {
  listener: http.RequestListener;
  /** The app exists: health paths go to it from now on. */
  serveHealth(): void;
  /** The start finished: every request goes to the app from now on. */
  open(): void;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export function startupGate(inner: http.RequestListener, waitMs = STARTUP_WAIT_MS): StartupGate {
  let appLoaded = false;
  let opened = false;
  let waiting: (() => void)[] = [];
  const listener: http.RequestListener = (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (opened || (appLoaded && HEALTH_PATHS.has(path))) return inner(req, res);
    // Before the app is loaded, the same answers health.ts gives while starting.
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz') return sendJson(res, 503, { status: 'starting' });
    const timer = setTimeout(() => {
      waiting = waiting.filter((w) => w !== pass);
      sendJson(
        res,
        503,
        { error: { code: 'starting', message: 'the server is still loading its models; retry shortly (GET /readyz says when it is ready)', where: null } },
        { 'retry-after': String(RETRY_AFTER_S) },
      );
    }, waitMs);
    const pass = () => {
      clearTimeout(timer);
      inner(req, res);
    };
    waiting.push(pass);
  };
  return {
    listener,
    serveHealth() {
      appLoaded = true;
    },
    open() {
      appLoaded = true;
      opened = true;
      const all = waiting;
      waiting = [];
      for (const pass of all) pass();
    },
  };
}
