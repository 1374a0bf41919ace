import React from 'react';
import { MultiCombobox } from '@grafana/ui';
import { EditorField } from '@grafana/plugin-ui';
import { RESULT_FIELDS, type ResultField } from '../../backend/engine/catalog';
import { RESULT_FIELD_LABELS } from '../frames';

interface Props {
  value: ResultField[];
  onChange: (fields: ResultField[]) => void;
}

const OPTIONS = RESULT_FIELDS.map((f) => ({ label: RESULT_FIELD_LABELS[f], value: f as string }));

/** Which result fields come back: value, thresholds, confidence band, alert, realized, ... */
export function FieldsPicker({ value, onChange }: Props) {
  return (
    <EditorField label="Fields" htmlFor="vigil-fields">
      <MultiCombobox
        id="vigil-fields"
        width="auto"
        minWidth={24}
        maxWidth={60}
        placeholder="value, thresholds, alert"
        options={OPTIONS}
        value={value}
        onChange={(selected) => onChange(selected.map((o) => o.value as ResultField))}
      />
    </EditorField>
  );
}
