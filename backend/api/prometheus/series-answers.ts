/**
 * Everything of the Prometheus API that reads the series: `query` and `query_range` evaluated and
 * formatted, the listings (`labels`, `label/<name>/values`, `series`, `metadata`) and the monitoring part
 * of `/metrics`. The router and the fast path (router.ts, fast.ts) read the request and keep the answer
 * cache; the answers themselves come from a `SeriesAnswers`: `LocalSeriesAnswers` below, in the thread
 * that calls it, or the query thread (query-thread.ts), which runs a `LocalSeriesAnswers` over the store
 * of its own (storeSeriesAnswers) so that neither the series' upkeep nor an evaluation runs on the thread
 * that accepts ingest.
 */
import { jsonAnswer, WireAnswer } from '../../service/response-cache';
import type { Store } from '../../store/types';
import type { PerColumnMode } from '../metrics-export';
import { Expr, LabelMatcher, VectorSelector } from './ast';
import { PromApiError, PromQLParseError } from './errors';
import { evaluateInstant, evaluateRange, EvalOptions, Lookback, MAX_POINTS_PER_SERIES } from './evaluator';
import { instantAnswer, rangeAnswer, successJson } from './format';
import { combinedSource, HealthSeries, healthMetadata, mayReadHealth, readHealth } from './health-source';
import { compareLabels, compareStrings, Labels, METRIC_NAME } from './labels';
import { DEFAULT_QUERY_LIMITS, QueryBudget, QueryLimits } from './limits';
import { monitoringExposition } from './exposition';
import { ModelPartials } from './model-partials';
import { errorAnswer, Params } from './params';
import { parseQuery } from './parser';
import type { MetricMetadata } from './router';
import { seriesMetadata } from './series';
import { Series, SeriesSource } from './source';
import { StoreSeriesSource } from './store-source';

export type QueryEndpoint = 'query' | 'query_range';
export type ListEndpoint = 'labels' | 'label_values' | 'series' | 'metadata';

/** A query whose parameters have been read and whose expression parsed: its cache key and its run. */
export interface QueryPlan {
  /** null: not worth caching (an instant query at the clock's time, a new key every millisecond). */
  key: string | null;
  expr: Expr;
  run(source: SeriesSource): Promise<Buffer>;
  /** An instant query's text, time and budget (what model-partials.ts answers from). */
  instant?: { text: string; time: number; budget: QueryBudget };
}

/**
 * Reads a query's parameters in Prometheus's order and makes its budget (limits.ts), as Prometheus checks
 * them before it runs the query: the `timeout` parameter shortens the server's timeout; a timeout of zero
 * or less has already passed (503 timeout). Throws PromApiError for a bad request.
 */
export function planQuery(endpoint: QueryEndpoint, p: Params, now: number, limits: QueryLimits, evalOpts: EvalOptions): QueryPlan {
  const budget = (timeoutMs: number | null) => new QueryBudget(timeoutMs === null ? limits.timeoutMs : Math.min(timeoutMs, limits.timeoutMs), limits.maxSamples);
  if (endpoint === 'query') {
    const expr = p.query();
    const explicitTime = p.has('time');
    const time = explicitTime ? p.time('time') : now;
    const b = budget(p.optionalDuration('timeout'));
    return {
      key: explicitTime ? `query\u0000${p.get('query')}\u0000${time}` : null,
      expr,
      run: async (source) => instantAnswer(await evaluateInstant(expr, source, time, evalOpts, b), time, b),
      instant: { text: p.get('query') ?? '', time, budget: b },
    };
  }
  const start = p.time('start');
  const end = p.time('end');
  const step = p.duration('step');
  const timeout = p.optionalDuration('timeout');
  if (end < start) throw new PromApiError('bad_data', 'end timestamp must not be before start time');
  if (step <= 0) throw new PromApiError('bad_data', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
  if ((end - start) / step > MAX_POINTS_PER_SERIES) {
    throw new PromApiError('bad_data', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
  }
  const expr = p.query();
  const b = budget(timeout);
  return {
    key: `query_range\u0000${p.get('query')}\u0000${start}\u0000${end}\u0000${step}`,
    expr,
    run: async (source) => rangeAnswer(await evaluateRange(expr, source, start, end, step, evalOpts, b), b),
  };
}

export interface SeriesAnswers {
  /** A planned query's answer (an error answer when it fails; never throws). */
  evaluate(endpoint: QueryEndpoint, p: Params, plan: QueryPlan): Promise<WireAnswer>;
  /** A listing's answer; `labelName` for label_values (an error answer for a bad request; never throws). */
  list(endpoint: ListEndpoint, p: Params, labelName?: string): Promise<WireAnswer>;
  /** The monitoring series' latest values in the exposition format (throws when the series cannot be read). */
  exposition(): Promise<string>;
  /**
   * Until when (ms) the series' open/closed marks hold, as last known: an answer cache keyed by the results
   * version alone would keep a chunk open after its period ended (index.ts).
   */
  openUntil(): number;
  close(): Promise<void>;
}

export interface LocalAnswersOptions {
  /**
   * The series to answer from, fetched per request (the store adapter caches between result changes);
   * `expr`: the expression to evaluate, when it is one (the source may leave out what it cannot select).
   */
  source: (expr?: Expr) => SeriesSource | Promise<SeriesSource>;
  lookback: Lookback;
  /** HELP/TYPE of a metric name, for /metadata and /metrics. */
  metadata?: (metricName: string) => MetricMetadata | undefined;
  /** Clock for instant queries without `time` (ms). */
  now?: () => number;
  limits?: QueryLimits;
  /** /metrics: the stored models (their `metrics_endpoint` option) and VIGIL_METRICS_PER_COLUMN. */
  models?: () => Promise<{ name: string; definition: unknown }[]>;
  perColumn?: PerColumnMode;
  openUntil?: () => number;
  /** Instant aggregations by model answered per model (model-partials.ts). */
  partials?: ModelPartials;
  /** Brings the series to the latest results version without answering anything (the query thread's upkeep). */
  refresh?: () => Promise<unknown>;
  close?: () => Promise<void>;
}

/** The answers computed in the calling thread. */
export class LocalSeriesAnswers implements SeriesAnswers {
  private readonly evalOpts: EvalOptions;
  readonly limits: QueryLimits;
  readonly now: () => number;

  constructor(private readonly opts: LocalAnswersOptions) {
    this.evalOpts = { lookback: opts.lookback };
    this.limits = opts.limits ?? DEFAULT_QUERY_LIMITS;
    this.now = opts.now ?? Date.now;
  }

  plan(endpoint: QueryEndpoint, p: Params): QueryPlan {
    return planQuery(endpoint, p, this.now(), this.limits, this.evalOpts);
  }

  async evaluate(_endpoint: QueryEndpoint, _p: Params, plan: QueryPlan): Promise<WireAnswer> {
    try {
      const { instant } = plan;
      const byParts = instant && this.opts.partials ? await this.opts.partials.answer(instant.text, plan.expr, instant.time, instant.budget) : null;
      if (byParts !== null) return jsonAnswer(byParts);
      return jsonAnswer(await plan.run(await this.opts.source(plan.expr)));
    } catch (e) {
      return errorAnswer(e);
    }
  }

  /** Reads the parameters and evaluates (the query thread's side: the requester checked them already). */
  async evaluateParams(endpoint: QueryEndpoint, p: Params): Promise<WireAnswer> {
    let plan: QueryPlan;
    try {
      plan = this.plan(endpoint, p);
    } catch (e) {
      return errorAnswer(e);
    }
    return this.evaluate(endpoint, p, plan);
  }

  async list(endpoint: ListEndpoint, p: Params, labelName?: string): Promise<WireAnswer> {
    try {
      return jsonAnswer(successJson(await this.listJson(endpoint, p, labelName ?? '')));
    } catch (e) {
      return errorAnswer(e);
    }
  }

  private async listJson(endpoint: ListEndpoint, p: Params, labelName: string): Promise<string> {
    const lookback = this.opts.lookback;
    switch (endpoint) {
      case 'labels': {
        const names = new Set<string>();
        for (const s of selectSeries(p, await this.opts.source(), lookback)) for (const n of Object.keys(s.labels)) names.add(n);
        return JSON.stringify(limit(p, [...names].sort(compareStrings)));
      }
      case 'label_values': {
        if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(labelName)) throw new PromApiError('bad_data', `invalid label name: "${labelName}"`);
        const values = new Set<string>();
        for (const s of selectSeries(p, await this.opts.source(), lookback)) if (labelName in s.labels) values.add(s.labels[labelName]);
        return JSON.stringify(limit(p, [...values].sort(compareStrings)));
      }
      case 'series': {
        if (p.all('match[]').length === 0) throw new PromApiError('bad_data', 'no match[] parameter provided');
        return JSON.stringify(limit(p, selectSeries(p, await this.opts.source(), lookback).map((s) => s.labels)));
      }
      case 'metadata': {
        const only = p.get('metric');
        const names = new Set<string>();
        for (const s of (await this.opts.source()).select([])) names.add(s.labels[METRIC_NAME]);
        const data: Record<string, MetricMetadata[]> = {};
        for (const name of [...names].sort(compareStrings)) {
          if (only && name !== only) continue;
          const meta = this.opts.metadata?.(name);
          if (meta) data[name] = [meta];
        }
        const max = p.has('limit') ? Number(p.get('limit')) : 0;
        const entries = max > 0 ? Object.entries(data).slice(0, max) : Object.entries(data);
        return JSON.stringify(Object.fromEntries(entries));
      }
    }
  }

  /** The series /metrics exports (every series, or those the models' and the server's options keep), rendered. */
  exposition(): Promise<string> {
    const { source, metadata, models, perColumn } = this.opts;
    return monitoringExposition({ source, metadata: metadata ?? (() => undefined), models, perColumn });
  }

  openUntil(): number {
    return this.opts.openUntil?.() ?? Number.POSITIVE_INFINITY;
  }

  /** Reads what changed since the last refresh (nothing without a refreshing source). */
  async refresh(): Promise<void> {
    await this.opts.refresh?.();
  }

  /** Brings the per-model parts of the instant aggregations asked lately up to date (model-partials.ts). */
  async warm(): Promise<void> {
    await this.opts.partials?.warm(this.now(), () => new QueryBudget(this.limits.timeoutMs, this.limits.maxSamples));
  }

  async close(): Promise<void> {
    await this.opts.close?.();
  }
}

/** What the answers over a results store need besides the store (read from the environment by index.ts). */
export interface StoreAnswersConfig {
  lookback: Lookback & { kind: 'chunk' };
  limits: QueryLimits;
  perColumn: PerColumnMode;
}

/** HELP/TYPE of the monitoring and the model-health series. */
export const storeMetadata = (name: string) => seriesMetadata(name) ?? healthMetadata(name);

/**
 * The answers over a results store: its series kept current (store-source.ts) and the model-health
 * series (health-source.ts) answer the same queries. `version`: the store's results version as the
 * requester knows it (the query thread's own connection would see every commit of rows as a change).
 * `ownsStore`: close() closes the store (the query thread's own connection).
 */
export function storeSeriesAnswers(store: Store, config: StoreAnswersConfig, now: () => number, version?: () => Promise<string>, ownsStore = true): LocalSeriesAnswers {
  const source = new StoreSeriesSource(store, config.lookback.ms, now, version);
  // The health series cost a few store reads per model: read when the expression may select them.
  const current = async (expr?: Expr) => {
    const series = await source.current();
    return expr !== undefined && !mayReadHealth(expr) ? series : combinedSource(series, new HealthSeries(await readHealth(store), now));
  };
  return new LocalSeriesAnswers({
    source: current,
    lookback: config.lookback,
    metadata: storeMetadata,
    now,
    limits: config.limits,
    models: () => store.listModels(),
    perColumn: config.perColumn,
    openUntil: () => source.openUntil(),
    partials: new ModelPartials(source, config.lookback),
    refresh: () => source.current(),
    close: ownsStore ? () => store.close() : undefined,
  });
}

/** Series for labels/values/series: those matching any `match[]` (all without), active in [start, end]. */
function selectSeries(p: Params, source: SeriesSource, lookback: Lookback): Series[] {
  const start = p.has('start') ? p.time('start') : -Infinity;
  const end = p.has('end') ? p.time('end') : Infinity;
  const matches = p.all('match[]');
  let found: Series[];
  if (matches.length === 0) {
    found = source.select([]);
  } else {
    const byKey = new Map<Labels, Series>();
    for (const m of matches) for (const s of source.select(parseSelector(m))) byKey.set(s.labels, s);
    found = [...byKey.values()].sort((a, b) => compareLabels(a.labels, b.labels));
  }
  if (start === -Infinity && end === Infinity) return found;
  return found.filter((s) => activeIn(s, start, end, lookback));
}

/** Whether a series has a value that counts in [start, end]: a sample there, or (chunk rule) one still current. */
function activeIn(s: Series, start: number, end: number, lookback: Lookback): boolean {
  const n = s.timestamps.length;
  if (n === 0 || s.timestamps[0] > end) return false;
  if (lookback.kind === 'window') {
    for (let i = 0; i < n; i++) if (s.timestamps[i] >= start && s.timestamps[i] <= end) return true;
    return false;
  }
  return (s.currentUntil ?? s.timestamps[n - 1] + lookback.ms) > start;
}

function parseSelector(text: string): LabelMatcher[] {
  let expr;
  try {
    expr = parseQuery(text);
  } catch (e) {
    if (e instanceof PromQLParseError) throw new PromApiError('bad_data', `invalid parameter "match[]": ${e.message}`);
    throw e;
  }
  if (expr.type !== 'vector_selector') throw new PromApiError('bad_data', `invalid parameter "match[]": ${JSON.stringify(text)} is not a series selector`);
  return (expr as VectorSelector).matchers;
}

function limit<T>(p: Params, items: T[]): T[] {
  const raw = p.get('limit');
  const n = raw === null || raw === '' ? 0 : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new PromApiError('bad_data', `invalid parameter "limit": cannot parse "${raw}" to a valid limit`);
  return n > 0 ? items.slice(0, n) : items;
}
