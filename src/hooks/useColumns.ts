import type { ModelColumn } from '../api';
import type { VigilDataSource } from '../datasource';
import { useAsync, type AsyncState } from './useAsync';

/** Columns of a model (`model` may be a template variable; empty = none to load). */
export function useColumns(datasource: VigilDataSource, model: string): AsyncState<ModelColumn[]> {
  const resolved = model ? datasource.interpolator().text(model) : '';
  return useAsync(resolved ? `columns:${resolved}` : undefined, async () => (await datasource.getModel(resolved)).columns);
}
