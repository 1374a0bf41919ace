import React from 'react';
import { RadioButtonGroup } from '@grafana/ui';
import { EditorField } from '@grafana/plugin-ui';
import { FORMATS, type QueryFormat } from '../types';

const LABELS: Record<QueryFormat, string> = { time_series: 'Time series', table: 'Table' };
const OPTIONS = FORMATS.map((f) => ({ label: LABELS[f], value: f }));

export function FormatPicker({ value, onChange }: { value: QueryFormat; onChange: (f: QueryFormat) => void }) {
  return (
    <EditorField label="Format" tooltip="One frame per series, or one table per query">
      <RadioButtonGroup aria-label="Format" options={OPTIONS} value={value} onChange={onChange} />
    </EditorField>
  );
}
