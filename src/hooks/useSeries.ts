import type { FamilyId } from '../../backend/engine/catalog';
import type { SeriesInfo } from '../api';
import type { VigilDataSource } from '../datasource';
import { useAsync, type AsyncState } from './useAsync';

/** The series a model has stored for a family: which metrics and columns exist. */
export function useSeries(datasource: VigilDataSource, model: string, family: FamilyId): AsyncState<SeriesInfo[]> {
  const resolved = model ? datasource.interpolator().text(model) : '';
  return useAsync(resolved ? `series:${resolved}:${family}` : undefined, () => datasource.getSeries(resolved, family));
}
