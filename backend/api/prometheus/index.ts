/**
 * Wiring of the Prometheus side of the server: the `/prometheus/api/v1` router and the `/metrics` handler
 * over the results store. The app mounts them behind its read-key check:
 *
 *   const prom = prometheusEndpoints(store);
 *   app.use('/prometheus', requireRead, prom.router);
 *   app.get('/metrics', requireRead, prom.metrics);
 */
import { RequestHandler, Router } from 'express';
import type { Store } from '../../store/types';
import { metricsHandler } from '../metrics';
import { perColumnModeFromEnv } from '../metrics-export';
import { Lookback } from './evaluator';
import { parseDuration } from './lexer';
import { queryLimitsFromEnv } from './limits';
import { prometheusRouter, QueryAnswers } from './router';
import { combinedSource, HealthSeries, healthMetadata, readHealth } from './health-source';
import { seriesMetadata } from './series';
import { StoreSeriesSource } from './store-source';

/**
 * How long the last chunk of a series stays current after the chunk's end, for instant queries and
 * alert rules (VIGIL_PROM_LOOKBACK). A week covers daily and weekly chunking with late batches; set it to
 * your chunk period (or longer) when chunks are monthly.
 */
export const DEFAULT_PROM_LOOKBACK = '7d';

export function lookbackFromEnv(env: NodeJS.ProcessEnv = process.env): Lookback {
  const raw = env.VIGIL_PROM_LOOKBACK?.trim() || DEFAULT_PROM_LOOKBACK;
  const ms = parseDuration(raw);
  if (ms === null || ms <= 0) throw new Error(`VIGIL_PROM_LOOKBACK: '${raw}' is not a positive Prometheus duration (e.g. 7d, 36h, 30m)`);
  return { kind: 'chunk', ms };
}

export interface PrometheusEndpoints {
  router: Router;
  metrics: RequestHandler;
  /** The cached series; `invalidate()` after bulk changes if wanted (changes are also detected). */
  source: StoreSeriesSource;
  /** query / query_range answers of the router, for the fast path (fast.ts) to share. */
  answers: QueryAnswers;
}

/** `now`: the server's clock (service.now), which decides open chunks and the time of instant queries without one. */
export function prometheusEndpoints(store: Store, env: NodeJS.ProcessEnv = process.env, now: () => number = () => Date.now()): PrometheusEndpoints {
  const lookback = lookbackFromEnv(env);
  const source = new StoreSeriesSource(store, lookback.ms, now);
  // The monitoring series and the model-health series (health-source.ts) answer the same queries.
  const current = async () => combinedSource(await source.current(), new HealthSeries(await readHealth(store), now));
  const metadata = (name: string) => seriesMetadata(name) ?? healthMetadata(name);
  // Answers are cached per results version; an open chunk closing changes them too (store-source.ts).
  const resultsVersion = async () => {
    const v = await store.resultsVersion();
    const t = now();
    const until = source.openUntil();
    return t > until ? `${v}|closing@${t}` : `${v}|open-until@${until}`;
  };
  // Timeout and result size of query/query_range (VIGIL_QUERY_TIMEOUT, VIGIL_QUERY_MAX_SAMPLES).
  const options = { source: current, lookback, metadata, resultsVersion, now, limits: queryLimitsFromEnv(env) };
  const answers = new QueryAnswers(options);
  return {
    router: prometheusRouter(options, answers),
    // What /metrics exports: VIGIL_METRICS_PER_COLUMN and each model's metrics_endpoint (metrics-export.ts).
    metrics: metricsHandler({ source: current, metadata, models: () => store.listModels(), perColumn: perColumnModeFromEnv(env) }),
    source,
    answers,
  };
}
