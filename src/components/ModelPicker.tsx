import React from 'react';
import { Combobox } from '@grafana/ui';
import { EditorField } from '@grafana/plugin-ui';
import type { VigilDataSource } from '../datasource';
import { useModels } from '../hooks/useModels';
import { fieldStatus, withVariables } from './pickerState';

interface Props {
  datasource: VigilDataSource;
  value: string;
  onChange: (model: string) => void;
}

/** Registered models (from `GET /api/models`) plus the dashboard's variables. */
export function ModelPicker({ datasource, value, onChange }: Props) {
  const models = useModels(datasource);
  const options = withVariables(
    (models.value ?? []).map((m) => ({
      label: m.name,
      value: m.name,
      description: `${m.problem_type}, ${m.analysis_rows} analysis rows`,
    })),
    datasource.variableOptions()
  );
  return (
    <EditorField label="Model" htmlFor="vigil-model" {...fieldStatus(models, 'models')}>
      <Combobox
        id="vigil-model"
        width={28}
        placeholder="Choose a model"
        options={options}
        value={value || null}
        loading={models.loading}
        createCustomValue
        onChange={(option) => onChange(option?.value ?? '')}
      />
    </EditorField>
  );
}
