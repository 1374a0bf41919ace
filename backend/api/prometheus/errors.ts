/**
 * Errors in Prometheus's API shape: `{"status":"error","errorType":..., "error":...}` with the HTTP status
 * Prometheus uses for each type (web/api/v1/api.go: bad_data 400, execution 422, canceled/timeout 503,
 * internal 500, not_found 404).
 */

export type ErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal' | 'not_found' | 'unavailable';

export const HTTP_STATUS: Record<ErrorType, number> = {
  bad_data: 400,
  execution: 422,
  canceled: 503,
  timeout: 503,
  unavailable: 503,
  internal: 500,
  not_found: 404,
};

export class PromApiError extends Error {
  constructor(
    readonly errorType: ErrorType,
    message: string,
  ) {
    super(message);
    this.name = 'PromApiError';
  }
}

/**
 * A syntax or type error in a query, positioned like Prometheus's ParseErr: `line:col: parse error: msg`
 * (col is 1-based within the line).
 */
export class PromQLParseError extends Error {
  readonly detail: string;
  constructor(
    readonly query: string,
    readonly pos: number,
    detail: string,
  ) {
    super(`${position(query, pos)}: parse error: ${detail}`);
    this.detail = detail;
    this.name = 'PromQLParseError';
  }
}

/** A construct of PromQL that Vigil's subset does not evaluate; reported as bad_data naming it. */
export class UnsupportedConstructError extends PromQLParseError {
  constructor(query: string, pos: number, construct: string) {
    super(query, pos, `${construct} is not supported by Vigil's PromQL subset (see docs/prometheus.md)`);
    this.name = 'UnsupportedConstructError';
  }
}

/** An error while evaluating a well-formed query (Prometheus's errorType "execution"). */
export class EvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluationError';
  }
}

function position(query: string, pos: number): string {
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < pos && i < query.length; i++) {
    if (query[i] === '\n') {
      line++;
      lastBreak = i;
    }
  }
  return `${line}:${pos - lastBreak}`;
}
