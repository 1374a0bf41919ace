/**
 * The compute and thread settings read from the environment (VIGIL_COMPUTE_THREADS, VIGIL_COMPUTE_NICE,
 * VIGIL_QUERY_PRIORITY, VIGIL_MAX_BACKLOG, VIGIL_MAX_LAG). A module of
 * its own without engine imports: `vigil serve` reads these before it opens the port.
 */
import * as os from 'os';

/** The default pool size is the CPU count, at most this (the main, ingest and writer threads need CPU too). */
export const MAX_DEFAULT_COMPUTE_THREADS = 4;

export function defaultComputeThreads(): number {
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cpus, MAX_DEFAULT_COMPUTE_THREADS));
}

/** VIGIL_COMPUTE_THREADS: compute worker threads (default defaultComputeThreads()). */
export function computeThreadsFromEnv(env: NodeJS.ProcessEnv): number {
  return wholeNumberFromEnv(env, 'VIGIL_COMPUTE_THREADS', defaultComputeThreads, 1, 64, 'a whole number from 1 to 64 (compute worker threads)');
}

/**
 * Nice levels the compute threads run below the server's other threads (Linux; threads/priority.ts):
 * compute may lag (results are background work), ingest and the query thread answer requests.
 */
export const DEFAULT_COMPUTE_NICE = 10;

/** VIGIL_COMPUTE_NICE: 0 (compute at the server's own priority) to 19. */
export function computeNiceFromEnv(env: NodeJS.ProcessEnv): number {
  return wholeNumberFromEnv(env, 'VIGIL_COMPUTE_NICE', () => DEFAULT_COMPUTE_NICE, 0, 19, 'a whole number from 0 (off) to 19 (nice levels the compute threads run below the rest of the server)');
}

/**
 * Nice levels the main thread (which takes every request) and the query thread run above the server's
 * level under `vigil serve` (Linux; threads/priority.ts). Rule queries come in bursts while ingest fills
 * both cores: at the server's level a burst's answers waited behind the ingest threads and V8's
 * collector threads (issue 13's 200-model rule bench: p99 100-500 ms, the query thread waiting in the run
 * queue about as long as it ran, the main thread's event loop stalled up to 120 ms); see
 * docs/performance.md for the rounds with the query thread alone raised and with both.
 * Raising needs CAP_SYS_NICE: without it both stay at the server's level (logged at the start).
 */
export const DEFAULT_QUERY_PRIORITY = 10;

/** VIGIL_QUERY_PRIORITY: 0 (the server's level) to 20. */
export function queryPriorityFromEnv(env: NodeJS.ProcessEnv): number {
  return wholeNumberFromEnv(env, 'VIGIL_QUERY_PRIORITY', () => DEFAULT_QUERY_PRIORITY, 0, 20, 'a whole number from 0 (off) to 20 (nice levels the main and query threads run above the rest of the server)');
}

/** Dirty chunks a model may have before its ingest is refused with 429 (VIGIL_MAX_BACKLOG). */
export const DEFAULT_MAX_BACKLOG_CHUNKS = 1000;

/** VIGIL_MAX_BACKLOG: a whole number of chunks, 0 for no bound. */
export function maxBacklogFromEnv(env: NodeJS.ProcessEnv): number {
  return wholeNumberFromEnv(env, 'VIGIL_MAX_BACKLOG', () => DEFAULT_MAX_BACKLOG_CHUNKS, 0, Number.POSITIVE_INFINITY, 'a whole number of chunks (0: no bound)');
}

/**
 * Estimated seconds to clear the pool's whole backlog (backlog-lag.ts) above which ingest answers 429
 * (VIGIL_MAX_LAG). Below issue 13's "results no more than 5 s behind when ingest stops", with a margin for
 * the estimate's error (it counts CPU time, not the waits of a busy machine) and for the requests in flight
 * when it passes the bound. 2 s, not 3: on the quiet 2-core machine at 200 models the catch-up took about
 * twice the estimate at the stop (many-models bench, 15:37 UTC 2026-12-06: bound 3 s, 2.6 s estimated,
 * 5.7 s taken; bound 2 s, 1.8 s estimated, 3.6 s taken, ingest 62k -> 58k rows/s; the one-model ingest
 * scenario kept 160k rows/s and a 2.0 s lag with 2 s).
 */
export const DEFAULT_MAX_LAG_SECONDS = 2;

/** VIGIL_MAX_LAG: seconds (decimals allowed), 0 for no bound. */
export function maxLagFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env.VIGIL_MAX_LAG;
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_LAG_SECONDS;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 86_400) throw new Error(`VIGIL_MAX_LAG must be a number of seconds from 0 (no bound) to 86400 (the estimated time to compute every model's waiting chunks above which ingest answers 429), not '${raw}'`);
  return n;
}

/** Retry-After of a 429, seconds: the estimated time to bring the backlog back to the bound, 1 to 60. */
export function retryAfterSeconds(excessChunks: number, secondsPerChunk: number | null, threads: number): number {
  return retryAfterOf((excessChunks * (secondsPerChunk ?? 0.1)) / Math.max(1, threads));
}

/** A Retry-After header's whole seconds for an estimated wait: 1 to 60. */
export function retryAfterOf(seconds: number): number {
  return Math.min(60, Math.max(1, Math.ceil(seconds)));
}

/** A whole number from the environment within [min, max]; unset or blank: the default; else an error saying `must`. */
function wholeNumberFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: () => number, min: number, max: number, must: string): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be ${must}, not '${raw}'`);
  return n;
}
