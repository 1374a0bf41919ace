import React from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { InlineFieldRow, Stack } from '@grafana/ui';
import type { VigilDataSource } from '../datasource';
import { changeFamily, withDefaults, type SeriesQuery, type VigilOptions, type VigilQuery } from '../types';
import { AlertRuleButton } from './AlertRuleButton';
import { ColumnPicker } from './ColumnPicker';
import { FamilyPicker } from './FamilyPicker';
import { FieldsPicker } from './FieldsPicker';
import { FormatPicker } from './FormatPicker';
import { MetricPicker } from './MetricPicker';
import { ModelPicker } from './ModelPicker';
import { PeriodPicker } from './PeriodPicker';

export type Props = QueryEditorProps<VigilDataSource, VigilQuery, VigilOptions>;

/** Model → family → metrics → columns, fields, period, format; every change runs the query. */
export function QueryEditor({ datasource, query, onChange, onRunQuery }: Props) {
  const q = withDefaults(query as SeriesQuery, datasource.defaultModel);
  const update = (next: SeriesQuery) => {
    onChange(next);
    onRunQuery();
  };
  return (
    <Stack direction="column" gap={0}>
      <InlineFieldRow>
        <ModelPicker
          datasource={datasource}
          value={q.model}
          onChange={(model) => update('columns' in q ? { ...q, model, columns: [] } : { ...q, model })}
        />
        <FamilyPicker datasource={datasource} value={q.family} onChange={(family) => family && update(changeFamily(q, family))} />
      </InlineFieldRow>
      <InlineFieldRow>
        <MetricPicker
          datasource={datasource}
          model={q.model}
          family={q.family}
          value={q.metrics}
          onChange={(metrics) => update({ ...q, metrics })}
        />
      </InlineFieldRow>
      {'columns' in q && (
        <InlineFieldRow>
          <ColumnPicker
            datasource={datasource}
            model={q.model}
            family={q.family}
            metrics={q.metrics}
            value={q.columns}
            onChange={(columns) => update({ ...q, columns })}
          />
        </InlineFieldRow>
      )}
      <InlineFieldRow>
        <FieldsPicker value={q.fields} onChange={(fields) => update({ ...q, fields })} />
      </InlineFieldRow>
      <InlineFieldRow>
        <PeriodPicker value={q.period} onChange={(period) => update({ ...q, period })} />
        <FormatPicker value={q.format} onChange={(format) => update({ ...q, format })} />
      </InlineFieldRow>
      <AlertRuleButton datasource={datasource} query={q} />
    </Stack>
  );
}
