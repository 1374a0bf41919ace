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
import type { ModelDefinition } from '../service/definition';
import type { ModelRecord } from '../store/types';
import { exportFilter, exportPolicy, PerColumnMode } from './metrics-export';
import { formatValue } from './prometheus/format';
import { compareStrings, METRIC_NAME } from './prometheus/labels';
import type { MetricMetadata } from './prometheus/router';
import { escapeHelp, labelSet, renderSelfMetrics, selfMetrics } from './prometheus/self-metrics';
import { Series, SeriesSource } from './prometheus/source';

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Latest values of the given series, grouped by metric name (the format requires one block per name). */
export function renderSeries(series: readonly Series[], metadata: (name: string) => MetricMetadata | undefined): string {
  const byName = new Map<string, Series[]>();
  for (const s of series) {
    if (s.values.length === 0) continue;
    const name = s.labels[METRIC_NAME];
    let list = byName.get(name);
    if (!list) byName.set(name, (list = []));
    list.push(s);
  }
  let out = '';
  for (const name of [...byName.keys()].sort(compareStrings)) {
    const meta = metadata(name);
    out += `# HELP ${name} ${escapeHelp(meta?.help ?? name)}\n# TYPE ${name} ${meta?.type ?? 'gauge'}\n`;
    for (const s of byName.get(name)!) {
      const { [METRIC_NAME]: _name, ...labels } = s.labels;
      out += `${name}${labelSet(labels)} ${formatValue(s.values[s.values.length - 1])}\n`;
    }
  }
  return out;
}

export interface MetricsOptions {
  source: () => SeriesSource | Promise<SeriesSource>;
  metadata: (name: string) => MetricMetadata | undefined;
  /** The stored models, for their `metrics_endpoint` option (metrics-export.ts). */
  models?: () => Promise<ModelRecord[]>;
  /** VIGIL_METRICS_PER_COLUMN (default all). */
  perColumn?: PerColumnMode;
}

/** The series /metrics exports: every series, or those the models' and the server's options keep. */
async function exported(opts: MetricsOptions): Promise<readonly Series[]> {
  const series = (await opts.source()).select([]);
  const serverDefault = opts.perColumn ?? 'all';
  const records = opts.models ? await opts.models() : [];
  const filter = exportFilter(new Map(records.map((m) => [m.name, exportPolicy(m.definition as ModelDefinition, serverDefault)])), serverDefault);
  return filter ? series.filter(filter) : series;
}

export function metricsHandler(opts: MetricsOptions): RequestHandler {
  return async (_req: Request, res: Response) => {
    let body: string;
    try {
      body = renderSeries(await exported(opts), opts.metadata);
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
