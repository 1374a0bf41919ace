/**
 * The plugin wired as Grafana wires it, against a running Vigil: a data source instance whose URL is the
 * data proxy path, Grafana's BackendSrv and TemplateSrv set, and the data proxy applying the routes of
 * src/plugin.json (so the API key travels only from proxy to Vigil).
 */
import { setBackendSrv, setTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import type { DataSourceInstanceSettings, DataSourcePluginMeta } from '@grafana/data';
import pluginJson from '../../../src/plugin.json';
import { VigilDataSource } from '../../../src/datasource';
import type { VigilOptions } from '../../../src/types';
import { asBackendSrv, FetchBackendSrv } from './backendSrv';
import { startDataProxy, type DataProxy, type PluginRoute } from './dataProxy';
import { TestTemplateSrv, type TestVariable } from './templateSrv';

export const DATASOURCE_UID = 'vigil';

export interface ConnectedPlugin {
  datasource: VigilDataSource;
  proxy: DataProxy;
  backendSrv: FetchBackendSrv;
  templateSrv: TestTemplateSrv;
  settings: DataSourceInstanceSettings<VigilOptions>;
  close(): Promise<void>;
}

export function instanceSettings(url: string, jsonData: VigilOptions = {}): DataSourceInstanceSettings<VigilOptions> {
  return {
    id: 1,
    uid: DATASOURCE_UID,
    type: pluginJson.id,
    name: 'Vigil',
    url,
    access: 'proxy',
    readOnly: false,
    jsonData,
    meta: { id: pluginJson.id, name: pluginJson.name, type: 'datasource', module: '', baseUrl: '', info: {} } as unknown as DataSourcePluginMeta,
  };
}

export async function connectPlugin(
  vigilUrl: string,
  options: { apiKey?: string; jsonData?: VigilOptions; variables?: TestVariable[] } = {}
): Promise<ConnectedPlugin> {
  const proxy = await startDataProxy({
    uid: DATASOURCE_UID,
    url: vigilUrl,
    routes: pluginJson.routes as PluginRoute[],
    jsonData: { ...options.jsonData },
    secureJsonData: options.apiKey !== undefined ? { apiKey: options.apiKey } : {},
  });
  const backendSrv = new FetchBackendSrv(proxy.origin);
  setBackendSrv(asBackendSrv(backendSrv));
  const templateSrv = new TestTemplateSrv(options.variables ?? []);
  setTemplateSrv(templateSrv as unknown as TemplateSrv);
  const settings = instanceSettings(proxy.proxyPath, options.jsonData);
  const datasource = new VigilDataSource(settings, templateSrv);
  return { datasource, proxy, backendSrv, templateSrv, settings, close: () => proxy.close() };
}
