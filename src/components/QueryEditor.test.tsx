import React, { useState } from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { locationService } from '@grafana/runtime';
import type { SeriesInfo } from '../api';
import { chooseOption, chooseOptions, expectOptions, openCombobox } from '../../test/plugin/support/combobox';
import { connectPlugin, type ConnectedPlugin } from '../../test/plugin/support/plugin';
import { startVigil, vigilGet, type RunningVigil } from '../../test/plugin/support/vigil';
import { METRICS } from '../../backend/engine/catalog';
import type { ColumnSeriesQuery, VigilQuery } from '../types';
import { PLUGIN_VERSION } from '../version';
import { QueryEditor } from './QueryEditor';

let vigil: RunningVigil;
let plugin: ConnectedPlugin;

beforeAll(async () => {
  vigil = await startVigil();
  plugin = await connectPlugin(vigil.url, { apiKey: vigil.readKey });
});
afterAll(async () => {
  await plugin?.close();
  await vigil?.close();
});

/** The editor inside a query row that keeps the query, as Grafana's does. */
function QueryRow({ initial, onRun, onQuery }: { initial: VigilQuery; onRun: () => void; onQuery: (q: VigilQuery) => void }) {
  const [query, setQuery] = useState(initial);
  return (
    <QueryEditor
      datasource={plugin.datasource}
      query={query}
      onChange={(q) => {
        setQuery(q);
        onQuery(q);
      }}
      onRunQuery={onRun}
    />
  );
}

const label = (family: string, metric: string) => METRICS.find((m) => m.family === family && m.id === metric)?.label ?? metric;

describe('QueryEditor', () => {
  it('fills the metric and column pickers from the server once a model is chosen, and builds the query', async () => {
    const onRun = jest.fn();
    const queries: VigilQuery[] = [];
    const last = () => queries.at(-1) as ColumnSeriesQuery;
    // what the server says exists, asked directly (not through the plugin)
    const { series } = await vigilGet<{ series: SeriesInfo[] }>(vigil, `/api/models/${vigil.model}/series?family=univariate_drift`);
    const metricIds = [...new Set(series.map((s) => s.metric))];
    expect(metricIds.length).toBeGreaterThan(0);
    render(<QueryRow initial={{ refId: 'A' } as VigilQuery} onRun={onRun} onQuery={(q) => queries.push(q)} />);
    // a new panel's empty query is stored once in the current model, without running it
    await waitFor(() => expect(queries).toHaveLength(1));
    expect(queries[0]).toMatchObject({ refId: 'A', queryType: 'series', pluginVersion: PLUGIN_VERSION });
    expect(onRun).not.toHaveBeenCalled();


    await chooseOption('Model', vigil.model);
    expect(last()).toMatchObject({ model: vigil.model, family: 'univariate_drift', metrics: [], columns: [] });

    await openCombobox('Metrics');
    await expectOptions(metricIds.map((m) => label('univariate_drift', m)));
    await userEvent.keyboard('{Escape}');
    const metric = metricIds[0];
    await chooseOptions('Metrics', [label('univariate_drift', metric)]);
    expect(last().metrics).toEqual([metric]);

    const columns = [...new Set(series.filter((s) => s.metric === metric).map((s) => s.column as string))];
    await openCombobox('Columns');
    await expectOptions(columns);
    await userEvent.keyboard('{Escape}');
    const picked = columns.slice(0, 2);
    await chooseOptions('Columns', picked);
    expect(last().columns).toEqual(picked);

    await chooseOptions('Fields', ['upper confidence bound']);
    expect(last().fields).toEqual(['value', 'upper_threshold', 'lower_threshold', 'alert', 'upper_confidence_boundary']);

    await userEvent.click(screen.getByRole('radio', { name: 'Both' }));
    await userEvent.click(screen.getByRole('radio', { name: 'Table' }));
    expect(last()).toMatchObject({ period: 'both', format: 'table' });
    expect(onRun).toHaveBeenCalledTimes(queries.length - 1);
    expect(queries.every((q) => q.pluginVersion === PLUGIN_VERSION)).toBe(true);

    // the PromQL shown is exactly the query of the rule the button creates
    const columnMatcher = picked.length === 1 ? `column="${picked[0]}"` : `column=~"${picked.join('|')}"`;
    const expr = `max without (partial) (vigil_univariate_drift_alert{model="${vigil.model}",${columnMatcher},method="${metric}"})`;
    expect(screen.getByTestId('vigil-promql').textContent).toBe(expr);

    await userEvent.click(screen.getByRole('button', { name: /Create alert rule/ }));
    const location = locationService.getLocation();
    expect(location.pathname).toBe('/alerting/new');
    const defaults = JSON.parse(new URLSearchParams(location.search).get('defaults')!);
    expect(defaults.queries[0]).toMatchObject({
      datasourceUid: 'vigil-prometheus',
      model: { expr },
    });

    // a model-level family has no column picker and starts with all metrics
    await chooseOption('Family', 'Outliers');
    expect(last()).toMatchObject({ family: 'outliers', metrics: [], model: vigil.model });
    expect('columns' in last()).toBe(false);
    expect(screen.queryByRole('combobox', { name: 'Columns' })).not.toBeInTheDocument();
  });

  it('stores a query saved before versioning in the current model once, and shows it', async () => {
    const onChange = jest.fn();
    const onRun = jest.fn();
    // as a dashboard saved by plugin 0.1.0's first release holds it: no pluginVersion, no queryType, empty fields,
    // columns left over on a model-level family
    const old = { refId: 'B', model: vigil.model, family: 'outliers', metrics: [], columns: ['age'], fields: [], period: 'both' } as unknown as VigilQuery;
    render(<QueryEditor datasource={plugin.datasource} query={old} onChange={onChange} onRunQuery={onRun} />);
    await waitFor(() => expect(onChange).toHaveBeenCalledTimes(1));
    const migrated = onChange.mock.calls[0][0];
    expect(migrated).toEqual({
      refId: 'B',
      queryType: 'series',
      pluginVersion: PLUGIN_VERSION,
      model: vigil.model,
      family: 'outliers',
      metrics: [],
      fields: ['value', 'upper_threshold', 'lower_threshold', 'alert'],
      period: 'both',
      format: 'time_series',
    });
    expect(onRun).not.toHaveBeenCalled();
    expect(screen.getByRole('radio', { name: 'Both' })).toBeChecked();
    expect(screen.queryByRole('combobox', { name: 'Columns' })).not.toBeInTheDocument();
  });

  it('shows why a picker is empty when the server refuses the key', async () => {
    const wrongKey = await connectPlugin(vigil.url, { apiKey: 'not-the-key' });
    try {
      render(<QueryEditor datasource={wrongKey.datasource} query={{ refId: 'A' } as VigilQuery} onChange={jest.fn()} onRunQuery={jest.fn()} />);
      await waitFor(() => expect(screen.getByText(/^Could not load models:/)).toBeInTheDocument());
      expect(wrongKey.proxy.requests.find((r) => r.path.endsWith('/api/models'))?.upstreamStatus).toBe(401);
    } finally {
      await wrongKey.close();
    }
  });
});
