/**
 * Property-based tests of the PromQL lexer, parser and evaluator (fast-check; bounded runs and a fixed
 * seed, test/helpers/fuzz.ts): whatever the text, parsing either succeeds or throws a PromQLParseError
 * positioned `line:col`; a parsed query evaluates or fails with the typed errors the API maps to 4xx
 * (EvaluationError, PromApiError); nothing takes long. The queries come from
 * test/prometheus/promql-arbitrary.ts (the same generator the oracle test asks a real Prometheus).
 */
import fc from 'fast-check';
import { fuzzParams } from '../../../test/helpers/fuzz';
import { queryLike, validQuery } from '../../../test/prometheus/promql-arbitrary';
import { EvaluationError, PromApiError, PromQLParseError } from './errors';
import { evaluateInstant, evaluateRange, Lookback } from './evaluator';
import { Labels } from './labels';
import { tokenize } from './lexer';
import { MAX_EXPRESSION_DEPTH, QueryBudget } from './limits';
import { parseQuery } from './parser';
import { MemorySeriesSource, seriesFromSamples } from './source';

/** Per case, generously above the ~1 ms a case takes: a hang or a quadratic blow-up stands out. */
const CASE_MS = 250;
const POSITION = /^(\d+):(\d+): parse error: \S/;

const HOUR = 3_600_000;
const source = new MemorySeriesSource(
  seriesFromSamples(
    (function* (): Generator<{ labels: Labels; t: number; v: number }> {
      for (const model of ['m1', 'm2'])
        for (const column of ['a', 'b', 'c'])
          for (let i = 0; i < 24; i++) {
            const t = i * HOUR + 17_123;
            yield { labels: { __name__: 'vigil_univariate_drift', model, column, method: 'jensen_shannon' }, t, v: (i % 7) / 10 };
            yield { labels: { __name__: 'vigil_univariate_drift_upper_threshold', model, column, method: 'jensen_shannon' }, t, v: 0.25 };
            if (column === 'a') yield { labels: { __name__: 'vigil_outlier_rate', model, metric: 'outlier_rate' }, t, v: i === 5 ? NaN : i / 24 };
          }
    })(),
  ),
);
const LOOKBACK: Lookback = { kind: 'chunk', ms: 2 * HOUR };

/** Runs `f`, returning the error it throws (null if none) and how long it took. */
function timed(f: () => void): { error: unknown; ms: number } {
  const t0 = performance.now();
  try {
    f();
    return { error: null, ms: performance.now() - t0 };
  } catch (e) {
    return { error: e, ms: performance.now() - t0 };
  }
}

/** A parse error's `line:col` names a place inside the query (or just past its end). */
function expectPositioned(query: string, e: unknown) {
  expect(e).toBeInstanceOf(PromQLParseError);
  const m = POSITION.exec((e as Error).message);
  expect(m).not.toBeNull();
  const [line, col] = [Number(m![1]), Number(m![2])];
  const lines = query.split('\n');
  expect(line).toBeLessThanOrEqual(lines.length);
  expect(col).toBeGreaterThanOrEqual(1);
  expect(col).toBeLessThanOrEqual(lines[line - 1].length + 1);
}

describe('PromQL lexer and parser on any text', () => {
  it('parse or throw a positioned parse error, quickly (near-queries and arbitrary text)', () => {
    fc.assert(
      fc.property(queryLike, (q) => {
        const { error, ms } = timed(() => parseQuery(q));
        if (error !== null) expectPositioned(q, error);
        expect(ms).toBeLessThan(CASE_MS);
      }),
      fuzzParams(500),
    );
  });

  it('tokenize any text into tokens ending at eof, or throw a positioned parse error', () => {
    fc.assert(
      fc.property(fc.oneof(queryLike, fc.string({ unit: 'binary', maxLength: 60 })), (q) => {
        const { error } = timed(() => {
          const tokens = tokenize(q);
          expect(tokens[tokens.length - 1].kind).toBe('eof');
          for (const t of tokens) expect(t.end).toBeGreaterThanOrEqual(t.pos);
        });
        if (error !== null) expectPositioned(q, error);
      }),
      fuzzParams(300),
    );
  });

  it('parse every generated valid query', () => {
    fc.assert(
      fc.property(validQuery, (q) => {
        parseQuery(q);
      }),
      fuzzParams(300),
    );
  });

  it('refuse deep, long and wide queries with a positioned error, quickly', () => {
    const cases = [
      '('.repeat(3000) + '1' + ')'.repeat(3000),
      '-'.repeat(10_000) + '1',
      Array.from({ length: 20_000 }, () => 'vigil_outlier_rate').join(' + '),
      Array.from({ length: MAX_EXPRESSION_DEPTH + 1 }, () => 'x').join(' * '),
      'sum('.repeat(2000) + 'x' + ')'.repeat(2000),
      `x{a=~"${'(a{0,100}|b){0,10}'.repeat(10)}"}`,
    ];
    for (const q of cases) {
      const { error, ms } = timed(() => parseQuery(q));
      expectPositioned(q, error);
      expect(ms).toBeLessThan(CASE_MS);
    }
    // At the limits themselves, queries still parse.
    expect(() => parseQuery(Array.from({ length: MAX_EXPRESSION_DEPTH - 1 }, () => 'x').join(' * '))).not.toThrow();
    expect(() => parseQuery('('.repeat(MAX_EXPRESSION_DEPTH - 1) + '1' + ')'.repeat(MAX_EXPRESSION_DEPTH - 1))).not.toThrow();
  });
});

describe('PromQL evaluator on generated queries', () => {
  const expectTyped = (e: unknown) => {
    if (e instanceof EvaluationError) return;
    expect(e).toBeInstanceOf(PromApiError);
    expect(['execution', 'timeout']).toContain((e as PromApiError).errorType);
  };

  it('answers instant and range queries, or fails with a typed error, quickly', async () => {
    await fc.assert(
      fc.asyncProperty(validQuery, fc.integer({ min: -2, max: 30 }), async (q, hour) => {
        const expr = parseQuery(q);
        const t0 = performance.now();
        try {
          await evaluateInstant(expr, source, hour * HOUR, { lookback: LOOKBACK }, new QueryBudget(5_000));
          await evaluateRange(expr, source, 0, 30 * HOUR, 15 * 60_000, { lookback: LOOKBACK }, new QueryBudget(5_000));
        } catch (e) {
          expectTyped(e);
        }
        expect(performance.now() - t0).toBeLessThan(CASE_MS * 4);
      }),
      fuzzParams(200),
    );
  });

  it('evaluates the deepest accepted expression without overflowing the stack', async () => {
    const chain = Array.from({ length: MAX_EXPRESSION_DEPTH - 1 }, () => 'vigil_univariate_drift').join(' + ');
    const v = await evaluateInstant(parseQuery(chain), source, 3 * HOUR, { lookback: LOOKBACK });
    expect(v.kind === 'vector' && v.samples.length).toBe(6);
    const nested = '('.repeat(MAX_EXPRESSION_DEPTH - 2) + 'sum(vigil_univariate_drift)' + ')'.repeat(MAX_EXPRESSION_DEPTH - 2);
    expect((await evaluateInstant(parseQuery(nested), source, 3 * HOUR, { lookback: LOOKBACK })).kind).toBe('vector');
  });

  it('stops at the deadline with a timeout error, and at the sample limit with an execution error', async () => {
    const chain = Array.from({ length: 500 }, () => 'vigil_univariate_drift').join(' + ');
    await expect(evaluateRange(parseQuery(chain), source, 0, 30 * HOUR, 1000, { lookback: LOOKBACK }, new QueryBudget(50))).rejects.toMatchObject({
      errorType: 'timeout',
      message: 'query timed out in expression evaluation',
    });
    expect(() => new QueryBudget(0)).toThrow('query timed out in query execution');
    await expect(evaluateRange(parseQuery('vigil_univariate_drift'), source, 0, 30 * HOUR, 60_000, { lookback: LOOKBACK }, new QueryBudget(5_000, 1000))).rejects.toMatchObject({
      errorType: 'execution',
      message: 'query processing would load too many samples into memory in query execution',
    });
  });
});
