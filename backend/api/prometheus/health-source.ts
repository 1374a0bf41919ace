/**
 * Model-health series for the Prometheus API and /metrics, beside the monitoring series: how long a model
 * has gone without new rows, and how many of its stored errors are unresolved. Vigil's PromQL subset has
 * no `time()` and no `increase()`, so the provisioned Grafana rules read these gauges instead; /metrics
 * exports them too, so a Prometheus server's rules can use the same expressions.
 *
 *   vigil_model_ingest_age_seconds{model}            seconds from the last stored analysis row to the
 *                                                    evaluation time (no sample before the first row, nor
 *                                                    at times before the last one)
 *   vigil_model_unresolved_errors{model,where}       unresolved fit/recompute errors (0 when none)
 *
 * The age depends on the evaluation time, so samples are made for the time range a query reads: one per
 * minute (fewer over long ranges) plus one at the range's end, so an instant query reads its exact age.
 */
import type { ErrorStage, Store } from '../../store/types';
import { ERROR_STAGES, zeroPerStage } from '../../store/types';
import { Expr, LabelMatcher } from './ast';
import { compareLabels, Labels, METRIC_NAME } from './labels';
import { matchesValue } from './parser';
import type { MetricMetadata } from './router';
import { seriesMatches, Series, SeriesSource, TimeHint } from './source';

export const INGEST_AGE_SERIES = 'vigil_model_ingest_age_seconds';
export const UNRESOLVED_ERRORS_SERIES = 'vigil_model_unresolved_errors';

const HEALTH_METADATA = new Map<string, MetricMetadata>([
  [INGEST_AGE_SERIES, { type: 'gauge', unit: 'seconds', help: 'Seconds since the model last stored analysis rows, at the evaluation time; absent before its first rows' }],
  [UNRESOLVED_ERRORS_SERIES, { type: 'gauge', unit: '', help: 'Unresolved fit and recompute errors stored with the model (GET /api/models/{name})' }],
]);

export function healthMetadata(name: string): MetricMetadata | undefined {
  return HEALTH_METADATA.get(name);
}

export interface ModelHealth {
  model: string;
  /** epoch ms, null before the first rows */
  lastIngestAt: number | null;
  unresolved: Record<ErrorStage, number>;
}

const MINUTE = 60_000;
/** Age samples per query at most (the step widens over long ranges). */
const MAX_AGE_SAMPLES = 1440;

/** Sample times for [from, to]: whole minutes, at most MAX_AGE_SAMPLES, and `to` itself. */
function sampleTimes(from: number, to: number): number[] {
  if (!(to >= from)) return [];
  const step = Math.max(MINUTE, Math.ceil((to - from) / MAX_AGE_SAMPLES / MINUTE) * MINUTE);
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t < to; t += step) out.push(t);
  out.push(to);
  return out;
}

/** The health series of the given models for the times a query reads (no hint: the clock's time). */
export class HealthSeries implements SeriesSource {
  constructor(
    private readonly models: readonly ModelHealth[],
    private readonly now: () => number,
  ) {}

  select(matchers: readonly LabelMatcher[], hint?: TimeHint): Series[] {
    const end = hint ? hint.end : this.now();
    const out: Series[] = [];
    // The times are made only for a series the matchers keep: an age series has up to MAX_AGE_SAMPLES,
    // and the unresolved-errors rule selects none of them (200 models: 288,000 times made for nothing).
    const add = (labels: Labels, times: () => number[], value: (t: number) => number) => {
      if (!seriesMatches(labels, matchers)) return;
      const ts = times();
      if (ts.length > 0) out.push({ labels, timestamps: Float64Array.from(ts), values: Float64Array.from(ts, value) });
    };
    for (const m of this.models) {
      if (m.lastIngestAt !== null) {
        const since = m.lastIngestAt;
        const from = hint && Number.isFinite(hint.start) ? Math.max(hint.start, since) : Math.max(since, end - MAX_AGE_SAMPLES * MINUTE);
        // Read at `end` alone (an alert rule's instant query): the last sample, `end` itself, is all it shows.
        const times = () => (hint?.atEndOnly ? (from <= end ? [end] : []) : sampleTimes(from, end));
        add({ [METRIC_NAME]: INGEST_AGE_SERIES, model: m.model }, times, (t) => (t - since) / 1000);
      }
      for (const where of ERROR_STAGES) {
        add({ [METRIC_NAME]: UNRESOLVED_ERRORS_SERIES, model: m.model, where }, () => [end], () => m.unresolved[where]);
      }
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }
}

/**
 * Whether an expression may select a health series: any of its selectors whose name matchers accept a
 * health series' name. Alert rules on the monitoring series (`max by (...) (vigil_..._alert)`) do not,
 * and their evaluation then skips reading every model's health. (A walk without recursion: the parser
 * allows nesting 1,000 deep.)
 */
export function mayReadHealth(expr: Expr): boolean {
  const todo: Expr[] = [expr];
  while (todo.length > 0) {
    const e = todo.pop()!;
    switch (e.type) {
      case 'vector_selector':
      case 'matrix_selector': {
        const names = (e.type === 'vector_selector' ? e : e.selector).matchers.filter((m) => m.name === METRIC_NAME);
        if ([...HEALTH_METADATA.keys()].some((n) => names.every((m) => matchesValue(m, n)))) return true;
        break;
      }
      case 'binary':
        todo.push(e.lhs, e.rhs);
        break;
      case 'aggregate':
        todo.push(e.expr);
        if (e.param) todo.push(e.param);
        break;
      case 'call':
        todo.push(...e.args);
        break;
      case 'unary':
      case 'subquery':
      case 'paren':
        todo.push(e.expr);
        break;
    }
  }
  return false;
}

/** Reads every model's health from the store: two reads, whatever the number of models. */
export async function readHealth(store: Store): Promise<ModelHealth[]> {
  const unresolved = await store.unresolvedErrorCounts();
  return (await store.modelStamps()).map((r) => ({ model: r.name, lastIngestAt: r.lastIngestAt, unresolved: unresolved.get(r.id) ?? zeroPerStage() }));
}

/** Two sources as one (disjoint series, each sorted by labels): their selections merged in label order. */
export function combinedSource(a: SeriesSource, b: SeriesSource): SeriesSource {
  return {
    select(matchers, hint) {
      const x = a.select(matchers, hint);
      const y = b.select(matchers, hint);
      if (y.length === 0) return x;
      if (x.length === 0) return y;
      const out: Series[] = [];
      let i = 0;
      let j = 0;
      while (i < x.length || j < y.length) {
        if (j >= y.length || (i < x.length && compareLabels(x[i].labels, y[j].labels) <= 0)) out.push(x[i++]);
        else out.push(y[j++]);
      }
      return out;
    },
  };
}
