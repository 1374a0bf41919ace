import React from 'react';
import { Combobox } from '@grafana/ui';
import { EditorField } from '@grafana/plugin-ui';
import type { FamilyId } from '../../backend/engine/catalog';
import type { VigilDataSource } from '../datasource';
import { useCatalog } from '../hooks/useCatalog';
import { fieldStatus } from './pickerState';

/** Value of the "every family" option where a picker allows it (annotations). */
export const ALL_FAMILIES = '';

interface Props {
  datasource: VigilDataSource;
  value: FamilyId | undefined;
  onChange: (family: FamilyId | undefined) => void;
  /** Offer "All families" (value undefined). */
  allowAll?: boolean;
}

/** Metric families from the server's catalog. */
export function FamilyPicker({ datasource, value, onChange, allowAll = false }: Props) {
  const catalog = useCatalog(datasource);
  const families = (catalog.value?.families ?? []).map((f) => ({ label: f.label, value: f.id as string, description: f.description }));
  const options = allowAll ? [{ label: 'All families', value: ALL_FAMILIES }, ...families] : families;
  return (
    <EditorField label="Family" htmlFor="vigil-family" {...fieldStatus(catalog, 'the catalog')}>
      <Combobox
        id="vigil-family"
        width={28}
        placeholder="Choose a family"
        options={options}
        value={value ?? (allowAll ? ALL_FAMILIES : null)}
        loading={catalog.loading}
        onChange={(option) => onChange(option.value === ALL_FAMILIES ? undefined : (option.value as FamilyId))}
      />
    </EditorField>
  );
}
