/**
 * `GET /metrics`: the latest value of every monitoring series (named as in prometheus/series.ts) plus
 * Vigil's own health with prom-client's process and Node.js metrics (prometheus/self-metrics.ts), in
 * Prometheus's text exposition format 0.0.4.
 *
 * Samples carry no timestamp: a scrape stores the latest chunk's value at scrape time, which is what a
 * Prometheus alert rule on "the current drift" wants (an old chunk start would be rejected as out of
 * bounds by the TSDB, and re-sending it would be a duplicate).
 */
import { Request, RequestHandler, Response } from 'express';
import { ExpositionOptions, monitoringExposition, renderSeries } from './prometheus/exposition';
import { renderSelfMetrics, selfMetrics } from './prometheus/self-metrics';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export { renderSeries };
export type MetricsOptions = ExpositionOptions;

/**
 * `/metrics`; `opts` is the monitoring series' exposition made elsewhere (the server's query thread,
 * prometheus/query-thread.ts) or the options to make it here.
 */
export function metricsHandler(opts: MetricsOptions | { exposition: () => Promise<string> }): RequestHandler {
  const exposition = 'exposition' in opts ? opts.exposition : () => monitoringExposition(opts);
  return async (_req: Request, res: Response) => {
    let body: string;
    try {
      body = await exposition();
    } catch (e) {
      // Health metrics must stay scrapeable when reading the results fails; the failure is counted.
      selfMetrics.errors.inc({ where: 'metrics' });
      body = '';
      res.setHeader('X-Vigil-Warning', `monitoring series unavailable: ${(e as Error).message}`.slice(0, 200));
    }
    // prom-client's registry (process, Node.js and Vigil's own metrics) first, then the monitoring series;
    // both are format 0.0.4 and their names never overlap (vigil_* series names come from the catalog).
    res.status(200).type(EXPOSITION_CONTENT_TYPE).send((await renderSelfMetrics()) + body);
  };
}
