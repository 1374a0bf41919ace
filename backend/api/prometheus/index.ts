/**
 * Wiring of the Prometheus side of the server: the `/prometheus/api/v1` router and the `/metrics` handler
 * over the results store. The app mounts them behind its read-key check:
 *
 *   const prom = prometheusEndpoints(store);
 *   app.use('/prometheus', requireRead, prom.router);
 *   app.get('/metrics', requireRead, prom.metrics);
 */
import { RequestHandler, Router } from 'express';
import { Logger, silentLogger } from '../../service/log';
import { syncIntervalFromEnv } from '../../service/replica-sync';
import type { Store } from '../../store/types';
import { metricsHandler } from '../metrics';
import { perColumnModeFromEnv } from '../metrics-export';
import { Lookback } from './evaluator';
import { parseDuration } from './lexer';
import { queryLimitsFromEnv } from './limits';
import { QUERY_WORKER_FILE, QueryThread } from './query-thread';
import { prometheusRouter, QueryAnswers } from './router';
import { SeriesAnswers, storeMetadata, StoreAnswersConfig, storeSeriesAnswers } from './series-answers';

/**
 * How long the last chunk of a series stays current after the chunk's end, for instant queries and
 * alert rules (VIGIL_PROM_LOOKBACK). A week covers daily and weekly chunking with late batches; set it to
 * your chunk period (or longer) when chunks are monthly.
 */
export const DEFAULT_PROM_LOOKBACK = '7d';

export function lookbackFromEnv(env: NodeJS.ProcessEnv = process.env): Lookback & { kind: 'chunk' } {
  const raw = env.VIGIL_PROM_LOOKBACK?.trim() || DEFAULT_PROM_LOOKBACK;
  const ms = parseDuration(raw);
  if (ms === null || ms <= 0) throw new Error(`VIGIL_PROM_LOOKBACK: '${raw}' is not a positive Prometheus duration (e.g. 7d, 36h, 30m)`);
  return { kind: 'chunk', ms };
}

export interface PrometheusEndpoints {
  router: Router;
  metrics: RequestHandler;
  /** Where the answers that read the series are made: the query thread, or this thread. */
  series: SeriesAnswers;
  /** query / query_range answers of the router, for the fast path (fast.ts) to share. */
  answers: QueryAnswers;
  /** Stops the query thread (the store itself is closed by its owner). */
  close(): Promise<void>;
}

/**
 * Where the series are read and queries evaluated (VIGIL_QUERY_THREAD): `auto` (default) in a thread of
 * their own when the compiled thread entry exists and the store is not in memory; `off` on the main
 * thread (as when running from TypeScript sources).
 */
export function useQueryThread(store: Store, env: NodeJS.ProcessEnv): boolean {
  const raw = env.VIGIL_QUERY_THREAD?.trim() || 'auto';
  if (raw !== 'auto' && raw !== 'off') throw new Error(`VIGIL_QUERY_THREAD: '${raw}' is not one of auto, off`);
  return raw === 'auto' && QUERY_WORKER_FILE !== null && store.location !== ':memory:';
}

/** `now`: the server's clock (service.now), which decides open chunks and the time of instant queries without one. */
export function prometheusEndpoints(store: Store, env: NodeJS.ProcessEnv = process.env, now: () => number = () => Date.now(), log: Logger = silentLogger): PrometheusEndpoints {
  const lookback = lookbackFromEnv(env);
  // Timeout and result size of query/query_range (VIGIL_QUERY_TIMEOUT, VIGIL_QUERY_MAX_SAMPLES); what /metrics exports.
  const config: StoreAnswersConfig = { lookback, limits: queryLimitsFromEnv(env), perColumn: perColumnModeFromEnv(env) };
  // In process, the series answers share the store (closed by its owner): nothing of theirs to close.
  // On a shared store the thread hears of other replicas' result writes within VIGIL_SYNC_INTERVAL.
  const series: SeriesAnswers = useQueryThread(store, env)
    ? new QueryThread(store, config, now, log, undefined, syncIntervalFromEnv(env))
    : storeSeriesAnswers(store, config, now, undefined, false);
  // Answers are cached per results version; an open chunk closing changes them too (store-source.ts).
  const resultsVersion = async () => {
    const v = await store.resultsVersion();
    const t = now();
    const until = series.openUntil();
    return t > until ? `${v}|closing@${t}` : `${v}|open-until@${until}`;
  };
  const options = { series, lookback, metadata: storeMetadata, resultsVersion, now, limits: config.limits };
  const answers = new QueryAnswers(options);
  return {
    router: prometheusRouter(options, answers),
    metrics: metricsHandler({ exposition: () => series.exposition() }),
    series,
    answers,
    close: () => series.close(),
  };
}
