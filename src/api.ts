/**
 * The read API the plugin speaks (docs/query-api.md): response shapes and a thin client over Grafana's
 * backend service. Requests go to the data source's proxy URL; the data proxy adds the API key
 * (plugin.json `routes`), so the key never reaches the browser.
 */
import { lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError, type BackendSrv } from '@grafana/runtime';
import type { FamilyDef, FamilyId, MetricDef, ResultField } from '../backend/engine/catalog';
import type { Period, QueryFormat } from './types';

export interface CatalogResponse {
  families: FamilyDef[];
  metrics: MetricDef[];
  fields: ResultField[];
  version: string;
}

export interface ModelSummary {
  name: string;
  problem_type: string;
  reference_rows: number;
  analysis_rows: number;
  targets: number;
}

export type ColumnRole = 'feature' | 'timestamp' | 'id' | 'y_pred' | 'y_pred_proba' | 'y_true';

export interface ModelColumn {
  name: string;
  kind: 'continuous' | 'categorical';
  role: ColumnRole;
}

export interface ModelDetail {
  name: string;
  problem_type: string;
  columns: ModelColumn[];
  /** Only for a model registered with segment_by (docs/segments.md). */
  segments?: string[];
}

export interface SeriesInfo {
  family: FamilyId;
  calculator_id: string;
  calculator: string;
  metric: string;
  column: string | null;
}

export type FieldTypeJSON = 'time' | 'number' | 'boolean' | 'string';

export interface FieldJSON {
  name: string;
  type: FieldTypeJSON;
  values: unknown[];
  labels?: Record<string, string>;
  config?: { unit?: string; displayName?: string; [key: string]: unknown };
}

export interface FrameJSON {
  name?: string;
  refId?: string;
  meta?: { custom?: Record<string, unknown>; [key: string]: unknown };
  fields: FieldJSON[];
}

export interface ApiQuery {
  refId: string;
  model: string;
  family: FamilyId;
  metrics: string[];
  columns: string[];
  fields: ResultField[];
  period: Period;
  format: QueryFormat;
  /** A segment of a segmented model (docs/segments.md); absent: the whole data. */
  segment?: string;
}

export interface QueryApiRequest {
  from?: number;
  to?: number;
  /** The panel's size: time series are downsampled to it, alerting chunks always kept (docs/query-api.md). */
  maxDataPoints?: number;
  intervalMs?: number;
  queries: ApiQuery[];
}

export interface QueryApiResponse {
  results: Record<string, { frames: FrameJSON[]; error?: string }>;
}

export interface AlertEntry {
  time: number;
  time_end: number;
  family: FamilyId;
  calculator_id: string;
  metric: string;
  column: string | null;
  value: number | null;
  upper_threshold: number | null;
  lower_threshold: number | null;
  chunk: string;
  period: string;
  /** The chunk is still open (only a model that opted in alerts on open chunks). */
  partial?: boolean;
  text: string;
}

export interface HealthResponse {
  status: string;
  version: string;
  models: number;
}

/** An error answered by Vigil (`{"error": {code, message, where}}`) or by the network on the way. */
export class VigilApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    readonly code?: string,
    readonly where?: string
  ) {
    super(message);
    this.name = 'VigilApiError';
  }
}

function toApiError(err: unknown, path: string): VigilApiError {
  if (isFetchError(err)) {
    const body = err.data as { error?: { code?: string; message?: string; where?: string }; message?: string } | undefined;
    const detail = body?.error;
    const message = detail?.message ?? body?.message ?? err.statusText ?? `request to ${path} failed`;
    return new VigilApiError(message, err.status ?? 0, detail?.code, detail?.where);
  }
  return new VigilApiError(err instanceof Error ? err.message : String(err), 0);
}

export class VigilApi {
  constructor(
    /** The data source's URL as Grafana gives it (`/api/datasources/proxy/uid/<uid>` with proxy access). */
    private readonly baseUrl: string,
    private readonly backendSrv: () => BackendSrv = getBackendSrv
  ) {}

  private async request<T>(path: string, method: 'GET' | 'POST' = 'GET', data?: unknown): Promise<T> {
    try {
      const response = await lastValueFrom(
        this.backendSrv().fetch<T>({
          url: `${this.baseUrl}/${path}`,
          method,
          data,
          showErrorAlert: false,
          showSuccessAlert: false,
        })
      );
      return response.data;
    } catch (err) {
      throw toApiError(err, path);
    }
  }

  health(): Promise<HealthResponse> {
    return this.request('api/health');
  }

  catalog(): Promise<CatalogResponse> {
    return this.request('api/catalog');
  }

  async models(): Promise<ModelSummary[]> {
    return (await this.request<{ models: ModelSummary[] }>('api/models')).models;
  }

  model(name: string): Promise<ModelDetail> {
    return this.request(`api/models/${encodeURIComponent(name)}`);
  }

  async series(model: string, family?: FamilyId): Promise<SeriesInfo[]> {
    const query = family ? `?family=${encodeURIComponent(family)}` : '';
    return (await this.request<{ series: SeriesInfo[] }>(`api/models/${encodeURIComponent(model)}/series${query}`)).series;
  }

  query(body: QueryApiRequest): Promise<QueryApiResponse> {
    return this.request('api/query', 'POST', body);
  }

  async alerts(model: string, params: { from?: number; to?: number; family?: FamilyId }): Promise<AlertEntry[]> {
    const search = new URLSearchParams();
    if (params.from !== undefined) {
      search.set('from', String(params.from));
    }
    if (params.to !== undefined) {
      search.set('to', String(params.to));
    }
    if (params.family) {
      search.set('family', params.family);
    }
    const qs = search.toString();
    const path = `api/models/${encodeURIComponent(model)}/alerts${qs ? `?${qs}` : ''}`;
    return (await this.request<{ alerts: AlertEntry[] }>(path)).alerts;
  }
}
