import React from 'react';
import { Combobox } from '@grafana/ui';
import { EditorField } from '@grafana/plugin-ui';
import type { VigilDataSource } from '../datasource';
import { useSegments } from '../hooks/useSegments';
import { fieldStatus, withVariables } from './pickerState';

interface Props {
  datasource: VigilDataSource;
  model: string;
  value: string;
  onChange: (segment: string) => void;
}

/**
 * A segmented model's segments (docs/segments.md; from `GET /api/models/{name}`) plus the dashboard's
 * variables; cleared, the query reads the whole data. Shown only for a model that has segments, or when
 * the query already names one.
 */
export function SegmentPicker({ datasource, model, value, onChange }: Props) {
  const segments = useSegments(datasource, model);
  if (!value && (segments.value ?? []).length === 0) {
    return null;
  }
  const options = withVariables(
    (segments.value ?? []).map((s) => ({ label: s, value: s })),
    datasource.variableOptions()
  );
  return (
    <EditorField label="Segment" htmlFor="vigil-segment" {...fieldStatus(segments, 'segments')}>
      <Combobox
        id="vigil-segment"
        width={20}
        placeholder="Whole data"
        options={options}
        value={value || null}
        loading={segments.loading}
        isClearable
        createCustomValue
        onChange={(option) => onChange(option?.value ?? '')}
      />
    </EditorField>
  );
}
