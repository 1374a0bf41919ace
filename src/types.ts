/**
 * The plugin's query model: a discriminated union on the metric family (per-column families carry
 * `columns`, model-level families do not), plus the annotation query and the variable query.
 * Family ids, result fields and Prometheus names come from the engine's catalog, compiled into the
 * bundle, so no name is spelled twice.
 */
import type { DataQuery, DataSourceJsonData } from '@grafana/schema';
import { FAMILIES, RESULT_FIELDS, type FamilyId, type ResultField } from '../backend/engine/catalog';

export type { FamilyId, ResultField };

/** Families whose series are per column (the catalog's `perColumn: true`; a unit test checks the two agree). */
export type ColumnFamily = Extract<FamilyId, 'data_quality' | 'univariate_drift' | 'summary_stats'>;
/** Families whose series are per model. */
export type ModelFamily = Exclude<FamilyId, ColumnFamily>;

export const COLUMN_FAMILIES: readonly FamilyId[] = FAMILIES.filter((f) => f.perColumn).map((f) => f.id);

export function isColumnFamily(family: FamilyId): family is ColumnFamily {
  return COLUMN_FAMILIES.includes(family);
}

export type Period = 'analysis' | 'reference' | 'both';
export const PERIODS: readonly Period[] = ['analysis', 'reference', 'both'];

export type QueryFormat = 'time_series' | 'table';
export const FORMATS: readonly QueryFormat[] = ['time_series', 'table'];

/** The fields a query returns unless it asks for others (docs/query-api.md). */
export const DEFAULT_FIELDS: readonly ResultField[] = ['value', 'upper_threshold', 'lower_threshold', 'alert'];
export { RESULT_FIELDS };

/** Stamped on every query the editors write: which query model it follows (src/migrations.ts). */
interface Versioned {
  /** The plugin version that wrote the query; absent on queries saved before versioning (0.1.0). */
  pluginVersion?: string;
}

interface SeriesQueryCommon extends DataQuery, Versioned {
  /** Absent or 'series' for metric queries; 'alerts' marks an annotation query (see AlertsQuery). */
  queryType?: 'series';
  /** Model name; may hold a template variable (`$model`). */
  model: string;
  /** Metric ids of the family (catalog ids, or confusion-matrix cells); empty = all. */
  metrics: string[];
  fields: ResultField[];
  period: Period;
  format: QueryFormat;
  /** A segment of a segmented model (docs/segments.md), may be a template variable; absent or '': the whole data. */
  segment?: string;
}

export interface ColumnSeriesQuery extends SeriesQueryCommon {
  family: ColumnFamily;
  /** Column names, each may be a template variable (`$column`, multi-value or All); empty = all. */
  columns: string[];
}

export interface ModelSeriesQuery extends SeriesQueryCommon {
  family: ModelFamily;
}

export type SeriesQuery = ColumnSeriesQuery | ModelSeriesQuery;
/** A series query without its refId (examples, defaults). */
export type SeriesQueryModel = Omit<ColumnSeriesQuery, 'refId'> | Omit<ModelSeriesQuery, 'refId'>;

/** Alert periods of a model, for annotations: one region per alerting chunk. */
export interface AlertsQuery extends DataQuery, Versioned {
  queryType: 'alerts';
  model: string;
  /** Restrict to one family; absent = every family. */
  family?: FamilyId;
}

export type VigilQuery = SeriesQuery | AlertsQuery;

export function isAlertsQuery(query: Partial<VigilQuery>): query is AlertsQuery {
  return query.queryType === 'alerts';
}

export const DEFAULT_FAMILY: ColumnFamily = 'univariate_drift';

export const DEFAULT_QUERY: Omit<ColumnSeriesQuery, 'refId'> = {
  queryType: 'series',
  model: '',
  family: DEFAULT_FAMILY,
  metrics: [],
  columns: [],
  fields: [...DEFAULT_FIELDS],
  period: 'analysis',
  format: 'time_series',
};

/**
 * A stored query as Grafana hands it over (possibly partial: a new panel, an older dashboard, a
 * hand-written JSON) turned into a complete SeriesQuery.
 */
export function withDefaults(query: Partial<SeriesQuery> & { refId: string }, defaultModel = ''): SeriesQuery {
  const family = (query.family ?? DEFAULT_FAMILY) as FamilyId;
  const common = {
    ...query,
    queryType: 'series' as const,
    model: query.model || defaultModel,
    metrics: query.metrics ?? [],
    fields: query.fields && query.fields.length > 0 ? query.fields : [...DEFAULT_FIELDS],
    period: query.period ?? 'analysis',
    format: query.format ?? 'time_series',
  };
  if (isColumnFamily(family)) {
    return { ...common, family, columns: (query as Partial<ColumnSeriesQuery>).columns ?? [] };
  }
  const { columns: _dropped, ...rest } = common as typeof common & { columns?: string[] };
  return { ...rest, family };
}

/** Switching family keeps model, fields, period and format; metrics and columns belong to the old family. */
export function changeFamily(query: SeriesQuery, family: FamilyId): SeriesQuery {
  const { columns: _c, ...rest } = query as ColumnSeriesQuery;
  if (isColumnFamily(family)) {
    return { ...rest, family, metrics: [], columns: [] };
  }
  return { ...rest, family, metrics: [] };
}

/** Data-source settings (jsonData). */
export interface VigilOptions extends DataSourceJsonData {
  /** Model a new query starts with. */
  defaultModel?: string;
  /** uid of the provisioned Prometheus data source pointed at Vigil's Prometheus API (alert shortcut). */
  prometheusUid?: string;
  /** 'none' for a Vigil started without keys; absent = the API key (secureJsonData.apiKey). */
  authMethod?: 'apiKey' | 'none';
}

/** Kept encrypted by Grafana; only the data proxy reads it (plugin.json `routes`). */
export interface VigilSecureOptions {
  apiKey?: string;
}

export const DEFAULT_PROMETHEUS_UID = 'vigil-prometheus';

/** Template-variable queries. */
export type VariableQuery =
  | { refId: string; kind: 'models' }
  | { refId: string; kind: 'columns'; model: string }
  | { refId: string; kind: 'metrics'; family: FamilyId; model?: string };

export type VariableKind = VariableQuery['kind'];
