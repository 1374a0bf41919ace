import { FAMILIES } from '../backend/engine/catalog';
import { changeFamily, COLUMN_FAMILIES, DEFAULT_FIELDS, isColumnFamily, withDefaults, type ColumnFamily, type ColumnSeriesQuery } from './types';

describe('query model', () => {
  it('treats exactly the catalog’s per-column families as column families', () => {
    // the type ColumnFamily spells three ids; this ties it to the catalog's `perColumn`
    const typed: ColumnFamily[] = ['data_quality', 'univariate_drift', 'summary_stats'];
    expect([...COLUMN_FAMILIES].sort()).toEqual(typed.sort());
    for (const f of FAMILIES) {
      expect(isColumnFamily(f.id)).toBe(f.perColumn);
    }
  });

  it('fills a new panel’s empty query with the defaults and the default model', () => {
    const q = withDefaults({ refId: 'A' }, 'demo');
    expect(q).toEqual({
      refId: 'A',
      queryType: 'series',
      model: 'demo',
      family: 'univariate_drift',
      metrics: [],
      columns: [],
      fields: [...DEFAULT_FIELDS],
      period: 'analysis',
      format: 'time_series',
    });
  });

  it('keeps what a stored query says and drops columns from a model-level family', () => {
    const stored = { refId: 'B', model: 'm', family: 'estimated_performance', metrics: ['roc_auc'], columns: ['x'], period: 'both' } as never;
    const q = withDefaults(stored);
    expect(q.family).toBe('estimated_performance');
    expect('columns' in q).toBe(false);
    expect(q.metrics).toEqual(['roc_auc']);
    expect(q.period).toBe('both');
  });

  it('resets metrics and columns when the family changes, keeping the rest', () => {
    const q: ColumnSeriesQuery = { ...withDefaults({ refId: 'A' }, 'demo'), family: 'univariate_drift', metrics: ['hellinger'], columns: ['a'], format: 'table' } as ColumnSeriesQuery;
    const perModel = changeFamily(q, 'outliers');
    expect(perModel).toMatchObject({ family: 'outliers', metrics: [], model: 'demo', format: 'table' });
    expect('columns' in perModel).toBe(false);
    const perColumn = changeFamily(perModel, 'data_quality');
    expect(perColumn).toMatchObject({ family: 'data_quality', metrics: [], columns: [] });
  });
});
