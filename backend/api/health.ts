/**
 * Liveness and readiness (no key), and the plugin's `testDatasource()` check (read key).
 */
import { Router } from 'express';
import { VigilService } from '../service/service';
import { AuthConfig, requireAccess } from './auth';
import { VERSION } from './version';

export function healthRouter(service: VigilService, opts: { auth: AuthConfig; isClosing: () => boolean }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    if (!service.ready || opts.isClosing()) res.status(503).json({ status: opts.isClosing() ? 'shutting_down' : 'starting' });
    else res.json({ status: 'ready' });
  });
  router.get('/api/health', requireAccess('read', opts.auth), (_req, res) => {
    // lag_estimate_s: estimated seconds to compute every model's waiting chunks (ingest answers 429 above VIGIL_MAX_LAG)
    res.json({ status: 'ok', version: VERSION, models: service.modelNames().length, lag_estimate_s: Math.round(service.lagEstimate() * 1000) / 1000 });
  });
  return router;
}
