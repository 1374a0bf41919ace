/**
 * Stored rows → engine frames (the same columnar frames `vigil run` builds from CSV), and engine output →
 * stored result records.
 */
import { ChunkResult, MetricRow } from '../engine/calculator';
import { Column, Frame, makeFrame, MISSING_CODE } from '../engine/frame';
import { chunkRecord } from '../engine/run';
import { ChunkFields, Period, ResultRecord } from '../store/types';
import { ColumnSpec } from './layout';
import { invalidFlagColumn } from './invalid-values';
import { typeFlagColumn, withTypeFlags } from './type-consistency';

export interface ColumnarRows {
  n: number;
  values: Float64Array[];
  typeFlags: (Uint8Array | null)[];
  /** Invalid-value flags: per payload column, then the target; absent = none. */
  invalidFlags?: (Uint8Array | null)[];
  targets: Float64Array | null;
  timestamps: Float64Array | null;
}

export interface FrameColumns {
  payload: ColumnSpec[];
  target: ColumnSpec | null;
  timestamp: string | null;
}

function toColumn(spec: ColumnSpec, values: Float64Array, levels: (column: string) => string[]): Column {
  if (spec.kind === 'numeric') return { kind: 'numeric', name: spec.name, dtype: spec.dtype, values };
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) codes[i] = Number.isNaN(values[i]) ? MISSING_CODE : values[i];
  return { kind: 'categorical', name: spec.name, dtype: spec.dtype, codes, levels: levels(spec.name).slice() };
}

/**
 * The frame of a set of rows: payload columns, target, timestamp (epoch ms), plus the flag side columns
 * the TypeInconsistencyCalculator and InvalidValuesCalculator read (`withFlags`).
 */
export function buildFrames(
  layout: FrameColumns,
  rows: ColumnarRows,
  levels: (column: string) => string[],
  /** Columns the rows never had (a reference without targets): left out, as a CSV without them would be. */
  absent: ReadonlySet<string> = new Set(),
): { frame: Frame; withFlags: Frame } {
  const cols: Column[] = [];
  layout.payload.forEach((spec, j) => {
    if (!absent.has(spec.name)) cols.push(toColumn(spec, rows.values[j], levels));
  });
  if (layout.target && !absent.has(layout.target.name)) cols.push(toColumn(layout.target, rows.targets ?? new Float64Array(rows.n).fill(NaN), levels));
  // Stored timestamps are epoch ms already (coerce.ts): marked so, prepareFrame takes them as they are.
  if (layout.timestamp && rows.timestamps) cols.push({ kind: 'numeric', name: layout.timestamp, dtype: 'float', values: rows.timestamps, epochMs: true });
  const frame = makeFrame(cols, rows.n);
  const present = layout.payload.filter((spec) => !absent.has(spec.name));
  const typed = withTypeFlags(
    frame,
    present.map((spec) => ({ name: spec.name, flags: rows.typeFlags[layout.payload.indexOf(spec)] })),
  );
  const invalid = rows.invalidFlags;
  if (!invalid) return { frame, withFlags: typed };
  const checked = present.map((spec) => ({ name: spec.name, flags: invalid[layout.payload.indexOf(spec)] ?? null }));
  if (layout.target && !absent.has(layout.target.name)) checked.push({ name: layout.target.name, flags: invalid[layout.payload.length] ?? null });
  return { frame, withFlags: withTypeFlags(typed, checked, invalidFlagColumn) };
}

/** A frame without the type-flag side columns. */
export function withoutFlags(frame: Frame): Frame {
  const names = frame.names.filter((n) => !n.startsWith('\u0000'));
  if (names.length === frame.names.length) return frame;
  return makeFrame(
    names.map((n) => frame.columns.get(n)!),
    frame.length,
  );
}

export const hasFlagColumn = (frame: Frame, column: string) => frame.columns.has(typeFlagColumn(column));

export interface CalculatorIdentity {
  className: string;
  id: string;
  family: string;
  order: number;
}

export function toRecords(
  calc: CalculatorIdentity,
  period: Period,
  chunkId: number,
  chunk: ChunkFields,
  rows: MetricRow[],
  partial: boolean,
): ResultRecord[] {
  return rows.map((r, k) => ({
    calculator: calc.className,
    id: calc.id,
    family: calc.family,
    period,
    chunkId,
    chunk,
    ...r,
    partial,
    calcOrder: calc.order,
    seriesOrder: k,
  }));
}

/** Reference-period records of a fitted calculator (chunk ids are the reference chunk indices). */
export function referenceRecords(calc: CalculatorIdentity, reference: ChunkResult[]): ResultRecord[] {
  return reference.flatMap((r) => toRecords(calc, 'reference', r.chunk.index, chunkRecord(r.chunk), r.rows, false));
}
