import type { ModelSummary } from '../api';
import type { VigilDataSource } from '../datasource';
import { useAsync, type AsyncState } from './useAsync';

/** Registered models, for the model picker. */
export function useModels(datasource: VigilDataSource): AsyncState<ModelSummary[]> {
  return useAsync(`models:${datasource.uid}`, () => datasource.getModels());
}
