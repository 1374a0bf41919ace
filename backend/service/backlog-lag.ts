/**
 * The results' lag across the whole pool: how long the compute threads would take to clear every model's
 * waiting chunks, were ingest to stop now. Ingest is refused (429) while it passes VIGIL_MAX_LAG
 * (service.ts), because a per-model bound (VIGIL_MAX_BACKLOG) never bounds the lag of many models that
 * each have a few chunks waiting.
 *
 * The estimate is Σ over models of (chunks waiting × seconds per chunk) ÷ threads. A pace is a running
 * mean of recomputes' CPU time per chunk on a compute thread (reading rows, the calculators, writing, and
 * loading fits that were not in memory; compute.ts ComputeEvents.recomputed):
 * the time a chunk takes once ingest stops, without the waits for the CPU and SQLite's write lock that
 * ingest causes meanwhile (wall time under full-rate ingest was 2-3 times the time the backlog then took to
 * clear, and throttled ingest for nothing). On a machine busy with other work the estimate is short. A model
 * uses its own pace once OWN_PACE_CHUNKS of its chunks were measured after its first recompute, and the
 * pool's pace (every model's recomputes) until then: with 200 models each is recomputed a few times a
 * minute, and its first recompute on a thread is slower than the rest (what it builds on first use), so a
 * pace of its own would rest on a few high samples (a probe at 200 models estimated 0.5 s a chunk against
 * 65 ms measured, and throttled ingest hard). Before any recompute:
 * DEFAULT_SECONDS_PER_CHUNK. The pool's pace also sizes the Retry-After of the per-model backlog bound
 * (VIGIL_MAX_BACKLOG), so the engines keep none of their own.
 */

/** A running mean of the seconds per recomputed chunk (each recompute weighs by its chunks). */
class ChunkPace {
  private mean: number | null = null;

  note(seconds: number, chunks: number): void {
    if (chunks <= 0) return;
    const perChunk = seconds / chunks;
    const w = Math.min(1, chunks / 20);
    this.mean = this.mean === null ? perChunk : this.mean + w * (perChunk - this.mean);
  }

  get(): number | null {
    return this.mean;
  }
}

/** Seconds per chunk assumed before any recompute was measured (a 1,000-row chunk, default calculators, 20 features, is ~0.02 s of CPU). */
export const DEFAULT_SECONDS_PER_CHUNK = 0.05;

/** Chunks of a model measured before its own pace replaces the pool's in the estimate. */
export const OWN_PACE_CHUNKS = 8;

export class BacklogLag {
  private readonly pending = new Map<string, number>();
  private readonly paces = new Map<string, { pace: ChunkPace; chunks: number }>();
  private readonly pool = new ChunkPace();

  /** A model's chunks waiting to be recomputed, as last read from the store. */
  setPending(model: string, chunks: number): void {
    this.pending.set(model, chunks);
  }

  /** A recompute of `chunks` chunks of the model took `seconds` on its compute thread. */
  noteRecompute(model: string, seconds: number, chunks: number): void {
    this.pool.note(seconds, chunks);
    const own = this.paces.get(model);
    // The model's first recompute is its warm-up: not in its own pace.
    if (!own) this.paces.set(model, { pace: new ChunkPace(), chunks: 0 });
    else {
      own.pace.note(seconds, chunks);
      own.chunks += chunks;
    }
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

  /** The pool's recent seconds per recomputed chunk (every model's recomputes), null before any. */
  secondsPerChunk(): number | null {
    return this.pool.get();
  }

  /** Estimated seconds for `threads` compute threads to clear every model's waiting chunks. */
  estimateSeconds(threads: number): number {
    const pool = this.pool.get() ?? DEFAULT_SECONDS_PER_CHUNK;
    let s = 0;
    for (const [model, chunks] of this.pending) {
      if (chunks === 0) continue;
      const own = this.paces.get(model);
      s += chunks * (own && own.chunks >= OWN_PACE_CHUNKS ? own.pace.get()! : pool);
    }
    return s / Math.max(1, threads);
  }
}
