/**
 * The Express application: health, REST, the plugin's query API, the Prometheus-compatible API and
 * /metrics, the receiver of Grafana's alert notifications, the OpenAPI document; one error shape for
 * everything.
 */
import express, { Express, NextFunction, Request, Response } from 'express';
import * as http from 'http';
import { ResponseCache } from '../service/response-cache';
import { ApiError } from '../service/errors';
import { Logger } from '../service/log';
import { VigilService } from '../service/service';
import { alertWebhookRouter } from './alerts-webhook';
import { AuthConfig, requireAccess } from './auth';
import { healthRouter } from './health';
import { errorHandler } from './http';
import { openApiDocument } from './openapi';
import { prometheusEndpoints, PrometheusEndpoints } from './prometheus';
import { fastPrometheusHandler } from './prometheus/fast';
import { prometheusErrors } from './prometheus/router';
import { fastQueryHandler, querySeriesLimitFromEnv, queryRouter } from './query';
import { isEncoded } from './request-body';
import { restRouter } from './rest';

export interface AppOptions {
  auth: AuthConfig;
  maxBodyBytes: number;
  logger: Logger;
  isClosing: () => boolean;
  env?: NodeJS.ProcessEnv;
}

export interface VigilApp {
  /** Express for everything but the hot query path. */
  app: Express;
  /** Node's request listener: the fast query path, then Express. */
  listener: http.RequestListener;
  /** Stops what the app started besides the service (the Prometheus query thread). */
  close(): Promise<void>;
}

/** Where the Prometheus-compatible API is mounted. */
const PROMETHEUS_PREFIX = '/prometheus';

export function createApp(service: VigilService, opts: AppOptions): VigilApp {
  const cache = new ResponseCache();
  const prom = prometheusEndpoints(service.store, opts.env ?? process.env, service.now, opts.logger);
  // Series per /api/query request (VIGIL_QUERY_MAX_SERIES), checked at start-up.
  const maxSeries = querySeriesLimitFromEnv(opts.env ?? process.env);
  const app = createExpressApp(service, opts, cache, prom, maxSeries);
  const fastQuery = fastQueryHandler(service, { auth: opts.auth, cache, logger: opts.logger, maxSeries });
  const fastProm = fastPrometheusHandler(prom.answers, { auth: opts.auth, logger: opts.logger, prefix: PROMETHEUS_PREFIX });
  // A compressed query body goes to Express, whose body parser decodes it (the fast paths read plain text).
  return { app, listener: (req, res) => void ((!isEncoded(req) && (fastQuery(req, res) || fastProm(req, res))) || app(req, res)), close: () => prom.close() };
}

function createExpressApp(service: VigilService, opts: AppOptions, cache: ResponseCache, prom: PrometheusEndpoints, maxSeries: number): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const log = opts.logger;

  // One structured line per request: writes and errors at info/warn, successful reads at debug.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const t0 = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const fields = { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      // /readyz answers 503 while models load: an expected answer polled by orchestrators, not an error.
      if (req.path === '/readyz' && res.statusCode === 503) log.debug('request', fields);
      else if (res.statusCode >= 500) log.error('request', fields);
      else if (res.statusCode >= 400) log.warn('request', fields);
      else if (req.method === 'GET' || req.method === 'HEAD') log.debug('request', fields);
      else log.info('request', fields);
    });
    next();
  });

  // The plugin's query route first: it is the hot path (every panel refresh), so it should not walk
  // past the other routes' matchers.
  app.use('/api', queryRouter(service, { auth: opts.auth, cache, maxSeries }));
  app.use(healthRouter(service, { auth: opts.auth, isClosing: opts.isClosing }));
  const doc = openApiDocument();
  app.get('/api/openapi.json', (_req, res) => {
    res.json(doc);
  });
  app.use('/api', restRouter(service, { auth: opts.auth, maxBodyBytes: opts.maxBodyBytes }));
  // Grafana's alert notifications (the provisioned contact point posts here).
  app.use('/api', alertWebhookRouter({ auth: opts.auth, logger: log }));

  const read = requireAccess('read', opts.auth);
  // Errors on /prometheus/* (the key check's 401/403 included) in Prometheus's shape, which Grafana reads.
  app.use(PROMETHEUS_PREFIX, read, prom.router, prometheusErrors(log));
  app.get('/metrics', read, prom.metrics);

  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new ApiError(404, 'not_found', `no route ${req.method} ${req.path}`, 'path'));
  });
  app.use(errorHandler(log));
  return app;
}
