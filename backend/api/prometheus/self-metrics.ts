/**
 * Vigil's own health metrics, served on /metrics before the monitoring series, kept by prom-client in a
 * registry of their own together with prom-client's default process and Node.js metrics
 * (`process_resident_memory_bytes`, `process_cpu_seconds_total`, `nodejs_eventloop_lag_seconds`,
 * `nodejs_heap_size_used_bytes`, `nodejs_gc_duration_seconds`, ...). The server records into it through
 * its service hooks (server.ts metricsHooks), on the main thread: the compute worker threads report their
 * recomputes and errors to the main thread, which calls the hooks, so their work is counted here too.
 *
 *   import { selfMetrics } from '../api/prometheus/self-metrics';
 *   selfMetrics.ingestedRows.inc({ model }, rows.length);          // after an ingest batch commits
 *   selfMetrics.ingestBatches.inc({ model, outcome: 'rejected' });  // a batch refused (4xx)
 *   selfMetrics.recomputeDuration.observe({ model }, seconds);
 *   selfMetrics.recomputeQueueDepth.set(queue.length);
 *   selfMetrics.errors.inc({ model, where: 'recompute' });           // an error stored with a model
 *   selfMetrics.errors.inc({ where: 'metrics' });                    // a server-level error
 *
 * Metric and label names follow Prometheus's naming guide (counters end in `_total`, durations in seconds,
 * one unit per name), which `promtool check metrics` enforces in test/prometheus.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { VERSION } from '../version';

type LabelValues = Record<string, string>;

export const registry = new Registry();
collectDefaultMetrics({ register: registry });
// prom-client also exports the sums of its per-type gauges `nodejs_active_{handles,requests,resources}` as
// gauges named `..._total`, which promtool rejects (a gauge must not end in `_total`); the sums are
// `sum(nodejs_active_handles)` etc., so nothing is lost.
for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);

/**
 * A prom-client counter that can be initialised to a persisted total (so `increase()` sees the first
 * increment after a restart from the right base) and read synchronously (prom-client's `get()` is async).
 */
export class InitialisedCounter {
  private readonly counter: Counter<string>;
  /** Current value per label set, mirrored because prom-client offers no synchronous read. */
  private readonly totals = new Map<string, number>();

  constructor(name: string, help: string, private readonly labelNames: readonly string[]) {
    this.counter = new Counter({ name, help, labelNames, registers: [registry] });
  }

  private key(labels: LabelValues): string {
    return this.labelNames.map((n) => labels[n] ?? '\u0000').join('\u0001');
  }

  inc(labels: LabelValues, by = 1): void {
    this.counter.inc(labels, by); // validates labels and `by` before the mirror changes
    const k = this.key(labels);
    this.totals.set(k, (this.totals.get(k) ?? 0) + by);
  }

  get(labels: LabelValues): number {
    return this.totals.get(this.key(labels)) ?? 0;
  }

  /** Makes the series exist at 0, or raises it to a persisted total; never lowers it. */
  init(labels: LabelValues, total = 0): void {
    this.inc(labels, Math.max(0, total - this.get(labels)));
  }

  remove(labels: LabelValues): void {
    this.counter.remove(labels);
    this.totals.delete(this.key(labels));
  }
}

/** Seconds buckets for recompute durations: a chunk takes milliseconds, a large backfill minutes. */
export const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
const counter = (name: string, help: string, labelNames: string[]) => new InitialisedCounter(name, help, labelNames);

export const selfMetrics = {
  buildInfo: gauge('vigil_build_info', 'Vigil build information; always 1', ['version']),
  models: gauge('vigil_models', 'Models registered'),
  ingestedRows: counter('vigil_ingested_rows_total', 'Analysis rows stored by ingest, per model', ['model']),
  ingestedTargets: counter('vigil_ingested_targets_total', 'Late targets attached to stored rows, per model', ['model']),
  ingestBatches: counter('vigil_ingest_batches_total', 'Ingest requests per model and outcome (accepted or rejected)', ['model', 'outcome']),
  recomputeDuration: new Histogram({
    name: 'vigil_recompute_duration_seconds',
    help: 'Time a compute thread takes to recompute one claim of dirty chunks of a model (up to 4 chunks)',
    labelNames: ['model'],
    buckets: DURATION_BUCKETS_SECONDS,
    registers: [registry],
  }),
  recomputeQueueDepth: gauge('vigil_recompute_queue_depth', 'Models waiting for a recompute'),
  recomputeBacklog: gauge('vigil_recompute_backlog_chunks', 'Chunks of a model waiting to be recomputed (dirty); ingest answers 429 while it is above VIGIL_MAX_BACKLOG', ['model']),
  recomputeLagEstimate: gauge('vigil_recompute_lag_estimate_seconds', 'Estimated seconds for the compute threads to compute every model\'s waiting chunks (the results\' lag were ingest to stop now); ingest answers 429 while it is above VIGIL_MAX_LAG'),
  lastRecompute: gauge('vigil_last_recompute_timestamp_seconds', 'When a model was last recomputed (unix seconds)', ['model']),
  lastIngest: gauge('vigil_last_ingest_timestamp_seconds', 'When the model last stored analysis rows (unix seconds); absent before its first rows', ['model']),
  errors: counter(
    'vigil_errors_total',
    'Errors by where they happened: per model, fit (refitting the reference at start-up) and recompute (a calculator failing on a chunk, or a failed recompute run), stored with the model; server-wide, metrics (reading results for /metrics)',
    ['model', 'where'],
  ),
};
selfMetrics.buildInfo.set({ version: VERSION }, 1);

/** `where` values of the errors stored with a model (store ERROR_STAGES), each initialised per model. */
export const MODEL_ERROR_WHERE = ['fit', 'recompute'] as const;
/** `where` values of server-wide errors (no model label), initialised at start. */
export const SERVER_ERROR_WHERE = ['metrics'] as const;
for (const where of SERVER_ERROR_WHERE) selfMetrics.errors.init({ where });

/** Per-model counters, initialised to 0 when a model is loaded or created (server.ts modelLoaded). */
export function initModelCounters(model: string, errorTotals: Partial<Record<(typeof MODEL_ERROR_WHERE)[number], number>>): void {
  selfMetrics.ingestedRows.init({ model });
  selfMetrics.ingestedTargets.init({ model });
  for (const outcome of ['accepted', 'rejected']) selfMetrics.ingestBatches.init({ model, outcome });
  for (const where of MODEL_ERROR_WHERE) selfMetrics.errors.init({ model, where }, errorTotals[where] ?? 0);
}

/** Drops every series of a deleted model. */
export function removeModelSeries(model: string): void {
  for (const where of MODEL_ERROR_WHERE) selfMetrics.errors.remove({ model, where });
  for (const c of [selfMetrics.ingestedRows, selfMetrics.ingestedTargets]) c.remove({ model });
  for (const outcome of ['accepted', 'rejected']) selfMetrics.ingestBatches.remove({ model, outcome });
  for (const g of [selfMetrics.lastIngest, selfMetrics.lastRecompute, selfMetrics.recomputeBacklog, selfMetrics.recomputeDuration]) g.remove({ model });
}

/** The registry in the text exposition format 0.0.4 (HELP and TYPE for every metric). */
export function renderSelfMetrics(): Promise<string> {
  return registry.metrics();
}

// The exposition format's escaping lives with the monitoring series' rendering (exposition.ts).
export { escapeHelp, escapeLabelValue, labelSet } from './exposition';
