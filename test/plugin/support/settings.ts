/** Data source instance settings as Grafana hands them to the plugin (browser-safe: no Node imports). */
import type { DataSourceInstanceSettings, DataSourcePluginMeta } from '@grafana/data';
import pluginJson from '../../../src/plugin.json';
import type { VigilOptions } from '../../../src/types';

export const DATASOURCE_UID = 'vigil';

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
