/**
 * Which chunks of the analysis stream a batch touches.
 *
 * Size chunking (chunk_size; chunk_number and the default use the reference's chunk size): rows are
 * placed in arrival order — batches in the order they are acknowledged, rows within a batch sorted by
 * timestamp — and chunk k holds rows k·size … (k+1)·size−1 of that order, exactly NannyML's
 * SizeBasedChunker over the stream (`incomplete` keep/append/drop included). A late row (older timestamp)
 * therefore joins the chunk that is filling when it arrives; it never reshuffles chunks already full, so
 * only the chunks whose row range grows are recomputed. The last chunk, while it has fewer rows than a
 * full one, is marked partial.
 *
 * Period chunking (chunk_period): a row belongs to the period of its timestamp, whenever it arrives; it
 * dirties that period only. Chunk positions (index, start/end row) are ranks in time order, renumbered
 * after each recompute. A period that has not ended yet is partial.
 */
import { ChunkerSpec, chunkRows, periodOf } from '../engine/chunking';
import { AcceptedRows, ChunkMark, ChunkPlan } from '../store/types';
import { StreamChunker } from './layout';

function sizeSpec(c: StreamChunker & { type: 'size' }): ChunkerSpec {
  return { type: 'size', chunkSize: c.size, incomplete: c.incomplete };
}

/** The size chunks of a stream of n rows, with their partial flags. */
export function sizeChunkMarks(n: number, c: StreamChunker & { type: 'size' }): ChunkMark[] {
  // A stream shorter than one chunk simply has no chunk yet (`vigil run` calls that an error).
  if (n === 0 || (c.incomplete === 'drop' && n < c.size)) return [];
  const chunks = chunkRows(n, sizeSpec(c), null);
  const filling = n % c.size !== 0;
  return chunks.map((ch, i) => ({
    chunkId: ch.index,
    key: ch.key,
    startSeq: ch.start,
    endSeq: ch.end,
    rangeStart: null,
    rangeEnd: null,
    partial: filling && i === chunks.length - 1 && c.incomplete !== 'drop',
  }));
}

export function periodChunkMark(ts: number, c: StreamChunker & { type: 'period' }): ChunkMark {
  const p = periodOf(ts, c.period);
  return { chunkId: p.start, key: p.key, startSeq: null, endSeq: null, rangeStart: p.start, rangeEnd: p.nextStart, partial: true };
}

export function planChunks(accepted: AcceptedRows, c: StreamChunker): ChunkPlan {
  if (c.type === 'period') {
    const seen = new Map<number, ChunkMark>();
    const ts = accepted.timestamps!;
    let lastStart = NaN;
    let lastEnd = NaN;
    for (let i = 0; i < ts.length; i++) {
      // Rows of a batch mostly share a period: skip the period computation while inside the last one.
      if (ts[i] >= lastStart && ts[i] < lastEnd) continue;
      const m = periodChunkMark(ts[i], c);
      seen.set(m.chunkId, m);
      lastStart = m.rangeStart!;
      lastEnd = m.rangeEnd!;
    }
    return { upsert: [...seen.values()], remove: [] };
  }
  const before = sizeChunkMarks(accepted.before, c);
  const after = sizeChunkMarks(accepted.before + accepted.count, c);
  const firstNew = accepted.before;
  const upsert = after.filter((m, i) => {
    const old = before[i];
    return !old || old.startSeq !== m.startSeq || old.endSeq !== m.endSeq || old.partial !== m.partial || m.endSeq! >= firstNew;
  });
  const remove = before.filter((_, i) => i >= after.length).map((m) => m.chunkId);
  return { upsert, remove };
}

/** The chunk a stored row belongs to (for marking it dirty when its target arrives). */
export function chunkIdOf(seq: number, ts: number | null, rows: number, c: StreamChunker): number {
  if (c.type === 'period') return periodOf(ts!, c.period).start;
  const idx = Math.floor(seq / c.size);
  const full = Math.floor(rows / c.size);
  // With incomplete=append the remainder belongs to the last full chunk.
  if (c.incomplete === 'append' && idx === full && full > 0) return full - 1;
  return idx;
}
