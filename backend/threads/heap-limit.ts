/**
 * A cap on the query thread's V8 old generation (Worker resourceLimits.maxOldGenerationSizeMb).
 *
 * Why: between two full collections V8 lets a heap grow to a multiple of what the last one kept, and that
 * multiple is larger the larger the heap may grow (up to 4 with the defaults of a machine with many GB).
 * The query thread keeps its series index (~110 MiB at 200 models of 20 features) and makes garbage fast
 * (an all-model panel allocates ~200 MB), so without a cap it sat at 400–450 MiB between collections;
 * with a cap of 768 MiB at ~200 MiB, at the price of more frequent full collections (docs/performance.md
 * "Memory by thread at 200 models"). A thread that outgrows its cap stops (out of memory), the query in
 * flight fails, and the thread is started again on the next query (query-thread.ts): raise the cap for
 * many more series.
 */
import type { ResourceLimits } from 'worker_threads';

export const DEFAULT_QUERY_HEAP_MB = 768;

/** VIGIL_QUERY_HEAP_MB: the query thread's heap cap in MiB (default DEFAULT_QUERY_HEAP_MB); `0`: V8's own limit. */
export function queryHeapFromEnv(env: NodeJS.ProcessEnv): number | null {
  const raw = env.VIGIL_QUERY_HEAP_MB;
  if (raw === undefined || raw.trim() === '') return DEFAULT_QUERY_HEAP_MB;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || (n > 0 && n < 64)) throw new Error(`VIGIL_QUERY_HEAP_MB must be 0 (no cap) or a whole number of MiB from 64, not '${raw}'`);
  return n === 0 ? null : n;
}

/** The query thread's resource limits from the environment (undefined: V8's defaults). */
export function queryThreadLimits(env: NodeJS.ProcessEnv = process.env): ResourceLimits | undefined {
  const mb = queryHeapFromEnv(env);
  return mb === null ? undefined : { maxOldGenerationSizeMb: mb };
}
