/**
 * The Vigil data source (frontend `DataSourceApi`): runs panel queries and annotation queries against
 * Vigil's read API through Grafana's data proxy, serves the pickers and template variables, and checks
 * the connection. The work itself is in plain modules (request, frames, annotations, promql).
 */
import {
  type AdHocVariableFilter,
  CoreApp,
  DataSourceApi,
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceGetTagKeysOptions,
  type DataSourceGetTagValuesOptions,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';
import { getBackendSrv, getTemplateSrv, type BackendSrv } from '@grafana/runtime';
import { of } from 'rxjs';
import { metricsOfFamily, type FamilyId } from '../backend/engine/catalog';
import { AD_HOC_KEYS, applyAdHocFilters, passes, vigilFilters } from './adhoc';
import { alertsToAnnotations, annotationsToFrame, framesToAnnotations } from './annotations';
import { VigilApi, VigilApiError, type CatalogResponse, type ModelDetail, type ModelSummary, type SeriesInfo } from './api';
import { AnnotationQueryEditor } from './components/AnnotationQueryEditor';
import { toDataFrame } from './frames';
import { createInterpolator, type Interpolator, type TemplateReplacer } from './interpolate';
import { buildAlertRule, type AlertRuleDefaults } from './promql';
import { migrateQuery, type StoredQuery } from './migrations';
import { buildQueryRequest, interpolateSeriesQuery } from './request';
import {
  DEFAULT_PROMETHEUS_UID,
  DEFAULT_QUERY,
  isAlertsQuery,
  type AlertsQuery,
  type SeriesQuery,
  type VariableQuery,
  type VigilOptions,
  type VigilQuery,
} from './types';
import { VigilVariableSupport } from './variables';
import { isCompatibleVersion, PLUGIN_VERSION } from './version';

/** Grafana's template service as the data source uses it (getAdhocFilters: dashboards before Scenes' request.filters). */
type TemplateService = TemplateReplacer & {
  getVariables?: () => Array<{ name: string }>;
  getAdhocFilters?: (datasourceName: string) => AdHocVariableFilter[];
};

export class VigilDataSource extends DataSourceApi<VigilQuery, VigilOptions> {
  readonly api: VigilApi;
  readonly defaultModel: string;
  readonly prometheusUid: string;
  private catalogRequest?: Promise<CatalogResponse>;

  constructor(
    instanceSettings: DataSourceInstanceSettings<VigilOptions>,
    private readonly templateSrv: TemplateService = getTemplateSrv() as unknown as TemplateService,
    /** Grafana's HTTP client; looked up on each request unless given (tests give each instance its own). */
    backendSrv: () => BackendSrv = getBackendSrv
  ) {
    super(instanceSettings);
    this.api = new VigilApi(instanceSettings.url ?? '', backendSrv);
    this.defaultModel = instanceSettings.jsonData?.defaultModel ?? '';
    this.prometheusUid = instanceSettings.jsonData?.prometheusUid || DEFAULT_PROMETHEUS_UID;
    this.annotations = {
      QueryEditor: AnnotationQueryEditor,
      getDefaultQuery: () => ({ queryType: 'alerts', model: this.defaultModel }),
      prepareQuery: (anno) =>
        anno.target ? this.migrate({ ...anno.target, queryType: 'alerts', refId: anno.target.refId || 'Anno' } as StoredQuery) : undefined,
      processEvents: (_anno, frames) => of(framesToAnnotations(frames)),
    };
    this.variables = new VigilVariableSupport(this);
  }

  override getDefaultQuery(_app: CoreApp): Partial<VigilQuery> {
    return { ...DEFAULT_QUERY, model: this.defaultModel, pluginVersion: PLUGIN_VERSION };
  }

  /** A stored query of any plugin version in the current model (src/migrations.ts). */
  migrate(query: StoredQuery | VigilQuery): VigilQuery {
    return migrateQuery(query as StoredQuery, this.defaultModel);
  }

  override filterQuery(query: VigilQuery): boolean {
    return !query.hide;
  }

  interpolator(scopedVars?: ScopedVars): Interpolator {
    return createInterpolator(this.templateSrv, scopedVars);
  }

  /** Names of the dashboard's variables as `$name`, offered in every picker. */
  variableOptions(): string[] {
    return (this.templateSrv.getVariables?.() ?? []).map((v) => `$${v.name}`);
  }

  override interpolateVariablesInQueries(queries: VigilQuery[], scopedVars: ScopedVars): VigilQuery[] {
    const interpolator = this.interpolator(scopedVars);
    return queries.map((stored) => {
      const q = this.migrate(stored);
      return isAlertsQuery(q) ? { ...q, model: interpolator.text(q.model) } : interpolateSeriesQuery(q, interpolator);
    });
  }

  async query(request: DataQueryRequest<VigilQuery>): Promise<DataQueryResponse> {
    const interpolator = this.interpolator(request.scopedVars);
    const range = { from: request.range.from.valueOf(), to: request.range.to.valueOf() };
    const visible = request.targets.filter((t) => !t.hide).map((t) => this.migrate(t));
    const alertTargets = visible.filter(isAlertsQuery);
    const seriesTargets = visible.filter((t): t is SeriesQuery => !isAlertsQuery(t));
    const data: DataFrame[] = [];
    const errors: DataQueryError[] = [];

    const body = buildQueryRequest(seriesTargets, range, interpolator, this.defaultModel, { maxDataPoints: request.maxDataPoints, intervalMs: request.intervalMs });
    const filters = this.adHocFilters(request);
    if (body.queries.length > 0) {
      try {
        body.queries = await applyAdHocFilters(body.queries, filters, (model, family) => this.api.series(model, family));
      } catch (err) {
        errors.push(toQueryError(err));
        body.queries = [];
      }
    }
    if (body.queries.length > 0) {
      try {
        const response = await this.api.query(body);
        for (const q of body.queries) {
          const result = response.results[q.refId];
          if (result?.error) {
            errors.push({ refId: q.refId, message: result.error });
          }
          for (const frame of result?.frames ?? []) {
            data.push(toDataFrame(frame, q.refId));
          }
        }
      } catch (err) {
        errors.push(toQueryError(err));
      }
    }

    for (const target of alertTargets) {
      try {
        data.push(await this.alertFrame(target, range, interpolator));
      } catch (err) {
        errors.push({ ...toQueryError(err), refId: target.refId });
      }
    }
    return errors.length > 0 ? { data, errors, error: errors[0] } : { data };
  }

  private async alertFrame(target: AlertsQuery, range: { from: number; to: number }, interpolator: Interpolator): Promise<DataFrame> {
    const model = interpolator.text(target.model || this.defaultModel);
    if (!model) {
      return annotationsToFrame([], target.refId);
    }
    const alerts = await this.api.alerts(model, { ...range, family: target.family });
    return annotationsToFrame(alertsToAnnotations(model, alerts), target.refId);
  }

  /**
   * Save & test. Rejects on every failure with what to fix (Grafana shows a rejection's message as the
   * failed check); resolves only when the server is a compatible Vigil that accepts the key
   * (`/api/health` needs the read key, so a wrong key is a 401 there).
   */
  async testDatasource(): Promise<TestDataSourceResponse> {
    let health: Awaited<ReturnType<VigilApi['health']>>;
    try {
      health = await this.api.health();
    } catch (err) {
      throw new Error(healthMessage(err));
    }
    if (typeof health?.version !== 'string' || typeof health?.models !== 'number') {
      throw new Error('The URL answers /api/health, but not as Vigil does (no version and model count): the URL should be the Vigil server root, e.g. http://vigil:8700.');
    }
    if (!isCompatibleVersion(health.version, PLUGIN_VERSION)) {
      throw new Error(`Vigil ${health.version} is not compatible with this plugin (built for ${PLUGIN_VERSION}): upgrade the plugin or the server.`);
    }
    const models = health.models === 0 ? 'no models registered yet (register one with POST /api/models)' : `${health.models} model(s)`;
    return { status: 'success', message: `Connected to Vigil ${health.version}: ${models}.` };
  }

  // ----- ad-hoc filters -----

  /** The dashboard's ad-hoc filters: on the request (Scenes dashboards), else from the template service. */
  adHocFilters(request?: { filters?: AdHocVariableFilter[] }): AdHocVariableFilter[] {
    return vigilFilters(request?.filters ?? this.templateSrv.getAdhocFilters?.(this.name));
  }

  override async getTagKeys(_options?: DataSourceGetTagKeysOptions<VigilQuery>): Promise<MetricFindValue[]> {
    return AD_HOC_KEYS.map((key) => ({ text: key, value: key }));
  }

  /** Values of a key among the series that pass the other filters already set (model narrows column and metric). */
  override async getTagValues(options: DataSourceGetTagValuesOptions<VigilQuery>): Promise<MetricFindValue[]> {
    const others = vigilFilters(options.filters).filter((f) => f.key !== options.key);
    const models = (await this.getModels()).map((m) => m.name).filter((m) => others.every((f) => f.key !== 'model' || passes(f, m)));
    if (options.key === 'model') {
      return models.map((m) => ({ text: m, value: m }));
    }
    const values = new Set<string>();
    if (options.key === 'segment') {
      for (const model of models) {
        for (const segment of (await this.getModel(model)).segments ?? []) {
          values.add(segment);
        }
      }
      return [...values].sort().map((v) => ({ text: v, value: v }));
    }
    for (const model of models) {
      for (const s of await this.api.series(model)) {
        const labels = { model, metric: s.metric, column: s.column ?? '' };
        // a segment has the model's series: segment filters do not narrow columns or metrics
        if (others.every((f) => f.key === 'segment' || passes(f, labels[f.key as keyof typeof labels]))) {
          const value = options.key === 'metric' ? s.metric : s.column;
          if (value) values.add(value);
        }
      }
    }
    return [...values].sort().map((v) => ({ text: v, value: v }));
  }

  // ----- data for the pickers and variables -----

  getCatalog(): Promise<CatalogResponse> {
    if (!this.catalogRequest) {
      this.catalogRequest = this.api.catalog();
      // a failed request is not cached: the next picker that opens retries
      this.catalogRequest.catch(() => (this.catalogRequest = undefined));
    }
    return this.catalogRequest;
  }

  getModels(): Promise<ModelSummary[]> {
    return this.api.models();
  }

  getModel(name: string): Promise<ModelDetail> {
    return this.api.model(this.interpolator().text(name));
  }

  getSeries(model: string, family: FamilyId): Promise<SeriesInfo[]> {
    return this.api.series(this.interpolator().text(model), family);
  }

  /** The alert-rule shortcut's pre-filled rule, with the dashboard's current variable values. */
  alertRuleFor(query: SeriesQuery, scopedVars?: ScopedVars): AlertRuleDefaults {
    const resolved = interpolateSeriesQuery(this.migrate(query) as SeriesQuery, this.interpolator(scopedVars));
    return buildAlertRule(resolved, this.prometheusUid);
  }

  async variableValues(query: VariableQuery, scopedVars?: ScopedVars): Promise<MetricFindValue[]> {
    const interpolator = this.interpolator(scopedVars);
    const texts = (values: Iterable<string>) => [...new Set(values)].map((v) => ({ text: v, value: v }));
    switch (query.kind) {
      case 'models':
        return texts((await this.getModels()).map((m) => m.name));
      case 'columns': {
        const model = await this.api.model(interpolator.text(query.model));
        return texts(model.columns.filter((c) => c.role === 'feature').map((c) => c.name));
      }
      case 'metrics': {
        const model = query.model ? interpolator.text(query.model) : '';
        if (model) {
          return texts((await this.api.series(model, query.family)).map((s) => s.metric));
        }
        return texts(metricsOfFamily(query.family).map((m) => m.id));
      }
    }
  }

  override getQueryDisplayText(stored: VigilQuery): string {
    const q = this.migrate(stored);
    if (isAlertsQuery(q)) {
      return `alerts of ${q.model || this.defaultModel}${q.family ? ` (${q.family})` : ''}`;
    }
    const columns = 'columns' in q && q.columns.length > 0 ? ` on ${q.columns.join(', ')}` : '';
    return `${q.model} ${q.family} ${q.metrics.join(', ') || 'all metrics'}${columns}`;
  }
}

function toQueryError(err: unknown): DataQueryError {
  if (err instanceof VigilApiError) {
    const where = err.where ? ` (${err.where})` : '';
    return { message: `Vigil: ${err.message}${where}`, status: err.status };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

/** What the health check tells the user to fix, by what went wrong. */
export function healthMessage(err: unknown): string {
  const status = err instanceof VigilApiError ? err.status : 0;
  const detail = err instanceof Error ? err.message : String(err);
  if (status === 401 || status === 403) {
    return `Vigil rejected the API key (HTTP ${status}): enter Vigil's read key (VIGIL_READ_KEY) in "API key" and save.`;
  }
  if (status === 404) {
    return 'No Vigil API at this URL (HTTP 404 on /api/health): the URL should be the server root, e.g. http://vigil:8700.';
  }
  if (status === 0 || status === 502 || status === 503 || status === 504) {
    return `Cannot reach Vigil${status ? ` (HTTP ${status})` : ''}: check the URL, that \`vigil serve\` is running, and that the Grafana server can reach it. ${detail}`.trim();
  }
  return `Vigil answered HTTP ${status}: ${detail}`;
}
