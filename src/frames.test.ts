import { FieldType } from '@grafana/data';
import { metricDef } from '../backend/engine/catalog';
import type { FrameJSON } from './api';
import { toDataFrame } from './frames';

const seriesFrame = (unit?: string): FrameJSON => ({
  name: 'jensen_shannon car_value',
  refId: 'A',
  meta: { custom: { model: 'demo', family: 'univariate_drift', calculator_id: 'u1', metric: 'jensen_shannon', column: 'car_value' } },
  fields: [
    { name: 'time', type: 'time', values: [1719792000000, 1720396800000] },
    { name: 'time_end', type: 'time', values: [1720396799999, 1721001599999] },
    {
      name: 'value',
      type: 'number',
      labels: { model: 'demo', metric: 'jensen_shannon', column: 'car_value' },
      config: unit ? { unit, displayName: 'jensen_shannon car_value' } : {},
      values: [0.031, null],
    },
    { name: 'upper_threshold', type: 'number', values: [0.04, 0.04] },
    { name: 'alert', type: 'boolean', values: [false, true] },
    { name: 'chunk', type: 'string', values: ['[0:4999]', '[5000:9999]'] },
    { name: 'period', type: 'string', values: ['analysis', 'analysis'] },
  ],
});

describe('toDataFrame', () => {
  it('keeps the backend’s field names and maps the JSON types to Grafana field types', () => {
    const frame = toDataFrame(seriesFrame('none'), 'A');
    expect(frame.refId).toBe('A');
    expect(frame.length).toBe(2);
    expect(frame.fields.map((f) => [f.name, f.type])).toEqual([
      ['time', FieldType.time],
      ['time_end', FieldType.time],
      ['value', FieldType.number],
      ['upper_threshold', FieldType.number],
      ['alert', FieldType.boolean],
      ['chunk', FieldType.string],
      ['period', FieldType.string],
    ]);
    expect(frame.fields[2].values).toEqual([0.031, null]);
    expect(frame.fields[2].labels).toEqual({ model: 'demo', metric: 'jensen_shannon', column: 'car_value' });
  });

  it('gives thresholds the value’s unit and legend names derived from the series', () => {
    const frame = toDataFrame(seriesFrame('percentunit'), 'A');
    const byName = Object.fromEntries(frame.fields.map((f) => [f.name, f]));
    expect(byName.value.config.unit).toBe('percentunit');
    expect(byName.upper_threshold.config.unit).toBe('percentunit');
    expect(byName.alert.config.unit).toBeUndefined();
    expect(byName.value.config.displayName).toBe('jensen_shannon car_value');
    expect(byName.upper_threshold.config.displayName).toBe('jensen_shannon car_value · upper threshold');
    expect(byName.upper_threshold.config.custom.lineStyle.fill).toBe('dash');
    expect(byName.alert.config.custom.hideFrom).toEqual({ viz: true, legend: true, tooltip: false });
  });

  it('takes the unit from the catalog when the backend sends none', () => {
    const frame = toDataFrame(
      {
        ...seriesFrame(),
        meta: { custom: { model: 'demo', family: 'data_quality', metric: 'missing_values', column: 'car_value' } },
      },
      'A'
    );
    const unit = metricDef('data_quality', 'missing_values')!.unit;
    expect(unit).toBe('percentunit');
    expect(frame.fields.find((f) => f.name === 'value')!.config.unit).toBe(unit);
  });

  it('gives a table frame one unit only when all its rows are the same metric', () => {
    const table = (metrics: string[]): FrameJSON => ({
      refId: 'T',
      meta: { custom: { model: 'demo', family: 'estimated_performance' } },
      fields: [
        { name: 'time', type: 'time', values: metrics.map((_, i) => i) },
        { name: 'metric', type: 'string', values: metrics },
        { name: 'value', type: 'number', values: metrics.map(() => 0.9) },
      ],
    });
    expect(toDataFrame(table(['roc_auc', 'roc_auc']), 'T').fields[2].config.unit).toBe('percentunit');
    expect(toDataFrame(table(['roc_auc', 'business_value']), 'T').fields[2].config.unit).toBeUndefined();
    // table rows are not one series: no per-series legend names
    expect(toDataFrame(table(['roc_auc']), 'T').fields[2].config.displayName).toBeUndefined();
  });

  it('draws an open chunk apart: its value moves to a dashed `value_open` field that starts at the last closed chunk', () => {
    const base = seriesFrame('none');
    const frame = toDataFrame(
      {
        ...base,
        fields: [
          base.fields[0],
          base.fields[1],
          { ...base.fields[2], values: [0.031, 0.05] },
          ...base.fields.slice(3),
          { name: 'partial', type: 'boolean', values: [false, true] },
        ],
      },
      'A'
    );
    const byName = Object.fromEntries(frame.fields.map((f) => [f.name, f]));
    expect(frame.fields.map((f) => f.name).slice(2, 4)).toEqual(['value', 'value_open']);
    expect(byName.value.values).toEqual([0.031, null]);
    expect(byName.value_open.values).toEqual([0.031, 0.05]);
    expect(byName.value_open.config).toMatchObject({ unit: 'none', displayName: 'jensen_shannon car_value · open chunk (filling)' });
    expect(byName.value_open.config.custom).toMatchObject({ lineStyle: { fill: 'dash' }, showPoints: 'always' });
    expect(byName.partial.config.custom.hideFrom.viz).toBe(true);
    // all chunks closed: no extra field
    const closed = toDataFrame({ ...base, fields: [...base.fields, { name: 'partial', type: 'boolean', values: [false, false] }] }, 'A');
    expect(closed.fields.map((f) => f.name)).not.toContain('value_open');
  });

  it('rejects a field type it does not know, naming the field', () => {
    const bad = { ...seriesFrame(), fields: [{ name: 'weird', type: 'blob', values: [] }] } as unknown as FrameJSON;
    expect(() => toDataFrame(bad, 'A')).toThrow("field 'weird' has unknown type 'blob'");
  });
});
