import { FAMILIES, METRICS, prometheusNamesOf, PROMETHEUS_SUFFIXES, RESULT_FIELDS } from '../../engine/catalog';
import { calculatorNames } from '../../engine/registry';
import { parseSeriesName, ResultRowLike, rowLabels, seriesMetadata, seriesName, seriesOfRows } from './series';

const DAY = 86_400_000;

function row(over: Partial<ResultRowLike>): ResultRowLike {
  return {
    calculator: 'UnivariateDriftCalculator',
    id: 'UnivariateDriftCalculator',
    column: 'car_value',
    metric: 'jensen_shannon',
    period: 'analysis',
    chunk: { start_date: 0, end_date: DAY - 1 },
    value: 0.1,
    upper_threshold: 0.2,
    lower_threshold: null,
    alert: false,
    upper_confidence_boundary: null,
    lower_confidence_boundary: null,
    sampling_error: null,
    realized: null,
    ...over,
  };
}

describe('series naming', () => {
  it('names value and companion series from the catalog', () => {
    const drift = FAMILIES.find((f) => f.id === 'univariate_drift')!;
    expect(seriesName(drift, 'value')).toBe('vigil_univariate_drift');
    expect(seriesName(drift, 'upper_threshold')).toBe('vigil_univariate_drift_upper_threshold');
    expect(seriesName(drift, 'alert')).toBe('vigil_univariate_drift_alert');
    expect(seriesName(drift, 'upper_confidence_boundary')).toBe('vigil_univariate_drift_upper_confidence_bound');
    expect(parseSeriesName('vigil_outlier_rate_alert')).toMatchObject({ family: { id: 'outliers' }, field: 'alert' });
    expect(parseSeriesName('vigil_estimated_performance_lower_threshold')).toMatchObject({ family: { id: 'estimated_performance' }, field: 'lower_threshold' });
    expect(parseSeriesName('not_vigil')).toBeNull();
  });

  it('gives every registered calculator a family, and every name valid Prometheus syntax and HELP', () => {
    for (const name of calculatorNames()) expect(FAMILIES.some((f) => f.calculators.includes(name))).toBe(true);
    for (const f of FAMILIES) {
      for (const field of RESULT_FIELDS) {
        const name = f.prometheusName + PROMETHEUS_SUFFIXES[field];
        expect(name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
        expect(seriesMetadata(name)?.help).toContain(f.label);
      }
    }
    // No name is both a value series and another family's companion (names stay unambiguous).
    const names = FAMILIES.flatMap((f) => prometheusNamesOf(f).flatMap((base) => RESULT_FIELDS.map((field) => base + PROMETHEUS_SUFFIXES[field])));
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(seriesMetadata(name)).toBeDefined();
  });

  it('one unit per name: column statistics (in the column\'s units) under vigil_statistic, the row count (a count) under vigil_rows', () => {
    const stats = [
      row({ calculator: 'SummaryStatsAvgCalculator', id: 'SummaryStatsAvgCalculator', column: 'price', metric: 'avg', value: 12.5, upper_threshold: null, alert: null }),
      row({ calculator: 'SummaryStatsStdCalculator', id: 'SummaryStatsStdCalculator', column: 'price', metric: 'std', value: 2, upper_threshold: null, alert: null }),
      row({ calculator: 'SummaryStatsRowCountCalculator', id: 'SummaryStatsRowCountCalculator', column: null, metric: 'rows_count', value: 5000, alert: true }),
    ];
    const byName = new Map<string, string[]>();
    for (const s of seriesOfRows('m', stats, DAY)) {
      const name = s.labels.__name__;
      byName.set(name, [...(byName.get(name) ?? []), s.labels.metric]);
    }
    expect(Object.fromEntries(byName)).toEqual({
      vigil_statistic: ['avg', 'std'],
      vigil_rows: ['rows_count'],
      vigil_rows_upper_threshold: ['rows_count'],
      vigil_rows_alert: ['rows_count'],
    });
    expect(parseSeriesName('vigil_rows_alert')).toMatchObject({ family: { id: 'summary_stats' }, field: 'alert' });
    expect(seriesMetadata('vigil_rows')?.help).toContain('row count: Rows in the chunk');
    expect(seriesMetadata('vigil_rows')?.help).not.toContain('column,');
    expect(METRICS.filter((m) => m.prometheusName).map((m) => [m.family, m.id, m.prometheusName])).toEqual([['summary_stats', 'rows_count', 'vigil_rows']]);
  });

  it('labels a row with model, column when per column, the metric label, and calculator_id only when custom', () => {
    expect(rowLabels('demo', row({}))).toEqual({ model: 'demo', column: 'car_value', method: 'jensen_shannon' });
    expect(rowLabels('demo', row({ calculator: 'CBPE', id: 'cbpe_auc', column: null, metric: 'roc_auc' }))).toEqual({
      model: 'demo',
      metric: 'roc_auc',
      calculator_id: 'cbpe_auc',
    });
    expect(rowLabels('demo', row({ calculator: 'NoSuchCalculator' }))).toBeNull();
  });
});

describe('seriesOfRows', () => {
  it('makes one sample per analysis chunk and field at the chunk start, skipping nulls and reference rows', () => {
    const rows = [
      row({ period: 'reference', chunk: { start_date: -DAY, end_date: -1 } }),
      row({ chunk: { start_date: '1970-01-02T00:00:00.000Z', end_date: '1970-01-02T23:59:59.999Z' }, value: 0.3, alert: true }),
      row({}),
      row({ chunk: { start_date: null, end_date: null } }),
    ];
    const series = seriesOfRows('demo', rows, 7 * DAY);
    const byName = Object.fromEntries(series.map((s) => [s.labels.__name__, s]));
    expect(Object.keys(byName).sort()).toEqual(['vigil_univariate_drift', 'vigil_univariate_drift_alert', 'vigil_univariate_drift_upper_threshold']);
    expect(Array.from(byName.vigil_univariate_drift.timestamps)).toEqual([0, DAY]);
    expect(Array.from(byName.vigil_univariate_drift.values)).toEqual([0.1, 0.3]);
    expect(Array.from(byName.vigil_univariate_drift_alert.values)).toEqual([0, 1]);
    expect(byName.vigil_univariate_drift.currentUntil).toBe(2 * DAY - 1 + 7 * DAY);
  });
});
