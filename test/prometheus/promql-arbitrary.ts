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
const GENERATED_RANGE_FUNCTIONS = [
  'rate', 'increase', 'delta', 'irate', 'idelta', 'deriv', 'changes', 'resets', 'sum_over_time', 'count_over_time',
  'present_over_time', 'stddev_over_time', 'last_over_time', 'avg_over_time', 'min_over_time', 'max_over_time',
];
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
    fc.constant('pi()'),
    fc.tuple(tie('scalar'), tie('scalar')).map(([l, r]) => `${l} atan2 ${r}`),
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
    // Functions of range vectors, over the counter too, and subqueries of any vector.
    fc
      .tuple(fc.constantFrom(...GENERATED_RANGE_FUNCTIONS), fc.oneof(selector, fc.constant('vigil_ingested_rows_total')), minutes, offset)
      .map(([f, s, d, o]) => `${f}(${s}[${d}]${o})`),
    fc
      .tuple(fc.constantFrom('max_over_time', 'avg_over_time', 'count_over_time', 'deriv', 'changes', 'last_over_time'), tie('vector'), fc.constantFrom('10m', '30m', '1h'), fc.constantFrom('1m', '5m', ''))
      .map(([f, v, r, step]) => `${f}((${v})[${r}:${step}])`),
    fc.tuple(fc.constantFrom('abs', 'ceil', 'floor', 'sqrt', 'ln', 'exp', 'sgn', 'round', 'timestamp', 'sort_desc'), tie('vector')).map(([f, v]) => `${f}(${v})`),
    fc.tuple(fc.constantFrom('clamp_max', 'clamp_min'), tie('vector'), tie('scalar')).map(([f, v, sc]) => `${f}(${v}, ${sc})`),
    // Not topk/bottomk, nor stddev/stdvar over computed vectors: Prometheus breaks ties and orders
    // Welford's sums in Go map order, which is not the same from one query to the next.
    fc
      .tuple(fc.constantFrom('quantile(0.5, ', 'quantile(0.9, ', 'group(', 'count_values("v", '), fc.constantFrom('by', 'without'), grouping, tie('vector'))
      .map(([op, mod, labels, v]) => `${op}${v}) ${mod} (${labels.join(', ')})`),
    fc
      .tuple(tie('vector'), fc.constantFrom('and', 'or', 'unless'), fc.constantFrom('', 'on', 'ignoring'), grouping, tie('vector'))
      .map(([l, op, match, labels, r]) => `(${l}) ${op}${match ? ` ${match}(${labels.join(', ')})` : ''} (${r})`),
    fc
      .tuple(tie('vector'), arithmetic, fc.constantFrom('group_left', 'group_right'), fc.subarray(['model'], { minLength: 1 }), fc.subarray(['metric', 'column', 'method']), tie('vector'))
      .map(([l, op, g, on, include, r]) => `(${l}) ${op} on(${on.join(', ')}) ${g}(${include.join(', ')}) (${r})`),
    tie('scalar').map((sc) => `vector(${sc})`),
  ),
}));

/** A well-typed query (scalar or instant vector). */
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

/**
 * The differential corpus: deterministic PromQL over the oracle's series (gauges, a counter with resets,
 * classic histogram buckets) that uses every function, aggregation and operator of Prometheus 2.42, the
 * vector-matching modifiers, subqueries and `@`, and the errors Prometheus raises for them. Each family is
 * enumerated over a few selectors, ranges and parameters; a seeded generator picks the combinations, so
 * the same list comes out every run. `atSeconds` are `@` times inside the data (off every sample and grid
 * time). Subquery steps and ranges are whole minutes; the oracle evaluates at 7 s past a minute, so no
 * window edge meets a subquery point or a sample (where Prometheus 2.x, closed on the left, and Vigil, open
 * as Prometheus 3, differ).
 */
export function differentialCorpus(atSeconds: number[]): string[] {
  let seed = 20240614;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const out = new Set<string>();
  const add = (q: string) => out.add(q);

  const GAUGES = [
    'vigil_outlier_rate',
    'vigil_univariate_drift{model="m1"}',
    'vigil_univariate_drift{column=~"a|b"}',
    'vigil_estimated_performance',
    'vigil_realized_performance{metric="f1"}',
    'vigil_univariate_drift_alert',
    'vigil_statistic',
    'vigil_outlier_rate_upper_threshold',
  ];
  const COUNTER = 'vigil_ingested_rows_total';
  const COUNTERS = [COUNTER, `${COUNTER}{model="m2"}`, 'vigil_recompute_duration_seconds_bucket{le="0.5"}'];
  const BUCKETS = 'vigil_recompute_duration_seconds_bucket';
  const RANGES = ['5m', '10m', '30m', '1h', '2h'];
  const OFFSETS = ['', ' offset 10m', ' offset 1h', ' offset -5m'];
  const ats = atSeconds.map((s) => ` @ ${s}`).concat([' @ start()', ' @ end()']);
  const anySel = [...GAUGES, ...COUNTERS];

  // Functions of range vectors: over counters and gauges, ranges, offsets, `@`.
  const RANGE_FNS = [
    'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'changes', 'resets', 'avg_over_time', 'min_over_time',
    'max_over_time', 'sum_over_time', 'count_over_time', 'last_over_time', 'present_over_time', 'stddev_over_time',
    'stdvar_over_time', 'absent_over_time',
  ];
  for (const f of RANGE_FNS) {
    for (const sel of [COUNTER, ...GAUGES.slice(0, 3), pick(GAUGES.slice(3))]) add(`${f}(${sel}[${pick(RANGES)}]${pick(OFFSETS)})`);
    add(`${f}(${pick(COUNTERS)}[${pick(RANGES)}]${pick(ats)})`);
    add(`${f}(${pick(GAUGES)}[${pick(RANGES)}:${pick(['1m', '5m', ''])}])`);
  }
  for (const q of ['0', '0.25', '0.5', '0.9', '1', '-1', '2', 'NaN']) add(`quantile_over_time(${q}, ${pick(anySel)}[${pick(RANGES)}])`);
  for (const d of ['0', '60', '3600', '-600']) add(`predict_linear(${pick(anySel)}[${pick(RANGES)}], ${d})`);
  add(`predict_linear(${COUNTER}[1h]${ats[0]}, 600)`);
  for (const [sf, tf] of [['0.5', '0.5'], ['0.1', '0.9'], ['0.8', '0.2']]) add(`holt_winters(${pick(anySel)}[${pick(RANGES)}], ${sf}, ${tf})`);
  add('holt_winters(vigil_outlier_rate[1h], 1.5, 0.5)');
  add('holt_winters(vigil_outlier_rate[1h], 0.5, 0)');
  add('absent_over_time(nonexistent_metric{model="m1", column=~"x"}[10m])');
  add('absent_over_time(vigil_outlier_rate{model="m9"}[1h])');

  // Functions of instant vectors.
  const MATH = ['abs', 'ceil', 'floor', 'exp', 'sqrt', 'ln', 'log2', 'log10', 'sgn', 'deg', 'rad', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh'];
  const MATH_ARGS = ['vigil_outlier_rate', 'vigil_statistic', '-vigil_univariate_drift', 'vigil_estimated_performance * 10', `rate(${COUNTER}[10m])`, 'vigil_univariate_drift_alert - 1'];
  for (const f of MATH) {
    for (let i = 0; i < 3; i++) add(`${f}(${pick(MATH_ARGS)})`);
  }
  for (const [lo, hi] of [['0.2', '0.6'], ['0.5', '0.1'], ['-Inf', '0.3'], ['NaN', '1']]) add(`clamp(${pick(GAUGES)}, ${lo}, ${hi})`);
  for (const v of ['0.3', '-1', 'NaN', '0.5']) {
    add(`clamp_max(${pick(GAUGES)}, ${v})`);
    add(`clamp_min(${pick(GAUGES)}, ${v})`);
  }
  // Go's math.Min/Max: ±Inf win over NaN.
  for (const [lo, hi] of [['NaN', 'NaN'], ['-Inf', 'NaN'], ['NaN', 'Inf']]) add(`clamp(vigil_statistic, ${lo}, ${hi})`);
  add('clamp_max(vigil_statistic, NaN)');
  add('clamp_min(vigil_statistic, NaN)');
  for (const r of ['', ', 0.1', ', 0.05', ', 5', ', -0.2', ', 0']) add(`round(${pick(MATH_ARGS)}${r})`);
  for (const sel of GAUGES.slice(0, 4)) {
    add(`sort(${sel})`);
    add(`sort_desc(${sel})`);
  }
  add('sort_desc(vigil_statistic)');
  add('sort(vigil_statistic)');
  for (const sel of ['vigil_outlier_rate', 'vigil_outlier_rate{model="m9"}', 'nonexistent_metric{model="m1", model="m2", column!="a", metric="x"}', 'sum(vigil_outlier_rate{model="m9"})', 'nonexistent_metric{model=""}']) {
    add(`absent(${sel})`);
  }
  add('time()');
  add('pi()');
  add('vector(time())');
  add('vector(1) + vector(2)');
  add('scalar(vigil_outlier_rate)');
  add('scalar(vigil_outlier_rate{model="m1"})');
  add('scalar(sum(vigil_outlier_rate)) * vigil_outlier_rate');
  add('time() - timestamp(vigil_outlier_rate)');
  add('timestamp(vigil_univariate_drift{model="m2"} offset 10m)');
  add(`timestamp(vigil_outlier_rate${ats[0]})`);
  add('timestamp(vigil_outlier_rate * 2)');
  add('timestamp(sum by (model) (vigil_outlier_rate))');
  const DATE = ['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'];
  for (const f of DATE) {
    add(`${f}()`);
    add(`${f}(timestamp(${pick(GAUGES)}))`);
    add(`${f}(vector(${pick(['1709251199', '1709251200', '951782400', '4102444799', '0', '-86401.5'])}))`);
    add(`${f}(vigil_outlier_rate * 1e9)`);
    // NaN, ±Inf and 1e300 among vigil_statistic's values: Go's int64 of them, then its date arithmetic.
    add(`${f}(vigil_statistic)`);
  }
  // label_replace and label_join: groups, named groups, templates, no match, deleting a label, errors.
  const REPL = [
    ['dst', '$1', 'column', '(.*)'],
    ['column', 'col-${1}x', 'column', '([ab])'],
    ['model', '$2$1', 'model', '(m)(\\\\d)'],
    ['x', '${name}_$name', 'method', '(?P<name>[a-z]+)_.*'],
    ['metric', '', 'metric', 'f1'],
    ['dst', '$1$$', 'nonexistent', '(.*)'],
    ['__name__', 'renamed_$1', '__name__', 'vigil_(outlier)_rate'],
    ['dst', '$01 $1x $', 'model', '(m.)'],
    ['dst', '$1', 'model', '(m'],
    ['bad-name', '$1', 'model', '(.*)'],
  ];
  for (const [dst, repl, src, re] of REPL) add(`label_replace(${pick(['vigil_univariate_drift', 'vigil_outlier_rate', 'vigil_estimated_performance'])}, "${dst}", "${repl}", "${src}", "${re}")`);
  add('label_replace(vigil_univariate_drift, "column", "", "column", ".*")');
  add('label_replace(vigil_univariate_drift_alert{model="m1"}, "model", "m2", "model", "m1")');
  for (const args of ['"j", "-", "model", "column"', '"model", "", "metric"', '"j", ",", "nonexistent"', '"j", "/", "__name__", "model", "metric"', '"bad-name", "-", "model"', '"j", "-", "model", "bad-src"']) {
    add(`label_join(${pick(['vigil_univariate_drift', 'vigil_outlier_rate', 'vigil_statistic'])}, ${args})`);
  }
  // Classic histograms.
  for (const q of ['0', '0.5', '0.9', '0.99', '1', '-0.5', '1.5', 'NaN']) add(`histogram_quantile(${q}, rate(${BUCKETS}[${pick(['10m', '30m', '1h'])}]))`);
  add(`histogram_quantile(0.9, sum by (le) (rate(${BUCKETS}[30m])))`);
  add(`histogram_quantile(0.5, sum by (le, model) (increase(${BUCKETS}[1h])))`);
  add(`histogram_quantile(0.75, ${BUCKETS})`);
  add(`histogram_quantile(0.75, ${BUCKETS}{le!="+Inf"})`);
  add(`histogram_quantile(0.5, ${BUCKETS} or vigil_outlier_rate)`);
  add(`histogram_quantile(0.5, label_replace(${BUCKETS}, "le", "0.5", "le", "1"))`);
  add(`histogram_count(${BUCKETS})`);
  add(`histogram_sum(rate(${BUCKETS}[10m]))`);
  add(`histogram_fraction(0, 0.5, ${BUCKETS})`);

  // Aggregations, with and without grouping and parameters.
  const GROUPINGS = ['', ' by (model)', ' without (column)', ' by (model, method)', ' by ()', ' without ()'];
  const AGG_ARGS = ['vigil_univariate_drift', 'vigil_outlier_rate', 'vigil_estimated_performance', `rate(${COUNTER}[10m])`, 'vigil_univariate_drift_alert', 'vigil_statistic'];
  for (const op of ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar']) {
    for (let i = 0; i < 4; i++) {
      const g = pick(GROUPINGS);
      add(rand() < 0.5 ? `${op}${g}(${pick(AGG_ARGS)})` : `${op}(${pick(AGG_ARGS)})${g}`);
    }
  }
  for (const op of ['topk', 'bottomk']) {
    for (const k of ['1', '2', '3', '0', '-1', '100', '2.9']) add(`${op}${pick(GROUPINGS)}(${k}, ${pick(['vigil_univariate_drift', 'vigil_outlier_rate', 'vigil_estimated_performance', 'vigil_statistic'])})`);
    add(`${op}(Inf, vigil_outlier_rate)`);
    add(`${op}(NaN, vigil_outlier_rate)`);
    add(`${op}(scalar(count(vigil_outlier_rate)), vigil_univariate_drift)`);
  }
  for (const q of ['0', '0.1', '0.5', '0.95', '1', '-2', '3', 'NaN']) add(`quantile${pick(GROUPINGS)}(${q}, ${pick(AGG_ARGS.filter((a) => a !== 'vigil_statistic'))})`);
  for (const label of ['value', 'model', 'le']) add(`count_values${pick(GROUPINGS)}("${label}", ${pick(['vigil_univariate_drift_alert', 'vigil_outlier_rate_upper_threshold', 'vigil_statistic', 'round(vigil_outlier_rate, 0.1)'])})`);
  add('count_values("bad-name", vigil_outlier_rate)');
  add('count_values without (model) ("v", vigil_univariate_drift_alert)');

  // Binary operators: arithmetic incl. atan2, comparisons, bool, set operators, matching.
  const ARITH = ['+', '-', '*', '/', '%', '^', 'atan2'];
  const CMP = ['==', '!=', '>', '<', '>=', '<='];
  for (const op of ARITH) {
    add(`vigil_outlier_rate ${op} vigil_outlier_rate_upper_threshold`);
    add(`vigil_univariate_drift ${op} 0.5`);
    add(`2 ${op} vigil_estimated_performance`);
    add(`0.7 ${op} 3`);
  }
  for (const op of CMP) {
    add(`vigil_univariate_drift ${op} vigil_univariate_drift_upper_threshold`);
    add(`vigil_univariate_drift ${op} bool vigil_univariate_drift_upper_threshold`);
    add(`0.1 ${op} vigil_univariate_drift`);
    add(`1 ${op} bool 2`);
  }
  const SET = ['and', 'or', 'unless'];
  const SET_PAIRS = [
    ['vigil_univariate_drift', 'vigil_univariate_drift_alert == 1'],
    ['vigil_outlier_rate > 0.5', 'vigil_outlier_rate_upper_threshold'],
    ['vigil_estimated_performance', 'vigil_realized_performance{metric="f1"}'],
    ['vigil_univariate_drift{model="m1"}', 'vigil_outlier_rate'],
    ['vigil_statistic', 'vigil_outlier_rate{model="m9"}'],
  ];
  for (const op of SET) {
    for (const [l, r] of SET_PAIRS) add(`${l} ${op} ${r}`);
    add(`vigil_univariate_drift ${op} on(model) vigil_outlier_rate > 0.5`);
    add(`vigil_univariate_drift ${op} ignoring(method) vigil_univariate_drift_alert{method="jensen_shannon"} == 1`);
    add(`vigil_estimated_performance ${op} on() vigil_outlier_rate{model="m1"} > 0.3`);
    add(`vigil_univariate_drift ${op} on(__name__) vigil_univariate_drift_alert`);
    add(`vigil_outlier_rate ${op} 1`);
    add(`vigil_outlier_rate ${op} on(model) group_left vigil_estimated_performance`);
  }
  add('vigil_outlier_rate > 0.7 or vigil_outlier_rate < 0.2 and vigil_outlier_rate_upper_threshold unless vigil_outlier_rate{model="m2"}');
  add('(vigil_univariate_drift or vigil_univariate_drift_alert) * 2');
  // Many-to-one and one-to-many, label copying, and the errors.
  const GROUPED = [
    'vigil_univariate_drift * on(model) group_left vigil_outlier_rate',
    'vigil_univariate_drift * on(model) group_left(metric) vigil_outlier_rate',
    'vigil_univariate_drift - ignoring(column, method) group_left(metric) vigil_outlier_rate',
    'vigil_univariate_drift > on(model) group_left(metric) vigil_outlier_rate',
    'vigil_univariate_drift > bool on(model) group_left vigil_outlier_rate',
    'vigil_outlier_rate / on(model) group_right vigil_univariate_drift',
    'vigil_outlier_rate < on(model) group_right(metric) vigil_univariate_drift',
    'vigil_outlier_rate + on(model) group_right(nonexistent) vigil_univariate_drift',
    'vigil_univariate_drift_upper_threshold * on(model, column, method) group_left vigil_univariate_drift',
    'vigil_univariate_drift * on(model) group_left vigil_estimated_performance',
    'vigil_estimated_performance / on(model) group_right vigil_univariate_drift',
    'vigil_univariate_drift * on(model) group_left(column) vigil_outlier_rate',
    'vigil_univariate_drift * ignoring(column) group_left vigil_univariate_drift_upper_threshold',
    'sum by (model, column) (vigil_univariate_drift) / on(model) group_left sum by (model) (vigil_univariate_drift)',
    'vigil_univariate_drift / ignoring(method) vigil_univariate_drift_alert',
    'vigil_estimated_performance - on(model) vigil_outlier_rate',
    'vigil_outlier_rate - on(model) vigil_estimated_performance',
    'vigil_univariate_drift == on(model, column, method) vigil_univariate_drift_alert',
    'vigil_univariate_drift atan2 on(model, column, method) vigil_univariate_drift_upper_threshold',
    'vigil_outlier_rate * on(model) group_left(metric) vigil_outlier_rate_upper_threshold',
  ];
  for (const q of GROUPED) add(q);

  // Subqueries and `@`.
  const SUBQ = [
    `max_over_time(rate(${COUNTER}[5m])[30m:1m])`,
    'avg_over_time(vigil_outlier_rate[1h:5m])',
    'min_over_time((vigil_univariate_drift > 0.1)[2h:10m] offset 30m)',
    'count_over_time(vigil_univariate_drift_alert[1h:])',
    `deriv(sum(${COUNTER})[1h:2m])`,
    `rate(${COUNTER}[10m:1m])`,
    'sum_over_time(sum by (model) (vigil_univariate_drift)[30m:3m])',
    'last_over_time(vigil_outlier_rate[20m:4m])',
    `quantile_over_time(0.5, rate(${COUNTER}[10m])[1h:5m])`,
    'max_over_time(max_over_time(vigil_outlier_rate[10m])[30m:2m])',
    'max_over_time(avg_over_time(vigil_outlier_rate[20m:1m])[1h:10m])',
    'absent_over_time(vigil_outlier_rate{model="m9"}[30m:1m])',
    'changes(vigil_univariate_drift_alert[2h:5m])',
    `predict_linear(${COUNTER}[30m:1m], 300)`,
    'stddev_over_time(vigil_estimated_performance[2h:15m])',
    'present_over_time(vigil_outlier_rate[30m:1m] offset 1h)',
    'vigil_outlier_rate[30m:5m]',
    'vigil_univariate_drift{model="m1"}[20m:]',
    'rate(vigil_outlier_rate[5m])[20m:5m]',
    `holt_winters(sum(${COUNTER})[1h:5m], 0.3, 0.6)`,
    'timestamp(vigil_outlier_rate)[30m:5m]',
  ];
  for (const q of SUBQ) add(q);
  for (const at of ats) {
    add(`vigil_outlier_rate${at}`);
    add(`rate(${COUNTER}[10m]${at})`);
    add(`max_over_time(vigil_univariate_drift[30m:1m]${at})`);
    add(`vigil_univariate_drift offset 20m${at} - vigil_univariate_drift`);
    add(`sum(vigil_estimated_performance${at}) by (model)`);
    add(`vigil_outlier_rate[10m]${at}`);
    add(`avg_over_time(rate(${COUNTER}[5m]${at})[20m:2m])`);
    add(`time() - timestamp(vigil_outlier_rate${at})`);
  }
  // `@` and offsets inside and around subqueries.
  add(`max_over_time((vigil_outlier_rate${ats[0]})[30m:1m])`);
  add(`rate(${COUNTER}[5m]${ats[1]})[30m:5m]`);
  add(`max_over_time(rate(${COUNTER}[5m])[30m:5m] offset 20m${ats[0]})`);
  add(`avg_over_time(vigil_outlier_rate[1h:5m]${ats[2]} offset 10m)`);
  add(`min_over_time(vigil_outlier_rate[1h:7m] @ end())`);
  add(`sum_over_time(vigil_univariate_drift[45m:3m] @ start())`);
  // What Grafana's query builder writes.
  for (const q of [
    `sum by (model) (rate(${COUNTER}[5m]))`,
    `sum(increase(${COUNTER}[1h])) by (model)`,
    `histogram_quantile(0.95, sum by (le) (rate(${BUCKETS}[10m])))`,
    `histogram_quantile(0.5, sum(rate(${BUCKETS}[30m])) by (le, model))`,
    'absent(vigil_outlier_rate{model="m3"})',
    'label_replace(vigil_outlier_rate, "m", "$1", "model", "m(.*)")',
    'clamp_max(vigil_univariate_drift, 0.1)',
    'sort_desc(sum by (model) (vigil_univariate_drift))',
    'topk(3, sum by (model, column) (vigil_univariate_drift))',
    'bottomk(2, max by (model, method) (vigil_univariate_drift))',
    'group by (model) (vigil_univariate_drift)',
    'vigil_univariate_drift > 0.1 and on(model) vigil_outlier_rate > 0.3',
    'vigil_univariate_drift unless on(model, column) vigil_univariate_drift_alert == 1',
    'vigil_univariate_drift * on(model) group_left(metric) vigil_outlier_rate > bool 0.05',
    'max_over_time(sum by (model) (vigil_univariate_drift)[1h:1m])',
    'time() - max(timestamp(vigil_outlier_rate))',
    'count_values by (model) ("alert", vigil_univariate_drift_alert)',
    'absent(sum(vigil_outlier_rate{model="m3"}))',
    `quantile by (model) (0.9, rate(${COUNTER}[10m]))`,
    'stddev by (model) (vigil_univariate_drift)',
    'stdvar without (column, method) (vigil_univariate_drift)',
    'vigil_realized_performance - ignoring(metric) group_right vigil_estimated_performance{metric="f1"}',
  ]) add(q);
  // Prometheus 2.42's quirks of `@` under functions of the evaluation time, kept (docs/prometheus.md).
  for (const q of [
    `predict_linear((vigil_outlier_rate${ats[0]})[1h:5m], 60)`,
    `max_over_time(timestamp(vigil_outlier_rate${ats[0]})[30m:5m])`,
    `day_of_week(vigil_outlier_rate${ats[0]} * 1e9)`,
    `hour(timestamp(vigil_outlier_rate${ats[1]}))`,
    'max_over_time(vector(time())[30m:5m])',
    'max_over_time(timestamp(vigil_outlier_rate)[30m:5m])',
    `deriv(vigil_outlier_rate[1h]${ats[0]})`,
    `absent_over_time(nonexistent_metric[5m]${ats[0]})`,
    `predict_linear(${COUNTER}[1h] @ end(), 60)`,
    `predict_linear(${COUNTER}[1h] @ start(), 60)`,
    `max_over_time(predict_linear(${COUNTER}[1h]${ats[0]}, 60)[30m:5m])`,
    `timestamp(vigil_outlier_rate${ats[0]} offset 10m)`,
    `minute(vigil_outlier_rate${ats[0]})`,
    `year()`,
    `timestamp(vigil_outlier_rate[10m:1m]${ats[0]})`,
  ]) add(q);
  add('vigil_outlier_rate @ 0');
  add('vigil_outlier_rate @ -100');

  // Parse errors Prometheus raises for these constructs (bad_data on both sides).
  for (const q of [
    'rate(vigil_outlier_rate)',
    'rate(vigil_outlier_rate[5m], 1)',
    'round(vigil_outlier_rate, 1, 2)',
    'label_join(vigil_outlier_rate, "a")',
    'label_replace(vigil_outlier_rate, "a", "b", "c")',
    'clamp(vigil_outlier_rate, vigil_outlier_rate, 1)',
    'topk(vigil_outlier_rate)',
    'topk("x", vigil_outlier_rate)',
    'count_values(1, vigil_outlier_rate)',
    'quantile(vigil_outlier_rate, vigil_outlier_rate)',
    'vigil_outlier_rate and 1',
    '1 or 2',
    'vigil_outlier_rate and on(model) group_left vigil_estimated_performance',
    'vigil_outlier_rate * on(model) group_left(model) vigil_estimated_performance',
    'sum(vigil_outlier_rate)[5m:1m][5m:1m]',
    'sum(vigil_outlier_rate) @ 100',
    'vigil_outlier_rate @ 100 @ 200',
    'vigil_outlier_rate[5m:1m] offset 1m offset 2m',
    'time(1)',
    'pi(1)',
    'vector(vigil_outlier_rate)',
    'scalar(1)',
    'histogram_quantile(vigil_outlier_rate, vigil_outlier_rate)',
    'absent(vigil_outlier_rate[5m])',
    'holt_winters(vigil_outlier_rate[5m], 0.5)',
    'day_of_week(1, 2)',
    'vigil_outlier_rate[5m] @ start',
    'unknown_function(vigil_outlier_rate)',
    'sort(vigil_outlier_rate[5m])',
    'quantile_over_time(vigil_outlier_rate[5m], 0.5)',
  ]) add(q);

  // Random compositions of the pieces above, to the corpus's size.
  const pieces = [...out].filter((q) => !q.includes('[') || q.includes('(')).filter((q) => !/\bbad|unknown|nonexistent|@ start$|\(1\)$/.test(q));
  while (out.size < 700) {
    const a = pick(pieces);
    const b = pick(pieces);
    const shape = Math.floor(rand() * 6);
    if (shape === 0) add(`(${a}) ${pick([...ARITH, ...CMP])} (${b})`);
    else if (shape === 1) add(`${pick(['sum', 'max', 'count', 'avg', 'stddev'])} by (model) (${a})`);
    else if (shape === 2) add(`(${a}) ${pick(SET)} (${b})`);
    else if (shape === 3) add(`${pick(['abs', 'sgn', 'ceil', 'sort_desc', 'timestamp'])}(${a})`);
    // Not topk/bottomk here: over a computed vector, Prometheus breaks their ties in Go map order.
    else if (shape === 4) add(`quantile(0.5, ${a})`);
    else add(`max_over_time((${a})[${pick(['10m', '30m'])}:${pick(['1m', '5m'])}])`);
  }
  return [...out];
}
