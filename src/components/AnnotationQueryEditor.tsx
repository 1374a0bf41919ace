import React from 'react';
import type { AnnotationQuery, QueryEditorProps } from '@grafana/data';
import { EditorRow } from '@grafana/plugin-ui';
import type { VigilDataSource } from '../datasource';
import type { AlertsQuery, VigilQuery } from '../types';
import { FamilyPicker } from './FamilyPicker';
import { ModelPicker } from './ModelPicker';

type Props = QueryEditorProps<VigilDataSource, VigilQuery> & {
  annotation?: AnnotationQuery<VigilQuery>;
  onAnnotationChange?: (annotation: AnnotationQuery<VigilQuery>) => void;
};

/** Alert periods of a model as annotations: the model and, optionally, one family. */
export function AnnotationQueryEditor({ datasource, query, onChange, annotation, onAnnotationChange }: Props) {
  const q: AlertsQuery = { ...(query as AlertsQuery), queryType: 'alerts', model: (query as AlertsQuery)?.model ?? datasource.defaultModel };
  const update = (next: AlertsQuery) => {
    onChange(next);
    if (annotation && onAnnotationChange) {
      onAnnotationChange({ ...annotation, target: next });
    }
  };
  return (
    <EditorRow>
      <ModelPicker datasource={datasource} value={q.model} onChange={(model) => update({ ...q, model })} />
      <FamilyPicker datasource={datasource} value={q.family} allowAll onChange={(family) => update({ ...q, family })} />
    </EditorRow>
  );
}
