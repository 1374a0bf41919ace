/**
 * Evaluates PromQL over a SeriesSource with Prometheus 2.42's semantics (checked against a real
 * Prometheus 2.42 in test/prometheus/oracle.test.ts): functions (functions.ts), aggregations
 * (aggregations.ts), operators and vector matching (binary.ts), subqueries and `@`.
 *
 * Two differences are deliberate and documented in docs/prometheus.md:
 *  - the instant-vector lookback is pluggable: Prometheus's fixed window (`window`), or the chunk rule
 *    (`chunk`): a chunk's value is current from its start until the next chunk starts, and the last
 *    chunk's until `currentUntil` (its end plus VIGIL_PROM_LOOKBACK);
 *  - range-selector windows are left-open, `(t - range, t]`, as in Prometheus ≥ 3.0 (2.x included the
 *    left edge); subquery windows keep 2.42's closed left edge (their points are evaluation times).
 *
 * A query is evaluated step by step, each `@` at its fixed time (Prometheus evaluates such expressions
 * once, which gives the same values); every selector's series are looked up once per query, and a
 * subquery's points are kept for the following steps. Evaluation is asynchronous only to share the
 * thread: it checks its QueryBudget at every node of every step (so in every subquery point and range
 * function) and yields to the event loop (or stops at the deadline) when its time slice is used up.
 */
import { RE2JS } from 're2js';
import { aggregate } from './aggregations';
import { AggregateExpr, AtModifier, BinaryExpr, Call, childrenOf, Expr, isComparison, LabelMatcher, SubqueryExpr, typeOf, VectorSelector } from './ast';
import { elementOp, vectorScalar, vectorVector } from './binary';
import { EvaluationError, PromApiError } from './errors';
import { bucketQuantile, DATE_FUNCTIONS, expandTemplate, FUNCTIONS, goMax, goMin, LABEL_NAME_RE, MATH_FUNCTIONS, parseGoFloat, RANGE_FUNCTIONS } from './functions';
import { DEFAULT_QUERY_LIMITS, QueryBudget, tooManySamplesError } from './limits';
import { compareLabels, deleteLabels, dropMetricName, Labels, labelsKey, METRIC_NAME } from './labels';
import { compileAnchoredRegex } from './regex';
import { lastIndexAtOrBefore, Series, SeriesSource } from './source';

export type Lookback = { kind: 'window'; ms: number } | { kind: 'chunk'; ms: number };

/** Prometheus's default lookback delta (5 minutes). */
export const PROMETHEUS_DEFAULT_LOOKBACK_MS = 5 * 60_000;

/** Prometheus rejects range queries with more points per series than this (web/api/v1/api.go). */
export const MAX_POINTS_PER_SERIES = 11_000;

export type { Sample } from './binary';
import type { Sample } from './binary';

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
  if (typeOf(expr) === 'matrix') {
    const arg = await ev.rangeAt(expr, time);
    const series: MatrixSeries[] = arg.series.map((s) => ({ labels: s.labels, timestamps: Array.from(s.ts.subarray(s.lo, s.hi)), values: Array.from(s.vs.subarray(s.lo, s.hi)) }));
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
  const type = typeOf(expr);
  if (type !== 'scalar' && type !== 'vector') {
    throw new PromApiError('bad_data', `invalid expression type "${type === 'matrix' ? 'range vector' : 'string'}" for range query, must be Scalar or instant Vector`);
  }
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

  /** Drops the points before time t; returns how many remain. */
  dropBefore(t: number): number {
    const from = lastIndexAtOrBefore(this.timestamps.subarray(0, this.n), t - 1) + 1;
    this.timestamps.copyWithin(0, from, this.n);
    this.values.copyWithin(0, from, this.n);
    this.n -= from;
    return this.n;
  }
}

function append(out: Map<string, SeriesBuilder>, key: string, labels: Labels, t: number, value: number) {
  let s = out.get(key);
  if (!s) out.set(key, (s = new SeriesBuilder(labels)));
  s.push(t, value);
}

/** The sample a series shows at `at` (among those up to readEnd) under the lookback rule; -1 when none. */
export function currentSampleIndex(s: Series, at: number, lb: Lookback, readEnd = at): number {
  const i = lastIndexAtOrBefore(s.timestamps, Math.min(at, readEnd));
  return i >= 0 && at < sampleEnd(s, i, lb) ? i : -1;
}

/** Until when (ms, exclusive) sample i counts under the lookback rule (the next sample may replace it sooner). */
function sampleEnd(s: Series, i: number, lb: Lookback): number {
  if (lb.kind === 'window') return s.timestamps[i] + lb.ms;
  return i < s.timestamps.length - 1 ? Number.POSITIVE_INFINITY : (s.currentUntil ?? s.timestamps[i] + lb.ms);
}

/**
 * The sample a series shows at `at` (-1: none), and the times [from, until) around `at` at which it shows
 * that same sample (or none): what a result made at `at` holds for (model-partials.ts).
 */
export function shownSampleSpan(s: Series, at: number, lb: Lookback): { index: number; from: number; until: number } {
  const ts = s.timestamps;
  const i = lastIndexAtOrBefore(ts, at);
  // Before the first sample: nothing shows until it.
  if (i < 0) return { index: -1, from: Number.NEGATIVE_INFINITY, until: ts.length > 0 ? ts[0] : Number.POSITIVE_INFINITY };
  const next = i < ts.length - 1 ? ts[i + 1] : Number.POSITIVE_INFINITY;
  const end = sampleEnd(s, i, lb);
  // Shown until its end or the next sample; once past its end, nothing shows until the next sample.
  return at < end ? { index: i, from: ts[i], until: Math.min(next, end) } : { index: -1, from: Math.max(ts[i], end), until: next };
}

export function unwrap(e: Expr): Expr {
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

/** Range functions that read the points' times (the others read values only). */
const TIMED_RANGE_FUNCTIONS = new Set(['rate', 'increase', 'delta', 'irate', 'idelta', 'deriv', 'predict_linear']);

/** Prometheus's default evaluation interval: the step of a subquery written without one (`x[1h:]`). */
export const DEFAULT_SUBQUERY_STEP_MS = 60_000;

/** The series of a range vector (a range selector's window or a subquery's points) at one time. */
interface RangeArg {
  /** Each series' points in the window: indexes [lo, hi) of its arrays (views are made only where needed). */
  series: { labels: Labels; ts: Float64Array; vs: Float64Array; lo: number; hi: number }[];
  /** ms: where the window ends (evaluation or `@` time, less the offset) */
  rangeEnd: number;
  range: number;
}

/**
 * A subquery's points per series over consecutive grid times [from, until], kept for the next steps (a
 * range query's steps share most of them): each step evaluates only the grid times it adds, and its
 * window is a view into these arrays. Points before every later window are dropped now and then.
 */
class SubqueryPoints {
  from = NaN;
  until = NaN;
  readonly series = new Map<string, SeriesBuilder>();

  reset(first: number, step: number) {
    this.from = first;
    this.until = first - step;
    this.series.clear();
  }

  add(t: number, samples: Sample[]) {
    for (const s of samples) {
      const key = labelsKey(s.labels);
      let b = this.series.get(key);
      if (!b) this.series.set(key, (b = new SeriesBuilder(s.labels)));
      b.push(t, s.value);
    }
    this.until = t;
  }

  /** Forgets the points before `t`, once they are many (amortised: each point is moved at most once more). */
  compact(t: number, step: number) {
    if ((t - this.from) / step < 1024) return;
    for (const [key, b] of this.series) if (b.dropBefore(t) === 0) this.series.delete(key);
    this.from = t;
  }
}

class Evaluator {
  private readonly selected = new Map<VectorSelector, Series[]>();
  private readonly subqueries = new Map<SubqueryExpr, SubqueryPoints>();
  /**
   * Per range-function call: output label set → the input series it came from (duplicates over the whole
   * query), and the input label sets already checked (label sets are shared objects, so each is checked once).
   */
  private readonly rangeOutputs = new Map<Call, { outputs: Map<string, string>; checked: WeakSet<Labels> }>();
  /**
   * predict_linear calls with the first evaluation time of their evaluator: Prometheus 2.42 turns `@` into
   * an offset from it, and does not evaluate predict_linear once as other `@` expressions (it depends on
   * the evaluation time), so the window of its `@` range selector moves with the step from there.
   */
  private readonly slideBase = new Map<Call, number>();

  private constructor(
    private readonly opts: EvalOptions,
    private readonly budget: QueryBudget,
    /** The query's start and end (ms), for `@ start()` and `@ end()`. */
    private readonly start: number,
    private readonly end: number,
  ) {}

  /** Looks up every selector's series over the times it will be read at (ranges, offsets, `@`, subqueries). */
  static async create(expr: Expr, source: SeriesSource, start: number, end: number, opts: EvalOptions, budget: QueryBudget): Promise<Evaluator> {
    const ev = new Evaluator(opts, budget, start, end);
    const lookbackReach = opts.lookback.kind === 'window' ? opts.lookback.ms : Number.POSITIVE_INFINITY;
    // Iterative walk carrying the interval of evaluation times of each node.
    // `level`: the first evaluation time of the node's evaluator in Prometheus (the query's start, or a
    // subquery's first point), from which Prometheus measures `@` (see slideBase).
    const stack: { e: Expr; lo: number; hi: number; level: number }[] = [{ e: expr, lo: start, hi: end, level: start }];
    const reads: { sel: VectorSelector; lo: number; hi: number; atEndOnly: boolean }[] = [];
    while (stack.length > 0) {
      const { e, lo, hi, level } = stack.pop()!;
      if (e.type === 'vector_selector' || e.type === 'matrix_selector') {
        const sel = e.type === 'vector_selector' ? e : e.selector;
        const [a, b] = sel.at ? [ev.atTime(sel.at), ev.atTime(sel.at)] : [lo, hi];
        const reach = e.type === 'matrix_selector' ? e.range : lookbackReach;
        reads.push({ sel, lo: a - sel.offset - reach, hi: b - sel.offset, atEndOnly: e.type === 'vector_selector' && a === b });
      } else if (e.type === 'subquery') {
        const [a, b] = e.at ? [ev.atTime(e.at), ev.atTime(e.at)] : [lo, hi];
        const step = e.step > 0 ? e.step : DEFAULT_SUBQUERY_STEP_MS;
        const inner = Math.ceil(((e.at ? ev.atTime(e.at) : level) - e.offset - e.range) / step) * step;
        stack.push({ e: e.expr, lo: a - e.offset - e.range, hi: b - e.offset, level: inner });
      } else {
        if (e.type === 'call' && e.func === 'predict_linear') ev.slideBase.set(e, level);
        for (const c of childrenOf(e)) stack.push({ e: c, lo, hi, level });
      }
    }
    for (const { sel, lo, hi, atEndOnly } of reads) {
      await ev.matchRegexesAhead(sel.matchers, source);
      if (budget.due()) await budget.pause();
      const prev = ev.selected.get(sel);
      if (!prev) ev.selected.set(sel, source.select(sel.matchers, { start: lo, end: hi, atEndOnly }));
    }
    return ev;
  }

  private atTime(at: AtModifier): number {
    return at.kind === 'time' ? at.ms : at.kind === 'start' ? this.start : this.end;
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
      case 'subquery':
        throw new EvaluationError('a range vector cannot be evaluated here');
      case 'call':
        return this.call(e, t);
      case 'aggregate':
        return { kind: 'vector', samples: await this.aggregate(e, t) };
      case 'binary':
        return this.binary(e, t);
    }
  }

  private async vectorAt(e: Expr, t: number): Promise<Sample[]> {
    const v = await this.evalAt(e, t);
    if (v.kind !== 'vector') throw new EvaluationError(`expected instant vector, got ${v.kind}`);
    return v.samples;
  }

  private async scalarAt(e: Expr, t: number): Promise<number> {
    const v = await this.evalAt(e, t);
    if (v.kind !== 'scalar') throw new EvaluationError(`expected scalar, got ${v.kind}`);
    return v.value;
  }

  private async stringAt(e: Expr, t: number): Promise<string> {
    const v = await this.evalAt(e, t);
    if (v.kind !== 'string') throw new EvaluationError(`expected string, got ${v.kind}`);
    return v.value;
  }

  /** The samples an instant selector sees at `t`; with `times`, their values are their times (s), for timestamp(). */
  private instantSelect(sel: VectorSelector, t: number, times = false): Sample[] {
    let at = (sel.at ? this.atTime(sel.at) : t) - sel.offset;
    // Prometheus 2.42's timestamp() of `x @ T offset o` replaces the offset with (t - T), so it looks at T,
    // in series read only up to T - o (a quirk kept for identical answers).
    const readEnd = at;
    if (times && sel.at && sel.offset !== 0) at = this.atTime(sel.at);
    const out: Sample[] = [];
    for (const s of this.selected.get(sel)!) {
      const i = this.currentIndex(s, at, readEnd);
      if (i >= 0) out.push({ labels: s.labels, value: times ? s.timestamps[i] / 1000 : s.values[i] });
    }
    return out;
  }

  /** The sample an instant selector sees at `at` (among those up to readEnd), under the lookback rule; -1 when none. */
  private currentIndex(s: Series, at: number, readEnd = at): number {
    return currentSampleIndex(s, at, this.opts.lookback, readEnd);
  }

  /** Sample index range [from, to) inside the window (at - range, at]. */
  private windowOf(s: Series, at: number, range: number): [number, number] {
    return [lastIndexAtOrBefore(s.timestamps, at - range) + 1, lastIndexAtOrBefore(s.timestamps, at) + 1];
  }

  /** A range vector at `t`: a range selector's windows or a subquery's points, series without points left out. */
  /** `slideFrom`: the base from which an `@` window moves with t (predict_linear's quirk), or null. */
  async rangeAt(e: Expr, t: number, slideFrom: number | null = null): Promise<RangeArg> {
    e = unwrap(e);
    if (e.type === 'matrix_selector') {
      const sel = e.selector;
      const rangeEnd = (sel.at ? this.atTime(sel.at) + (slideFrom !== null ? t - slideFrom : 0) : t) - sel.offset;
      // Sliding (above): Prometheus read the series only up to the `@` time, so the window shrinks.
      const readEnd = sel.at && slideFrom !== null ? Math.min(rangeEnd, this.atTime(sel.at) - sel.offset) : rangeEnd;
      const series: RangeArg['series'] = [];
      for (const s of this.selected.get(sel)!) {
        if (this.budget.due()) await this.budget.pause();
        const [from, to] = [this.windowOf(s, rangeEnd, e.range)[0], lastIndexAtOrBefore(s.timestamps, readEnd) + 1];
        if (to > from) series.push({ labels: s.labels, ts: s.timestamps, vs: s.values, lo: from, hi: to });
      }
      return { series, rangeEnd, range: e.range };
    }
    if (e.type !== 'subquery') throw new EvaluationError('expected a range vector');
    const rangeEnd = (e.at ? this.atTime(e.at) : t) - e.offset;
    const step = e.step > 0 ? e.step : DEFAULT_SUBQUERY_STEP_MS;
    let store = this.subqueries.get(e);
    if (!store) this.subqueries.set(e, (store = new SubqueryPoints()));
    // Points at the multiples of the step in [rangeEnd - range, rangeEnd]: closed on the left, as Prometheus
    // 2.42 evaluates a subquery (its points are not samples, so the chunk-start reason for left-open range
    // selectors does not apply; nested subqueries of commensurate steps depend on it).
    const first = Math.ceil((rangeEnd - e.range) / step) * step;
    // A subquery's points count against the samples a query may hold, before any is computed.
    if ((rangeEnd - first) / step + 1 > this.budget.maxSamples) throw tooManySamplesError();
    if (Number.isNaN(store.from) || first < store.from || first > store.until + step) store.reset(first, step);
    else store.compact(first, step);
    for (let ti = store.until + step; ti <= rangeEnd; ti += step) {
      const samples = await this.vectorAt(e.expr, ti);
      assertUniqueLabelsets(samples);
      store.add(ti, samples);
    }
    const series: RangeArg['series'] = [];
    for (const b of store.series.values()) {
      if (this.budget.due()) await this.budget.pause();
      const { timestamps, values } = b.finish();
      const lo = lastIndexAtOrBefore(timestamps as Float64Array, first - 1) + 1;
      const hi = lastIndexAtOrBefore(timestamps as Float64Array, rangeEnd) + 1;
      if (hi > lo) series.push({ labels: b.labels, ts: timestamps as Float64Array, vs: values as Float64Array, lo, hi });
    }
    return { series, rangeEnd, range: e.range };
  }

  private async call(c: Call, t: number): Promise<Value> {
    const sig = FUNCTIONS[c.func];
    const matrixIndex = sig.args.indexOf('matrix');
    if (matrixIndex >= 0) return { kind: 'vector', samples: await this.rangeCall(c, matrixIndex, t) };
    switch (c.func) {
      case 'time':
        return { kind: 'scalar', value: t / 1000 };
      case 'pi':
        return { kind: 'scalar', value: Math.PI };
      case 'scalar': {
        const v = await this.vectorAt(c.args[0], t);
        return { kind: 'scalar', value: v.length === 1 ? v[0].value : NaN };
      }
      case 'vector':
        return { kind: 'vector', samples: [{ labels: {}, value: await this.scalarAt(c.args[0], t) }] };
    }
    const samples = await this.instantCall(c, t);
    assertUniqueLabelsets(samples);
    return { kind: 'vector', samples };
  }

  /** Functions of instant vectors (and scalar or string parameters). */
  private async instantCall(c: Call, t: number): Promise<Sample[]> {
    const name = c.func;
    const mathFn = MATH_FUNCTIONS[name];
    if (mathFn) return (await this.vectorAt(c.args[0], t)).map((s) => ({ labels: dropMetricName(s.labels), value: mathFn(s.value) }));
    const dateFn = DATE_FUNCTIONS[name];
    if (dateFn) {
      if (c.args.length === 0) return [{ labels: {}, value: dateFn(t / 1000) }];
      return (await this.vectorAt(c.args[0], t)).map((s) => ({ labels: dropMetricName(s.labels), value: dateFn(s.value) }));
    }
    switch (name) {
      case 'clamp':
      case 'clamp_min':
      case 'clamp_max': {
        const v = await this.vectorAt(c.args[0], t);
        const a = await this.scalarAt(c.args[1], t);
        const b = name === 'clamp' ? await this.scalarAt(c.args[2], t) : NaN;
        if (name === 'clamp' && b < a) return [];
        const f = name === 'clamp' ? (x: number) => goMax(a, goMin(b, x)) : name === 'clamp_min' ? (x: number) => goMax(a, x) : (x: number) => goMin(a, x);
        return v.map((s) => ({ labels: dropMetricName(s.labels), value: f(s.value) }));
      }
      case 'round': {
        const v = await this.vectorAt(c.args[0], t);
        const toNearest = c.args.length >= 2 ? await this.scalarAt(c.args[1], t) : 1;
        // Prometheus divides by the inverse: fewer floating-point surprises.
        const inverse = 1 / toNearest;
        return v.map((s) => ({ labels: dropMetricName(s.labels), value: Math.floor(s.value * inverse + 0.5) / inverse }));
      }
      case 'absent': {
        const v = await this.vectorAt(c.args[0], t);
        return v.length > 0 ? [] : [{ labels: absentLabels(c.args[0]), value: 1 }];
      }
      case 'sort':
      case 'sort_desc': {
        const v = await this.vectorAt(c.args[0], t);
        const dir = name === 'sort' ? 1 : -1;
        // NaN last in both orders.
        return [...v].sort((a, b) => (Number.isNaN(a.value) ? (Number.isNaN(b.value) ? 0 : 1) : Number.isNaN(b.value) ? -1 : dir * (a.value - b.value)));
      }
      case 'timestamp': {
        // Over a selector, the time of the sample itself; over anything else, the evaluation time.
        const arg = unwrap(c.args[0]);
        if (arg.type === 'vector_selector') return this.instantSelect(arg, t, true).map((s) => ({ labels: dropMetricName(s.labels), value: s.value }));
        return (await this.vectorAt(arg, t)).map((s) => ({ labels: dropMetricName(s.labels), value: t / 1000 }));
      }
      case 'label_replace': {
        const v = await this.vectorAt(c.args[0], t);
        const [dst, repl, src, regex] = await Promise.all(c.args.slice(1).map((a) => this.stringAt(a, t)));
        return labelReplace(v, dst, repl, src, regex);
      }
      case 'label_join': {
        const v = await this.vectorAt(c.args[0], t);
        const strings: string[] = [];
        for (const a of c.args.slice(1)) strings.push(await this.stringAt(a, t));
        return labelJoin(v, strings[0], strings[1], strings.slice(2));
      }
      case 'histogram_quantile': {
        const q = await this.scalarAt(c.args[0], t);
        return histogramQuantile(q, await this.vectorAt(c.args[1], t));
      }
      case 'histogram_count':
      case 'histogram_sum':
      case 'histogram_fraction':
        // Native histograms only: float samples give nothing (Vigil stores no native histograms).
        for (const a of c.args) await this.evalAt(a, t);
        return [];
    }
    throw new EvaluationError(`function "${name}" is not implemented`);
  }

  /** A function of a range vector, per series, as Prometheus's matrix-argument branch of eval. */
  private async rangeCall(c: Call, matrixIndex: number, t: number): Promise<Sample[]> {
    const scalars: number[] = [];
    for (let i = 0; i < c.args.length; i++) if (i !== matrixIndex) scalars.push(await this.scalarAt(c.args[i], t));
    // predict_linear's `@` window moves with the step (slideBase: a quirk of 2.42 kept for identical answers).
    const arg = await this.rangeAt(c.args[matrixIndex], t, this.slideBase.get(c) ?? null);
    if (c.func === 'absent_over_time') return arg.series.length > 0 ? [] : [{ labels: absentLabels(c.args[matrixIndex]), value: 1 }];
    const f = RANGE_FUNCTIONS[c.func];
    const needsTimes = TIMED_RANGE_FUNCTIONS.has(c.func);
    const out: Sample[] = [];
    let seen = this.rangeOutputs.get(c);
    if (!seen) this.rangeOutputs.set(c, (seen = { outputs: new Map(), checked: new WeakSet() }));
    for (const s of arg.series) {
      if (this.budget.due()) await this.budget.pause();
      // Only the functions that read times get a view of them (views cost more than the reading).
      const ts = needsTimes ? s.ts.subarray(s.lo, s.hi) : s.ts;
      const value = f({ ts, vs: s.vs.subarray(s.lo, s.hi), evalTime: t, rangeEnd: arg.rangeEnd, range: arg.range, scalars });
      if (value === null) continue;
      // last_over_time keeps the metric name; the other functions drop it (Prometheus functions.go).
      const labels = c.func === 'last_over_time' ? s.labels : dropMetricName(s.labels);
      // Prometheus checks the whole answer of such a function at once: two inputs that lose their only
      // difference (the name) collide even at different steps.
      if (!seen.checked.has(s.labels)) {
        const outKey = labelsKey(labels);
        const inKey = labelsKey(s.labels);
        const from = seen.outputs.get(outKey);
        if (from !== undefined && from !== inKey) throw new EvaluationError('vector cannot contain metrics with the same labelset');
        seen.outputs.set(outKey, inKey);
        seen.checked.add(s.labels);
      }
      out.push({ labels, value });
    }
    return out;
  }

  private async aggregate(a: AggregateExpr, t: number): Promise<Sample[]> {
    let param: number | string | null = null;
    if (a.param) {
      const p = await this.evalAt(a.param, t);
      param = p.kind === 'scalar' || p.kind === 'string' ? p.value : null;
    }
    const v = await this.vectorAt(a.expr, t);
    return aggregate(a, v, param);
  }

  private async binary(b: BinaryExpr, t: number): Promise<Value> {
    const l = await this.evalAt(b.lhs, t);
    const r = await this.evalAt(b.rhs, t);
    if (l.kind === 'scalar' && r.kind === 'scalar') {
      const [value, keep] = elementOp(b.op, l.value, r.value);
      return { kind: 'scalar', value: isComparison(b.op) ? (keep ? 1 : 0) : value };
    }
    let samples: Sample[];
    if (l.kind === 'vector' && r.kind === 'scalar') samples = vectorScalar(b, l.samples, r.value, false);
    else if (l.kind === 'scalar' && r.kind === 'vector') samples = vectorScalar(b, r.samples, l.value, true);
    else if (l.kind === 'vector' && r.kind === 'vector') samples = vectorVector(b, l.samples, r.samples);
    else throw new EvaluationError('binary expression must contain only scalar and instant vector types');
    assertUniqueLabelsets(samples);
    return { kind: 'vector', samples };
  }
}

/** Prometheus's createLabelsForAbsentFunction: the equality matchers of a selector (a label matched twice is left out). */
function absentLabels(arg: Expr): Labels {
  const matchers = arg.type === 'vector_selector' ? arg.matchers : arg.type === 'matrix_selector' ? arg.selector.matchers : null;
  if (!matchers) return {};
  const out: Record<string, string> = {};
  const has = new Set<string>();
  for (const m of matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.op === '=' && !has.has(m.name)) {
      if (m.value !== '') out[m.name] = m.value;
      else delete out[m.name];
      has.add(m.name);
    } else {
      delete out[m.name];
    }
  }
  return out;
}

/** Anchored RE2 regexes of label_replace, with their groups (the label-matcher cache has no groups). */
const replaceRegexes = new Map<string, RE2JS>();

function labelReplace(v: Sample[], dst: string, repl: string, src: string, regex: string): Sample[] {
  let re = replaceRegexes.get(regex);
  if (!re) {
    try {
      // The size and dialect checks of label matchers apply too.
      compileAnchoredRegex(regex);
      re = RE2JS.compile(`^(?:${regex})$`);
    } catch {
      throw new EvaluationError(`invalid regular expression in label_replace(): ${regex}`);
    }
    if (replaceRegexes.size > 100) replaceRegexes.clear();
    replaceRegexes.set(regex, re);
  }
  if (!LABEL_NAME_RE.test(dst)) throw new EvaluationError(`invalid destination label name in label_replace(): ${dst}`);
  return v.map((s) => {
    const m = re!.matcher(s.labels[src] ?? '');
    if (!m.matches()) return s;
    const groups: (string | null)[] = [];
    for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g));
    const res = expandTemplate(repl, groups, re!.namedGroups());
    const labels: Record<string, string> = { ...s.labels };
    delete labels[dst];
    if (res !== '') labels[dst] = res;
    return { labels, value: s.value };
  });
}

function labelJoin(v: Sample[], dst: string, sep: string, srcs: string[]): Sample[] {
  for (const src of srcs) if (!LABEL_NAME_RE.test(src)) throw new EvaluationError(`invalid source label name in label_join(): ${src}`);
  if (!LABEL_NAME_RE.test(dst)) throw new EvaluationError(`invalid destination label name in label_join(): ${dst}`);
  return v.map((s) => {
    const joined = srcs.map((n) => s.labels[n] ?? '').join(sep);
    const labels: Record<string, string> = { ...s.labels };
    if (joined === '') delete labels[dst];
    else labels[dst] = joined;
    return { labels, value: s.value };
  });
}

/** histogram_quantile over classic buckets: series grouped by their labels but `le`, name and `le` left out of the answer. */
function histogramQuantile(q: number, v: Sample[]): Sample[] {
  const groups = new Map<string, { labels: Labels; buckets: { upperBound: number; count: number }[] }>();
  for (const s of v) {
    const le = s.labels.le;
    const upperBound = le === undefined ? null : parseGoFloat(le);
    if (upperBound === null) continue;
    const key = labelsKey(deleteLabels(s.labels, ['le']));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels: deleteLabels(s.labels, ['le', METRIC_NAME]), buckets: [] }));
    g.buckets.push({ upperBound, count: s.value });
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) }));
}
