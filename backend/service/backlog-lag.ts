/**
 * The results' lag across the whole pool: how long the compute threads would take to clear every model's
 * waiting chunks, were ingest to stop now. Ingest is refused (429) while it passes VIGIL_MAX_LAG
 * (service.ts), because a per-model bound (VIGIL_MAX_BACKLOG) never bounds the lag of many models that
 * each have a few chunks waiting.
 *
 * The estimate is Σ over models of (chunks waiting × the model's recent seconds per chunk) ÷ threads. A
 * model's pace is a running mean of its recomputes' wall time per chunk on a compute thread (reading rows,
 * the calculators, waiting for the write lock, writing; not loading the model's fit, which is once per
 * model, not per chunk); a model not recomputed yet takes the pool's pace,
 * and before any recompute DEFAULT_SECONDS_PER_CHUNK. Wall time under contention with ingest is longer
 * than once ingest stops, so the estimate errs on the side of a shorter lag.
 */
import { ChunkPace } from './engine';

/** Seconds per chunk assumed before any recompute was measured (a 1,000-row chunk, default calculators, 20 features, is ~0.02 s of CPU). */
export const DEFAULT_SECONDS_PER_CHUNK = 0.05;

export class BacklogLag {
  private readonly pending = new Map<string, number>();
  private readonly paces = new Map<string, ChunkPace>();
  private readonly pool = new ChunkPace();

  /** A model's chunks waiting to be recomputed, as last read from the store. */
  setPending(model: string, chunks: number): void {
    this.pending.set(model, chunks);
  }

  /** A recompute of `chunks` chunks of the model took `seconds` on its compute thread. */
  noteRecompute(model: string, seconds: number, chunks: number): void {
    let pace = this.paces.get(model);
    if (!pace) this.paces.set(model, (pace = new ChunkPace()));
    pace.note(seconds, chunks);
    this.pool.note(seconds, chunks);
  }

  forget(model: string): void {
    this.pending.delete(model);
    this.paces.delete(model);
  }

  /** Chunks waiting across every model. */
  totalPending(): number {
    let n = 0;
    for (const c of this.pending.values()) n += c;
    return n;
  }

  /** Estimated seconds for `threads` compute threads to clear every model's waiting chunks. */
  estimateSeconds(threads: number): number {
    const fallback = this.pool.get() ?? DEFAULT_SECONDS_PER_CHUNK;
    let s = 0;
    for (const [model, chunks] of this.pending) if (chunks > 0) s += chunks * (this.paces.get(model)?.get() ?? fallback);
    return s / Math.max(1, threads);
  }
}
