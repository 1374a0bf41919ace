/**
 * TypeInconsistencyCalculator (the server's own data-quality calculator): per column and chunk, the share
 * of values whose type did not fit the column when they were ingested (text in a numeric feature,
 * ±Infinity, a number where the categories are text). Such values are stored as missing — so they also
 * count in `missing_values` — and flagged; the flags reach the calculator as side columns of the chunk
 * frame. Same shape and threshold rule as NannyML's UnseenValuesCalculator: constant upper threshold 0,
 * strict alert, so any inconsistency alerts (flag-share.ts).
 */
import { METRICS } from '../engine/catalog';
import { Column, Frame, makeFrame } from '../engine/frame';
import { FLAG_COLUMN_PREFIX, flagShareCalculator } from './flag-share';

export const TYPE_INCONSISTENCY_CLASS = 'TypeInconsistencyCalculator';
export const TYPE_INCONSISTENT_METRIC = METRICS.find((m) => m.calculators.includes(TYPE_INCONSISTENCY_CLASS))!.id;

/** Side column holding 1 where column `name` had a value of the wrong type. */
export const typeFlagColumn = (name: string) => `${FLAG_COLUMN_PREFIX}type_inconsistent:${name}`;

/** A frame plus flag side columns (only for columns with at least one flag), named by `flagColumn`. */
export function withTypeFlags(frame: Frame, flags: { name: string; flags: Uint8Array | null }[], flagColumn: (name: string) => string = typeFlagColumn): Frame {
  const extra: Column[] = [];
  for (const f of flags) {
    if (!f.flags) continue;
    extra.push({ kind: 'numeric', name: flagColumn(f.name), dtype: 'int', values: Float64Array.from(f.flags) });
  }
  if (extra.length === 0) return frame;
  return makeFrame([...frame.names.map((n) => frame.columns.get(n)!), ...extra], frame.length);
}

export const typeInconsistencyCalculator = flagShareCalculator(TYPE_INCONSISTENCY_CLASS, TYPE_INCONSISTENT_METRIC, typeFlagColumn);
