import React from 'react';
import { InlineField, RadioButtonGroup } from '@grafana/ui';
import { FORMATS, type QueryFormat } from '../types';

const LABELS: Record<QueryFormat, string> = { time_series: 'Time series', table: 'Table' };
const OPTIONS = FORMATS.map((f) => ({ label: LABELS[f], value: f }));

export function FormatPicker({ value, onChange, labelWidth = 12 }: { value: QueryFormat; onChange: (f: QueryFormat) => void; labelWidth?: number }) {
  return (
    <InlineField label="Format" labelWidth={labelWidth} tooltip="One frame per series, or one table per query">
      <RadioButtonGroup aria-label="Format" options={OPTIONS} value={value} onChange={onChange} />
    </InlineField>
  );
}
