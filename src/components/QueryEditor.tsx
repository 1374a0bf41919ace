import React, { useEffect } from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { EditorRow, EditorRows } from '@grafana/plugin-ui';
import type { VigilDataSource } from '../datasource';
import { needsMigration, type StoredQuery } from '../migrations';
import { changeFamily, type SeriesQuery, type VigilOptions, type VigilQuery } from '../types';
import { AlertRuleButton } from './AlertRuleButton';
import { ColumnPicker } from './ColumnPicker';
import { FamilyPicker } from './FamilyPicker';
import { FieldsPicker } from './FieldsPicker';
import { FormatPicker } from './FormatPicker';
import { MetricPicker } from './MetricPicker';
import { ModelPicker } from './ModelPicker';
import { PeriodPicker } from './PeriodPicker';
import { SegmentPicker } from './SegmentPicker';

export type Props = QueryEditorProps<VigilDataSource, VigilQuery, VigilOptions>;

/**
 * Model → family → metrics → columns, fields, period and format, in Grafana's query-editor rows
 * (@grafana/plugin-ui EditorRows/EditorRow/EditorField, as Grafana's own data sources lay them out);
 * every change runs the query. A query saved by an older plugin is migrated once when the editor opens.
 */
export function QueryEditor({ datasource, query, onChange, onRunQuery }: Props) {
  const q = datasource.migrate(query) as SeriesQuery;
  const stale = needsMigration(query as StoredQuery);
  useEffect(() => {
    // as @grafana/runtime's QueryEditorWithMigration does for backend plugins: store the migrated query
    if (stale) {
      onChange(q);
    }
  }, [stale]);
  const update = (next: SeriesQuery) => {
    onChange(next);
    onRunQuery();
  };
  return (
    <EditorRows>
      <EditorRow>
        <ModelPicker
          datasource={datasource}
          value={q.model}
          onChange={(model) => update('columns' in q ? { ...q, model, columns: [], segment: '' } : { ...q, model, segment: '' })}
        />
        <SegmentPicker datasource={datasource} model={q.model} value={q.segment ?? ''} onChange={(segment) => update({ ...q, segment })} />
        <FamilyPicker datasource={datasource} value={q.family} onChange={(family) => family && update(changeFamily(q, family))} />
      </EditorRow>
      <EditorRow>
        <MetricPicker datasource={datasource} model={q.model} family={q.family} value={q.metrics} onChange={(metrics) => update({ ...q, metrics })} />
        {'columns' in q && (
          <ColumnPicker
            datasource={datasource}
            model={q.model}
            family={q.family}
            metrics={q.metrics}
            value={q.columns}
            onChange={(columns) => update({ ...q, columns })}
          />
        )}
      </EditorRow>
      <EditorRow>
        <FieldsPicker value={q.fields} onChange={(fields) => update({ ...q, fields })} />
        <PeriodPicker value={q.period} onChange={(period) => update({ ...q, period })} />
        <FormatPicker value={q.format} onChange={(format) => update({ ...q, format })} />
      </EditorRow>
      <EditorRow>
        <AlertRuleButton datasource={datasource} query={q} />
      </EditorRow>
    </EditorRows>
  );
}
