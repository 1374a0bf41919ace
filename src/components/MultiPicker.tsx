import React from 'react';
import { MultiCombobox } from '@grafana/ui';
import { EditorField } from '@grafana/plugin-ui';
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
}

/**
 * A multi-select filled from the backend (metrics, columns): loading and error states in the field,
 * custom values allowed (template variables), empty selection meaning "all".
 */
export function MultiPicker({ label, id, placeholder, options, status, value, onChange }: Props) {
  return (
    <EditorField label={label} htmlFor={id} {...fieldStatus(status, label.toLowerCase())}>
      <MultiCombobox
        id={id}
        // an EditorField sizes to its content: grow with the selection, from a readable placeholder on
        width="auto"
        minWidth={24}
        maxWidth={60}
        placeholder={placeholder}
        options={options}
        value={value}
        loading={status.loading}
        createCustomValue
        isClearable
        onChange={(selected) => onChange(selected.map((o) => o.value))}
      />
    </EditorField>
  );
}
