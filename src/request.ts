/**
 * Grafana targets → the body of `POST /api/query` (docs/query-api.md). Pure: the interpolator and the
 * time range come in as arguments.
 */
import type { ApiQuery, QueryApiRequest } from './api';
import type { Interpolator } from './interpolate';
import { isColumnFamily, withDefaults, type SeriesQuery } from './types';

/** A query with every template variable replaced: what the API, PromQL and the pickers see. */
export function interpolateSeriesQuery(query: SeriesQuery, interpolator: Interpolator): SeriesQuery {
  const model = interpolator.text(query.model);
  const metrics = interpolator.list(query.metrics);
  const segment = query.segment ? { segment: interpolator.text(query.segment) } : {};
  if (isColumnFamily(query.family) && 'columns' in query) {
    return { ...query, model, metrics, ...segment, columns: interpolator.list(query.columns) };
  }
  return { ...query, model, metrics, ...segment };
}

export function toApiQuery(query: SeriesQuery): ApiQuery {
  return {
    refId: query.refId,
    model: query.model,
    family: query.family,
    metrics: query.metrics,
    columns: 'columns' in query ? query.columns : [],
    fields: query.fields,
    period: query.period,
    format: query.format,
    ...(query.segment ? { segment: query.segment } : {}),
  };
}

/** A query is sent when it is visible and names a model after interpolation. */
export function isRunnable(query: SeriesQuery): boolean {
  return !query.hide && query.model.trim() !== '';
}

/** Grafana's panel size (DataQueryRequest.maxDataPoints / intervalMs): the server downsamples to it. */
export interface PanelSize {
  maxDataPoints?: number;
  intervalMs?: number;
}

export function buildQueryRequest(
  targets: ReadonlyArray<Partial<SeriesQuery> & { refId: string }>,
  range: { from: number; to: number } | undefined,
  interpolator: Interpolator,
  defaultModel = '',
  panel: PanelSize = {}
): QueryApiRequest {
  const queries = targets
    .map((t) => interpolateSeriesQuery(withDefaults(t, defaultModel), interpolator))
    .filter(isRunnable)
    .map(toApiQuery);
  const body: QueryApiRequest = range ? { from: range.from, to: range.to, queries } : { queries };
  // Only values the server accepts: a positive integer count, a non-negative interval.
  if (Number.isInteger(panel.maxDataPoints) && panel.maxDataPoints! > 0) body.maxDataPoints = panel.maxDataPoints;
  if (Number.isFinite(panel.intervalMs) && panel.intervalMs! >= 0) body.intervalMs = panel.intervalMs;
  return body;
}
