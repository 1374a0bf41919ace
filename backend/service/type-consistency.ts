/**
 * TypeInconsistencyCalculator (the server's own data-quality calculator): per column and chunk, the share
 * of values whose type did not fit the column when they were ingested (text in a numeric feature,
 * ±Infinity, a number where the categories are text). Such values are stored as missing — so they also
 * count in `missing_values` — and flagged; the flags reach the calculator as side columns of the chunk
 * frame. Same shape and threshold rule as NannyML's UnseenValuesCalculator: constant upper threshold 0,
 * strict alert, so any inconsistency alerts.
 */
import { CalculatorDefinition, ChunkingParams, fitSeriesCalculator } from '../engine/calculator';
import { METRICS } from '../engine/catalog';
import { Column, Frame, makeFrame } from '../engine/frame';
import { ParamReader } from '../engine/params';
import { Threshold } from '../engine/thresholds';

export const TYPE_INCONSISTENCY_CLASS = 'TypeInconsistencyCalculator';
export const TYPE_INCONSISTENT_METRIC = METRICS.find((m) => m.calculators.includes(TYPE_INCONSISTENCY_CLASS))!.id;

/** Side column holding 1 where column `name` had a value of the wrong type. NUL cannot start a real column name. */
export const typeFlagColumn = (name: string) => `\u0000type_inconsistent:${name}`;

/** A frame plus flag side columns (only for columns with at least one flag). */
export function withTypeFlags(frame: Frame, flags: { name: string; flags: Uint8Array | null }[]): Frame {
  const extra: Column[] = [];
  for (const f of flags) {
    if (!f.flags) continue;
    extra.push({ kind: 'numeric', name: typeFlagColumn(f.name), dtype: 'int', values: Float64Array.from(f.flags) });
  }
  if (extra.length === 0) return frame;
  return makeFrame([...frame.names.map((n) => frame.columns.get(n)!), ...extra], frame.length);
}

interface TypeParams {
  columnNames: string[];
  normalize: boolean;
  threshold: Threshold;
  chunking: ChunkingParams;
}

const ANY_INCONSISTENCY_ALERTS: Threshold = { type: 'constant', lower: null, upper: 0 };

export const typeInconsistencyCalculator: CalculatorDefinition<TypeParams> = {
  className: TYPE_INCONSISTENCY_CLASS,
  parseParams(raw, where) {
    const r = new ParamReader(raw, where);
    const p: TypeParams = {
      columnNames: r.requiredStringList('column_names'),
      normalize: r.boolean('normalize', true),
      threshold: r.threshold('threshold', ANY_INCONSISTENCY_ALERTS),
      chunking: r.chunking(),
    };
    r.done();
    return p;
  },
  fit(reference, p) {
    return fitSeriesCalculator(reference, p.chunking, {
      series: p.columnNames.map((column) => ({
        column,
        metric: TYPE_INCONSISTENT_METRIC,
        threshold: p.threshold,
        limits: p.normalize ? { lower: 0, upper: 1 } : { lower: 0, upper: null },
        alertRule: 'strict',
      })),
      compute: (chunk) =>
        p.columnNames.map((name) => {
          const c = chunk.columns.get(typeFlagColumn(name));
          let count = 0;
          if (c && c.kind === 'numeric') for (let i = 0; i < c.values.length; i++) count += c.values[i];
          return { value: p.normalize ? count / chunk.length : count };
        }),
    });
  },
};
