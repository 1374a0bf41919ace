import type { CatalogResponse } from '../api';
import type { VigilDataSource } from '../datasource';
import { useAsync, type AsyncState } from './useAsync';

/** The server's catalog (families, metrics, fields), fetched once per data source. */
export function useCatalog(datasource: VigilDataSource): AsyncState<CatalogResponse> {
  return useAsync(`catalog:${datasource.uid}`, () => datasource.getCatalog());
}
