import type { VigilDataSource } from '../datasource';
import { useAsync, type AsyncState } from './useAsync';

/** Segments of a model registered with segment_by (none for other models; `model` may be a variable). */
export function useSegments(datasource: VigilDataSource, model: string): AsyncState<string[]> {
  const resolved = model ? datasource.interpolator().text(model) : '';
  return useAsync(resolved ? `segments:${resolved}` : undefined, async () => (await datasource.getModel(resolved)).segments ?? []);
}
