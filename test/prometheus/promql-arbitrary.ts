/**
 * fast-check arbitraries of PromQL text: `validQuery` builds well-typed queries of Vigil's subset over the
 * series of the oracle's data (test/prometheus/oracle.test.ts), so Vigil and a real Prometheus can be asked
 * the same generated questions; `queryLike` makes near-queries (valid ones cut, spliced and sprinkled with
 * PromQL's own characters) for the "never a crash, always a positioned parse error" properties.
 *
 * Durations and offsets are whole minutes, so no sample of the oracle's data (at :17.123 past a minute)
 * sits on a window edge, where Prometheus 2.x and Vigil (left-open windows, as Prometheus 3) differ.
 */
import fc from 'fast-check';

const METRICS = {
  vigil_univariate_drift: ['model', 'column', 'method'],
  vigil_univariate_drift_upper_threshold: ['model', 'column', 'method'],
  vigil_univariate_drift_alert: ['model', 'column', 'method'],
  vigil_outlier_rate: ['model', 'metric'],
  vigil_outlier_rate_upper_threshold: ['model', 'metric'],
  vigil_estimated_performance: ['model', 'metric'],
  vigil_realized_performance: ['model', 'metric'],
  vigil_statistic: ['model', 'column', 'metric'],
} as const;
type Metric = keyof typeof METRICS;

const LABEL_VALUES: Record<string, string[]> = {
  model: ['m1', 'm2', 'm3'],
  column: ['a', 'b', 'c'],
  method: ['jensen_shannon', 'kolmogorov_smirnov'],
  metric: ['outlier_rate', 'roc_auc', 'f1', 'avg'],
};
const REGEXES: Record<string, string[]> = {
  model: ['m.', 'm[12]', '(?i)M1', 'm1|m3', '.*', '.+', 'x?'],
  column: ['[ab]', 'a|c', '\\\\w', '[[:alpha:]]', '\\\\pL', '.*', '[^b]'],
  method: ['jensen.*', '.*smirnov', '(?:jensen|kolmo)[a-z_]+', 'j\\\\w+'],
  metric: ['roc_.*', 'f1|avg', '.*rate', '\\\\Qf1\\\\E'],
};
const LABELS = Object.keys(LABEL_VALUES);

const metricName = fc.constantFrom(...(Object.keys(METRICS) as Metric[]));
const minutes = fc.constantFrom('5m', '10m', '30m', '1h', '90m', '2h');

const matcher = (labels: readonly string[]) =>
  fc.constantFrom(...labels).chain((label) =>
    fc.oneof(
      fc.tuple(fc.constantFrom('=', '!='), fc.constantFrom(...LABEL_VALUES[label])),
      fc.tuple(fc.constantFrom('=~', '!~'), fc.constantFrom(...REGEXES[label])),
    ).map(([op, value]) => `${label}${op}"${value}"`),
  );

/** `name{matchers}` (name always given: the subset needs a non-empty matcher, and this keeps it simple). */
const selector: fc.Arbitrary<string> = metricName.chain((name) =>
  fc.array(matcher(METRICS[name]), { maxLength: 2 }).map((ms) => (ms.length > 0 ? `${name}{${ms.join(', ')}}` : name)),
);
const offset = fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom(' offset 10m', ' offset 1h', ' offset 2h') });

const number = fc.oneof(
  fc.integer({ min: -5, max: 10 }).map(String),
  fc.constantFrom('0.5', '0.1', '100', '1e3', '0.25', 'NaN', 'Inf', '-Inf', '0x1f'),
);

const grouping = fc.subarray(LABELS, { maxLength: 2 });
const arithmetic = fc.constantFrom('+', '-', '*', '/', '%', '^');
const COMPARISONS = new Set(['==', '!=', '>', '<', '>=', '<=']);
const group = (e: string) => (e.includes(' ') ? `(${e})` : e);
const comparison = fc.constantFrom('==', '!=', '>', '<', '>=', '<=');

interface Typed {
  scalar: string;
  vector: string;
}

const typed = fc.letrec<Typed>((tie) => ({
  scalar: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: number },
    fc.tuple(tie('scalar'), arithmetic, tie('scalar')).map(([l, op, r]) => `${l} ${op} ${r}`),
    fc.tuple(tie('scalar'), comparison, tie('scalar')).map(([l, op, r]) => `${l} ${op} bool ${r}`),
    tie('scalar').map((s) => `(${s})`),
    tie('scalar').map((s) => `-${s}`),
  ),
  vector: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: fc.tuple(selector, offset).map(([s, o]) => s + o) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('last_over_time', 'avg_over_time', 'min_over_time', 'max_over_time'), selector, minutes, offset)
        .map(([f, s, d, o]) => `${f}(${s}[${d}]${o})`),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom('sum', 'avg', 'min', 'max', 'count'), fc.constantFrom('by', 'without', ''), grouping, fc.boolean(), tie('vector'))
        .map(([op, mod, labels, after, v]) => {
          if (mod === '') return `${op}(${v})`;
          const g = `${mod} (${labels.join(', ')})`;
          return after ? `${op}(${v}) ${g}` : `${op} ${g} (${v})`;
        }),
    },
    // A compound vector beside a scalar goes in parentheses: `0.5 == 0.5 == x` pairs the two scalars.
    fc.tuple(tie('vector'), fc.oneof(arithmetic, comparison), fc.boolean(), tie('scalar')).map(([v, op, bool, s]) => `${group(String(v))} ${op}${bool && COMPARISONS.has(op) ? ' bool' : ''} ${s}`),
    fc.tuple(tie('scalar'), fc.oneof(arithmetic, comparison), tie('vector')).map(([s, op, v]) => `${s} ${op} ${group(String(v))}`),
    fc
      .tuple(tie('vector'), fc.oneof(arithmetic, comparison), fc.constantFrom('', ' bool'), fc.constantFrom('', 'on', 'ignoring'), grouping, tie('vector'))
      .map(([l, op, bool, match, labels, r]) => {
        const b = COMPARISONS.has(op) ? bool : '';
        // With on/ignoring, both sides in parentheses: precedence must not pair the modifier with a scalar.
        if (match) return `(${l}) ${op}${b} ${match}(${labels.join(', ')}) (${r})`;
        return `${l} ${op}${b} ${r}`;
      }),
    tie('vector').map((v) => `(${v})`),
    tie('vector').map((v) => `-${v}`),
  ),
}));

/** A well-typed query of the subset (scalar or instant vector). */
export const validQuery: fc.Arbitrary<string> = fc.oneof({ weight: 1, arbitrary: typed.scalar }, { weight: 4, arbitrary: typed.vector });

/** PromQL's own characters and words, so mutations land on interesting tokens. */
const PIECES = ['(', ')', '{', '}', '[', ']', ',', '"', "'", '`', '=~', '!~', '!=', '==', '=', '-', '+', '*', '/', '^', '%', '@', ':', '#', '\\', ' by ', ' bool ', ' offset ', ' on', 'sum', 'rate', '5m', '1e', '0x', 'Inf', 'NaN', '\n', '.', '1', 'vigil_outlier_rate'];

/** Text near a query: generated queries cut, spliced, and with PromQL's pieces inserted, or any text. */
export const queryLike: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(validQuery, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.constantFrom(...PIECES)), { maxLength: 4 })).map(([q, edits]) => {
    let s = q;
    for (const [at, del, piece] of edits) {
      const i = at % (s.length + 1);
      s = s.slice(0, i) + piece + s.slice(i + del);
    }
    return s;
  }),
  fc.array(fc.constantFrom(...PIECES), { maxLength: 20 }).map((xs) => xs.join('')),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
