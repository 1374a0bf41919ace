/**
 * Which models keep their fitted calculators in memory: the most recently used ones, at most `capacity`
 * per compute core, so memory does not grow with the number of models. An evicted model is loaded again
 * from its saved fit when next needed (about 10 ms of CPU for the default calculators of 20 features).
 */
/**
 * Models whose fitted calculators stay in memory at once across the compute threads, unless
 * VIGIL_FIT_CACHE says otherwise. A fit of the default calculators on 20 features holds about 1.2 MB, so
 * this bounds them near 300 MB; models have a home thread (compute-pool.ts), and each thread keeps its
 * share (`perThreadFitCache`), so up to this many models are computed without reloading their fits.
 */
export const DEFAULT_FIT_CACHE_SIZE = 256;

/** Each compute thread's share of a pool-wide fit cache of `total` models. */
export function perThreadFitCache(total: number, threads: number): number {
  return Math.max(1, Math.ceil(total / Math.max(1, threads)));
}

export class FitCache {
  /** Model names, least recently used first (a Map keeps insertion order). */
  private readonly order = new Map<string, true>();

  constructor(
    readonly capacity: number,
    private readonly evict: (model: string) => void,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`fit cache size must be a positive integer, not ${capacity}`);
  }

  /** Marks a model's fit as just used (and loaded), evicting the least recently used beyond capacity. */
  use(model: string): void {
    this.order.delete(model);
    this.order.set(model, true);
    while (this.order.size > this.capacity) {
      const oldest = this.order.keys().next().value as string;
      this.order.delete(oldest);
      this.evict(oldest);
    }
  }

  drop(model: string): void {
    this.order.delete(model);
  }

  get size(): number {
    return this.order.size;
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
