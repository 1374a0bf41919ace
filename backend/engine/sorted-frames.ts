/**
 * The reference and analysis frames as calculators see them: the timestamp column converted to epoch ms
 * and rows sorted by it, once per timestamp column. Light on purpose (no calculators): `vigil run`'s
 * reading threads prepare their frame before the engine is loaded.
 */
import { DataError, Period } from './calculator';
import { Frame, makeFrame, sortByColumn } from './frame';
import { TimestampError, toTimestampColumn } from './timestamps';

/** Converts the timestamp column to epoch ms and sorts stably by it (spec §0 "Sorting"). */
export function prepareFrame(frame: Frame, dataset: string, timestampColumn: string | null): Frame {
  if (frame.length === 0) throw new DataError(dataset, 'no data rows');
  if (!timestampColumn) return frame;
  const col = frame.columns.get(timestampColumn);
  if (!col) throw new DataError(dataset, `column '${timestampColumn}' not found (timestamp_column_name)`);
  let ts;
  try {
    ts = toTimestampColumn(col);
  } catch (e) {
    if (e instanceof TimestampError) throw new DataError(dataset, e.message);
    throw e;
  }
  const cols = frame.names.map((n) => (n === timestampColumn ? ts : frame.columns.get(n)!));
  return sortByColumn(makeFrame(cols, frame.length), timestampColumn);
}

/**
 * The reference and analysis frames sorted by each timestamp column asked for, each sorted once, each
 * dataset on its own (so calculators can be fitted on the reference before the analysis is read). A
 * frame may be given already sorted by the thread that read it (`presorted`).
 */
export class SortedFrames {
  private readonly raw: Record<Period, Frame | null>;
  private readonly cache: Record<Period, Map<string, Frame>> = { reference: new Map(), analysis: new Map() };

  constructor(reference: Frame | null, analysis: Frame | null) {
    this.raw = { reference, analysis };
  }

  /** Sets a dataset's frame (unsorted), e.g. the analysis once another thread has read it. */
  set(dataset: Period, frame: Frame): void {
    this.raw[dataset] = frame;
  }

  /** Records `frame` as the dataset already sorted by `timestampColumn` (prepareFrame's result). */
  presorted(dataset: Period, timestampColumn: string | null, frame: Frame): void {
    this.cache[dataset].set(timestampColumn ?? '', frame);
  }

  sortedBy(dataset: Period, timestampColumn: string | null): Frame {
    const key = timestampColumn ?? '';
    let frame = this.cache[dataset].get(key);
    if (!frame) {
      const raw = this.raw[dataset];
      if (!raw) throw new Error(`vigil run: the ${dataset} frame is not loaded yet`);
      frame = prepareFrame(raw, dataset, timestampColumn);
      this.cache[dataset].set(key, frame);
    }
    return frame;
  }

  isSorted(dataset: Period, timestampColumn: string | null): boolean {
    return this.cache[dataset].has(timestampColumn ?? '');
  }
}
