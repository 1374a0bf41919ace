/**
 * The monitoring series in Prometheus's text exposition format 0.0.4, as `/metrics` serves them after
 * Vigil's own metrics (api/metrics.ts): the latest value of each series, one HELP/TYPE block per name.
 * Kept apart from self-metrics.ts (prom-client) so the query thread (query-worker.ts) renders them
 * without loading prom-client.
 */
import type { ModelDefinition } from '../../service/definition';
import { exportFilter, exportPolicy, PerColumnMode } from '../metrics-export';
import { formatValue } from './format';
import { compareStrings, METRIC_NAME } from './labels';
import { QueryBudget } from './limits';
import type { MetricMetadata } from './router';
import { Series, SeriesSource } from './source';

/** `{a="1",b="x\"y"}` with the exposition format's escaping (backslash, double quote, newline). */
export function labelSet(labels: Record<string, string>): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return '';
  return `{${names.map((n) => `${n}="${escapeLabelValue(labels[n])}"`).join(',')}}`;
}

export const escapeLabelValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
export const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** Latest values of the given series, grouped by metric name (the format requires one block per name). */
export function renderSeries(series: readonly Series[], metadata: (name: string) => MetricMetadata | undefined): string {
  let out = '';
  for (const line of expositionLines(series, metadata)) out += line;
  return out;
}

/**
 * The same text, made in slices that yield (limits.ts): at 200 models (167,000 series) the rendering takes
 * about a second, which would hold the rule queries waiting behind it in the query thread.
 */
async function renderSeriesSliced(series: readonly Series[], metadata: (name: string) => MetricMetadata | undefined): Promise<string> {
  const budget = new QueryBudget(Number.POSITIVE_INFINITY);
  let out = '';
  for (const line of expositionLines(series, metadata)) {
    out += line;
    if (budget.due()) await budget.pause();
  }
  return out;
}

function* expositionLines(series: readonly Series[], metadata: (name: string) => MetricMetadata | undefined): Generator<string> {
  const byName = new Map<string, Series[]>();
  for (const s of series) {
    if (s.values.length === 0) continue;
    const name = s.labels[METRIC_NAME];
    let list = byName.get(name);
    if (!list) byName.set(name, (list = []));
    list.push(s);
  }
  for (const name of [...byName.keys()].sort(compareStrings)) {
    const meta = metadata(name);
    yield `# HELP ${name} ${escapeHelp(meta?.help ?? name)}\n# TYPE ${name} ${meta?.type ?? 'gauge'}\n`;
    for (const s of byName.get(name)!) {
      const { [METRIC_NAME]: _name, ...labels } = s.labels;
      yield `${name}${labelSet(labels)} ${formatValue(s.values[s.values.length - 1])}\n`;
    }
  }
}

export interface ExpositionOptions {
  source: () => SeriesSource | Promise<SeriesSource>;
  metadata: (name: string) => MetricMetadata | undefined;
  /** The stored models, for their `metrics_endpoint` option (metrics-export.ts). */
  models?: () => Promise<{ name: string; definition: unknown }[]>;
  /** VIGIL_METRICS_PER_COLUMN (default all). */
  perColumn?: PerColumnMode;
}

/** The series /metrics exports (every series, or those the models' and the server's options keep), rendered. */
export async function monitoringExposition(opts: ExpositionOptions): Promise<string> {
  const series = (await opts.source()).select([]);
  const serverDefault = opts.perColumn ?? 'all';
  const records = opts.models ? await opts.models() : [];
  const filter = exportFilter(new Map(records.map((m) => [m.name, exportPolicy(m.definition as ModelDefinition, serverDefault)])), serverDefault);
  return renderSeriesSliced(filter ? series.filter(filter) : series, opts.metadata);
}
