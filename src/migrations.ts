/**
 * Stored queries → the current query model. Grafana keeps a panel's queries as the JSON the editor last
 * wrote, so a dashboard saved with an older plugin reaches this one unchanged. Every query the plugin
 * writes carries `pluginVersion`; `migrateQuery` runs the steps newer than a query's version, in order,
 * and stamps the current version. Frontend-only plugins have no backend migration handler
 * (@grafana/runtime's MigrationHandler needs DataSourceWithBackend), so the data source and the editor
 * call this on every query they read.
 *
 * A change of the query model appends a step here (with a test of the shape it replaces); earlier
 * steps never change, because dashboards saved at every version still exist.
 */
import { FORMATS, PERIODS, RESULT_FIELDS, isAlertsQuery, withDefaults, type AlertsQuery, type ResultField, type SeriesQuery, type VigilQuery } from './types';
import { compareVersions, PLUGIN_VERSION } from './version';

/** A query as Grafana hands it over: any version, possibly partial (a new panel, hand-written JSON). */
export type StoredQuery = Partial<VigilQuery> & { refId: string; pluginVersion?: string } & Record<string, unknown>;

interface MigrationStep {
  /** The version whose shape the step produces; applies to queries stamped with an older one (or none). */
  to: string;
  migrate(query: StoredQuery): StoredQuery;
}

/**
 * 0.1.0, the first versioned model. Queries saved before it (no `pluginVersion`) have the same field
 * names but were kept as the editor or a hand-written dashboard left them: `queryType` absent on
 * metric queries, `fields: []` meaning the defaults, `columns` left on a model-level family after a
 * family switch, and values an old or hand-edited JSON may hold that the server rejects (an unknown
 * result field, period or format): those fall back to the defaults instead of failing the panel.
 */
const UNVERSIONED_TO_0_1_0: MigrationStep = {
  to: '0.1.0',
  migrate(query) {
    if (isAlertsQuery(query)) {
      return query;
    }
    const fields = Array.isArray(query.fields) ? query.fields.filter((f): f is ResultField => RESULT_FIELDS.includes(f)) : undefined;
    return {
      ...query,
      queryType: 'series',
      fields,
      period: PERIODS.includes(query.period as never) ? query.period : undefined,
      format: FORMATS.includes(query.format as never) ? query.format : undefined,
    } as StoredQuery;
  },
};

export const MIGRATIONS: readonly MigrationStep[] = [UNVERSIONED_TO_0_1_0];

/** Whether a stored query predates this plugin's query model (and `migrateQuery` would change it). */
export function needsMigration(query: StoredQuery): boolean {
  return query.pluginVersion === undefined || compareVersions(query.pluginVersion, PLUGIN_VERSION) < 0;
}

/**
 * Any stored query → a complete query of the current model stamped with this plugin's version.
 * A query written by a newer plugin is kept as it is (only completed): this plugin cannot know its
 * successor's changes, and rewriting them would lose them.
 */
export function migrateQuery(query: StoredQuery, defaultModel = ''): VigilQuery {
  let current = query;
  for (const step of MIGRATIONS) {
    if (current.pluginVersion === undefined || compareVersions(current.pluginVersion, step.to) < 0) {
      current = { ...step.migrate(current), pluginVersion: step.to };
    }
  }
  const pluginVersion = compareVersions(current.pluginVersion ?? '', PLUGIN_VERSION) > 0 ? current.pluginVersion : PLUGIN_VERSION;
  if (isAlertsQuery(current)) {
    const alerts: AlertsQuery = { ...(current as AlertsQuery), model: current.model ?? '', pluginVersion };
    return alerts;
  }
  return { ...withDefaults(current as Partial<SeriesQuery> & { refId: string }, defaultModel), pluginVersion };
}
