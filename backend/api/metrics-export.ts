/**
 * Which monitoring series `/metrics` exports (docs/prometheus.md "/metrics"): every series of every
 * model by default; bounded by the server option VIGIL_METRICS_PER_COLUMN and a model's own
 * `"metrics_endpoint": {"per_column": ..., "families": [...]}`.
 *
 * Per-column families (drift, data quality, summary statistics) make most of the exposition: a model of
 * 20 features has ~20× more of them than of model-level series. `per_column`:
 * - `all`: every field of every series;
 * - `alerts`: per-column series export their `_alert` sample only (what a scrape-side alert rule needs);
 *   model-level series stay complete;
 * - `none`: no per-column series.
 * `families` (a model option) lists the families exported for that model. Vigil's own health metrics are
 * always exported. The Prometheus API (`/prometheus/api/v1`) is not affected: it serves every series.
 */
import type { ModelDefinition } from '../service/definition';
import { COLUMN_LABEL, MODEL_LABEL, parseSeriesName } from './prometheus/series';
import { METRIC_NAME } from './prometheus/labels';
import type { Series } from './prometheus/source';

export const PER_COLUMN_MODES = ['all', 'alerts', 'none'] as const;
export type PerColumnMode = (typeof PER_COLUMN_MODES)[number];

export interface ExportPolicy {
  perColumn: PerColumnMode;
  /** null: every family. */
  families: ReadonlySet<string> | null;
}

export function perColumnModeFromEnv(env: NodeJS.ProcessEnv = process.env): PerColumnMode {
  const raw = env.VIGIL_METRICS_PER_COLUMN?.trim() || 'all';
  if (!(PER_COLUMN_MODES as readonly string[]).includes(raw)) throw new Error(`VIGIL_METRICS_PER_COLUMN: '${raw}' (expected ${PER_COLUMN_MODES.join(', ')})`);
  return raw as PerColumnMode;
}

/** A model's policy: its own `metrics_endpoint` over the server's default. */
export function exportPolicy(def: Pick<ModelDefinition, 'metrics_endpoint'> | null, serverDefault: PerColumnMode): ExportPolicy {
  const own = def?.metrics_endpoint;
  return { perColumn: own?.per_column ?? serverDefault, families: own?.families ? new Set(own.families) : null };
}

/** A filter over series by the policy of each series' model; null when it keeps everything. */
export function exportFilter(policies: ReadonlyMap<string, ExportPolicy>, serverDefault: PerColumnMode): ((s: Series) => boolean) | null {
  const bounded = [...policies.values()].some((p) => p.perColumn !== 'all' || p.families !== null);
  if (!bounded && serverDefault === 'all') return null;
  const fallback: ExportPolicy = { perColumn: serverDefault, families: null };
  const parsed = new Map<string, ReturnType<typeof parseSeriesName>>();
  const parse = (name: string) => {
    let p = parsed.get(name);
    if (p === undefined) parsed.set(name, (p = parseSeriesName(name)));
    return p;
  };
  return (s) => {
    const what = parse(s.labels[METRIC_NAME]);
    if (what === null) return true; // not a monitoring series: Vigil's health
    const policy = policies.get(s.labels[MODEL_LABEL]) ?? fallback;
    if (policy.families !== null && !policy.families.has(what.family.id)) return false;
    if (s.labels[COLUMN_LABEL] === undefined || policy.perColumn === 'all') return true;
    return policy.perColumn === 'alerts' && what.field === 'alert';
  };
}
