/**
 * The segment picker and a query's `segment` against the real Vigil the plugin tests share: a small
 * segmented model (segment_by region) is registered for this file and deleted after it.
 */
import React, { useState } from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import { dateTime, type AdHocVariableFilter, type DataFrame, type DataQueryRequest } from '@grafana/data';
import { chooseOption, expectOptions, openCombobox } from '../../test/plugin/support/combobox';
import { connectPlugin, type ConnectedPlugin } from '../../test/plugin/support/plugin';
import { startVigil, vigilGet, type RunningVigil } from '../../test/plugin/support/vigil';
import type { ModelDetail } from '../api';
import type { VigilQuery } from '../types';
import { SegmentPicker } from './SegmentPicker';

const MODEL = `segments-${process.pid}`;
const REGIONS = ['north', 'south', 'west'];
let vigil: RunningVigil;
let plugin: ConnectedPlugin;

async function send(method: string, path: string, body?: unknown) {
  const res = await fetch(`${vigil.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${vigil.writeKey}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  }
}

/** Rows over 3 days, regions in turn; `shift` moves x in the west region. */
const rows = (start: number, n: number, shift: number) =>
  Array.from({ length: n }, (_, i) => {
    const region = REGIONS[i % 3];
    return { id: `r${start}-${i}`, timestamp: new Date(start + i * 60_000).toISOString(), region, x: ((i * 7919) % 100) / 10 + (region === 'west' ? shift : 0) };
  });

beforeAll(async () => {
  vigil = await startVigil();
  await send('POST', '/api/models', {
    name: MODEL,
    columns: { features: ['region', 'x'], categorical: ['region'], timestamp: 'timestamp', id: 'id' },
    chunking: { chunk_period: 'D' },
    segment_by: 'region',
    calculators: [{ class: 'UnivariateDriftCalculator', id: 'drift', params: { column_names: ['x'], continuous_methods: ['jensen_shannon'] } }],
  });
  await send('PUT', `/api/models/${MODEL}/reference`, rows(Date.UTC(2024, 0, 1), 900, 0));
  await send('POST', `/api/models/${MODEL}/rows`, rows(Date.UTC(2024, 1, 1), 900, 5));
  plugin = await connectPlugin(vigil.url, { apiKey: vigil.readKey, variables: [{ name: 'region', current: 'west' }] });
}, 60_000);
afterAll(async () => {
  await plugin?.close();
  await send('DELETE', `/api/models/${MODEL}`).catch(() => undefined);
});

describe('SegmentPicker', () => {
  it('offers a segmented model’s segments, then the variables', async () => {
    const model = await vigilGet<ModelDetail>(vigil, `/api/models/${MODEL}`);
    expect(model.segments).toEqual([...REGIONS].sort());
    const onChange = jest.fn();
    function Host() {
      const [value, setValue] = useState('');
      return (
        <SegmentPicker
          datasource={plugin.datasource}
          model={MODEL}
          value={value}
          onChange={(v) => {
            setValue(v);
            onChange(v);
          }}
        />
      );
    }
    render(<Host />);
    // shown once the model's segments are loaded
    await screen.findByRole('combobox', { name: 'Segment' });
    await openCombobox('Segment');
    await expectOptions([...[...REGIONS].sort(), '$region']);
    await chooseOption('Segment', 'west');
    expect(onChange).toHaveBeenLastCalledWith('west');
  });

  it('is not shown for a model without segments', async () => {
    const { container } = render(<SegmentPicker datasource={plugin.datasource} model={vigil.model} value="" onChange={() => undefined} />);
    await waitFor(() => expect(plugin.proxy.requests.some((r) => r.path.endsWith(`/api/models/${vigil.model}`))).toBe(true));
    expect(container.innerHTML).toBe('');
    expect(screen.queryByText('Segment')).toBeNull();
  });
});

describe('a query with a segment', () => {
  it('reads that segment (also as a variable); its frames carry the segment label', async () => {
    const request = (segment: string, filters: AdHocVariableFilter[] = []) =>
      ({
        filters,
        requestId: 'segments',
        targets: [{ refId: 'A', model: MODEL, family: 'univariate_drift', metrics: ['jensen_shannon'], columns: ['x'], fields: ['value'], period: 'analysis', format: 'time_series', segment }],
        range: { from: dateTime(Date.UTC(2000, 0, 1)), to: dateTime(Date.UTC(2100, 0, 1)), raw: { from: 'now-100y', to: 'now' } },
        scopedVars: {},
        interval: '1d',
        intervalMs: 86_400_000,
        timezone: 'utc',
        app: 'dashboard',
        startTime: Date.now(),
      }) as unknown as DataQueryRequest<VigilQuery>;
    const labelsOf = (frames: DataFrame[]) => frames.flatMap((f) => f.fields.filter((x) => x.labels).map((x) => x.labels));
    const west = await plugin.datasource.query(request('$region'));
    expect(west.errors).toBeUndefined();
    expect(labelsOf(west.data as DataFrame[])).toEqual([expect.objectContaining({ model: MODEL, segment: 'west', column: 'x' })]);
    const whole = await plugin.datasource.query(request(''));
    expect(labelsOf(whole.data as DataFrame[])).toEqual([expect.not.objectContaining({ segment: expect.anything() })]);

    // ad-hoc `segment` narrows: the whole-data query is dropped by segment=west, the west query kept
    const westOnly: AdHocVariableFilter[] = [{ key: 'segment', operator: '=', value: 'west' }];
    expect(labelsOf((await plugin.datasource.query(request('', westOnly))).data as DataFrame[])).toEqual([]);
    expect(labelsOf((await plugin.datasource.query(request('west', westOnly))).data as DataFrame[])).toEqual([expect.objectContaining({ segment: 'west' })]);
    const notWest: AdHocVariableFilter[] = [{ key: 'segment', operator: '!=', value: 'west' }];
    expect(labelsOf((await plugin.datasource.query(request('', notWest))).data as DataFrame[])).toHaveLength(1);
  });

  it('offers segment as an ad-hoc key, with the segments of the models that pass the model filter', async () => {
    expect((await plugin.datasource.getTagKeys()).map((k) => k.text)).toContain('segment');
    const values = await plugin.datasource.getTagValues({ key: 'segment', filters: [{ key: 'model', operator: '=', value: MODEL }] } as never);
    expect(values.map((v) => v.text)).toEqual([...REGIONS].sort());
    const none = await plugin.datasource.getTagValues({ key: 'segment', filters: [{ key: 'model', operator: '=', value: vigil.model }] } as never);
    expect(none).toEqual([]);
  });
});
