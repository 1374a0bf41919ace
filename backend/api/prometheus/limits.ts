/**
 * What one PromQL query may cost: limits on its size (checked while parsing, answered with 400
 * bad_data), a deadline (the `timeout` parameter, capped by VIGIL_QUERY_TIMEOUT; answered with 503
 * timeout, as Prometheus does), a bound on the samples of a result, and the time slices in which work
 * runs: evaluation and formatting give the event loop back every SLICE_MS, so `/healthz`, ingest and
 * other queries are answered while a long query runs.
 */
import { PromApiError } from './errors';
import { parseDurationParam } from './lexer';

/**
 * Nesting of an expression (parentheses, operators, aggregations, function calls; a chain `a + b + c`
 * nests one level per operator, as Prometheus's AST does). Parsing and evaluation recurse this deep.
 */
export const MAX_EXPRESSION_DEPTH = 1000;

/** Tokens of a query: numbers, names, strings, operators and punctuation each count one. */
export const MAX_QUERY_TOKENS = 10_000;

/** Prometheus's default `--query.timeout`. */
export const DEFAULT_QUERY_TIMEOUT = '2m';

/**
 * Samples (points) a query may return, the counterpart of Prometheus's `--query.max-samples` (50
 * million there, counted in memory while evaluating; here counted in the answer, whose JSON takes
 * ~27 bytes per point: the default is an answer of ~55 MB).
 */
export const DEFAULT_MAX_SAMPLES = 2_000_000;

/** How long evaluation or formatting runs before it yields to the event loop. */
export const SLICE_MS = 10;

export interface QueryLimits {
  /** ms; the `timeout` parameter may only shorten it */
  timeoutMs: number;
  maxSamples: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { timeoutMs: parseDurationParam(DEFAULT_QUERY_TIMEOUT), maxSamples: DEFAULT_MAX_SAMPLES };

/** VIGIL_QUERY_TIMEOUT (a Prometheus duration or seconds) and VIGIL_QUERY_MAX_SAMPLES; throws on a bad value. */
export function queryLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): QueryLimits {
  const rawTimeout = env.VIGIL_QUERY_TIMEOUT?.trim() || DEFAULT_QUERY_TIMEOUT;
  const timeoutMs = parseDurationParam(rawTimeout);
  if (!(timeoutMs > 0)) throw new Error(`VIGIL_QUERY_TIMEOUT: '${rawTimeout}' is not a positive Prometheus duration or number of seconds (e.g. 2m, 30s, 90)`);
  const rawSamples = env.VIGIL_QUERY_MAX_SAMPLES?.trim() || String(DEFAULT_MAX_SAMPLES);
  const maxSamples = Number(rawSamples);
  if (!Number.isSafeInteger(maxSamples) || maxSamples <= 0) throw new Error(`VIGIL_QUERY_MAX_SAMPLES: '${rawSamples}' is not a positive integer`);
  return { timeoutMs, maxSamples };
}

/** Prometheus's messages: the phase in which the deadline passed. */
export type QueryPhase = 'query execution' | 'expression evaluation';

export function timeoutError(phase: QueryPhase): PromApiError {
  return new PromApiError('timeout', `query timed out in ${phase}`);
}

export function tooManySamplesError(): PromApiError {
  return new PromApiError('execution', 'query processing would load too many samples into memory in query execution');
}

/**
 * The clock of one query: `due()` is cheap and says when the current slice is used up; then
 * `await pause()` yields to the event loop (setImmediate: pending I/O runs first) and throws the
 * timeout error once the deadline has passed. The pattern in hot loops: `if (b.due()) await b.pause();`.
 */
export class QueryBudget {
  private sliceEnd: number;
  private readonly deadline: number;

  constructor(
    timeoutMs: number,
    readonly maxSamples = DEFAULT_MAX_SAMPLES,
    private readonly now: () => number = () => performance.now(),
  ) {
    const start = now();
    this.deadline = start + timeoutMs;
    this.sliceEnd = start + SLICE_MS;
    // A timeout of zero or less has passed before anything runs (Prometheus: "in query execution").
    if (timeoutMs <= 0) throw timeoutError('query execution');
  }

  due(): boolean {
    return this.now() >= this.sliceEnd;
  }

  async pause(): Promise<void> {
    if (this.now() >= this.deadline) throw timeoutError('expression evaluation');
    await new Promise<void>((resolve) => setImmediate(resolve));
    const now = this.now();
    if (now >= this.deadline) throw timeoutError('expression evaluation');
    this.sliceEnd = now + SLICE_MS;
  }
}
