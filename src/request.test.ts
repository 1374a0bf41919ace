import { TestTemplateSrv } from '../test/plugin/support/templateSrv';
import { createInterpolator } from './interpolate';
import { buildQueryRequest } from './request';

const interpolator = createInterpolator(
  new TestTemplateSrv([
    { name: 'model', current: 'demo' },
    { name: 'column', current: ['car_value', 'salary_range'] },
    { name: 'metric', current: ['jensen_shannon', 'hellinger'] },
  ])
);

describe('buildQueryRequest', () => {
  it('builds the POST /api/query body with the time range and interpolated names', () => {
    const body = buildQueryRequest(
      [{ refId: 'A', model: '$model', family: 'univariate_drift', metrics: ['$metric'], columns: ['$column'], format: 'table' }],
      { from: 1000, to: 2000 },
      interpolator
    );
    expect(body).toEqual({
      from: 1000,
      to: 2000,
      queries: [
        {
          refId: 'A',
          model: 'demo',
          family: 'univariate_drift',
          metrics: ['jensen_shannon', 'hellinger'],
          columns: ['car_value', 'salary_range'],
          fields: ['value', 'upper_threshold', 'lower_threshold', 'alert'],
          period: 'analysis',
          format: 'table',
        },
      ],
    });
  });

  it('sends no columns for model-level families and uses the default model when a query names none', () => {
    const body = buildQueryRequest([{ refId: 'B', family: 'estimated_performance', metrics: ['roc_auc'] }], undefined, interpolator, 'fallback');
    expect(body.from).toBeUndefined();
    expect(body.queries).toEqual([expect.objectContaining({ refId: 'B', model: 'fallback', family: 'estimated_performance', columns: [] })]);
  });

  it('skips hidden queries and queries without a model', () => {
    const body = buildQueryRequest(
      [
        { refId: 'A', model: 'demo', hide: true },
        { refId: 'B', model: '' },
        { refId: 'C', model: 'demo' },
      ],
      { from: 0, to: 1 },
      interpolator
    );
    expect(body.queries.map((q) => q.refId)).toEqual(['C']);
  });

  it("passes the panel's maxDataPoints and intervalMs, and leaves out values the server would refuse", () => {
    const targets = [{ refId: 'A', model: 'demo' }];
    const body = buildQueryRequest(targets, { from: 0, to: 1 }, interpolator, '', { maxDataPoints: 800, intervalMs: 3_600_000 });
    expect(body).toMatchObject({ maxDataPoints: 800, intervalMs: 3_600_000 });
    const bad = buildQueryRequest(targets, { from: 0, to: 1 }, interpolator, '', { maxDataPoints: 0, intervalMs: NaN });
    expect('maxDataPoints' in bad || 'intervalMs' in bad).toBe(false);
  });
});
