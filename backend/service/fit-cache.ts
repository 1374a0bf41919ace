/**
 * Which models keep their fitted calculators in memory: the most recently used ones, at most `capacity`
 * (VIGIL_FIT_CACHE), so the compute core's memory does not grow with the number of models. An evicted
 * model is loaded again from its saved fit when next needed.
 */
/** Models whose fitted calculators stay in memory at once, unless VIGIL_FIT_CACHE says otherwise. */
export const DEFAULT_FIT_CACHE_SIZE = 32;

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

/** VIGIL_FIT_CACHE: how many models keep their fit in memory (default `fallback`). */
export function fitCacheSizeFromEnv(env: NodeJS.ProcessEnv, fallback: number): number {
  const raw = env.VIGIL_FIT_CACHE;
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`VIGIL_FIT_CACHE must be a positive integer (models whose fit stays in memory), not '${raw}'`);
  return n;
}
