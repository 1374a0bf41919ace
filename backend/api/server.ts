/**
 * Starting and stopping the server: store, service, Express app, listener. The listener opens first, so
 * `/healthz` answers at once; the models load next (their fits are loaded lazily, on first use) and
 * `/readyz` turns ready (startup-gate.ts). Exposed for `vigil serve`, `vigil demo`, tests and the bench.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { Logger, LogLevel, silentLogger } from '../service/log';
// Types only: the service, store and app modules are loaded once the port is open (startServer).
import type { ReplicaRole, ServiceHooks, VigilService } from '../service/service';
import { redactLocation } from '../store/location';
import { authEnabled, AuthConfig, checkAuthConfig } from './auth';
import { startupGate } from './startup-gate';

export const DEFAULT_PORT = 8700;
export const DEFAULT_DB = './data/vigil.db';
export const LOOPBACK = '127.0.0.1';
/** Where a server with API keys listens unless told otherwise (all interfaces, e.g. in a container). */
const DEFAULT_HOST_WITH_KEYS = '0.0.0.0';

export interface ServerOptions {
  port: number;
  /** null: loopback without keys, all interfaces with keys. */
  host?: string | null;
  dbPath: string;
  auth?: AuthConfig;
  maxBodyBytes?: number;
  logger?: Logger;
  /** SQLite synchronous mode (default full: an acknowledged batch survives power loss). */
  synchronous?: 'full' | 'normal';
  /** Log level of the compute worker (its lines go to the same stdout). */
  logLevel?: LogLevel;
  /** Where fits and recomputes run (VIGIL_COMPUTE): a worker thread by default. */
  compute?: 'worker' | 'inline' | 'auto';
  /** Runs after the models are loaded, before the server is ready (the demo loads its data here). */
  prepare?: (service: VigilService) => Promise<void>;
  env?: NodeJS.ProcessEnv;
  /** Models whose fitted calculators stay in memory at once (VIGIL_FIT_CACHE; compute.ts default). */
  fitCacheSize?: number;
  /** Compute worker threads (VIGIL_COMPUTE_THREADS) and the backlog bound of ingest (VIGIL_MAX_BACKLOG). */
  computeThreads?: number;
  maxBacklogChunks?: number;
  /** The bound on the estimated seconds to compute every model's waiting chunks, above which ingest answers 429 (VIGIL_MAX_LAG). */
  maxLagSeconds?: number;
  /** The server's clock, which decides open chunks (default the wall clock; `vigil demo --now` pins it). */
  now?: () => number;
  /** Replicas on a shared (postgres://) store: api, worker or all (default); a worker serves health and /metrics only. */
  role?: ReplicaRole;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  service: VigilService;
  close(): Promise<void>;
}

const urlOf = (host: string, port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

/** Runs `f` once the requests already received (health checks) have been handled. */
const afterPending = <T>(f: () => T) => new Promise<T>((resolve) => setImmediate(() => resolve(f())));

const isLoopback = (h: string) => h === '127.0.0.1' || h === 'localhost' || h === '::1';

/**
 * The /metrics registry (prometheus/self-metrics.ts), required on first use: prom-client takes 90-300 ms
 * to load on a busy machine, which would delay the port; the app loads it anyway once the port is open.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const registry = () => require('./prometheus/self-metrics') as typeof import('./prometheus/self-metrics');
const own = () => registry().selfMetrics;

/** The service's progress, recorded in the /metrics registry. */
export const metricsHooks: ServiceHooks = {
  modelsChanged: (n) => own().models.set(n),
  ingested: (model, rows, at) => {
    own().ingestedRows.inc({ model }, rows);
    own().ingestBatches.inc({ model, outcome: 'accepted' });
    if (rows > 0) own().lastIngest.set({ model }, at / 1000);
  },
  ingestRejected: (model) => own().ingestBatches.inc({ model, outcome: 'rejected' }),
  targetsAttached: (model, n) => own().ingestedTargets.inc({ model }, n),
  recomputed: (model, seconds) => {
    own().recomputeDuration.observe({ model }, seconds);
    own().lastRecompute.set({ model }, Date.now() / 1000);
  },
  queueDepth: (depth) => own().recomputeQueueDepth.set(depth),
  backlog: (model, chunks) => own().recomputeBacklog.set({ model }, chunks),
  lagEstimate: (seconds) => own().recomputeLagEstimate.set(seconds),
  error: (where, model) => own().errors.inc(model ? { model, where } : { where }),
  // Every counter a provisioned rule reads exists from the start (at its stored total), so increase() sees the first error.
  modelLoaded: (model, state) => {
    registry().initModelCounters(model, state.errorTotals);
    if (state.lastIngestAt !== null) own().lastIngest.set({ model }, state.lastIngestAt / 1000);
  },
  modelDeleted: (model) => registry().removeModelSeries(model),
};

/** What a `--role worker` replica serves: health and /metrics; the API is for the api/all replicas. */
const WORKER_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
function workerOnly(app: http.RequestListener): http.RequestListener {
  return (req, res) => {
    if (WORKER_PATHS.has((req.url ?? '/').split('?')[0])) return app(req, res);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'worker_role', message: 'this replica runs with --role worker: it computes and serves /healthz, /readyz and /metrics only; send API requests to an api or all replica', where: 'path' } }));
  };
}

export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const log = o.logger ?? silentLogger;
  const auth = o.auth ?? { readKey: null, writeKey: null };
  checkAuthConfig(auth);
  let host: string;
  if (!authEnabled(auth)) {
    if (o.host && !isLoopback(o.host)) log.warn(`no API key configured: binding to ${LOOPBACK} instead of ${o.host}`, { requested_host: o.host });
    host = o.host && isLoopback(o.host) ? o.host : LOOPBACK;
    log.warn(`no API key configured (VIGIL_WRITE_KEY, VIGIL_READ_KEY): the API is open, so the server listens on ${host} only`);
  } else host = o.host ?? DEFAULT_HOST_WITH_KEYS;

  let closing = false;
  let server: http.Server | null = null;
  let service: VigilService | null = null;
  let app: http.RequestListener | null = null;
  let closeApp: () => Promise<void> = async () => undefined;
  const t0 = performance.now();
  // The port opens before the app, the store and the service are even loaded (module loading alone is a
  // few hundred ms on a busy machine); the gate answers /healthz and /readyz until then.
  const gate = startupGate((req, res) => app!(req, res));
  try {
    server = http.createServer(gate.listener);
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(o.port, host, () => {
        server!.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    log.info('listening', { url: urlOf(host, address.port), host, port: address.port, db: redactLocation(o.dbPath), auth: authEnabled(auth), ...(o.role ? { role: o.role } : {}) });
    // Each load blocks the event loop for a while: a health check that arrived meanwhile is answered between them.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { openStore } = await afterPending(() => require('../store') as typeof import('../store'));
    const { VigilService } = await afterPending(() => require('../service/service') as typeof import('../service/service'));
    const { createApp } = await afterPending(() => require('./app') as typeof import('./app'));
    const { DEFAULT_MAX_BODY_BYTES } = require('./http') as typeof import('./http');
    /* eslint-enable @typescript-eslint/no-require-imports */
    await afterPending(() => undefined);
    const store = openStore(o.dbPath, { synchronous: o.synchronous });
    service = new VigilService({ store, logger: log, hooks: metricsHooks, compute: o.compute, synchronous: o.synchronous, logLevel: o.logLevel, now: o.now, fitCacheSize: o.fitCacheSize, computeThreads: o.computeThreads, maxBacklogChunks: o.maxBacklogChunks, maxLagSeconds: o.maxLagSeconds, role: o.role });
    const created = createApp(service, {
      auth,
      maxBodyBytes: o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      logger: log,
      isClosing: () => closing,
      env: o.env,
    });
    app = o.role === 'worker' ? workerOnly(created.listener) : created.listener;
    closeApp = created.close;
    gate.serveHealth();
    await service.start();
    if (o.prepare) {
      // Not ready (/readyz) until the demo's data is loaded either.
      service.ready = false;
      await o.prepare(service);
      service.ready = true;
    }
    gate.open();
  } catch (e) {
    if (server?.listening) await new Promise<void>((resolve) => server!.close(() => resolve()));
    await closeApp();
    await service?.close();
    throw e;
  }
  const running = service;
  const port = (server.address() as AddressInfo).port;
  const url = urlOf(host, port);
  log.info('ready', { url, models: running.modelNames().length, compute: running.engine.kind, compute_threads: running.engine.threads, ms: Math.round(performance.now() - t0) });
  const srv = server;
  return {
    url,
    host,
    port,
    service: running,
    async close() {
      if (closing) return;
      closing = true;
      // Stop accepting, let requests in flight finish, then stop the recompute and close the store.
      const closed = new Promise<void>((resolve) => srv.close(() => resolve()));
      srv.closeIdleConnections();
      await closed;
      await closeApp();
      await running.close();
    },
  };
}
