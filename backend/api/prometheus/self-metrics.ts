/**
 * Vigil's own health metrics, served on /metrics next to the monitoring series. The server records into
 * the shared registry below; nothing here depends on the server:
 *
 *   import { selfMetrics } from '../api/prometheus/self-metrics';
 *   selfMetrics.ingestedRows.inc({ model }, rows.length);          // after an ingest batch commits
 *   selfMetrics.ingestBatches.inc({ model, outcome: 'rejected' });  // a batch refused (4xx)
 *   const stop = selfMetrics.recomputeDuration.startTimer({ model }); ...; stop();
 *   selfMetrics.recomputeQueueDepth.set({}, queue.length);          // or .collect(() => queue.length)
 *   selfMetrics.errors.inc({ model, where: 'recompute' });           // an error stored with a model
 *   selfMetrics.errors.inc({ where: 'metrics' });                    // a server-level error
 *
 * Metric and label names follow Prometheus's naming guide (counters end in `_total`, durations in seconds),
 * which `promtool check metrics` enforces in test/prometheus.
 */
import { VERSION } from '../version';
import { formatValue } from './format';

type LabelValues = Record<string, string>;

abstract class Metric {
  protected readonly values = new Map<string, { labels: LabelValues; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
    readonly type: 'counter' | 'gauge' | 'histogram' = 'gauge',
  ) {}

  protected key(labels: LabelValues): string {
    for (const n of Object.keys(labels)) {
      if (!this.labelNames.includes(n)) throw new Error(`${this.name}: unknown label '${n}' (labels: ${this.labelNames.join(', ') || 'none'})`);
    }
    return this.labelNames.map((n) => labels[n] ?? '').join('\u0000');
  }

  protected entry(labels: LabelValues) {
    const key = this.key(labels);
    let e = this.values.get(key);
    if (!e) this.values.set(key, (e = { labels: { ...labels }, value: 0 }));
    return e;
  }

  /** Exposition lines without HELP/TYPE. */
  samples(): string[] {
    return [...this.values.values()].map((e) => `${this.name}${labelSet(e.labels)} ${formatValue(e.value)}`);
  }

  reset(): void {
    this.values.clear();
  }

  /** Drops the samples whose labels include all of `labels` (e.g. every series of a deleted model). */
  remove(labels: LabelValues): void {
    for (const [key, e] of this.values) if (Object.entries(labels).every(([k, v]) => e.labels[k] === v)) this.values.delete(key);
  }
}

export class Counter extends Metric {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames, 'counter');
  }
  inc(labels: LabelValues = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`${this.name}: a counter only goes up (got ${by})`);
    this.entry(labels).value += by;
  }
  get(labels: LabelValues = {}): number {
    return this.values.get(this.key(labels))?.value ?? 0;
  }
  /**
   * Makes the series exist (so `increase()` sees its first step from 0) or raises it to a persisted total;
   * never lowers it.
   */
  init(labels: LabelValues, total = 0): void {
    const e = this.entry(labels);
    if (total > e.value) e.value = total;
  }
}

export class Gauge extends Metric {
  private collector: (() => number) | null = null;

  set(labels: LabelValues, value: number): void {
    this.entry(labels).value = value;
  }
  inc(labels: LabelValues = {}, by = 1): void {
    this.entry(labels).value += by;
  }
  dec(labels: LabelValues = {}, by = 1): void {
    this.entry(labels).value -= by;
  }
  /** Reads the (unlabelled) value at scrape time instead of storing it, e.g. a queue's length. */
  collect(read: () => number): void {
    this.collector = read;
  }
  get(labels: LabelValues = {}): number {
    if (this.collector && this.labelNames.length === 0) return this.collector();
    return this.values.get(this.key(labels))?.value ?? 0;
  }
  override samples(): string[] {
    if (this.collector) return [`${this.name} ${formatValue(this.collector())}`];
    return super.samples();
  }
}

/** Seconds buckets for recompute durations: a chunk takes milliseconds, a large backfill minutes. */
export const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export class Histogram extends Metric {
  private readonly series = new Map<string, { labels: LabelValues; counts: number[]; sum: number; count: number }>();

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    readonly buckets: readonly number[] = DURATION_BUCKETS_SECONDS,
  ) {
    super(name, help, labelNames, 'histogram');
  }

  observe(labels: LabelValues, value: number): void {
    const key = this.key(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels: { ...labels }, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  /** Starts a timer; calling the returned function observes the elapsed seconds and returns them. */
  startTimer(labels: LabelValues = {}): () => number {
    const t0 = process.hrtime.bigint();
    return () => {
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      this.observe(labels, secs);
      return secs;
    };
  }

  count(labels: LabelValues = {}): number {
    return this.series.get(this.key(labels))?.count ?? 0;
  }

  override samples(): string[] {
    const lines: string[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket${labelSet({ ...s.labels, le: formatValue(b) })} ${s.counts[i]}`));
      lines.push(`${this.name}_bucket${labelSet({ ...s.labels, le: '+Inf' })} ${s.count}`);
      lines.push(`${this.name}_sum${labelSet(s.labels)} ${formatValue(s.sum)}`);
      lines.push(`${this.name}_count${labelSet(s.labels)} ${s.count}`);
    }
    return lines;
  }

  override reset(): void {
    this.series.clear();
  }
}

/** `{a="1",b="x\"y"}` with the exposition format's escaping (backslash, double quote, newline). */
export function labelSet(labels: LabelValues): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return '';
  return `{${names.map((n) => `${n}="${escapeLabelValue(labels[n])}"`).join(',')}}`;
}

export const escapeLabelValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
export const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

export const selfMetrics = {
  buildInfo: new Gauge('vigil_build_info', 'Vigil build information; always 1', ['version']),
  models: new Gauge('vigil_models', 'Models registered'),
  ingestedRows: new Counter('vigil_ingested_rows_total', 'Analysis rows stored by ingest, per model', ['model']),
  ingestedTargets: new Counter('vigil_ingested_targets_total', 'Late targets attached to stored rows, per model', ['model']),
  ingestBatches: new Counter('vigil_ingest_batches_total', 'Ingest requests per model and outcome (accepted or rejected)', ['model', 'outcome']),
  recomputeDuration: new Histogram('vigil_recompute_duration_seconds', 'Time to recompute the dirty chunks of a model', ['model']),
  recomputeQueueDepth: new Gauge('vigil_recompute_queue_depth', 'Models waiting for a recompute'),
  recomputeBacklog: new Gauge('vigil_recompute_backlog_chunks', 'Chunks of a model waiting to be recomputed (dirty); ingest answers 429 while it is above VIGIL_MAX_BACKLOG', ['model']),
  lastRecompute: new Gauge('vigil_last_recompute_timestamp_seconds', 'When a model was last recomputed (unix seconds)', ['model']),
  lastIngest: new Gauge('vigil_last_ingest_timestamp_seconds', 'When the model last stored analysis rows (unix seconds); absent before its first rows', ['model']),
  errors: new Counter(
    'vigil_errors_total',
    'Errors by where they happened: per model, fit (refitting the reference at start-up) and recompute (a calculator failing on a chunk, or a failed recompute run), stored with the model; server-wide, metrics (reading results for /metrics)',
    ['model', 'where'],
  ),
};
selfMetrics.buildInfo.set({ version: VERSION }, 1);

/** `where` values of the errors stored with a model (store ERROR_STAGES), each initialised per model. */
export const MODEL_ERROR_WHERE = ['fit', 'recompute'] as const;
/** `where` values of server-wide errors (no model label). */
export const SERVER_ERROR_WHERE = ['metrics'] as const;
for (const where of SERVER_ERROR_WHERE) selfMetrics.errors.init({ where });

const ALL: Metric[] = Object.values(selfMetrics);

/** The registry in the text exposition format (HELP and TYPE for every metric, even without samples). */
export function renderSelfMetrics(): string {
  let out = '';
  for (const m of ALL) {
    out += `# HELP ${m.name} ${escapeHelp(m.help)}\n# TYPE ${m.name} ${m.type}\n`;
    for (const line of m.samples()) out += line + '\n';
  }
  return out;
}
