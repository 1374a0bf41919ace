import React from 'react';
import { RadioButtonGroup } from '@grafana/ui';
import { EditorField } from '@grafana/plugin-ui';
import { PERIODS, type Period } from '../types';

const LABELS: Record<Period, string> = { analysis: 'Analysis', reference: 'Reference', both: 'Both' };
const OPTIONS = PERIODS.map((p) => ({ label: LABELS[p], value: p }));

export function PeriodPicker({ value, onChange }: { value: Period; onChange: (p: Period) => void }) {
  return (
    <EditorField label="Period" tooltip="Chunks of the analysis data, the reference data, or both">
      <RadioButtonGroup aria-label="Period" options={OPTIONS} value={value} onChange={onChange} />
    </EditorField>
  );
}
