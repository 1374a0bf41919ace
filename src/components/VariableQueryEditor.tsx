import React from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { RadioButtonGroup } from '@grafana/ui';
import { EditorField, EditorRow } from '@grafana/plugin-ui';
import type { VigilDataSource } from '../datasource';
import { DEFAULT_FAMILY, type VariableKind, type VariableQuery, type VigilOptions, type VigilQuery } from '../types';
import { FamilyPicker } from './FamilyPicker';
import { ModelPicker } from './ModelPicker';

type Props = QueryEditorProps<VigilDataSource, VigilQuery, VigilOptions, VariableQuery>;

const KINDS: Array<{ label: string; value: VariableKind }> = [
  { label: 'Models', value: 'models' },
  { label: 'Columns of a model', value: 'columns' },
  { label: 'Metrics of a family', value: 'metrics' },
];

export function VariableQueryEditor({ datasource, query, onChange }: Props) {
  const given = query as Partial<VariableQuery> | undefined;
  const q: VariableQuery = given?.kind ? (given as VariableQuery) : { refId: given?.refId ?? 'VigilVariable', kind: 'models' };
  const update = (next: VariableQuery) => onChange(next);
  const model = q.kind === 'models' ? '' : (q.model ?? '');
  const setKind = (kind: VariableKind) => {
    const refId = q.refId;
    if (kind === 'models') {
      update({ refId, kind });
    } else if (kind === 'columns') {
      update({ refId, kind, model: model || datasource.defaultModel });
    } else {
      update({ refId, kind, family: q.kind === 'metrics' ? q.family : DEFAULT_FAMILY, model: model || undefined });
    }
  };
  return (
    <>
      <EditorRow>
        <EditorField label="Values">
          <RadioButtonGroup aria-label="Variable values" options={KINDS} value={q.kind} onChange={setKind} />
        </EditorField>
      </EditorRow>
      {q.kind !== 'models' && (
        <EditorRow>
          <ModelPicker datasource={datasource} value={model} onChange={(m) => update(q.kind === 'columns' ? { ...q, model: m } : { ...q, model: m || undefined })} />
          {q.kind === 'metrics' && (
            <FamilyPicker datasource={datasource} value={q.family} onChange={(family) => family && update({ ...q, family })} />
          )}
        </EditorRow>
      )}
    </>
  );
}
