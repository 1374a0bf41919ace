import React from 'react';
import { InlineField, RadioButtonGroup } from '@grafana/ui';
import { PERIODS, type Period } from '../types';

const LABELS: Record<Period, string> = { analysis: 'Analysis', reference: 'Reference', both: 'Both' };
const OPTIONS = PERIODS.map((p) => ({ label: LABELS[p], value: p }));

export function PeriodPicker({ value, onChange, labelWidth = 12 }: { value: Period; onChange: (p: Period) => void; labelWidth?: number }) {
  return (
    <InlineField label="Period" labelWidth={labelWidth} tooltip="Chunks of the analysis data, the reference data, or both">
      <RadioButtonGroup aria-label="Period" options={OPTIONS} value={value} onChange={onChange} />
    </InlineField>
  );
}
