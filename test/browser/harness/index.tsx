/**
 * DEV-ONLY harness page: the plugin's ConfigEditor and QueryEditor mounted with Grafana's theme, talking
 * to a running Vigil through the data proxy that serves this page (test/plugin/support/dataProxy.ts),
 * exactly as they would inside Grafana. The result of each query run is listed below the editor. Used by
 * test/browser/query-editor.test.ts and by `npm run harness` for a look by hand. Never shipped.
 */
import React, { useMemo, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createTheme, dateTime, type DataFrame, type DataQueryRequest, type DataSourceSettings } from '@grafana/data';
import { setBackendSrv, setTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import { GlobalStyles, Stack, Text, ThemeContext } from '@grafana/ui';
import { ConfigEditor } from '../../../src/components/ConfigEditor';
import { QueryEditor } from '../../../src/components/QueryEditor';
import { VigilDataSource } from '../../../src/datasource';
import type { VigilOptions, VigilQuery, VigilSecureOptions } from '../../../src/types';
import { asBackendSrv, FetchBackendSrv } from '../../plugin/support/backendSrv';
import { instanceSettings } from '../../plugin/support/settings';
import { TestTemplateSrv, type TestVariable } from '../../plugin/support/templateSrv';

export interface HarnessConfig {
  /** The data proxy path of the data source (`/api/datasources/proxy/uid/<uid>`). */
  proxyPath: string;
  /** What the data source settings page shows (the key itself never reaches the page). */
  vigilUrl: string;
  jsonData: VigilOptions;
  variables: TestVariable[];
  range: { from: number; to: number };
}

declare global {
  interface Window {
    VIGIL_HARNESS: HarnessConfig;
    __grafana_public_path__?: string;
  }
}

function FrameSummary({ frames, error }: { frames: DataFrame[]; error?: string }) {
  return (
    <div data-testid="vigil-result">
      {error && (
        <Text color="error" data-testid="vigil-result-error">
          {error}
        </Text>
      )}
      <table style={{ borderCollapse: 'collapse', width: '100%' }}>
        <thead>
          <tr>
            <th align="left">frame</th>
            <th align="left">fields (type, unit)</th>
            <th align="right">rows</th>
          </tr>
        </thead>
        <tbody>
          {frames.map((frame, i) => (
            <tr key={i} data-testid="vigil-frame">
              <td data-testid="vigil-frame-name">{frame.name}</td>
              <td data-testid="vigil-frame-fields">
                {frame.fields.map((f) => `${f.name}:${f.type}${f.config.unit ? `[${f.config.unit}]` : ''}`).join(' ')}
              </td>
              <td align="right" data-testid="vigil-frame-rows">
                {frame.length}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Harness({ config }: { config: HarnessConfig }) {
  const datasource = useMemo(
    () => new VigilDataSource(instanceSettings(config.proxyPath, config.jsonData), templateSrv),
    [config]
  );
  const [settings, setSettings] = useState<DataSourceSettings<VigilOptions, VigilSecureOptions>>({
    ...(instanceSettings(config.vigilUrl, config.jsonData) as unknown as DataSourceSettings<VigilOptions, VigilSecureOptions>),
    url: config.vigilUrl,
    secureJsonFields: { apiKey: true },
  });
  const [query, setQuery] = useState<VigilQuery>({ refId: 'A', ...datasource.getDefaultQuery('panel-editor' as never) } as VigilQuery);
  // Grafana calls onChange then onRunQuery in the same tick: run what onChange just handed over
  const latestQuery = useRef(query);
  const [result, setResult] = useState<{ frames: DataFrame[]; error?: string; runs: number }>({ frames: [], runs: 0 });

  const run = async (q: VigilQuery) => {
    const request = {
      requestId: 'harness',
      targets: [q],
      range: { from: dateTime(config.range.from), to: dateTime(config.range.to), raw: { from: '', to: '' } },
      scopedVars: {},
      interval: '1h',
      intervalMs: 3_600_000,
      timezone: 'utc',
      app: 'panel-editor',
      startTime: Date.now(),
    } as unknown as DataQueryRequest<VigilQuery>;
    const response = await datasource.query(request);
    setResult((r) => ({ frames: response.data as DataFrame[], error: response.errors?.[0]?.message, runs: r.runs + 1 }));
  };

  return (
    <Stack direction="column" gap={3}>
      <Text element="h2">Vigil plugin harness (dev only)</Text>
      <section aria-label="Data source settings">
        <Text element="h3">Data source settings</Text>
        <ConfigEditor options={settings} onOptionsChange={setSettings} />
      </section>
      <section aria-label="Query">
        <Text element="h3">Query</Text>
        <QueryEditor
          datasource={datasource}
          query={query}
          onChange={(q) => {
            latestQuery.current = q;
            setQuery(q);
          }}
          onRunQuery={() => void run(latestQuery.current)}
        />
      </section>
      <section aria-label="Result" data-runs={result.runs}>
        <Text element="h3">Result</Text>
        <FrameSummary frames={result.frames} error={result.error} />
      </section>
    </Stack>
  );
}

const config = window.VIGIL_HARNESS;
// Grafana's icons, served by the harness server from @grafana/ui's package
window.__grafana_public_path__ = '/public/';
setBackendSrv(asBackendSrv(new FetchBackendSrv('')));
const templateSrv = new TestTemplateSrv(config.variables);
setTemplateSrv(templateSrv as unknown as TemplateSrv);
const theme = createTheme({ colors: { mode: 'dark' } });

createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={theme}>
    <GlobalStyles />
    <div style={{ padding: 24, maxWidth: 1100 }}>
      <Harness config={config} />
    </div>
  </ThemeContext.Provider>
);
