import React from 'react';
import type { FamilyId } from '../../backend/engine/catalog';
import type { CatalogResponse, SeriesInfo } from '../api';
import type { VigilDataSource } from '../datasource';
import { useCatalog } from '../hooks/useCatalog';
import { useSeries } from '../hooks/useSeries';
import { MultiPicker } from './MultiPicker';
import { withVariables } from './pickerState';

interface Props {
  datasource: VigilDataSource;
  model: string;
  family: FamilyId;
  value: string[];
  onChange: (metrics: string[]) => void;
}

/**
 * The metrics a model has results for in this family (`GET /api/models/{name}/series`), labelled from
 * the catalog; before any results exist, the catalog's metrics of the family.
 */
export function metricOptions(catalog: CatalogResponse | undefined, series: SeriesInfo[] | undefined, family: FamilyId) {
  const defs = (catalog?.metrics ?? []).filter((m) => m.family === family);
  const ids = series && series.length > 0 ? [...new Set(series.map((s) => s.metric))] : defs.map((m) => m.id);
  return ids.map((id) => {
    const def = defs.find((m) => m.id === id);
    return { label: def?.label ?? id, value: id, description: def?.description };
  });
}

export function MetricPicker({ datasource, model, family, value, onChange }: Props) {
  const catalog = useCatalog(datasource);
  const series = useSeries(datasource, model, family);
  const status = { loading: catalog.loading || series.loading, error: catalog.error ?? series.error };
  const options = withVariables(metricOptions(catalog.value, series.value, family), datasource.variableOptions());
  return (
    <MultiPicker
      label="Metrics"
      id="vigil-metrics"
      placeholder="All metrics"
      options={options}
      status={status}
      value={value}
      onChange={onChange}
    />
  );
}
