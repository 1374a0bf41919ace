import { FAMILIES, PROMETHEUS_SUFFIXES } from '../backend/engine/catalog';
import { alertRuleUrl, buildAlertRule, buildPromQL, prometheusSeriesName } from './promql';
import { withDefaults, type SeriesQuery } from './types';

const query = (over: Partial<SeriesQuery>): SeriesQuery => withDefaults({ refId: 'A', model: 'demo', ...over } as SeriesQuery);

describe('buildPromQL', () => {
  it('names the series from the catalog, with model, column and method labels', () => {
    expect(buildPromQL(query({ family: 'univariate_drift', metrics: ['jensen_shannon'], columns: ['car_value'] } as never), 'alert')).toBe(
      'vigil_univariate_drift_alert{model="demo",column="car_value",method="jensen_shannon"}'
    );
  });

  it('uses the `metric` label for model-level families and no column label', () => {
    expect(buildPromQL(query({ family: 'estimated_performance', metrics: ['roc_auc'] }))).toBe(
      'vigil_estimated_performance{model="demo",metric="roc_auc"}'
    );
  });

  it('turns several values into an anchored alternation and none into no matcher', () => {
    expect(buildPromQL(query({ family: 'data_quality', metrics: ['missing_values', 'unseen_values'], columns: [] } as never))).toBe(
      'vigil_data_quality{model="demo",metric=~"missing_values|unseen_values"}'
    );
    expect(buildPromQL(query({ family: 'outliers', metrics: [] }))).toBe('vigil_outlier_rate{model="demo"}');
  });

  it('escapes regex metacharacters in alternations and quotes in strings', () => {
    expect(buildPromQL(query({ family: 'summary_stats', metrics: ['avg'], columns: ['a.b', 'c(d)'] } as never))).toBe(
      'vigil_statistic{model="demo",column=~"a\\\\.b|c\\\\(d\\\\)",metric="avg"}'
    );
    expect(buildPromQL(query({ model: 'say "hi"', family: 'outliers' }))).toBe('vigil_outlier_rate{model="say \\"hi\\""}');
  });

  it('one unit per name: the row count is vigil_rows, beside the column statistics of vigil_statistic', () => {
    expect(buildPromQL(query({ family: 'summary_stats', metrics: ['rows_count'], columns: [] } as never), 'alert')).toBe(
      'vigil_rows_alert{model="demo",metric="rows_count"}'
    );
    expect(buildPromQL(query({ family: 'summary_stats', metrics: ['rows_count', 'avg', 'std'], columns: [] } as never))).toBe(
      'vigil_statistic{model="demo",metric=~"avg|std"} or vigil_rows{model="demo",metric="rows_count"}'
    );
    expect(buildPromQL(query({ family: 'summary_stats', metrics: [], columns: [] } as never))).toBe('vigil_statistic{model="demo"} or vigil_rows{model="demo"}');
  });

  it('has a name for every family and result field, all valid Prometheus metric names', () => {
    for (const f of FAMILIES) {
      for (const field of Object.keys(PROMETHEUS_SUFFIXES) as Array<keyof typeof PROMETHEUS_SUFFIXES>) {
        expect(prometheusSeriesName(f.id, field)).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
      }
    }
  });

  it('refuses a query without a model', () => {
    expect(() => buildPromQL(query({ model: '' }))).toThrow('the query names no model');
  });
});

describe('buildAlertRule', () => {
  it('pre-fills a Grafana rule: the _alert series on the Prometheus data source, last value, > 0', () => {
    const q = query({ family: 'univariate_drift', metrics: ['jensen_shannon'], columns: ['car_value'] } as never);
    const rule = buildAlertRule(q, 'vigil-prometheus');
    expect(rule.type).toBe('grafana-alerting');
    expect(rule.condition).toBe('C');
    expect(rule.queries.map((x) => [x.refId, x.datasourceUid])).toEqual([
      ['A', 'vigil-prometheus'],
      ['B', '__expr__'],
      ['C', '__expr__'],
    ]);
    expect(rule.queries[0].model).toMatchObject({
      expr: 'max without (partial) (vigil_univariate_drift_alert{model="demo",column="car_value",method="jensen_shannon"})',
      instant: true,
      datasource: { type: 'prometheus', uid: 'vigil-prometheus' },
    });
    expect(rule.queries[1].model).toMatchObject({ type: 'reduce', expression: 'A', reducer: 'last' });
    expect(rule.queries[2].model).toMatchObject({ type: 'threshold', expression: 'B', conditions: [{ evaluator: { type: 'gt', params: [0] } }] });
    expect(rule.name).toBe('demo: Univariate drift (jensen_shannon) on car_value');
  });

  it('links to Grafana’s new-rule page with the rule as `defaults`', () => {
    const rule = buildAlertRule(query({ family: 'outliers' }), 'p');
    const url = new URL(alertRuleUrl(rule), 'http://grafana.local');
    expect(url.pathname).toBe('/alerting/new');
    expect(JSON.parse(url.searchParams.get('defaults')!)).toEqual(rule);
  });
});
