/**
 * `vigil serve [--port N] [--db PATH|postgres://...] [--host H] [--role api|worker|all]`: the server, until SIGTERM/SIGINT (graceful: requests in
 * flight finish, the recompute stops between chunks, the store is closed). Structured JSON logs on stdout.
 *
 * Environment: VIGIL_PORT, VIGIL_DB, VIGIL_HOST, VIGIL_READ_KEY, VIGIL_WRITE_KEY, VIGIL_MAX_BODY_BYTES,
 * VIGIL_LOG_LEVEL (debug|info|warn|error), VIGIL_SYNCHRONOUS (full|normal), VIGIL_COMPUTE (worker|inline),
 * VIGIL_FIT_CACHE (models whose fitted calculators stay in memory), VIGIL_COMPUTE_THREADS (compute worker
 * threads), VIGIL_MAX_BACKLOG (dirty chunks of a model before ingest answers 429), VIGIL_MAX_LAG (estimated
 * seconds of compute waiting across all models before ingest answers 429), VIGIL_ROLE (api|worker|all:
 * with a postgres:// store, whether this replica ingests and answers, computes, or both; docs/scaling.md).
 * Flags win over the environment.
 */
import { DEFAULT_DB, DEFAULT_PORT, RunningServer, ServerOptions, startServer } from '../api/server';
import { AuthConfigError } from '../api/auth';
import { DEFAULT_FIT_CACHE_SIZE, fitCacheBytesFromEnv, fitCacheSizeFromEnv } from '../service/fit-cache';
import { queryHeapFromEnv } from '../threads/heap-limit';
import { raiseMainThread } from '../threads/priority';
import { computeNiceFromEnv, computeThreadsFromEnv, maxBacklogFromEnv, maxLagFromEnv, queryPriorityFromEnv } from '../service/compute-env';
import { createLogger, Logger, parseLogLevel } from '../service/log';
import { claimLeaseFromEnv, syncIntervalFromEnv } from '../service/replica-sync';
import type { ReplicaRole } from '../service/service';
import { UsageError } from './run';

export interface ServeArgs {
  port: number;
  dbPath: string;
  host: string | null;
}

function parsePort(v: string, what: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`${what}: '${v}' is not a port number (0-65535)`);
  return n;
}

/** Parses the flags shared by `serve` and `demo`; `extra` handles command-specific ones. */
export function parseServeArgs(args: string[], env: NodeJS.ProcessEnv, usage: string, extra?: (flag: string, value: () => string) => boolean): ServeArgs {
  let port = env.VIGIL_PORT ? parsePort(env.VIGIL_PORT, 'VIGIL_PORT') : DEFAULT_PORT;
  let dbPath = env.VIGIL_DB || DEFAULT_DB;
  let host = env.VIGIL_HOST || null;
  for (let i = 0; i < args.length; i++) {
    let flag = args[i];
    let inline: string | null = null;
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      inline = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    const value = () => {
      if (inline !== null) return inline;
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value (${usage})`);
      return v;
    };
    if (flag === '--port' || flag === '-p') port = parsePort(value(), flag);
    else if (flag === '--db') dbPath = value();
    else if (flag === '--host') host = value();
    else if (!extra || !extra(flag, value)) throw new UsageError(`unknown option '${args[i]}' (${usage})`);
  }
  return { port, dbPath, host };
}

export function serverOptionsFromEnv(args: ServeArgs, env: NodeJS.ProcessEnv, logger: Logger): ServerOptions {
  const maxBody = env.VIGIL_MAX_BODY_BYTES;
  if (maxBody !== undefined && !/^\d+$/.test(maxBody)) throw new UsageError(`VIGIL_MAX_BODY_BYTES: '${maxBody}' is not a number of bytes`);
  const compute = env.VIGIL_COMPUTE;
  if (compute !== undefined && compute !== 'worker' && compute !== 'inline') throw new UsageError(`VIGIL_COMPUTE: '${compute}' (expected worker or inline)`);
  const role = env.VIGIL_ROLE;
  if (role !== undefined && role !== '' && !ROLES.includes(role)) throw new UsageError(`VIGIL_ROLE: '${role}' (expected ${ROLES.join(', ')})`);
  const sync = env.VIGIL_SYNCHRONOUS;
  if (sync !== undefined && sync !== 'full' && sync !== 'normal') throw new UsageError(`VIGIL_SYNCHRONOUS: '${sync}' (expected full or normal)`);
  let fitCacheSize: number;
  let computeThreads: number;
  let maxBacklogChunks: number;
  let maxLagSeconds: number;
  try {
    fitCacheSize = fitCacheSizeFromEnv(env, DEFAULT_FIT_CACHE_SIZE);
    fitCacheBytesFromEnv(env); // read by the compute threads (compute.ts); a bad value stops the start here
    queryHeapFromEnv(env); // read when the query thread starts (query-thread.ts); likewise
    computeThreads = computeThreadsFromEnv(env);
    maxBacklogChunks = maxBacklogFromEnv(env);
    maxLagSeconds = maxLagFromEnv(env);
    computeNiceFromEnv(env); // read by each compute thread (worker.ts); a bad value stops the start here
    queryPriorityFromEnv(env); // read by the query thread (query-worker.ts), likewise
    // Read by the service and the compute scheduler; a bad value stops the start here (exit 2).
    syncIntervalFromEnv(env);
    claimLeaseFromEnv(env);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return {
    port: args.port,
    host: args.host,
    dbPath: args.dbPath,
    auth: { readKey: env.VIGIL_READ_KEY || null, writeKey: env.VIGIL_WRITE_KEY || null },
    maxBodyBytes: maxBody ? Number(maxBody) : undefined,
    synchronous: sync as 'full' | 'normal' | undefined,
    compute: compute as 'worker' | 'inline' | undefined,
    logLevel: parseLogLevel(env.VIGIL_LOG_LEVEL),
    fitCacheSize,
    computeThreads,
    maxBacklogChunks,
    maxLagSeconds,
    role: (role || undefined) as ReplicaRole | undefined,
    logger,
    env,
  };
}

/** Runs a server until a signal; resolves with the exit code. */
export async function runUntilSignal(options: ServerOptions, log: Logger): Promise<number> {
  await raiseRequestThreads(log);
  let server: RunningServer;
  try {
    server = await startServer(options);
  } catch (e) {
    if (e instanceof AuthConfigError) throw new UsageError(e.message);
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`port ${options.port} is already in use (--port or VIGIL_PORT)`);
    throw e;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log.warn('second signal: exiting now', { signal });
        process.exit(1);
      }
      stopping = true;
      log.info('shutting down', { signal });
      server.close().then(
        () => {
          log.info('stopped');
          resolve(0);
        },
        (e) => {
          log.error('shutdown failed', { error: (e as Error).message });
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/**
 * Before the server starts its threads: the main thread (every request) goes VIGIL_QUERY_PRIORITY nice
 * levels above the server's level, the query thread follows when it starts, and the ingest and compute
 * threads set theirs from the server's level (threads/priority.ts).
 */
async function raiseRequestThreads(log: Logger): Promise<void> {
  try {
    const p = await raiseMainThread(queryPriorityFromEnv(process.env));
    if (p?.denied) log.info("main and query threads left at the server's priority: raising them needs CAP_SYS_NICE (root, or --cap-add SYS_NICE); VIGIL_QUERY_PRIORITY=0 asks for none", { nice: p.nice });
    else if (p) log.debug('main thread priority', { ...p });
  } catch (e) {
    log.warn('main thread priority left unchanged', { error: (e as Error).message });
  }
}

const USAGE = 'usage: vigil serve [--port N] [--db PATH|postgres://USER@HOST:PORT/DB] [--host HOST] [--role api|worker|all]';
const ROLES = ['api', 'worker', 'all'];

export const ENV_HELP = [
  'environment: VIGIL_PORT (8700), VIGIL_DB (./data/vigil.db), VIGIL_HOST, VIGIL_WRITE_KEY, VIGIL_READ_KEY,',
  '  VIGIL_MAX_BODY_BYTES (67108864), VIGIL_LOG_LEVEL (info), VIGIL_SYNCHRONOUS (full|normal), VIGIL_COMPUTE (worker|inline),',
  '  VIGIL_PROM_LOOKBACK (7d), VIGIL_QUERY_TIMEOUT (2m), VIGIL_QUERY_MAX_SAMPLES (2000000), VIGIL_QUERY_THREAD (auto|off),',
  '  VIGIL_COMPUTE_THREADS (CPUs, at most 4), VIGIL_COMPUTE_NICE (10; 0: off), VIGIL_QUERY_PRIORITY (10, needs CAP_SYS_NICE; 0: off),',
  '  VIGIL_MAX_BACKLOG (1000 chunks; 0: no bound),',
  '  VIGIL_MAX_LAG (2 s of estimated compute waiting across all models; 0: no bound),',
  '  VIGIL_ROLE (all|api|worker, replicas on one postgres:// store), VIGIL_SYNC_INTERVAL (1000 ms), VIGIL_CLAIM_LEASE (60000 ms)',
  '  VIGIL_FIT_CACHE (256 models), VIGIL_FIT_CACHE_MB (64), VIGIL_QUERY_HEAP_MB (768; 0: V8\'s own limit)',
  'without a key the API is open and the server listens on 127.0.0.1 only',
].join('\n');

export async function serveCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n${ENV_HELP}\n`);
    return 0;
  }
  const env = process.env;
  let role: string | null = null;
  const parsed = parseServeArgs(args, env, USAGE, (flag, value) => {
    if (flag !== '--role') return false;
    role = value();
    if (!ROLES.includes(role)) throw new UsageError(`--role: '${role}' (expected ${ROLES.join(', ')})`);
    return true;
  });
  const log = createLogger(parseLogLevel(env.VIGIL_LOG_LEVEL));
  const options = serverOptionsFromEnv(parsed, env, log);
  return runUntilSignal(role ? { ...options, role: role as ReplicaRole } : options, log);
}
