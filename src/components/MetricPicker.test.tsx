import React from 'react';
import { render } from '@testing-library/react';
import { METRICS } from '../../backend/engine/catalog';
import { chooseOptions, expectOptions, openCombobox } from '../../test/plugin/support/combobox';
import { connectPlugin, type ConnectedPlugin } from '../../test/plugin/support/plugin';
import { startVigil, vigilGet, type RunningVigil } from '../../test/plugin/support/vigil';
import type { SeriesInfo } from '../api';
import { MetricPicker, metricOptions } from './MetricPicker';

let vigil: RunningVigil;
let plugin: ConnectedPlugin;

beforeAll(async () => {
  vigil = await startVigil();
  plugin = await connectPlugin(vigil.url, { apiKey: vigil.readKey, variables: [{ name: 'metric', current: 'hellinger' }] });
});
afterAll(async () => {
  await plugin?.close();
  await vigil?.close();
});

describe('MetricPicker', () => {
  it('offers the metrics the model has results for, labelled from the catalog, plus variables', async () => {
    const { series } = await vigilGet<{ series: SeriesInfo[] }>(vigil, `/api/models/${vigil.model}/series?family=univariate_drift`);
    const ids = [...new Set(series.map((s) => s.metric))];
    const onChange = jest.fn();
    plugin.templateSrv.setVariables([
      { name: 'model', current: vigil.model },
      { name: 'metric', current: 'hellinger' },
    ]);
    render(<MetricPicker datasource={plugin.datasource} model="$model" family="univariate_drift" value={[]} onChange={onChange} />);
    await openCombobox('Metrics');
    const labels = ids.map((id) => METRICS.find((m) => m.family === 'univariate_drift' && m.id === id)!.label);
    await expectOptions([...labels, '$model', '$metric']);
    await chooseOptions('Metrics', ['$metric']);
    expect(onChange).toHaveBeenLastCalledWith(['$metric']);
  });

  it('falls back to the catalog’s metrics of the family when the model has no results for it', () => {
    const catalog = { families: [], metrics: METRICS, fields: [], version: '0' };
    expect(metricOptions(catalog, [], 'outliers')).toEqual([{ label: 'Outlier rate', value: 'outlier_rate', description: expect.any(String) }]);
    // confusion-matrix cells are results without a catalog entry of their own: shown by id
    const cells = metricOptions(catalog, [{ family: 'realized_performance', calculator_id: 'p', calculator: 'PerformanceCalculator', metric: 'true_positive', column: null }], 'realized_performance');
    expect(cells).toEqual([{ label: 'true_positive', value: 'true_positive', description: undefined }]);
  });
});
