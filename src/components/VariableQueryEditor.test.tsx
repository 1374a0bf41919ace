import React, { useState } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { chooseOption } from '../../test/plugin/support/combobox';
import { connectPlugin, type ConnectedPlugin } from '../../test/plugin/support/plugin';
import { startVigil, vigilGet, type RunningVigil } from '../../test/plugin/support/vigil';
import type { ModelDetail, SeriesInfo } from '../api';
import type { VariableQuery } from '../types';
import { VariableQueryEditor } from './VariableQueryEditor';

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

function VariableEditor({ onQuery }: { onQuery: (q: VariableQuery) => void }) {
  const [query, setQuery] = useState<VariableQuery>({ refId: 'V', kind: 'models' });
  return (
    <VariableQueryEditor
      datasource={plugin.datasource}
      query={query}
      onRunQuery={() => {}}
      onChange={(q) => {
        setQuery(q);
        onQuery(q);
      }}
    />
  );
}

const values = async (query: VariableQuery) => (await plugin.datasource.variableValues(query)).map((v) => v.text);

describe('VariableQueryEditor', () => {
  it('builds the three kinds of variable query, and each lists what the server has', async () => {
    const queries: VariableQuery[] = [];
    render(<VariableEditor onQuery={(q) => queries.push(q)} />);
    expect(screen.getByRole('radio', { name: 'Models' })).toBeChecked();
    expect(await values({ refId: 'V', kind: 'models' })).toContain(vigil.model);

    await userEvent.click(screen.getByRole('radio', { name: 'Columns of a model' }));
    await chooseOption('Model', vigil.model);
    expect(queries.at(-1)).toEqual({ refId: 'V', kind: 'columns', model: vigil.model });
    const detail = await vigilGet<ModelDetail>(vigil, `/api/models/${vigil.model}`);
    expect(await values(queries.at(-1)!)).toEqual(detail.columns.filter((c) => c.role === 'feature').map((c) => c.name));

    await userEvent.click(screen.getByRole('radio', { name: 'Metrics of a family' }));
    await chooseOption('Family', 'Univariate drift');
    expect(queries.at(-1)).toEqual({ refId: 'V', kind: 'metrics', family: 'univariate_drift', model: vigil.model });
    const { series } = await vigilGet<{ series: SeriesInfo[] }>(vigil, `/api/models/${vigil.model}/series?family=univariate_drift`);
    expect(await values(queries.at(-1)!)).toEqual([...new Set(series.map((s) => s.metric))]);
  });

  it('runs through Grafana’s variable support as a query returning the values', async () => {
    const { lastValueFrom } = await import('rxjs');
    const support = plugin.datasource.variables as unknown as { query: (r: unknown) => import('rxjs').Observable<{ data: unknown[] }> };
    const response = await lastValueFrom(support.query({ targets: [{ refId: 'V', kind: 'models' }], scopedVars: {} }));
    expect(response.data).toContainEqual({ text: vigil.model, value: vigil.model });
  });
});
