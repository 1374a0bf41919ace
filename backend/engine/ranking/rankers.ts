/**
 * NannyML's drift rankers (`nannyml/drift/ranker.py`), over run-contract result rows.
 *
 * - AlertCountRanker: per column, the number of alerts in the rows given; sorted by that count and then by
 *   column name, both descending (pandas `sort_values([...], ascending=False)`, which is what NannyML does
 *   although its docstring says alphanumerical); rank 1, 2, …; `only_drifting` then drops columns without
 *   alerts (ranks are kept).
 * - CorrelationRanker: fitted on the reference rows of one performance metric (their mean value); per
 *   column, the Pearson correlation (scipy's pearsonr, with p-value) between the column's drift values
 *   and |performance − reference mean| over the analysis chunks, NaN pairs dropped; sorted by correlation
 *   descending (NaN last); `has_drifted` = any alert in the column's drift rows.
 *
 * Both need one series per column (NannyML: one continuous and one categorical method); the caller filters.
 */
import { ResultRow } from '../calculator';
import { compareCodePoints } from '../frame';
import { pearsonr } from './pearson';

export class RankingError extends Error {}

export interface AlertCountRow {
  column_name: string;
  number_of_alerts: number;
  rank: number;
}

export interface CorrelationRow {
  column_name: string;
  pearsonr_correlation: number | null;
  pearsonr_pvalue: number | null;
  has_drifted: boolean;
  rank: number;
}

/** Rows grouped by column in first-seen order; a column with several metrics is refused. */
export function seriesByColumn(rows: ResultRow[]): Map<string, ResultRow[]> {
  const out = new Map<string, ResultRow[]>();
  const metricOf = new Map<string, string>();
  for (const r of rows) {
    if (r.column === null) throw new RankingError(`the ${r.calculator} results have no columns to rank`);
    const seen = metricOf.get(r.column);
    if (seen !== undefined && seen !== r.metric) {
      throw new RankingError(`column '${r.column}' has several methods (${seen}, ${r.metric}); rank one method per column kind (set methods)`);
    }
    metricOf.set(r.column, r.metric);
    let list = out.get(r.column);
    if (!list) out.set(r.column, (list = []));
    list.push(r);
  }
  if (out.size === 0) throw new RankingError('there are no results to rank');
  return out;
}

export function rankByAlertCount(rows: ResultRow[], onlyDrifting: boolean): AlertCountRow[] {
  const counts = [...seriesByColumn(rows)].map(([column, series]) => ({
    column_name: column,
    number_of_alerts: series.reduce((k, r) => k + (r.alert === true ? 1 : 0), 0),
  }));
  counts.sort((a, b) => b.number_of_alerts - a.number_of_alerts || compareCodePoints(b.column_name, a.column_name));
  const ranked = counts.map((c, i) => ({ ...c, rank: i + 1 }));
  return onlyDrifting ? ranked.filter((r) => r.number_of_alerts !== 0) : ranked;
}

const nanIfNull = (v: number | null) => (v === null ? NaN : v);

/**
 * @param drift the drift rows of the analysis chunks
 * @param referencePerformance the performance metric's rows on the reference chunks (the ranker's fit)
 * @param analysisPerformance the performance metric's rows on the analysis chunks, in chunk order
 */
export function rankByCorrelation(
  drift: ResultRow[],
  referencePerformance: ResultRow[],
  analysisPerformance: ResultRow[],
  onlyDrifting: boolean,
): CorrelationRow[] {
  if (referencePerformance.length === 0) throw new RankingError('the performance results have no reference chunks to fit on');
  const refValues = referencePerformance.map((r) => r.value).filter((v): v is number => v !== null);
  const referenceMean = refValues.reduce((a, b) => a + b, 0) / refValues.length; // pandas mean skips NaN
  const change = analysisPerformance.map((r) => Math.abs(nanIfNull(r.value) - referenceMean));
  const starts = analysisPerformance.map((r) => r.chunk.start_index).join(',');
  const ranked: Omit<CorrelationRow, 'rank'>[] = [];
  for (const [column, series] of seriesByColumn(drift)) {
    if (series.map((r) => r.chunk.start_index).join(',') !== starts) {
      throw new RankingError('drift and performance results need the same analysis chunks (use the same chunking)');
    }
    const x: number[] = [];
    const y: number[] = [];
    series.forEach((r, i) => {
      const v = nanIfNull(r.value);
      if (!Number.isNaN(v) && !Number.isNaN(change[i])) {
        x.push(v);
        y.push(change[i]);
      }
    });
    const { r, p } = pearsonr(x, y);
    ranked.push({
      column_name: column,
      pearsonr_correlation: Number.isNaN(r) ? null : r,
      pearsonr_pvalue: Number.isNaN(p) ? null : p,
      has_drifted: series.some((s) => s.alert === true),
    });
  }
  // descending, NaN last; stable, so ties keep the column order
  ranked.sort((a, b) => (b.pearsonr_correlation ?? -Infinity) - (a.pearsonr_correlation ?? -Infinity) || 0);
  const out = ranked.map((c, i) => ({ ...c, rank: i + 1 }));
  return onlyDrifting ? out.filter((r) => r.has_drifted) : out;
}
