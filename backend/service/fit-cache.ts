/**
 * Which models keep their fitted calculators in memory: the most recently used ones, within a number of
 * models and a number of bytes per compute core, so memory does not grow with the number of models. An
 * evicted model is loaded again from its saved fit when next needed (about 10 ms of CPU for the default
 * calculators of 20 features).
 */
/**
 * Models whose fitted calculators stay in memory at once across the compute threads, unless
 * VIGIL_FIT_CACHE says otherwise. Models have a home thread (compute-pool.ts), and each thread keeps its
 * share (`perThreadFitCache`), so up to this many models are computed without reloading their fits. The
 * byte budget below usually binds first.
 */
export const DEFAULT_FIT_CACHE_SIZE = 256;

/**
 * The memory (MiB, as `fitBytes` estimates it) the fits kept in memory may take across the compute threads,
 * unless VIGIL_FIT_CACHE_MB says otherwise. A fit of the default calculators on 20 features is estimated
 * at about 1.2 MB, so this keeps about 50 such models. 64, not 128: on the quiet 2-core machine at 200
 * models (many-models bench, 16:41 UTC 2026-12-06) 128 gave a peak RSS of 1,041-1,070 MiB, over issue 13's
 * 1 GiB; 64 gave 936 MiB, results 3.4 s behind at the stop (the lag bound counts the fit reloads), and
 * ingest paced to 46k rows/s instead of 58k (docs/performance.md "Issue 13's targets after the fourth round").
 */
export const DEFAULT_FIT_CACHE_MB = 64;

/** Each compute thread's share of a pool-wide fit cache of `total` models. */
export function perThreadFitCache(total: number, threads: number): number {
  return Math.max(1, Math.ceil(total / Math.max(1, threads)));
}

/** Each compute thread's share (bytes) of a pool-wide fit budget of `totalBytes`. */
export function perThreadFitBytes(totalBytes: number, threads: number): number {
  return totalBytes / Math.max(1, threads);
}

export class FitCache {
  /** Model names with the bytes of their fit, least recently used first (a Map keeps insertion order). */
  private readonly order = new Map<string, number>();
  /** The sum of the bytes in `order`. */
  private total = 0;

  constructor(
    readonly capacity: number,
    private readonly evict: (model: string) => void,
    /** The bytes the fits may take together; the model used last stays even when its fit alone is larger. */
    readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`fit cache size must be a positive integer, not ${capacity}`);
    if (!(maxBytes > 0)) throw new Error(`fit cache bytes must be positive, not ${maxBytes}`);
  }

  /**
   * Marks a model's fit as just used (and loaded; `bytes`: its size when it was just loaded, else the size
   * it was loaded with), evicting the least recently used beyond the capacity or the byte budget.
   */
  use(model: string, bytes?: number): void {
    const had = this.order.get(model);
    const size = bytes ?? had ?? 0;
    if (had !== undefined) {
      this.order.delete(model);
      this.total -= had;
    }
    this.order.set(model, size);
    this.total += size;
    while (this.order.size > this.capacity || (this.total > this.maxBytes && this.order.size > 1)) {
      const [oldest, oldBytes] = this.order.entries().next().value as [string, number];
      this.order.delete(oldest);
      this.total -= oldBytes;
      this.evict(oldest);
    }
  }

  drop(model: string): void {
    const had = this.order.get(model);
    if (had === undefined) return;
    this.order.delete(model);
    this.total -= had;
  }

  get size(): number {
    return this.order.size;
  }

  /** The bytes of the fits in memory (as given to `use`). */
  get bytes(): number {
    return this.total;
  }
}

/** VIGIL_FIT_CACHE: how many models keep their fit in memory, across the compute threads (default `fallback`). */
export function fitCacheSizeFromEnv(env: NodeJS.ProcessEnv, fallback: number): number {
  const raw = env.VIGIL_FIT_CACHE;
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`VIGIL_FIT_CACHE must be a positive integer (models whose fit stays in memory), not '${raw}'`);
  return n;
}

/**
 * VIGIL_FIT_CACHE_MB: the memory (MiB) the fits in memory may take across the compute threads, in bytes
 * (default DEFAULT_FIT_CACHE_MB). Read by the compute pool and checked by `vigil serve` at start.
 */
export function fitCacheBytesFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.VIGIL_FIT_CACHE_MB;
  if (raw === undefined || raw.trim() === '') return DEFAULT_FIT_CACHE_MB * 1048576;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`VIGIL_FIT_CACHE_MB must be a positive number of MiB (memory the fits in memory may take), not '${raw}'`);
  return n * 1048576;
}
