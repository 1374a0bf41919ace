import React from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import {
  AdvancedHttpSettings,
  Auth,
  AuthMethod,
  ConfigSection,
  ConnectionSettings,
  convertLegacyAuthProps,
  DataSourceDescription,
} from '@grafana/plugin-ui';
import { Divider, Field, Input, SecretInput, Stack } from '@grafana/ui';
import { DEFAULT_PROMETHEUS_UID, type VigilOptions, type VigilSecureOptions } from '../types';

export type Props = DataSourcePluginOptionsEditorProps<VigilOptions, VigilSecureOptions>;

const API_KEY_METHOD = 'custom-vigil-api-key' as const;

/**
 * The docs link of the description: Grafana's own page of the plugin (`/plugins/<id>`; the settings'
 * `type` is the plugin id), which shows the plugin's README (src/README.md) and its links. It works
 * offline, and importing plugin.json here would put all its URLs into module.js.
 */
const docsUrl = (pluginId: string) => `/plugins/${pluginId}`;

/**
 * The settings page in Grafana's layout (@grafana/plugin-ui, as Grafana's own data sources build it):
 * description and docs link; connection (URL); authentication (Vigil's read key, kept in
 * secureJsonData: Grafana's data proxy adds it to each request, the browser never sees it), with TLS
 * (client certificate, CA, skip verify) and custom headers; Vigil's own defaults; and the HTTP settings
 * the data proxy honours (timeout, allowed cookies). Every request of this plugin goes through the data
 * proxy (access "proxy"), which applies all of them.
 */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const jsonData = options.jsonData ?? {};
  const setJson = (patch: Partial<VigilOptions>) => onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });
  // the plugin speaks to Vigil only through the data proxy, where the key, TLS and headers apply
  const onChange = (next: typeof options) => onOptionsChange({ ...next, access: 'proxy' });
  const legacy = convertLegacyAuthProps({ config: options, onChange });
  const setKey = (apiKey: string) => onOptionsChange({ ...options, secureJsonData: { ...options.secureJsonData, apiKey } });
  const resetKey = () =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...options.secureJsonFields, apiKey: false },
      secureJsonData: { ...options.secureJsonData, apiKey: '' },
    });
  const apiKey = (
    <Field label="API key" description="Vigil's read key (VIGIL_READ_KEY). Stored encrypted; sent by Grafana's server only.">
      <SecretInput
        id="vigil-api-key"
        width={40}
        placeholder="read key"
        isConfigured={Boolean(options.secureJsonFields?.apiKey)}
        value={options.secureJsonData?.apiKey ?? ''}
        onChange={(e) => setKey(e.currentTarget.value)}
        onReset={resetKey}
      />
    </Field>
  );
  return (
    <Stack direction="column" gap={0}>
      <DataSourceDescription dataSourceName="Vigil" docsLink={docsUrl(options.type)} hasRequiredFields />
      <Divider />
      <ConnectionSettings
        config={options}
        onChange={onChange}
        urlPlaceholder="http://vigil:8700"
        urlTooltip="Root of the Vigil server as the Grafana server reaches it (not the browser)"
      />
      <Divider />
      <Auth
        {...legacy}
        visibleMethods={[API_KEY_METHOD, AuthMethod.NoAuth]}
        mostCommonMethod={API_KEY_METHOD}
        selectedMethod={jsonData.authMethod === 'none' ? AuthMethod.NoAuth : API_KEY_METHOD}
        customMethods={[{ id: API_KEY_METHOD, label: 'API key', description: "Vigil's read key, sent as a Bearer token", component: apiKey }]}
        defaultOptionsOverrides={{ [AuthMethod.NoAuth]: { label: 'No authentication', description: 'A Vigil started without VIGIL_READ_KEY' } }}
        onAuthMethodSelect={(method) => setJson({ authMethod: method === AuthMethod.NoAuth ? 'none' : 'apiKey' })}
      />
      <Divider />
      <ConfigSection title="Vigil" description="What new queries and the alert shortcut start from">
        <Field label="Default model" description="Model a new query starts with">
          <Input id="vigil-default-model" width={40} value={jsonData.defaultModel ?? ''} onChange={(e) => setJson({ defaultModel: e.currentTarget.value })} />
        </Field>
        <Field label="Prometheus data source uid" description="The Prometheus data source pointed at Vigil's /prometheus API, used by “Create alert rule”">
          <Input
            id="vigil-prometheus-uid"
            width={40}
            placeholder={DEFAULT_PROMETHEUS_UID}
            value={jsonData.prometheusUid ?? ''}
            onChange={(e) => setJson({ prometheusUid: e.currentTarget.value })}
          />
        </Field>
      </ConfigSection>
      <Divider />
      <ConfigSection title="Additional settings" description="HTTP settings of Grafana's data proxy" isCollapsible isInitiallyOpen={false}>
        <AdvancedHttpSettings config={options} onChange={onChange} />
      </ConfigSection>
    </Stack>
  );
}
