/**
 * What the SQLite and PostgreSQL stores share: how an analysis row's values and flags become bytes and
 * back, and how stored model, chunk and result rows become records. Both stores keep the same layout
 * (types.ts), so these are one piece of code, not two.
 */
import { ChunkStamp, ErrorStage, ModelRecord, ModelStamp, ResultRecord, RowBatch, StoreConflictError, StoredChunk, StoredRows, TargetUpdate, zeroPerStage } from './types';

export type Row = Record<string, unknown>;

/** The check of RowBatch.fitVersion (or TargetUpdate.fitVersion) against the stored fit version. */
export function checkFitVersion(batch: { fitVersion?: number }, stored: number): void {
  if (batch.fitVersion !== undefined && batch.fitVersion !== stored) {
    throw new StoreConflictError(`the model's reference was replaced meanwhile (fit version ${stored}, the batch was coded for ${batch.fitVersion})`);
  }
}

export const nullIfNaN = (v: number): number | null => (Number.isNaN(v) ? null : v);
export const numOrNaN = (v: unknown): number => (v === null || v === undefined ? NaN : (v as number));

/** Bytes of a bitmask of `width` bits. */
export function flagBytes(width: number): number {
  return Math.ceil(width / 8);
}

export const maskHas = (mask: Buffer | null, bit: number) => mask !== null && bit >> 3 < mask.length && (mask[bit >> 3] & (1 << (bit & 7))) !== 0;

/** The invalid-value bitmask of row i (bit j: payload column j; bit width: the target), null when none. */
export type InvalidMasks = (i: number) => Buffer | null;

export function invalidMasks(flags: (Uint8Array | null)[] | null | undefined, width: number): InvalidMasks {
  const present = (flags ?? []).map((f, j) => [f, j] as const).filter(([f]) => f !== null) as [Uint8Array, number][];
  if (present.length === 0) return () => null;
  const bytes = flagBytes(width + 1);
  return (i) => {
    let mask: Buffer | null = null;
    for (const [f, j] of present) if (f[i]) (mask ??= Buffer.alloc(bytes))[j >> 3] |= 1 << (j & 7);
    return mask;
  };
}

/**
 * Every row's payload in one buffer: float64 per column, then (only when a value of the row had the
 * wrong type) a bitmask of type flags. Row i is buf[offsets[i], offsets[i + 1]).
 */
export function encodePayloads(batch: RowBatch): { buf: Buffer; offsets: Float64Array } {
  const width = batch.values.length;
  const rowBytes = width * 8;
  const fb = flagBytes(width);
  const flaggedRow = new Uint8Array(batch.n);
  for (const f of batch.typeFlags) if (f) for (let i = 0; i < batch.n; i++) if (f[i]) flaggedRow[i] = 1;
  const buf = Buffer.allocUnsafe(batch.n * (rowBytes + fb));
  const offsets = new Float64Array(batch.n + 1);
  let off = 0;
  for (let i = 0; i < batch.n; i++) {
    offsets[i] = off;
    for (let j = 0; j < width; j++) buf.writeDoubleLE(batch.values[j][i], off + j * 8);
    off += rowBytes;
    if (flaggedRow[i]) {
      buf.fill(0, off, off + fb);
      for (let j = 0; j < width; j++) {
        const f = batch.typeFlags[j];
        if (f && f[i]) buf[off + (j >> 3)] |= 1 << (j & 7);
      }
      off += fb;
    }
  }
  offsets[batch.n] = off;
  return { buf, offsets };
}

/** Stored rows `[seq, ts, target, payload, invalid]` back to columns. */
export function decodeRows(rows: unknown[][], width: number): StoredRows {
  const n = rows.length;
  const seq = new Float64Array(n);
  const timestamps = new Float64Array(n);
  const targets = new Float64Array(n);
  const values = Array.from({ length: width }, () => new Float64Array(n));
  const typeFlags: (Uint8Array | null)[] = new Array(width).fill(null);
  const invalidFlags: (Uint8Array | null)[] = new Array(width + 1).fill(null);
  const rowBytes = width * 8;
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    seq[i] = r[0] as number;
    timestamps[i] = numOrNaN(r[1]);
    targets[i] = numOrNaN(r[2]);
    const p = r[3] as Buffer;
    for (let j = 0; j < width; j++) values[j][i] = p.readDoubleLE(j * 8);
    if (p.length > rowBytes) {
      for (let j = 0; j < width; j++) {
        if (p[rowBytes + (j >> 3)] & (1 << (j & 7))) (typeFlags[j] ??= new Uint8Array(n))[i] = 1;
      }
    }
    const mask = r[4] as Buffer | null;
    if (mask !== null) for (let j = 0; j <= width; j++) if (maskHas(mask, j)) (invalidFlags[j] ??= new Uint8Array(n))[i] = 1;
  }
  return { n, seq, timestamps, targets, values, typeFlags, invalidFlags };
}

/** Payload columns of a stored layout (the target's invalid bit follows them). */
export function payloadWidth(layout: unknown): number {
  return ((layout as { payload?: unknown[] } | null)?.payload ?? []).length;
}

/** `mask` with bit `bit` set or cleared; null when no bit is left. */
export function setBit(mask: Buffer | null, bit: number, on: boolean): Buffer | null {
  if (!on && !maskHas(mask, bit)) return mask;
  const bytes = Math.max(mask?.length ?? 0, flagBytes(bit + 1));
  const out = Buffer.alloc(bytes);
  mask?.copy(out);
  if (on) out[bit >> 3] |= 1 << (bit & 7);
  else out[bit >> 3] &= ~(1 << (bit & 7));
  return out.some((b) => b !== 0) ? out : null;
}

export const sameMask = (a: Buffer | null, b: Buffer | null) => (a === null || b === null ? a === b : a.equals(b));

export function modelFromRow(r: Row): ModelRecord {
  return {
    id: r.id as number,
    name: r.name as string,
    definition: JSON.parse(r.definition as string),
    layout: r.layout === null ? null : JSON.parse(r.layout as string),
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    referenceRows: r.reference_rows as number,
    analysisRows: r.next_seq as number,
    targets: r.targets as number,
    fitVersion: r.fit_version as number,
    lastIngestAt: (r.last_ingest_at as number | null) ?? null,
  };
}

export function chunkFromRow(r: Row): StoredChunk {
  return {
    chunkId: r.chunk_id as number,
    key: r.key as string,
    startSeq: r.start_seq as number | null,
    endSeq: r.end_seq as number | null,
    rangeStart: r.range_start as number | null,
    rangeEnd: r.range_end as number | null,
    partial: r.partial === 1,
    chunkIndex: r.chunk_index as number | null,
    startIndex: r.start_index as number | null,
    endIndex: r.end_index as number | null,
    startDate: r.start_date as number | null,
    endDate: r.end_date as number | null,
    nRows: r.n_rows as number,
    dirty: r.dirty !== 0,
    targetsOnly: r.dirty === 2,
    gen: r.gen as number,
    rowsDropped: r.rows_dropped_at !== null && r.rows_dropped_at !== undefined,
    rowsGone: r.rows_gone === 1,
    computedAt: r.computed_at as number | null,
    ...(r.claim_owner !== undefined ? { claimOwner: r.claim_owner as string | null, claimUntil: r.claim_until as number | null } : {}),
  };
}

/** The chunk stamp columns, in this order. */
export const CHUNK_STAMP_COLUMNS = 'model_id, chunk_id, computed_at, chunk_index, start_index, end_index, start_date, end_date';

export function chunkStampFromRow(r: unknown[]): ChunkStamp {
  return {
    modelId: r[0] as number,
    chunkId: r[1] as number,
    computedAt: r[2] as number | null,
    chunkIndex: r[3] as number | null,
    startIndex: r[4] as number | null,
    endIndex: r[5] as number | null,
    startDate: r[6] as number | null,
    endDate: r[7] as number | null,
  };
}

/** The columns every result read selects, in the order resultFromRow reads them. */
export const RESULT_SELECT = `period, chunk_id, calculator_id, calculator, family, column_name, metric, calc_order, series_order,
  chunk_key, chunk_index, start_index, end_index, start_date, end_date, value, upper_threshold, lower_threshold,
  sampling_error, alert, upper_confidence_boundary, lower_confidence_boundary, realized, targets_missing_rate, partial`;

export function resultFromRow(r: unknown[]): ResultRecord {
  const col = r[5] as string;
  const alert = r[19] as number | null;
  return {
    period: r[0] as ResultRecord['period'],
    chunkId: r[1] as number,
    id: r[2] as string,
    calculator: r[3] as string,
    family: r[4] as string,
    column: col === '' ? null : col,
    metric: r[6] as string,
    calcOrder: r[7] as number,
    seriesOrder: r[8] as number,
    chunk: {
      key: r[9] as string,
      index: r[10] as number,
      start_index: r[11] as number,
      end_index: r[12] as number,
      start_date: r[13] as number | null,
      end_date: r[14] as number | null,
    },
    value: r[15] as number | null,
    upper_threshold: r[16] as number | null,
    lower_threshold: r[17] as number | null,
    alert: alert === null ? null : alert === 1,
    sampling_error: r[18] as number | null,
    upper_confidence_boundary: r[20] as number | null,
    lower_confidence_boundary: r[21] as number | null,
    realized: r[22] as number | null,
    targets_missing_rate: r[23] as number | null,
    partial: r[24] === 1,
  };
}

/** The columns a result write stores, in the order resultValues gives them. */
export const RESULT_INSERT_COLUMNS = `model_id, period, chunk_id, calculator_id, metric, column_name, family, calculator,
  calc_order, series_order, chunk_key, chunk_index, start_index, end_index, start_date, end_date, value,
  upper_threshold, lower_threshold, alert, sampling_error, upper_confidence_boundary, lower_confidence_boundary,
  realized, targets_missing_rate, partial`;

export function resultValues(modelId: number, r: ResultRecord): unknown[] {
  return [
    modelId,
    r.period,
    r.chunkId,
    r.id,
    r.metric,
    r.column ?? '',
    r.family,
    r.calculator,
    r.calcOrder,
    r.seriesOrder,
    r.chunk.key,
    r.chunk.index,
    r.chunk.start_index,
    r.chunk.end_index,
    r.chunk.start_date,
    r.chunk.end_date,
    r.value,
    r.upper_threshold,
    r.lower_threshold,
    r.alert === null ? null : r.alert ? 1 : 0,
    r.sampling_error,
    r.upper_confidence_boundary,
    r.lower_confidence_boundary,
    r.realized,
    r.targets_missing_rate,
    r.partial ? 1 : 0,
  ];
}

/** A stored row as attachTargets reads it: `seq, ts, target, invalid`. */
export interface TargetRow {
  seq: number;
  ts: number | null;
  target: number | null;
  invalid: Buffer | null;
}

/**
 * attachTargets' matching, the same on both stores: each id's row (`find`) gets its target and invalid
 * bit (`set`, only when either changes; the row object is updated too, so a repeated id sees it);
 * `rows`: the model's stored row count (for chunkOf); ids without a row are unknown, or expired when retention deleted it or dropped its chunk (`dropped`:
 * chunk id → key; `droppedChunkOf`: the chunk of a deleted row's id).
 */
export function matchTargets(
  update: TargetUpdate,
  width: number,
  rows: number,
  dropped: Map<number, string>,
  find: (id: string) => TargetRow | undefined,
  droppedChunkOf: (id: string) => number | undefined,
  set: (row: TargetRow, target: number | null, mask: Buffer | null) => void,
): { attached: number; unknown: string[]; expired: { id: string; chunk: string }[]; newTargets: number; touched: Set<number> } {
  const unknown: string[] = [];
  const expired: { id: string; chunk: string }[] = [];
  const chunkKey = (chunkId: number) => dropped.get(chunkId) ?? String(chunkId);
  const touched = new Set<number>();
  let attached = 0;
  let newTargets = 0;
  for (let i = 0; i < update.ids.length; i++) {
    const r = find(update.ids[i]);
    if (!r) {
      const gone = dropped.size > 0 ? droppedChunkOf(update.ids[i]) : undefined;
      if (gone !== undefined) expired.push({ id: update.ids[i], chunk: chunkKey(gone) });
      else unknown.push(update.ids[i]);
      continue;
    }
    if (dropped.size > 0) {
      const chunkId = update.chunkOf(r.seq, r.ts, rows);
      if (dropped.has(chunkId)) {
        expired.push({ id: update.ids[i], chunk: chunkKey(chunkId) });
        continue;
      }
    }
    const value = nullIfNaN(update.values[i]);
    if (r.target === null && value !== null) newTargets++;
    if (r.target !== null && value === null) newTargets--;
    // The target's invalid bit follows the latest target sent for the row.
    const before = r.invalid ?? null;
    const mask = setBit(before, width, update.invalid?.[i] === 1);
    if (r.target !== value || !sameMask(before, mask)) {
      set(r, value, mask);
      r.target = value;
      r.invalid = mask;
      touched.add(update.chunkOf(r.seq, r.ts, rows));
    }
    attached++;
  }
  return { attached, unknown, expired, newTargets, touched };
}

/** Rows of (model_id, stage, n) as every model's unresolved errors per stage (Store.unresolvedErrorCounts). */
export function unresolvedByModel(rows: Iterable<Record<string, unknown>>): Map<number, Record<ErrorStage, number>> {
  const out = new Map<number, Record<ErrorStage, number>>();
  for (const r of rows) {
    let counts = out.get(Number(r.model_id));
    if (!counts) out.set(Number(r.model_id), (counts = zeroPerStage()));
    counts[r.stage as ErrorStage] = Number(r.n);
  }
  return out;
}

/** Every model's stamp (Store.modelStamps), its results generation 0 before any change of results. */
export const MODEL_STAMP_SQL =
  'SELECT m.id, m.name, m.created_at, m.fit_version, m.last_ingest_at, COALESCE(g.gen, 0) FROM models AS m LEFT JOIN model_results AS g ON g.model_id = m.id ORDER BY m.name';

export function modelStampFromRow(r: unknown[]): ModelStamp {
  return { id: r[0] as number, name: r[1] as string, createdAt: r[2] as number, fitVersion: r[3] as number, lastIngestAt: (r[4] as number | null) ?? null, resultsGen: Number(r[5]) };
}
