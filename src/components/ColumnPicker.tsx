import React from 'react';
import type { FamilyId } from '../../backend/engine/catalog';
import type { ModelColumn, SeriesInfo } from '../api';
import type { VigilDataSource } from '../datasource';
import { useColumns } from '../hooks/useColumns';
import { useSeries } from '../hooks/useSeries';
import { MultiPicker } from './MultiPicker';
import { withVariables } from './pickerState';

interface Props {
  datasource: VigilDataSource;
  model: string;
  family: FamilyId;
  /** Selected metrics: only columns that have one of them are offered (all when empty). */
  metrics: string[];
  value: string[];
  onChange: (columns: string[]) => void;
}

/**
 * Columns with results for the chosen metrics; before any results exist, the model's feature columns.
 * The column kind (continuous / categorical) is the description.
 */
export function columnOptions(columns: ModelColumn[] | undefined, series: SeriesInfo[] | undefined, metrics: string[]) {
  const kind = new Map((columns ?? []).map((c) => [c.name, c.kind]));
  const withResults = (series ?? []).filter((s) => s.column !== null && (metrics.length === 0 || metrics.includes(s.metric)));
  const names =
    withResults.length > 0
      ? [...new Set(withResults.map((s) => s.column as string))]
      : (columns ?? []).filter((c) => c.role === 'feature').map((c) => c.name);
  return names.map((name) => ({ label: name, value: name, description: kind.get(name) }));
}

export function ColumnPicker({ datasource, model, family, metrics, value, onChange }: Props) {
  const columns = useColumns(datasource, model);
  const series = useSeries(datasource, model, family);
  const status = { loading: columns.loading || series.loading, error: columns.error ?? series.error };
  const options = withVariables(columnOptions(columns.value, series.value, metrics), datasource.variableOptions());
  return (
    <MultiPicker
      label="Columns"
      id="vigil-columns"
      placeholder="All columns"
      options={options}
      status={status}
      value={value}
      onChange={onChange}
    />
  );
}
