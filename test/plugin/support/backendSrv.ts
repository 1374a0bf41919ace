/**
 * Grafana's BackendSrv as the plugin uses it (`fetch` only), over the platform's fetch. In Grafana the
 * plugin's requests go to Grafana's server, whose data proxy forwards them to Vigil; in tests and the
 * dev harness they go to `dataProxy.ts`, which does the same job. Runs in jsdom (Node's fetch) and in
 * the browser.
 */
import { Observable } from 'rxjs';
import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';

export interface RecordedRequest {
  method: string;
  url: string;
  body: unknown;
}

export class FetchBackendSrv {
  /** Every request the plugin made, in order (for assertions). */
  readonly requests: RecordedRequest[] = [];

  constructor(
    /** Origin Grafana would be at, e.g. `http://127.0.0.1:3000`; '' in a browser page served by the proxy. */
    private readonly origin: string
  ) {}

  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    return new Observable<FetchResponse<T>>((subscriber) => {
      const method = (options.method ?? 'GET').toUpperCase();
      const params = options.params ? `?${new URLSearchParams(options.params).toString()}` : '';
      const url = `${this.origin}${options.url}${params}`;
      const hasBody = options.data !== undefined && method !== 'GET';
      this.requests.push({ method, url: `${options.url}${params}`, body: options.data });
      const controller = new AbortController();
      fetch(url, {
        method,
        headers: { Accept: 'application/json', ...(hasBody ? { 'Content-Type': 'application/json' } : {}), ...options.headers },
        body: hasBody ? JSON.stringify(options.data) : undefined,
        signal: controller.signal,
      })
        .then(async (res) => {
          const text = await res.text();
          let data: unknown = text;
          try {
            data = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text, as Grafana's backendSrv does
          }
          if (!res.ok) {
            const error: FetchError = { status: res.status, statusText: res.statusText, data, config: options };
            subscriber.error(error);
            return;
          }
          subscriber.next({
            data: data as T,
            status: res.status,
            statusText: res.statusText,
            ok: res.ok,
            headers: res.headers,
            redirected: res.redirected,
            type: res.type,
            url: res.url,
            config: options,
          });
          subscriber.complete();
        })
        .catch((err: Error) => {
          if (err.name !== 'AbortError') {
            const error: FetchError = { status: 0, statusText: err.message, data: { message: err.message }, config: options };
            subscriber.error(error);
          }
        });
      return () => controller.abort();
    });
  }

  private unused(): never {
    throw new Error('the Vigil plugin uses BackendSrv.fetch only');
  }
  get = this.unused;
  delete = this.unused;
  post = this.unused;
  patch = this.unused;
  put = this.unused;
  request = this.unused;
  datasourceRequest = this.unused;
  chunked = this.unused;
}

/** Typed for `setBackendSrv`. */
export function asBackendSrv(srv: FetchBackendSrv): BackendSrv {
  return srv as unknown as BackendSrv;
}
