/**
 * Summary statistics (spec §7.4): mean, sum, standard deviation and median per continuous column, and the
 * row count per chunk.
 *
 * As in NannyML: values skip NaN; the sampling error uses reference components and n = the chunk's rows
 * *including* NaN; thresholds are `StandardDeviationThreshold()` with `override_using_none` (a bound beyond
 * the metric's limit becomes None); alerts use the open-interval rule (equality and NaN alert); bands are
 * value ± 3·SE (the std's lower band clipped at 0).
 */
import { CalculatorDefinition, ChunkingParams, DataError, fitSeriesCalculator, SeriesModel, seriesRestorer, SeriesValue } from '../calculator';
import { dropNaN, Frame, getColumn } from '../frame';
import { ParamReader } from '../params';
import { DEFAULT_STD_THRESHOLD, Limits, Threshold } from '../thresholds';
import { centralMoment4, gaussianKdeScottAt, mean, median, pairwiseSum, std } from './moments';

interface StatsParams {
  columnNames: string[];
  threshold: Threshold;
  chunking: ChunkingParams;
}

function parseStatsParams(raw: Record<string, unknown>, where: string): StatsParams {
  const r = new ParamReader(raw, where);
  const p: StatsParams = {
    columnNames: r.requiredStringList('column_names'),
    threshold: r.threshold('threshold', DEFAULT_STD_THRESHOLD),
    chunking: r.chunking(),
  };
  r.done();
  return p;
}

const NO_LIMITS: Limits = { lower: null, upper: null };
const NON_NEGATIVE: Limits = { lower: 0, upper: null };

/** One summary statistic: its value on a chunk column and its SE from reference components. */
interface Statistic<C> {
  className: string;
  metric: string;
  limits: Limits;
  /** Reference components, from the column's values including NaN. */
  components(reference: Float64Array): C;
  /** Value from the NaN-free chunk values. */
  value(values: Float64Array): number;
  /** SE; `n` counts the chunk rows including NaN. */
  samplingError(components: C, n: number): number;
}

/** The Float64Array of a continuous column; categorical columns are refused as NannyML does. */
function continuousColumn(frame: Frame, name: string, className: string, dataset: 'reference' | 'analysis'): Float64Array {
  const c = getColumn(frame, name);
  if (c.kind !== 'numeric') {
    throw new DataError(dataset, `column '${name}' is categorical; ${className} accepts continuous columns only`);
  }
  return c.values;
}

function statisticCalculator<C>(s: Statistic<C>): CalculatorDefinition<StatsParams> {
  const modelOf = (components: C[], p: StatsParams): SeriesModel => ({
    series: p.columnNames.map((column) => ({
      column,
      metric: s.metric,
      threshold: p.threshold,
      limits: s.limits,
      overrideUsingNone: true,
      alertRule: 'open_interval',
    })),
    compute: (chunk, period) =>
      p.columnNames.map((name, j): SeriesValue => {
        const raw = continuousColumn(chunk, name, s.className, period);
        // The SE depends on the row count only, so an all-NaN chunk still has one (its bands are NaN).
        return { value: s.value(dropNaN(raw)), sampling_error: s.samplingError(components[j], raw.length) };
      }),
  });
  return {
    className: s.className,
    parseParams: parseStatsParams,
    fit(reference, p) {
      const components = p.columnNames.map((name) => s.components(continuousColumn(reference, name, s.className, 'reference')));
      return fitSeriesCalculator(reference, p.chunking, modelOf(components, p), components);
    },
    restore: seriesRestorer(modelOf),
  };
}

/** §7.4 mean; SE = std₁(ref)/√n. */
export const summaryStatsAvgCalculator = statisticCalculator<number>({
  className: 'SummaryStatsAvgCalculator',
  metric: 'avg',
  limits: NO_LIMITS,
  components: (ref) => std(dropNaN(ref), 1),
  value: mean,
  samplingError: (sd, n) => sd / Math.sqrt(n),
});

/** §7.4 sum (pandas: the sum of no values is 0); SE = std₁(ref)·√n. */
export const summaryStatsSumCalculator = statisticCalculator<number>({
  className: 'SummaryStatsSumCalculator',
  metric: 'sum',
  limits: NO_LIMITS,
  components: (ref) => std(dropNaN(ref), 1),
  value: (v) => (v.length === 0 ? 0 : pairwiseSum(v)),
  samplingError: (sd, n) => sd * Math.sqrt(n),
});

/**
 * §7.4 standard deviation (ddof 1); SE of the std (Rao 1973): `(1/(2s))·sqrt((μ₄ − (n−3)s⁴/(n−1))/n)`, NaN
 * when the bracket is negative or not finite. μ₄ is scipy's `moment(x, 4)` on the column as is, so a
 * reference column with NaN gives NaN (scipy propagates NaN), as in NannyML.
 */
export const summaryStatsStdCalculator = statisticCalculator<{ s: number; mu4: number }>({
  className: 'SummaryStatsStdCalculator',
  metric: 'std',
  limits: NON_NEGATIVE,
  components: (ref) => ({ s: std(dropNaN(ref), 1), mu4: centralMoment4(ref) }),
  value: (v) => std(v, 1),
  samplingError: ({ s, mu4 }, n) => {
    const bracket = mu4 - ((n - 3) * s ** 4) / (n - 1);
    if (!(Number.isFinite(bracket) && bracket >= 0)) return NaN;
    return (1 / (2 * s)) * Math.sqrt((1 / n) * bracket);
  },
});

/** §7.4 median; SE = sqrt(1/(4 n f²)) with f the Scott-KDE density of the reference at its median. */
export const summaryStatsMedianCalculator = statisticCalculator<number>({
  className: 'SummaryStatsMedianCalculator',
  metric: 'median',
  limits: NO_LIMITS,
  components: (ref) => {
    const values = dropNaN(ref);
    return gaussianKdeScottAt(values, median(values));
  },
  value: median,
  samplingError: (density, n) => Math.sqrt(1 / (4 * n * density * density)),
});

interface RowCountParams {
  threshold: Threshold;
  chunking: ChunkingParams;
}

/** §7.4 rows per chunk; no SE; lower limit 0 (a lower bound ≤ 0 becomes None). */
export const summaryStatsRowCountCalculator: CalculatorDefinition<RowCountParams> = {
  className: 'SummaryStatsRowCountCalculator',
  parseParams(raw, where) {
    const r = new ParamReader(raw, where);
    const p = { threshold: r.threshold('threshold', DEFAULT_STD_THRESHOLD), chunking: r.chunking() };
    r.done();
    return p;
  },
  fit: (reference, p) => fitSeriesCalculator(reference, p.chunking, rowCountModel(p), null),
  restore: seriesRestorer((_: null, p: RowCountParams) => rowCountModel(p)),
};

function rowCountModel(p: RowCountParams): SeriesModel {
  return {
    series: [{ column: null, metric: 'rows_count', threshold: p.threshold, limits: NON_NEGATIVE, overrideUsingNone: true, alertRule: 'open_interval' }],
    compute: (chunk) => [{ value: chunk.length }],
  };
}
