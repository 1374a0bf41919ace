/**
 * THE mapping from computed results to Prometheus series (used by the query API and /metrics; documented
 * in docs/prometheus.md). Names and the metric label come from the catalog:
 *
 *   <family.prometheusName><PROMETHEUS_SUFFIXES[field]>{model, column?, <family.prometheusMetricLabel>, calculator_id?}
 *
 * (a metric whose unit differs from its family's has its own name instead of the family's, catalog
 * `prometheusNameOf`: the row count is `vigil_rows{model, metric="rows_count"}`, not `vigil_statistic`)
 *
 * e.g. `vigil_univariate_drift{model="demo",column="car_value",method="jensen_shannon"}` and its companions
 * `vigil_univariate_drift_upper_threshold`, `_lower_threshold`, `_alert` (1/0), `_upper_confidence_bound`,
 * `_lower_confidence_bound`, `_sampling_error`, `_realized`.
 *
 * - One sample per analysis chunk, at the chunk's start (as in the plugin's frames); reference-period
 *   chunks are not exported (they are the baseline the thresholds come from, not monitoring data).
 * - A field that is null for a chunk (no threshold, no band, unknown alert) has no sample there.
 * - `column` is present only for per-column results; `calculator_id` only when a calculator was given an
 *   id other than its class name (two calculators of one class on one model would otherwise collide).
 * - Chunks without a timestamp (size-chunked data without a timestamp column) have no time and are skipped.
 * - A row marked `partial` (an open chunk, service/open-chunks.ts) becomes a sample of the same series
 *   plus the label `partial="true"`; closed chunks keep the label sets above. So the closed series' last
 *   sample (the last closed chunk) stays current while the open chunk fills, and `{partial!="true"}`
 *   selects closed chunks only. The caller gives the row's alert as the read paths report it.
 */
import { FamilyDef, familyById, familyOfCalculator, FAMILIES, metricsOfFamily, prometheusNameOf, prometheusNamesOf, PROMETHEUS_SUFFIXES, RESULT_FIELDS, ResultField } from '../../engine/catalog';
import { segmentOfModelName } from '../../service/segment-names';
import { Labels, METRIC_NAME } from './labels';
import type { MetricMetadata } from './router';
import { Series } from './source';

/** A stored result row, as the results store and `vigil run` give it (dates as epoch ms or ISO strings). */
export interface ResultRowLike {
  calculator: string;
  id: string;
  column: string | null;
  metric: string;
  period: 'reference' | 'analysis';
  chunk: { start_date: number | string | null; end_date: number | string | null };
  value: number | null;
  upper_threshold: number | null;
  lower_threshold: number | null;
  alert: boolean | null;
  upper_confidence_boundary: number | null;
  lower_confidence_boundary: number | null;
  sampling_error: number | null;
  realized: number | null;
  /** An open (still filling) chunk: its samples carry `partial="true"`. */
  partial?: boolean;
}

export const MODEL_LABEL = 'model';
/** Only on the series of a segmented model's segments (docs/segments.md). */
export const SEGMENT_LABEL = 'segment';
export const COLUMN_LABEL = 'column';
export const CALCULATOR_ID_LABEL = 'calculator_id';
/** Only on samples of open chunks, with the value "true". */
export const PARTIAL_LABEL = 'partial';

/** The series name of a family's field, for one metric (default: the family's own name). */
export function seriesName(family: FamilyDef, field: ResultField, metric?: string): string {
  return prometheusNameOf(family, metric) + PROMETHEUS_SUFFIXES[field];
}

/** A stored model's segment (its own model: service/segment-models.ts), or null for any other model. */
export function segmentOfStoredModel(model: string): { model: string; segment: string } | null {
  return model.includes('~') ? segmentOfModelName(model) : null;
}

/** Labels of a result row's series (without `__name__`); null when the calculator has no family. */
export function rowLabels(model: string, row: ResultRowLike, family = familyOfCalculator(row.calculator)): Record<string, string> | null {
  if (!family) return null;
  // A segment's own model: the segmented model's name and a segment label.
  const segment = segmentOfStoredModel(model);
  const labels: Record<string, string> = segment ? { [MODEL_LABEL]: segment.model, [SEGMENT_LABEL]: segment.segment } : { [MODEL_LABEL]: model };
  if (row.column !== null && row.column !== '') labels[COLUMN_LABEL] = row.column;
  labels[family.prometheusMetricLabel] = row.metric;
  if (row.id && row.id !== row.calculator) labels[CALCULATOR_ID_LABEL] = row.id;
  if (row.partial === true) labels[PARTIAL_LABEL] = 'true';
  return labels;
}

export function toMs(d: number | string | null): number | null {
  if (d === null) return null;
  if (typeof d === 'number') return Number.isFinite(d) ? d : null;
  const ms = Date.parse(d);
  return Number.isNaN(ms) ? null : ms;
}

export function fieldValue(row: ResultRowLike, field: ResultField): number | null {
  const v = row[field];
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return Number.isFinite(v) ? v : null;
}

/**
 * When a result row's samples are: at its chunk's start (with the chunk's end, for the lookback); null for
 * a row that is not exported (reference period, or a chunk without a time).
 */
export function rowTime(row: ResultRowLike): { start: number; end: number } | null {
  if (row.period !== 'analysis') return null;
  const start = toMs(row.chunk.start_date);
  if (start === null) return null;
  return { start, end: toMs(row.chunk.end_date) ?? start };
}

/**
 * The samples one result row contributes, one per non-null field: `emit(name, base, value)` with the series
 * name and the row's labels without `__name__` (shared by the row's samples). Returns the sample time (the
 * chunk's start) and the chunk's end, or null when the row is not exported (rowTime, or a calculator
 * without a family). seriesOfRows uses it; the incremental index (series-index.ts) applies the same
 * rowTime, rowLabels and fieldValue with its labels cached per row identity.
 */
export function rowSamples(model: string, row: ResultRowLike, emit: (name: string, base: Record<string, string>, v: number) => void): { start: number; end: number } | null {
  const at = rowTime(row);
  if (!at) return null;
  const family = familyOfCalculator(row.calculator);
  const base = rowLabels(model, row, family);
  if (!family || !base) return null;
  for (const field of RESULT_FIELDS) {
    const v = fieldValue(row, field);
    if (v !== null) emit(seriesName(family, field, row.metric), base, v);
  }
  return at;
}

/**
 * Series of one model's result rows. The last chunk of each series stays current until its end plus
 * `lookbackMs` (the chunk lookback, see evaluator.ts). The server keeps its series current per chunk
 * instead (series-index.ts); this full build is the reference it is tested against.
 */
export function seriesOfRows(model: string, rows: Iterable<ResultRowLike>, lookbackMs: number): Series[] {
  const acc = new Map<string, { labels: Labels; t: number[]; v: number[]; lastEnd: number }>();
  for (const row of rows) {
    const samples: { labels: Labels; v: number }[] = [];
    const at = rowSamples(model, row, (name, base, v) => samples.push({ labels: { [METRIC_NAME]: name, ...base }, v }));
    if (!at) continue;
    for (const { labels, v } of samples) {
      const key = seriesKey(labels);
      let s = acc.get(key);
      if (!s) acc.set(key, (s = { labels, t: [], v: [], lastEnd: at.end }));
      s.t.push(at.start);
      s.v.push(v);
      s.lastEnd = Math.max(s.lastEnd, at.end);
    }
  }
  const out: Series[] = [];
  for (const s of acc.values()) {
    // Rows arrive in chunk order per series; sort anyway (cheap when sorted) and keep one sample per time.
    const order = s.t.map((_, i) => i).sort((a, b) => s.t[a] - s.t[b] || a - b);
    const ts: number[] = [];
    const vs: number[] = [];
    for (const i of order) {
      if (ts.length > 0 && ts[ts.length - 1] === s.t[i]) vs[vs.length - 1] = s.v[i];
      else {
        ts.push(s.t[i]);
        vs.push(s.v[i]);
      }
    }
    out.push({ labels: s.labels, timestamps: Float64Array.from(ts), values: Float64Array.from(vs), currentUntil: s.lastEnd + lookbackMs });
  }
  return out;
}

function seriesKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
}

const FIELD_HELP: Record<ResultField, string> = {
  value: 'value per chunk',
  upper_threshold: 'upper alert threshold (from the reference chunks)',
  lower_threshold: 'lower alert threshold (from the reference chunks)',
  alert: 'alert state of the chunk (1 = outside the thresholds)',
  upper_confidence_boundary: 'upper confidence bound (value + 3 sampling errors)',
  lower_confidence_boundary: 'lower confidence bound (value - 3 sampling errors)',
  sampling_error: 'sampling error of the value',
  realized: 'realized value, once targets are known',
};

const capitalise = (s: string) => s[0].toUpperCase() + s.slice(1);

/** Every series name the mapping can produce, with its HELP text (for /metadata and /metrics). */
export const SERIES_METADATA: ReadonlyMap<string, MetricMetadata> = new Map(
  FAMILIES.flatMap((f) =>
    prometheusNamesOf(f).flatMap((base) => {
      const own = metricsOfFamily(f.id).filter((m) => m.prometheusName === base);
      const what = own.length > 0 ? `${f.label}, ${own.map((m) => m.label.toLowerCase()).join(', ')}: ${own.map((m) => m.description).join('; ')}` : `${f.label}: ${f.description}`;
      return RESULT_FIELDS.map((field): [string, MetricMetadata] => [
        base + PROMETHEUS_SUFFIXES[field],
        { type: 'gauge', help: `${what}. ${capitalise(FIELD_HELP[field])}; labels: ${labelNamesOf(f, own.length > 0).join(', ')}.`, unit: '' },
      ]);
    }),
  ),
);

/** A metric with its own name is model-level (the row count), so it has no column label. */
function labelNamesOf(f: FamilyDef, ownName = false): string[] {
  return [MODEL_LABEL, ...(f.perColumn && !ownName ? [COLUMN_LABEL] : []), f.prometheusMetricLabel, `${PARTIAL_LABEL} (open chunk only)`];
}

export function seriesMetadata(name: string): MetricMetadata | undefined {
  return SERIES_METADATA.get(name);
}

/** The family of a series name and the field it carries, e.g. `vigil_outlier_rate_alert` → (outliers, alert). */
export function parseSeriesName(name: string): { family: FamilyDef; field: ResultField } | null {
  let best: { family: FamilyDef; field: ResultField } | null = null;
  let bestBase = '';
  for (const f of FAMILIES) {
    for (const base of prometheusNamesOf(f)) {
      for (const field of RESULT_FIELDS) {
        if (base + PROMETHEUS_SUFFIXES[field] === name && base.length > bestBase.length) {
          best = { family: f, field };
          bestBase = base;
        }
      }
    }
  }
  return best;
}

/** The catalog metric ids a series' metric label may take (for docs and structural tests). */
export function metricIdsOf(familyId: FamilyDef['id']): string[] {
  return metricsOfFamily(familyById(familyId)!.id).map((m) => m.id);
}
