/**
 * Evaluates the PromQL subset over a SeriesSource with Prometheus's semantics (checked against a real
 * Prometheus 2.42 in test/prometheus/oracle.test.ts): label handling of operators and aggregations,
 * one-to-one vector matching, NaN rules of min/max, the incremental mean of avg and avg_over_time.
 *
 * Two differences are deliberate and documented in docs/prometheus.md:
 *  - the instant-vector lookback is pluggable: Prometheus's fixed window (`window`), or the chunk rule
 *    (`chunk`): a chunk's value is current from its start until the next chunk starts, and the last
 *    chunk's until `currentUntil` (its end plus VIGIL_PROM_LOOKBACK);
 *  - windows are left-open, `(t - range, t]`, as in Prometheus ≥ 3.0 (2.x included the left edge).
 *
 * A query is evaluated step by step; every selector's series are looked up once per query. Evaluation
 * is asynchronous only to share the thread: it checks its QueryBudget at every node of every step and
 * yields to the event loop (or stops at the deadline) when its time slice is used up (limits.ts).
 */
import { AggregateExpr, BinaryExpr, BinaryOp, Call, Expr, isComparison, LabelMatcher, MatrixSelector, selectorsWithRange, VectorSelector } from './ast';
import { EvaluationError } from './errors';
import { DEFAULT_QUERY_LIMITS, QueryBudget, tooManySamplesError } from './limits';
import { compareLabels, deleteLabels, dropMetricName, formatLabels, keepLabels, Labels, labelsKey, METRIC_NAME } from './labels';
import { lastIndexAtOrBefore, Series, SeriesSource } from './source';

export type Lookback = { kind: 'window'; ms: number } | { kind: 'chunk'; ms: number };

/** Prometheus's default lookback delta (5 minutes). */
export const PROMETHEUS_DEFAULT_LOOKBACK_MS = 5 * 60_000;

/** Prometheus rejects range queries with more points per series than this (web/api/v1/api.go). */
export const MAX_POINTS_PER_SERIES = 11_000;

export interface Sample {
  labels: Labels;
  value: number;
}

export interface MatrixSeries {
  labels: Labels;
  /** ms */
  timestamps: ArrayLike<number>;
  values: ArrayLike<number>;
}

export type InstantValue =
  | { kind: 'scalar'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'vector'; samples: Sample[] }
  | { kind: 'matrix'; series: MatrixSeries[] };

export interface EvalOptions {
  lookback: Lookback;
}

const defaultBudget = () => new QueryBudget(DEFAULT_QUERY_LIMITS.timeoutMs, DEFAULT_QUERY_LIMITS.maxSamples);

/** Evaluates at one time (ms). A range selector at the top level returns its raw samples (a matrix). */
export async function evaluateInstant(expr: Expr, source: SeriesSource, time: number, opts: EvalOptions, budget = defaultBudget()): Promise<InstantValue> {
  const ev = await Evaluator.create(expr, source, time, time, opts, budget);
  if (expr.type === 'matrix_selector' || (expr.type === 'paren' && unwrap(expr).type === 'matrix_selector')) {
    const series = ev.rawMatrix(unwrap(expr) as MatrixSelector, time);
    let points = 0;
    for (const s of series) points += s.timestamps.length;
    if (points > budget.maxSamples) throw tooManySamplesError();
    return { kind: 'matrix', series };
  }
  const v = await ev.evalAt(expr, time);
  if (v.kind === 'vector') {
    assertUniqueLabelsets(v.samples);
    if (v.samples.length > budget.maxSamples) throw tooManySamplesError();
  }
  return v;
}

/** Evaluates at start, start+step, ..., end (ms) and returns one series per label set, sorted by labels. */
export async function evaluateRange(
  expr: Expr,
  source: SeriesSource,
  start: number,
  end: number,
  step: number,
  opts: EvalOptions,
  budget = defaultBudget(),
): Promise<MatrixSeries[]> {
  const ev = await Evaluator.create(expr, source, start, end, opts, budget);
  const out = new Map<string, SeriesBuilder>();
  let points = 0;
  for (let t = start; t <= end; t += step) {
    const v = await ev.evalAt(expr, t);
    if (v.kind === 'scalar') {
      append(out, '', {}, t, v.value);
      points++;
    } else if (v.kind === 'vector') {
      assertUniqueLabelsets(v.samples);
      for (const s of v.samples) append(out, labelsKey(s.labels), s.labels, t, s.value);
      points += v.samples.length;
    } else {
      throw new EvaluationError(`invalid expression type "${v.kind === 'string' ? 'string' : 'range vector'}" for range query, must be Scalar or instant Vector`);
    }
    if (points > budget.maxSamples) throw tooManySamplesError();
  }
  const series = [...out.values()].map((b) => b.finish());
  if (budget.due()) await budget.pause();
  return series.sort((a, b) => compareLabels(a.labels, b.labels));
}

/**
 * The points of one output series of a range query, in typed arrays that double when full: their
 * storage lies outside the JavaScript heap, so a large answer does not make every young-generation
 * garbage collection copy it (pauses that would hold the event loop).
 */
class SeriesBuilder {
  private timestamps = new Float64Array(16);
  private values = new Float64Array(16);
  private n = 0;

  constructor(readonly labels: Labels) {}

  push(t: number, value: number): void {
    if (this.n === this.timestamps.length) {
      const grow = (a: Float64Array) => {
        const bigger = new Float64Array(a.length * 2);
        bigger.set(a);
        return bigger;
      };
      this.timestamps = grow(this.timestamps);
      this.values = grow(this.values);
    }
    this.timestamps[this.n] = t;
    this.values[this.n] = value;
    this.n++;
  }

  finish(): MatrixSeries {
    return { labels: this.labels, timestamps: this.timestamps.subarray(0, this.n), values: this.values.subarray(0, this.n) };
  }
}

function append(out: Map<string, SeriesBuilder>, key: string, labels: Labels, t: number, value: number) {
  let s = out.get(key);
  if (!s) out.set(key, (s = new SeriesBuilder(labels)));
  s.push(t, value);
}

function unwrap(e: Expr): Expr {
  while (e.type === 'paren') e = e.expr;
  return e;
}

function assertUniqueLabelsets(samples: Sample[]) {
  if (samples.length < 2) return;
  const seen = new Set<string>();
  for (const s of samples) {
    const k = labelsKey(s.labels);
    if (seen.has(k)) throw new EvaluationError('vector cannot contain metrics with the same labelset');
    seen.add(k);
  }
}

type Value = Exclude<InstantValue, { kind: 'matrix' }>;

class Evaluator {
  private readonly selected = new Map<VectorSelector, Series[]>();

  private constructor(
    private readonly opts: EvalOptions,
    private readonly budget: QueryBudget,
  ) {}

  /** Looks up every selector's series (how far back each reads: its range, or the lookback). */
  static async create(expr: Expr, source: SeriesSource, start: number, end: number, opts: EvalOptions, budget: QueryBudget): Promise<Evaluator> {
    const ev = new Evaluator(opts, budget);
    const lookbackReach = opts.lookback.kind === 'window' ? opts.lookback.ms : Number.POSITIVE_INFINITY;
    for (const { selector: sel, range } of selectorsWithRange(expr)) {
      await ev.matchRegexesAhead(sel.matchers, source);
      if (budget.due()) await budget.pause();
      const reach = range > 0 ? range : lookbackReach;
      ev.selected.set(sel, source.select(sel.matchers, { start: start - sel.offset - reach, end: end - sel.offset }));
    }
    return ev;
  }

  /**
   * Tests every label value a regex matcher will meet, in slices: the compiled regex remembers the
   * outcomes (regex.ts), so the select that follows, which cannot yield, does no regex work.
   */
  private async matchRegexesAhead(matchers: readonly LabelMatcher[], source: SeriesSource): Promise<void> {
    const regexMatchers = matchers.filter((m) => m.regex !== undefined);
    if (regexMatchers.length === 0) return;
    for (const s of source.select([])) {
      for (const m of regexMatchers) {
        const value = s.labels[m.name] ?? '';
        if (m.regex!.knows(value)) continue;
        if (this.budget.due()) await this.budget.pause();
        m.regex!.test(value);
      }
    }
  }

  async evalAt(e: Expr, t: number): Promise<Value> {
    if (this.budget.due()) await this.budget.pause();
    switch (e.type) {
      case 'number':
        return { kind: 'scalar', value: e.value };
      case 'string':
        return { kind: 'string', value: e.value };
      case 'paren':
        return this.evalAt(e.expr, t);
      case 'unary': {
        const v = await this.evalAt(e.expr, t);
        if (e.op === '+') return v;
        if (v.kind === 'scalar') return { kind: 'scalar', value: -v.value };
        if (v.kind !== 'vector') throw new EvaluationError('unary minus on a non-numeric value');
        const samples = v.samples.map((s) => ({ labels: dropMetricName(s.labels), value: -s.value }));
        assertUniqueLabelsets(samples);
        return { kind: 'vector', samples };
      }
      case 'vector_selector':
        return { kind: 'vector', samples: this.instantSelect(e, t) };
      case 'matrix_selector':
        throw new EvaluationError('a range vector cannot be evaluated here');
      case 'call':
        return { kind: 'vector', samples: this.call(e, t) };
      case 'aggregate':
        return { kind: 'vector', samples: await this.aggregate(e, t) };
      case 'binary':
        return this.binary(e, t);
    }
  }

  private instantSelect(sel: VectorSelector, t: number): Sample[] {
    const at = t - sel.offset;
    const out: Sample[] = [];
    for (const s of this.selected.get(sel)!) {
      const i = this.currentIndex(s, at);
      if (i >= 0) out.push({ labels: s.labels, value: s.values[i] });
    }
    return out;
  }

  /** The sample an instant selector sees at `at`, under the lookback rule; -1 when none. */
  private currentIndex(s: Series, at: number): number {
    const i = lastIndexAtOrBefore(s.timestamps, at);
    if (i < 0) return -1;
    const lb = this.opts.lookback;
    if (lb.kind === 'window') return s.timestamps[i] > at - lb.ms ? i : -1;
    if (i < s.timestamps.length - 1) return i;
    const until = s.currentUntil ?? s.timestamps[i] + lb.ms;
    return at < until ? i : -1;
  }

  /** Sample index range [from, to) inside the window (at - range, at]. */
  private windowOf(s: Series, at: number, range: number): [number, number] {
    return [lastIndexAtOrBefore(s.timestamps, at - range) + 1, lastIndexAtOrBefore(s.timestamps, at) + 1];
  }

  rawMatrix(m: MatrixSelector, t: number): MatrixSeries[] {
    const at = t - m.selector.offset;
    const out: MatrixSeries[] = [];
    for (const s of this.selected.get(m.selector)!) {
      const [from, to] = this.windowOf(s, at, m.range);
      if (to > from) {
        out.push({ labels: s.labels, timestamps: Array.from(s.timestamps.subarray(from, to)), values: Array.from(s.values.subarray(from, to)) });
      }
    }
    return out;
  }

  private call(c: Call, t: number): Sample[] {
    const sel = c.arg.selector;
    const at = t - sel.offset;
    const out: Sample[] = [];
    for (const s of this.selected.get(sel)!) {
      const [from, to] = this.windowOf(s, at, c.arg.range);
      if (to <= from) continue;
      const vals = s.values.subarray(from, to);
      // last_over_time keeps the metric name; the other functions drop it (Prometheus functions.go).
      const labels = c.func === 'last_over_time' ? s.labels : dropMetricName(s.labels);
      out.push({ labels, value: OVER_TIME[c.func](vals) });
    }
    assertUniqueLabelsets(out);
    return out;
  }

  private async aggregate(a: AggregateExpr, t: number): Promise<Sample[]> {
    const v = await this.evalAt(a.expr, t);
    if (v.kind !== 'vector') throw new EvaluationError(`expected instant vector in aggregation "${a.op}"`);
    const groups = new Map<string, { labels: Labels; value: number; count: number }>();
    for (const s of v.samples) {
      const labels = a.without ? deleteLabels(s.labels, [...a.grouping, METRIC_NAME]) : keepLabels(s.labels, a.grouping);
      const key = labelsKey(labels);
      const g = groups.get(key);
      if (!g) {
        groups.set(key, { labels, value: s.value, count: 1 });
        continue;
      }
      g.count++;
      g.value = AGGREGATE_STEP[a.op](g.value, s.value, g.count);
    }
    return [...groups.values()].map((g) => ({ labels: g.labels, value: a.op === 'count' ? g.count : g.value }));
  }

  private async binary(b: BinaryExpr, t: number): Promise<Value> {
    const l = await this.evalAt(b.lhs, t);
    const r = await this.evalAt(b.rhs, t);
    if (l.kind === 'scalar' && r.kind === 'scalar') {
      const [value, keep] = elementOp(b.op, l.value, r.value);
      return { kind: 'scalar', value: isComparison(b.op) ? (keep ? 1 : 0) : value };
    }
    if (l.kind === 'vector' && r.kind === 'scalar') return { kind: 'vector', samples: vectorScalar(b, l.samples, r.value, false) };
    if (l.kind === 'scalar' && r.kind === 'vector') return { kind: 'vector', samples: vectorScalar(b, r.samples, l.value, true) };
    if (l.kind === 'vector' && r.kind === 'vector') return { kind: 'vector', samples: vectorVector(b, l.samples, r.samples) };
    throw new EvaluationError('binary expression must contain only scalar and instant vector types');
  }
}

/** Prometheus's vectorElemBinop: arithmetic gives (value, true); a comparison gives (lhs, holds). */
export function elementOp(op: BinaryOp, l: number, r: number): [number, boolean] {
  switch (op) {
    case '+':
      return [l + r, true];
    case '-':
      return [l - r, true];
    case '*':
      return [l * r, true];
    case '/':
      return [l / r, true];
    case '%':
      return [l % r, true];
    case '^':
      return [goPow(l, r), true];
    case '==':
      return [l, l === r];
    case '!=':
      return [l, l !== r];
    case '>':
      return [l, l > r];
    case '<':
      return [l, l < r];
    case '>=':
      return [l, l >= r];
    case '<=':
      return [l, l <= r];
  }
}

/** Go's math.Pow, which differs from JavaScript's on 1^NaN, 1^±Inf and (-1)^±Inf (all 1 in Go). */
function goPow(x: number, y: number): number {
  if (y === 0) return 1;
  if (x === 1) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return Math.pow(x, y);
}

const ARITHMETIC = new Set<BinaryOp>(['+', '-', '*', '/', '%', '^']);

function vectorScalar(b: BinaryExpr, vec: Sample[], scalar: number, scalarOnLeft: boolean): Sample[] {
  const out: Sample[] = [];
  for (const s of vec) {
    const [l, r] = scalarOnLeft ? [scalar, s.value] : [s.value, scalar];
    let [value, keep] = elementOp(b.op, l, r);
    // A comparison keeps the vector's value even when the scalar is on the left.
    if (isComparison(b.op) && scalarOnLeft) value = s.value;
    if (b.returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    out.push({ labels: ARITHMETIC.has(b.op) || b.returnBool ? dropMetricName(s.labels) : s.labels, value });
  }
  assertUniqueLabelsets(out);
  return out;
}

function signatureOf(labels: Labels, on: boolean, names: readonly string[]): string {
  return labelsKey(on ? keepLabels(labels, names) : deleteLabels(labels, [...names, METRIC_NAME]));
}

function vectorVector(b: BinaryExpr, lhs: Sample[], rhs: Sample[]): Sample[] {
  // Nothing can match: Prometheus returns before looking for duplicate match groups.
  if (lhs.length === 0 || rhs.length === 0) return [];
  const { on, labels: names } = b.matching!;
  const right = new Map<string, Sample>();
  for (const rs of rhs) {
    const sig = signatureOf(rs.labels, on, names);
    const dup = right.get(sig);
    if (dup) {
      const group = on ? keepLabels(rs.labels, names) : deleteLabels(rs.labels, [...names, METRIC_NAME]);
      throw new EvaluationError(
        `found duplicate series for the match group ${formatLabels(group)} on the right hand-side of the operation: ` +
          `[${formatLabels(rs.labels)}, ${formatLabels(dup.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    right.set(sig, rs);
  }
  const matched = new Set<string>();
  const out: Sample[] = [];
  for (const ls of lhs) {
    const sig = signatureOf(ls.labels, on, names);
    const rs = right.get(sig);
    if (!rs) continue;
    let [value, keep] = elementOp(b.op, ls.value, rs.value);
    if (b.returnBool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    if (matched.has(sig)) throw new EvaluationError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
    matched.add(sig);
    let labels = ARITHMETIC.has(b.op) ? dropMetricName(ls.labels) : ls.labels;
    labels = on ? keepLabels(labels, names) : deleteLabels(labels, names);
    if (b.returnBool) labels = dropMetricName(labels);
    out.push({ labels, value });
  }
  assertUniqueLabelsets(out);
  return out;
}

/** One step of each aggregation, given the running value and the count including the new sample. */
const AGGREGATE_STEP: Record<AggregateExpr['op'], (acc: number, v: number, count: number) => number> = {
  sum: (acc, v) => acc + v,
  // Incremental mean, dividing both terms by the count so large values do not overflow (Prometheus 2.x).
  avg: (mean, v, count) => {
    if (isInfinite(mean) && ((isInfinite(v) && mean > 0 === v > 0) || (!isInfinite(v) && !Number.isNaN(v)))) return mean;
    return mean + (v / count - mean / count);
  },
  min: (acc, v) => (acc > v || Number.isNaN(acc) ? v : acc),
  max: (acc, v) => (acc < v || Number.isNaN(acc) ? v : acc),
  count: (acc) => acc,
};

const isInfinite = (x: number) => x === Infinity || x === -Infinity;

/** Neumaier-compensated addition step: returns [sum, compensation]. */
function kahanStep(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

const OVER_TIME: Record<Call['func'], (v: Float64Array) => number> = {
  last_over_time: (v) => v[v.length - 1],
  avg_over_time: (v) => {
    let mean = 0;
    let c = 0;
    for (let i = 0; i < v.length; i++) {
      const count = i + 1;
      const x = v[i];
      if (isInfinite(mean) && ((isInfinite(x) && mean > 0 === x > 0) || (!isInfinite(x) && !Number.isNaN(x)))) continue;
      [mean, c] = kahanStep(x / count - mean / count, mean, c);
    }
    return isInfinite(mean) ? mean : mean + c;
  },
  min_over_time: (v) => {
    let m = v[0];
    for (let i = 0; i < v.length; i++) if (v[i] < m || Number.isNaN(m)) m = v[i];
    return m;
  },
  max_over_time: (v) => {
    let m = v[0];
    for (let i = 0; i < v.length; i++) if (v[i] > m || Number.isNaN(m)) m = v[i];
    return m;
  },
};
