import { ConfigError, Period, ResultRow } from '../calculator';
import { computeRankings, parseRankings } from './config';
import { pearsonr } from './pearson';
import { rankByAlertCount, rankByCorrelation } from './rankers';

function row(id: string, column: string | null, metric: string, period: Period, index: number, value: number | null, alert: boolean | null = false): ResultRow {
  return {
    calculator: id === 'perf' ? 'PerformanceCalculator' : 'UnivariateDriftCalculator',
    id,
    column,
    metric,
    period,
    chunk: { key: `[${index * 10}:${index * 10 + 9}]`, index, start_index: index * 10, end_index: index * 10 + 9, start_date: null, end_date: null },
    value,
    upper_threshold: null,
    lower_threshold: null,
    alert,
    sampling_error: null,
    upper_confidence_boundary: null,
    lower_confidence_boundary: null,
    realized: null,
    targets_missing_rate: null,
  };
}

/** A drift series for one column: values per analysis chunk, alerts where listed. */
function series(column: string, metric: string, values: (number | null)[], alertsAt: number[] = [], period: Period = 'analysis') {
  return values.map((v, i) => row('drift', column, metric, period, i, v, alertsAt.includes(i)));
}

describe('AlertCountRanker', () => {
  const rows = [
    ...series('b', 'jensen_shannon', [1, 2, 3, 4], [1, 2]),
    ...series('a', 'jensen_shannon', [1, 2, 3, 4], [0, 3]),
    ...series('c', 'chi2', [1, 2, 3, 4], [2]),
    ...series('d', 'jensen_shannon', [1, 2, 3, 4], []),
  ];
  it('counts alerts per column; ties by column name, descending as NannyML sorts', () => {
    expect(rankByAlertCount(rows, false)).toEqual([
      { column_name: 'b', number_of_alerts: 2, rank: 1 },
      { column_name: 'a', number_of_alerts: 2, rank: 2 },
      { column_name: 'c', number_of_alerts: 1, rank: 3 },
      { column_name: 'd', number_of_alerts: 0, rank: 4 },
    ]);
  });
  it('only_drifting drops columns without alerts and keeps the ranks', () => {
    expect(rankByAlertCount(rows, true).map((r) => [r.column_name, r.rank])).toEqual([
      ['b', 1],
      ['a', 2],
      ['c', 3],
    ]);
  });
  it('refuses a column with two methods', () => {
    expect(() => rankByAlertCount([...rows, ...series('a', 'kolmogorov_smirnov', [1])], false)).toThrow(/column 'a' has several methods/);
  });
});

describe('CorrelationRanker', () => {
  // reference performance mean 0.9; analysis performance falls in chunks 2 and 3
  const reference = [0.88, 0.9, 0.92].map((v, i) => row('perf', null, 'roc_auc', 'reference', i, v));
  const perfValues = [0.9, 0.89, 0.8, 0.7];
  const analysis = perfValues.map((v, i) => row('perf', null, 'roc_auc', 'analysis', i, v));
  const change = perfValues.map((v) => Math.abs(v - 0.9));
  const drift = [
    ...series('follows', 'jensen_shannon', [0.01, 0.02, 0.1, 0.2], [2, 3]),
    ...series('opposite', 'jensen_shannon', [0.3, 0.2, 0.1, 0.0]),
    ...series('flat', 'chi2', [1, 1, 1, 1]),
    ...series('gappy', 'jensen_shannon', [0.01, null, 0.1, 0.15], [3]),
  ];

  it('correlates drift with |performance − reference mean| over the analysis chunks (scipy pearsonr)', () => {
    const ranked = rankByCorrelation(drift, reference, analysis, false);
    const expected = (x: number[], y: number[]) => pearsonr(x, y);
    const follows = expected([0.01, 0.02, 0.1, 0.2], change);
    const gappy = expected([0.01, 0.1, 0.15], [change[0], change[2], change[3]]); // the NaN pair is dropped
    const opposite = expected([0.3, 0.2, 0.1, 0.0], change);
    expect(ranked.map((r) => r.column_name)).toEqual(
      [
        ['follows', follows.r],
        ['gappy', gappy.r],
        ['opposite', opposite.r],
      ]
        .sort((a, b) => (b[1] as number) - (a[1] as number))
        .map((x) => x[0])
        .concat(['flat']), // a constant series has no correlation: last
    );
    const byName = Object.fromEntries(ranked.map((r) => [r.column_name, r]));
    expect(byName.follows).toMatchObject({ pearsonr_correlation: follows.r, pearsonr_pvalue: follows.p, has_drifted: true });
    expect(byName.gappy.pearsonr_correlation).toBe(gappy.r);
    expect(byName.flat).toMatchObject({ pearsonr_correlation: null, pearsonr_pvalue: null, has_drifted: false, rank: 4 });
    expect(follows.r).toBeGreaterThan(0.9);
    expect(opposite.r).toBeLessThan(-0.9);
  });

  it('only_drifting keeps the drifted columns with their ranks', () => {
    const all = rankByCorrelation(drift, reference, analysis, false);
    const some = rankByCorrelation(drift, reference, analysis, true);
    expect(some).toEqual(all.filter((r) => r.has_drifted));
  });

  it('needs the same analysis chunks on both sides', () => {
    expect(() => rankByCorrelation(drift, reference, analysis.slice(0, 3), false)).toThrow(/same analysis chunks/);
  });
});

describe('rankings config', () => {
  const calculators = [
    { id: 'drift', className: 'UnivariateDriftCalculator' },
    { id: 'perf', className: 'PerformanceCalculator' },
    { id: 'pca', className: 'DataReconstructionDriftCalculator' },
  ];
  it('parses both rankers with defaults', () => {
    expect(
      parseRankings(
        [
          { class: 'AlertCountRanker', calculator: 'drift' },
          { class: 'CorrelationRanker', id: 'corr', drift: 'drift', methods: 'jensen_shannon', performance: 'perf', metric: 'roc_auc', only_drifting: true },
        ],
        calculators,
      ),
    ).toEqual([
      { className: 'AlertCountRanker', id: 'AlertCountRanker', where: 'rankings[0]', drift: 'drift', methods: null, period: 'all', onlyDrifting: false, performance: null, metric: null },
      { className: 'CorrelationRanker', id: 'corr', where: 'rankings[1]', drift: 'drift', methods: ['jensen_shannon'], period: 'analysis', onlyDrifting: true, performance: 'perf', metric: 'roc_auc' },
    ]);
    expect(parseRankings(undefined, calculators)).toEqual([]);
  });

  it.each([
    [{}, /rankings\[0\]\.class: unknown ranker/],
    [{ class: 'Ranker' }, /rankings\[0\]\.class: unknown ranker "Ranker"/],
    [{ class: 'AlertCountRanker' }, /rankings\[0\]\.calculator: is required/],
    [{ class: 'AlertCountRanker', calculator: 'nope' }, /rankings\[0\]\.calculator: no calculator has id 'nope'/],
    [{ class: 'AlertCountRanker', calculator: 'pca' }, /calculator 'pca' is a DataReconstructionDriftCalculator/],
    [{ class: 'AlertCountRanker', calculator: 'drift', period: 'later' }, /rankings\[0\]\.period: must be one of/],
    [{ class: 'AlertCountRanker', calculator: 'drift', metric: 'x' }, /rankings\[0\]\.metric: unknown key/],
    [{ class: 'AlertCountRanker', calculator: 'drift', only_drifting: 'yes' }, /only_drifting: must be true or false/],
    [{ class: 'CorrelationRanker', drift: 'drift', performance: 'drift', metric: 'roc_auc' }, /rankings\[0\]\.performance: calculator 'drift' is a UnivariateDriftCalculator/],
    [{ class: 'CorrelationRanker', drift: 'drift', performance: 'perf' }, /rankings\[0\]\.metric: is required/],
  ])('%j → ConfigError', (entry, message) => {
    expect(() => parseRankings([entry], calculators)).toThrow(ConfigError);
    expect(() => parseRankings([entry], calculators)).toThrow(message);
  });

  it('duplicate ids and a non-list are refused', () => {
    expect(() => parseRankings({}, calculators)).toThrow(/rankings: must be a list/);
    const entry = { class: 'AlertCountRanker', calculator: 'drift' };
    expect(() => parseRankings([entry, entry], calculators)).toThrow(/rankings\[1\]\.id: 'AlertCountRanker' is already used/);
  });

  it('computes rankings from results, filtering methods and periods, and names bad filters', () => {
    const results = [
      ...series('x', 'jensen_shannon', [1, 2], [0], 'reference'),
      ...series('x', 'jensen_shannon', [1, 2], [0, 1]),
      ...series('x', 'kolmogorov_smirnov', [1, 2], [1]),
    ];
    const cfg = (extra: Record<string, unknown>) => parseRankings([{ class: 'AlertCountRanker', calculator: 'drift', ...extra }], calculators);
    expect(computeRankings(cfg({ methods: ['jensen_shannon'] }), results)[0]).toEqual({
      class: 'AlertCountRanker',
      id: 'AlertCountRanker',
      rows: [{ column_name: 'x', number_of_alerts: 3, rank: 1 }],
    });
    expect(computeRankings(cfg({ methods: ['jensen_shannon'], period: 'analysis' }), results)[0].rows).toEqual([{ column_name: 'x', number_of_alerts: 2, rank: 1 }]);
    expect(() => computeRankings(cfg({}), results)).toThrow(/rankings\[0\]: column 'x' has several methods/);
    expect(() => computeRankings(cfg({ methods: ['hellinger'] }), results)).toThrow(/rankings\[0\]\.methods: calculator 'drift' has no results for hellinger/);
    const corr = parseRankings([{ class: 'CorrelationRanker', drift: 'drift', methods: ['jensen_shannon'], performance: 'perf', metric: 'f1' }], calculators);
    expect(() => computeRankings(corr, [...results, row('perf', null, 'roc_auc', 'reference', 0, 0.9)])).toThrow(/rankings\[0\]\.metric: calculator 'perf' has no metric 'f1' \(it has: roc_auc\)/);
  });
});
