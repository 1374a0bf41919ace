/**
 * The server's ingest-flag calculators (type inconsistency, invalid values): per column and chunk, the
 * share (or count) of rows whose value ingestion flagged. The flags reach the calculator as side columns of
 * the chunk frame, named by `flagColumn`. Same shape and threshold rule as NannyML's UnseenValuesCalculator:
 * a constant upper threshold of 0 and the strict alert rule, so any flagged value alerts.
 */
import { CalculatorDefinition, ChunkingParams, fitSeriesCalculator, SeriesModel, seriesRestorer } from '../engine/calculator';
import { ParamReader } from '../engine/params';
import { Threshold } from '../engine/thresholds';

interface FlagShareParams {
  columnNames: string[];
  normalize: boolean;
  threshold: Threshold;
  chunking: ChunkingParams;
}

const ANY_FLAG_ALERTS: Threshold = { type: 'constant', lower: null, upper: 0 };

/** Side columns of a frame start with NUL, which cannot start a real column name. */
export const FLAG_COLUMN_PREFIX = '\u0000';

export function flagShareCalculator(className: string, metric: string, flagColumn: (name: string) => string): CalculatorDefinition<FlagShareParams> {
  const model = (p: FlagShareParams): SeriesModel => ({
    series: p.columnNames.map((column) => ({
      column,
      metric,
      threshold: p.threshold,
      limits: p.normalize ? { lower: 0, upper: 1 } : { lower: 0, upper: null },
      alertRule: 'strict',
    })),
    compute: (chunk) =>
      p.columnNames.map((name) => {
        const c = chunk.columns.get(flagColumn(name));
        let count = 0;
        if (c && c.kind === 'numeric') for (let i = 0; i < c.values.length; i++) count += c.values[i];
        return { value: p.normalize ? count / chunk.length : count };
      }),
  });
  return {
    className,
    parseParams(raw, where) {
      const r = new ParamReader(raw, where);
      const p: FlagShareParams = {
        columnNames: r.requiredStringList('column_names'),
        normalize: r.boolean('normalize', true),
        threshold: r.threshold('threshold', ANY_FLAG_ALERTS),
        chunking: r.chunking(),
      };
      r.done();
      return p;
    },
    // Nothing is learned from the reference but its chunks' thresholds: the saved state is empty.
    fit: (reference, p) => fitSeriesCalculator(reference, p.chunking, model(p), {}),
    restore: seriesRestorer((_state: object, p: FlagShareParams) => model(p)),
  };
}
