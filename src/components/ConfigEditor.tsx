import React from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, Input, SecretInput, Stack } from '@grafana/ui';
import { DEFAULT_PROMETHEUS_UID, type VigilOptions, type VigilSecureOptions } from '../types';

export type Props = DataSourcePluginOptionsEditorProps<VigilOptions, VigilSecureOptions>;

/**
 * URL of the Vigil server, its read API key (kept in secureJsonData: Grafana's data proxy adds it to each
 * request and the browser never sees it), the model new queries start with, and the uid of the
 * Prometheus data source used by "Create alert rule".
 */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const jsonData = options.jsonData ?? {};
  const setJson = (patch: Partial<VigilOptions>) => onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });
  const keyConfigured = Boolean(options.secureJsonFields?.apiKey);
  return (
    <Stack direction="column" gap={0}>
      <Field label="URL" description="Root of the Vigil server as the Grafana server reaches it, e.g. http://vigil:8700" required>
        <Input
          id="vigil-url"
          width={50}
          placeholder="http://127.0.0.1:8700"
          value={options.url ?? ''}
          onChange={(e) => onOptionsChange({ ...options, url: e.currentTarget.value.trim(), access: 'proxy' })}
        />
      </Field>
      <Field label="API key" description="Vigil's read key (VIGIL_READ_KEY). Stored encrypted; sent by Grafana's server only.">
        <SecretInput
          id="vigil-api-key"
          width={50}
          placeholder="read key"
          isConfigured={keyConfigured}
          value={options.secureJsonData?.apiKey ?? ''}
          onChange={(e) => onOptionsChange({ ...options, secureJsonData: { ...options.secureJsonData, apiKey: e.currentTarget.value } })}
          onReset={() =>
            onOptionsChange({
              ...options,
              secureJsonFields: { ...options.secureJsonFields, apiKey: false },
              secureJsonData: { ...options.secureJsonData, apiKey: '' },
            })
          }
        />
      </Field>
      <Field label="Default model" description="Model a new query starts with">
        <Input id="vigil-default-model" width={50} value={jsonData.defaultModel ?? ''} onChange={(e) => setJson({ defaultModel: e.currentTarget.value })} />
      </Field>
      <Field label="Prometheus data source uid" description="The Prometheus data source pointed at Vigil's /prometheus API, used by “Create alert rule”">
        <Input
          id="vigil-prometheus-uid"
          width={50}
          placeholder={DEFAULT_PROMETHEUS_UID}
          value={jsonData.prometheusUid ?? ''}
          onChange={(e) => setJson({ prometheusUid: e.currentTarget.value })}
        />
      </Field>
    </Stack>
  );
}
