/**
 * The plugin wired as Grafana wires it, against a running Vigil: a data source instance whose URL is the
 * data proxy path, with its own BackendSrv and TemplateSrv, and the data proxy applying the routes of
 * src/plugin.json (so the API key travels only from proxy to Vigil).
 */
import { setTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import type { DataSourceInstanceSettings } from '@grafana/data';
import pluginJson from '../../../src/plugin.json';
import { VigilDataSource } from '../../../src/datasource';
import type { VigilOptions } from '../../../src/types';
import { asBackendSrv, FetchBackendSrv } from './backendSrv';
import { startDataProxy, type DataProxy, type PluginRoute } from './dataProxy';
import { DATASOURCE_UID, instanceSettings } from './settings';
import { TestTemplateSrv, type TestVariable } from './templateSrv';

export { DATASOURCE_UID, instanceSettings };

export interface ConnectedPlugin {
  datasource: VigilDataSource;
  proxy: DataProxy;
  backendSrv: FetchBackendSrv;
  templateSrv: TestTemplateSrv;
  settings: DataSourceInstanceSettings<VigilOptions>;
  close(): Promise<void>;
}

export async function connectPlugin(
  vigilUrl: string,
  options: { apiKey?: string; jsonData?: VigilOptions; variables?: TestVariable[]; secureJsonData?: Record<string, string> } = {}
): Promise<ConnectedPlugin> {
  const proxy = await startDataProxy({
    uid: DATASOURCE_UID,
    url: vigilUrl,
    routes: pluginJson.routes as PluginRoute[],
    jsonData: { ...options.jsonData },
    secureJsonData: { ...options.secureJsonData, ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}) },
  });
  // each connection has its own client and variables, so several can live side by side in one test file
  const backendSrv = new FetchBackendSrv(proxy.origin);
  const templateSrv = new TestTemplateSrv(options.variables ?? []);
  setTemplateSrv(templateSrv as unknown as TemplateSrv);
  const settings = instanceSettings(proxy.proxyPath, options.jsonData);
  const client = asBackendSrv(backendSrv);
  const datasource = new VigilDataSource(settings, templateSrv, () => client);
  return { datasource, proxy, backendSrv, templateSrv, settings, close: () => proxy.close() };
}
