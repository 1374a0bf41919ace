import React from 'react';
import { InlineField, MultiCombobox } from '@grafana/ui';
import { fieldStatus, PickerStatus } from './pickerState';

interface Props {
  /** Field label, also used in the load-error message (lower-cased). */
  label: string;
  id: string;
  placeholder: string;
  options: Array<{ label: string; value: string; description?: string }>;
  status: PickerStatus;
  value: string[];
  onChange: (values: string[]) => void;
  labelWidth: number;
}

/**
 * A multi-select filled from the backend (metrics, columns): loading and error states in the field,
 * custom values allowed (template variables), empty selection meaning "all".
 */
export function MultiPicker({ label, id, placeholder, options, status, value, onChange, labelWidth }: Props) {
  return (
    <InlineField label={label} labelWidth={labelWidth} htmlFor={id} grow {...fieldStatus(status, label.toLowerCase())}>
      <MultiCombobox
        id={id}
        placeholder={placeholder}
        options={options}
        value={value}
        loading={status.loading}
        createCustomValue
        isClearable
        onChange={(selected) => onChange(selected.map((o) => o.value))}
      />
    </InlineField>
  );
}
