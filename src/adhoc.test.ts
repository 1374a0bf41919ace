import type { AdHocVariableFilter } from '@grafana/data';
import type { ApiQuery, SeriesInfo } from './api';
import { applyAdHocFilters, passes } from './adhoc';

const f = (key: string, operator: string, value: string, values?: string[]): AdHocVariableFilter => ({ key, operator, value, values }) as AdHocVariableFilter;

describe('passes', () => {
  it('has PromQL matcher semantics: exact, negated, anchored regexes', () => {
    expect(passes(f('column', '=', 'age'), 'age')).toBe(true);
    expect(passes(f('column', '=', 'age'), 'wage')).toBe(false);
    expect(passes(f('column', '!=', 'age'), 'wage')).toBe(true);
    expect(passes(f('column', '=~', 'ag'), 'age')).toBe(false); // anchored, as in PromQL
    expect(passes(f('column', '=~', 'a.e|income'), 'income')).toBe(true);
    expect(passes(f('column', '!~', 'a.*'), 'age')).toBe(false);
    expect(passes(f('column', '!~', 'a.*'), '')).toBe(true); // a model-level series has no column
  });

  it("takes Grafana's multi-value operators from `values`", () => {
    expect(passes(f('metric', '=|', '', ['psi', 'hellinger']), 'psi')).toBe(true);
    expect(passes(f('metric', '=|', '', ['psi', 'hellinger']), 'kl')).toBe(false);
    expect(passes(f('metric', '!=|', '', ['psi', 'hellinger']), 'kl')).toBe(true);
  });

  it('names an operator it does not know', () => {
    expect(() => passes(f('column', '<', '3'), 'x')).toThrow("ad-hoc filter on 'column': operator '<' is not supported");
  });
});

describe('applyAdHocFilters', () => {
  const query = (over: Partial<ApiQuery>): ApiQuery =>
    ({ refId: 'A', model: 'm', family: 'univariate_drift', metrics: [], columns: [], fields: ['value'], period: 'analysis', format: 'time_series', ...over }) as ApiQuery;
  const series: SeriesInfo[] = ['age', 'income'].flatMap((column) =>
    ['psi', 'hellinger'].map((metric) => ({ family: 'univariate_drift', calculator_id: '1', calculator: 'c', metric, column }) as SeriesInfo)
  );

  it('leaves queries alone without Vigil filters and asks the server nothing', async () => {
    const lookup = jest.fn();
    const queries = [query({})];
    expect(await applyAdHocFilters(queries, [f('job', '=', 'x')], lookup)).toBe(queries);
    expect(lookup).not.toHaveBeenCalled();
  });

  it('narrows listed values without asking the server, and "all" from the series it has', async () => {
    const lookup = jest.fn(async () => series);
    expect(await applyAdHocFilters([query({ columns: ['age', 'income'] })], [f('column', '!=', 'age')], lookup)).toEqual([query({ columns: ['income'] })]);
    expect(lookup).not.toHaveBeenCalled();
    expect(await applyAdHocFilters([query({})], [f('metric', '=~', 'h.*')], lookup)).toEqual([query({ metrics: ['hellinger'] })]);
    expect(lookup).toHaveBeenCalledWith('m', 'univariate_drift');
  });

  it('drops a query nothing passes instead of sending an empty list (which would mean all)', async () => {
    expect(await applyAdHocFilters([query({})], [f('column', '=', 'height')], async () => series)).toEqual([]);
    expect(await applyAdHocFilters([query({ model: 'other' })], [f('model', '=', 'm')], async () => series)).toEqual([]);
  });

  it('on a model-level family, a column filter passes only if it accepts "no column"', async () => {
    const outliers = query({ family: 'outliers' as never });
    const modelSeries = [{ family: 'outliers', calculator_id: '2', calculator: 'c', metric: 'outlier_rate', column: null }] as SeriesInfo[];
    expect(await applyAdHocFilters([outliers], [f('column', '!=', 'age')], async () => modelSeries)).toEqual([outliers]);
    expect(await applyAdHocFilters([outliers], [f('column', '=', 'age')], async () => modelSeries)).toEqual([]);
  });
});
