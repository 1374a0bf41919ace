import React, { useState } from 'react';
import { render } from '@testing-library/react';
import { chooseOptions, expectOptions, openCombobox } from '../../test/plugin/support/combobox';
import { connectPlugin, type ConnectedPlugin } from '../../test/plugin/support/plugin';
import { startVigil, vigilGet, type RunningVigil } from '../../test/plugin/support/vigil';
import type { ModelDetail, SeriesInfo } from '../api';
import { ColumnPicker, columnOptions } from './ColumnPicker';

let vigil: RunningVigil;
let plugin: ConnectedPlugin;

beforeAll(async () => {
  vigil = await startVigil();
  plugin = await connectPlugin(vigil.url, {
    apiKey: vigil.readKey,
    variables: [{ name: 'column', current: ['a', 'b'] }],
  });
});
afterAll(async () => {
  await plugin?.close();
  await vigil?.close();
});

describe('ColumnPicker', () => {
  it('offers the columns that have results for the chosen metric, then the $column variable', async () => {
    const { series } = await vigilGet<{ series: SeriesInfo[] }>(vigil, `/api/models/${vigil.model}/series?family=univariate_drift`);
    const metric = series[0].metric;
    const columns = [...new Set(series.filter((s) => s.metric === metric).map((s) => s.column as string))];
    const onChange = jest.fn();
    function Host() {
      const [value, setValue] = useState<string[]>([]);
      const change = (v: string[]) => {
        setValue(v);
        onChange(v);
      };
      return <ColumnPicker datasource={plugin.datasource} model={vigil.model} family="univariate_drift" metrics={[metric]} value={value} onChange={change} />;
    }
    render(<Host />);
    await openCombobox('Columns');
    await expectOptions([...columns, '$column']);
    await chooseOptions('Columns', [columns[0], '$column']);
    expect(onChange).toHaveBeenLastCalledWith([columns[0], '$column']);
  });

  it('offers the model’s feature columns, with their kind, before any results exist', async () => {
    const model = await vigilGet<ModelDetail>(vigil, `/api/models/${vigil.model}`);
    const features = model.columns.filter((c) => c.role === 'feature');
    expect(columnOptions(model.columns, [], [])).toEqual(features.map((c) => ({ label: c.name, value: c.name, description: c.kind })));
  });
});
