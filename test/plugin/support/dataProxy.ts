/**
 * Grafana's data proxy, for the plugin's tests and the dev harness: requests to
 * `/api/datasources/proxy/uid/<uid>/<path>` are forwarded to the data source URL + `<path>`, with the
 * headers of the first plugin.json route whose `path` prefixes `<path>` (templates
 * `{{ .SecureJsonData.x }}` and `{{ .JsonData.x }}` filled from the data source settings), as
 * Grafana's pkg/api/pluginproxy does. The browser-side request never carries the key. Other paths are
 * served from `staticFiles` (the harness page). Node only.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';

export interface PluginRoute {
  path: string;
  method?: string;
  url?: string;
  headers?: Array<{ name: string; content: string }>;
}

export interface ProxiedRequest {
  method: string;
  /** Path as the browser sent it. */
  path: string;
  /** Whether the browser's request itself carried an Authorization header. */
  browserSentAuthorization: boolean;
  /** Headers the route added on the way to Vigil (values included: tests check them). */
  addedHeaders: Record<string, string>;
  upstreamStatus: number;
}

export interface DataProxyOptions {
  uid: string;
  /** The data source URL (Vigil's root). */
  url: string;
  routes: PluginRoute[];
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
  /** URL path → file, for pages served next to the proxy. */
  staticFiles?: Record<string, string>;
  /** URL prefix → folder (e.g. Grafana's icons), for pages served next to the proxy. */
  staticDirs?: Record<string, string>;
  /** Port on 127.0.0.1; 0 (default) = any free port. */
  port?: number;
}

export interface DataProxy {
  origin: string;
  proxyPath: string;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

const TEMPLATE = /\{\{\s*\.(SecureJsonData|JsonData)\.(\w+)\s*\}\}/g;

/**
 * The data source's custom HTTP headers (config editor, "HTTP headers"): names in jsonData
 * `httpHeaderName<n>`, values in secureJsonData `httpHeaderValue<n>`, as Grafana stores them and its data
 * proxy sends them on every request.
 */
export function customHeaders(jsonData: Record<string, unknown>, secure: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, name] of Object.entries(jsonData)) {
    const n = /^httpHeaderName(\d+)$/.exec(key)?.[1];
    if (n && typeof name === 'string' && name !== '') headers[name] = secure[`httpHeaderValue${n}`] ?? '';
  }
  return headers;
}

export function fillRouteTemplate(text: string, jsonData: Record<string, unknown>, secure: Record<string, string>): string {
  // Go templates render a missing map key as "<no value>"; an empty string is what a user would expect to see fail
  return text.replace(TEMPLATE, (_m, kind: string, key: string) => String((kind === 'SecureJsonData' ? secure[key] : jsonData[key]) ?? ''));
}

export function matchRoute(routes: PluginRoute[], subPath: string, method: string): PluginRoute | undefined {
  const clean = subPath.replace(/^\/+/, '');
  return routes.find((r) => {
    const methods = r.method && r.method !== '*' ? r.method.split(',').map((m) => m.trim().toUpperCase()) : undefined;
    return clean.startsWith(r.path.replace(/^\/+/, '')) && (!methods || methods.includes(method));
  });
}

/** The file a static URL maps to; never outside the mapped folder. */
function staticFile(urlPath: string, options: DataProxyOptions): string | undefined {
  const exact = options.staticFiles?.[urlPath];
  if (exact) {
    return exact;
  }
  for (const [prefix, dir] of Object.entries(options.staticDirs ?? {})) {
    if (urlPath.startsWith(prefix)) {
      const file = path.resolve(dir, decodeURIComponent(urlPath.slice(prefix.length)));
      return file.startsWith(path.resolve(dir) + path.sep) ? file : undefined;
    }
  }
  return undefined;
}

const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

export async function startDataProxy(options: DataProxyOptions): Promise<DataProxy> {
  const proxyPath = `/api/datasources/proxy/uid/${options.uid}`;
  const requests: ProxiedRequest[] = [];
  const server = http.createServer((req, res) => {
    const reqUrl = req.url ?? '/';
    if (!reqUrl.startsWith(`${proxyPath}/`)) {
      const file = staticFile(reqUrl.split('?')[0], options);
      if (file && fs.existsSync(file) && fs.statSync(file).isFile()) {
        res.writeHead(200, { 'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' });
        fs.createReadStream(file).pipe(res);
      } else {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'Not found' }));
      }
      return;
    }
    const subPath = reqUrl.slice(proxyPath.length);
    const method = (req.method ?? 'GET').toUpperCase();
    const route = matchRoute(options.routes, subPath, method);
    const added: Record<string, string> = {};
    for (const h of route?.headers ?? []) {
      added[h.name] = fillRouteTemplate(h.content, options.jsonData ?? {}, options.secureJsonData ?? {});
    }
    Object.assign(added, customHeaders(options.jsonData ?? {}, options.secureJsonData ?? {}));
    const target = new URL(subPath, options.url.endsWith('/') ? options.url : `${options.url}/`);
    const record: ProxiedRequest = { method, path: reqUrl, browserSentAuthorization: req.headers.authorization !== undefined, addedHeaders: added, upstreamStatus: 0 };
    requests.push(record);
    // Grafana's proxy drops the browser's Authorization and cookies before forwarding
    const { authorization: _a, cookie: _c, host: _h, ...forwarded } = req.headers;
    const upstream = http.request(target, { method, headers: { ...forwarded, ...added } }, (up) => {
      record.upstreamStatus = up.statusCode ?? 0;
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (err) => {
      record.upstreamStatus = 502;
      // what Grafana answers when the data source cannot be reached
      res.writeHead(502, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: `Bad Gateway: ${err.message}` }));
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    proxyPath,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
