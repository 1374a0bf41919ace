/**
 * The functions of Prometheus 2.42 (promql/parser/functions.go for their signatures, promql/functions.go
 * for what they compute), over float samples. Each is written from Prometheus's definition and checked
 * against the real Prometheus 2.42 on generated expressions (test/prometheus/oracle.test.ts).
 *
 * Two kinds: functions of a range vector (`rate(x[5m])`, `max_over_time(x[1h:5m])`) are computed per
 * series from the points in the window (RANGE_FUNCTIONS), the others from instant vectors and scalars
 * (in evaluator.ts, with the helpers below).
 */
import type { ValueType } from './ast';
import { EvaluationError } from './errors';

export interface FunctionSignature {
  args: ValueType[];
  /** 0: exactly `args`; n > 0: the last argument may be left out or repeated up to n times; -1: repeated at will. */
  variadic: number;
  returns: ValueType;
}

const fn = (args: ValueType[], returns: ValueType, variadic = 0): FunctionSignature => ({ args, returns, variadic });
const V: ValueType = 'vector';
const M: ValueType = 'matrix';
const S: ValueType = 'scalar';
const STR: ValueType = 'string';

/** Every function of Prometheus 2.42 by name (parser/functions.go). */
export const FUNCTIONS: Record<string, FunctionSignature> = {
  abs: fn([V], V),
  absent: fn([V], V),
  absent_over_time: fn([M], V),
  acos: fn([V], V),
  acosh: fn([V], V),
  asin: fn([V], V),
  asinh: fn([V], V),
  atan: fn([V], V),
  atanh: fn([V], V),
  avg_over_time: fn([M], V),
  ceil: fn([V], V),
  changes: fn([M], V),
  clamp: fn([V, S, S], V),
  clamp_max: fn([V, S], V),
  clamp_min: fn([V, S], V),
  cos: fn([V], V),
  cosh: fn([V], V),
  count_over_time: fn([M], V),
  days_in_month: fn([V], V, 1),
  day_of_month: fn([V], V, 1),
  day_of_week: fn([V], V, 1),
  day_of_year: fn([V], V, 1),
  deg: fn([V], V),
  delta: fn([M], V),
  deriv: fn([M], V),
  exp: fn([V], V),
  floor: fn([V], V),
  histogram_count: fn([V], V),
  histogram_sum: fn([V], V),
  histogram_fraction: fn([S, S, V], V),
  histogram_quantile: fn([S, V], V),
  holt_winters: fn([M, S, S], V),
  hour: fn([V], V, 1),
  idelta: fn([M], V),
  increase: fn([M], V),
  irate: fn([M], V),
  label_replace: fn([V, STR, STR, STR, STR], V),
  label_join: fn([V, STR, STR, STR], V, -1),
  last_over_time: fn([M], V),
  ln: fn([V], V),
  log10: fn([V], V),
  log2: fn([V], V),
  max_over_time: fn([M], V),
  min_over_time: fn([M], V),
  minute: fn([V], V, 1),
  month: fn([V], V, 1),
  pi: fn([], S),
  predict_linear: fn([M, S], V),
  present_over_time: fn([M], V),
  quantile_over_time: fn([S, M], V),
  rad: fn([V], V),
  rate: fn([M], V),
  resets: fn([M], V),
  round: fn([V, S], V, 1),
  scalar: fn([V], S),
  sgn: fn([V], V),
  sin: fn([V], V),
  sinh: fn([V], V),
  sort: fn([V], V),
  sort_desc: fn([V], V),
  sqrt: fn([V], V),
  stddev_over_time: fn([M], V),
  stdvar_over_time: fn([M], V),
  sum_over_time: fn([M], V),
  tan: fn([V], V),
  tanh: fn([V], V),
  time: fn([], S),
  timestamp: fn([V], V),
  vector: fn([S], V),
  year: fn([V], V, 1),
};

/** Functions of later Prometheus versions: named in the error rather than called unknown. */
export const LATER_FUNCTIONS = new Set([
  'double_exponential_smoothing',
  'histogram_avg',
  'histogram_stddev',
  'histogram_stdvar',
  'info',
  'mad_over_time',
  'sort_by_label',
  'sort_by_label_desc',
]);

const isInfinite = (x: number) => x === Infinity || x === -Infinity;

/** Neumaier-compensated addition (Prometheus's kahanSumInc): returns [sum, compensation]. */
export function kahanSumInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

/** The points of one series inside a window, and what a range function needs to know of the window. */
export interface RangePoints {
  /** ms */
  ts: ArrayLike<number>;
  vs: ArrayLike<number>;
  /** ms: the evaluation time (enh.Ts) */
  evalTime: number;
  /** ms: the window's end (evaluation time less the offset, or the `@` time less the offset) */
  rangeEnd: number;
  /** ms */
  range: number;
  /** Scalar arguments besides the range vector, in order. */
  scalars: number[];
}

/** A range function's value for one series, or null for no output sample. */
export type RangeFunction = (p: RangePoints) => number | null;

/** Prometheus's extrapolatedRate (rate, increase, delta): extrapolates to the window's edges. */
function extrapolatedRate(p: RangePoints, isCounter: boolean, isRate: boolean): number | null {
  const n = p.vs.length;
  if (n < 2) return null;
  const first = p.vs[0];
  let result = p.vs[n - 1] - first;
  if (isCounter) {
    let prev = first;
    for (let i = 1; i < n; i++) {
      if (p.vs[i] < prev) result += prev;
      prev = p.vs[i];
    }
  }
  const rangeStart = p.rangeEnd - p.range;
  let durationToStart = (p.ts[0] - rangeStart) / 1000;
  const durationToEnd = (p.rangeEnd - p.ts[n - 1]) / 1000;
  const sampledInterval = (p.ts[n - 1] - p.ts[0]) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (n - 1);
  if (isCounter && result > 0 && first >= 0) {
    // A counter does not go below zero: extrapolate at most to where it would have been zero.
    const durationToZero = sampledInterval * (first / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;
  extrapolateToInterval += durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2;
  extrapolateToInterval += durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2;
  let factor = extrapolateToInterval / sampledInterval;
  if (isRate) factor /= p.range / 1000;
  return result * factor;
}

/** Prometheus's instantValue (irate, idelta): from the last two points. */
function instantValue(p: RangePoints, isRate: boolean): number | null {
  const n = p.vs.length;
  if (n < 2) return null;
  const last = p.vs[n - 1];
  const previous = p.vs[n - 2];
  let result = isRate && last < previous ? last : last - previous;
  const interval = p.ts[n - 1] - p.ts[n - 2];
  if (interval === 0) return null;
  if (isRate) result /= interval / 1000;
  return result;
}

/** Least squares over (seconds since interceptTime, value), with Kahan sums, as Prometheus's linearRegression. */
function linearRegression(ts: ArrayLike<number>, vs: ArrayLike<number>, interceptTime: number): [number, number] {
  let n = 0;
  let sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
  const initY = vs[0];
  let constY = true;
  for (let i = 0; i < vs.length; i++) {
    const y = vs[i];
    if (constY && i > 0 && y !== initY) constY = false;
    n += 1;
    const x = (ts[i] - interceptTime) / 1e3;
    [sumX, cX] = kahanSumInc(x, sumX, cX);
    [sumY, cY] = kahanSumInc(y, sumY, cY);
    [sumXY, cXY] = kahanSumInc(x * y, sumXY, cXY);
    [sumX2, cX2] = kahanSumInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (isInfinite(initY)) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

/** Prometheus's quantile over values (sorted here, NaN first): linear interpolation between ranks. */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...values].sort(byValueNaNFirst);
  const n = sorted.length;
  const rank = q * (n - 1);
  // Go's math.Max/Min propagate NaN; a NaN q has no rank (Prometheus 2.42 would index with it).
  if (Number.isNaN(rank)) return NaN;
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower] * (1 - weight) + sorted[upper] * weight;
}

/** vectorByValueHeap's order: NaN before everything, then ascending. */
export function byValueNaNFirst(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function varianceOverTime(vs: ArrayLike<number>): number {
  let count = 0;
  let mean = 0, cMean = 0, aux = 0, cAux = 0;
  for (let i = 0; i < vs.length; i++) {
    const v = vs[i];
    count++;
    const delta = v - (mean + cMean);
    [mean, cMean] = kahanSumInc(delta / count, mean, cMean);
    [aux, cAux] = kahanSumInc(delta * (v - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

function holtWinters(p: RangePoints): number | null {
  const [sf, tf] = p.scalars;
  if (!(sf > 0 && sf < 1)) throw new EvaluationError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${goFloat(sf)}`);
  if (!(tf > 0 && tf < 1)) throw new EvaluationError(`invalid trend factor. Expected: 0 < tf < 1, got: ${goFloat(tf)}`);
  const n = p.vs.length;
  if (n < 2) return null;
  let s0 = 0;
  let s1 = p.vs[0];
  let b = p.vs[1] - p.vs[0];
  for (let i = 1; i < n; i++) {
    const x = sf * p.vs[i];
    // calcTrendValue: the first step keeps the initial trend.
    if (i - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

/** Go's %f. */
function goFloat(x: number): string {
  return Number.isNaN(x) ? 'NaN' : isInfinite(x) ? (x > 0 ? '+Inf' : '-Inf') : x.toFixed(6);
}

export const RANGE_FUNCTIONS: Record<string, RangeFunction> = {
  rate: (p) => extrapolatedRate(p, true, true),
  increase: (p) => extrapolatedRate(p, true, false),
  delta: (p) => extrapolatedRate(p, false, false),
  irate: (p) => instantValue(p, true),
  idelta: (p) => instantValue(p, false),
  deriv: (p) => (p.vs.length < 2 ? null : linearRegression(p.ts, p.vs, p.ts[0])[0]),
  predict_linear: (p) => {
    if (p.vs.length < 2) return null;
    const [slope, intercept] = linearRegression(p.ts, p.vs, p.evalTime);
    return slope * p.scalars[0] + intercept;
  },
  holt_winters: holtWinters,
  changes: (p) => {
    let changes = 0;
    let prev = p.vs[0];
    for (let i = 1; i < p.vs.length; i++) {
      const cur = p.vs[i];
      if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) changes++;
      prev = cur;
    }
    return changes;
  },
  resets: (p) => {
    let resets = 0;
    let prev = p.vs[0];
    for (let i = 1; i < p.vs.length; i++) {
      if (p.vs[i] < prev) resets++;
      prev = p.vs[i];
    }
    return resets;
  },
  avg_over_time: ({ vs }) => {
    let mean = 0;
    let c = 0;
    for (let i = 0; i < vs.length; i++) {
      const count = i + 1;
      const x = vs[i];
      if (isInfinite(mean) && ((isInfinite(x) && mean > 0 === x > 0) || (!isInfinite(x) && !Number.isNaN(x)))) continue;
      [mean, c] = kahanSumInc(x / count - mean / count, mean, c);
    }
    return isInfinite(mean) ? mean : mean + c;
  },
  sum_over_time: ({ vs }) => {
    let sum = 0;
    let c = 0;
    for (let i = 0; i < vs.length; i++) [sum, c] = kahanSumInc(vs[i], sum, c);
    return isInfinite(sum) ? sum : sum + c;
  },
  count_over_time: ({ vs }) => vs.length,
  present_over_time: () => 1,
  last_over_time: ({ vs }) => vs[vs.length - 1],
  min_over_time: ({ vs }) => {
    let m = vs[0];
    for (let i = 0; i < vs.length; i++) if (vs[i] < m || Number.isNaN(m)) m = vs[i];
    return m;
  },
  max_over_time: ({ vs }) => {
    let m = vs[0];
    for (let i = 0; i < vs.length; i++) if (vs[i] > m || Number.isNaN(m)) m = vs[i];
    return m;
  },
  quantile_over_time: (p) => quantile(p.scalars[0], Array.from(p.vs)),
  stddev_over_time: ({ vs }) => Math.sqrt(varianceOverTime(vs)),
  stdvar_over_time: ({ vs }) => varianceOverTime(vs),
};

// ---- math of instant vectors, as Go computes it

const LN2 = Math.LN2;
const LN10 = Math.LN10;

/** Go's math.Frexp: x = frac × 2^exp with |frac| in [0.5, 1). */
function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x) || Number.isNaN(x)) return [x, 0];
  let exp = 0;
  let f = Math.abs(x);
  // Subnormals: scale into the normal range first.
  if (f < 2.2250738585072014e-308) {
    f *= 2 ** 52;
    exp -= 52;
  }
  const e = Math.floor(Math.log2(f));
  let frac = f / 2 ** e;
  exp += e;
  // frac is in [1, 2) (log2 may be off by one at the edges); bring it into [0.5, 1).
  while (frac >= 1) {
    frac /= 2;
    exp++;
  }
  while (frac < 0.5) {
    frac *= 2;
    exp--;
  }
  return [x < 0 ? -frac : frac, exp];
}

/** Go's math.Log2: exact for powers of two, else Log(frac)/Ln2 + exp. */
export function goLog2(x: number): number {
  const [frac, exp] = frexp(x);
  if (frac === 0.5) return exp - 1;
  return Math.log(frac) * (1 / LN2) + exp;
}

/** Go's math.Log10: log2(x) × (Ln2/Ln10). */
export function goLog10(x: number): number {
  return goLog2(x) * (LN2 / LN10);
}

export const MATH_FUNCTIONS: Record<string, (v: number) => number> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  sqrt: Math.sqrt,
  ln: Math.log,
  log2: goLog2,
  log10: goLog10,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  deg: (v) => (v * 180) / Math.PI,
  rad: (v) => (v * Math.PI) / 180,
  sgn: (v) => (v < 0 ? -1 : v > 0 ? 1 : v),
};

/**
 * Go's civil date of a Unix time, as Prometheus computes `year(v)` & co. with time.Unix(int64(v), 0).UTC():
 * int64(v) truncates, and is the smallest int64 for NaN, ±Inf and values out of range (amd64); the
 * date then follows Go's absolute-time arithmetic in 64-bit unsigned integers (time.go absDate), so
 * even those give Prometheus's answers (`year(vector(NaN))` is 292277026596).
 */
const INT64_MIN = -(2n ** 63n);
const UNIX_TO_ABSOLUTE = 62_135_596_800n + 9_223_371_966_579_724_800n;
const ABSOLUTE_ZERO_YEAR = -292_277_022_399n;
const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

function goInt64(v: number): bigint {
  if (!(v > -9.223372036854776e18 && v < 9.223372036854776e18)) return INT64_MIN;
  return BigInt(Math.trunc(v));
}

interface GoDate {
  year: number;
  month: number;
  day: number;
  yday: number;
  weekday: number;
  hour: number;
  minute: number;
}

const isLeap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

export function goDate(seconds: number): GoDate {
  const abs = BigInt.asUintN(64, BigInt.asIntN(64, goInt64(seconds) + UNIX_TO_ABSOLUTE));
  let d = abs / 86_400n;
  let n = d / 146_097n;
  let y = 400n * n;
  d -= 146_097n * n;
  n = d / 36_524n;
  n -= n >> 2n;
  y += 100n * n;
  d -= 36_524n * n;
  n = d / 1_461n;
  y += 4n * n;
  d -= 1_461n * n;
  n = d / 365n;
  n -= n >> 2n;
  y += n;
  d -= 365n * n;
  const year = Number(y + ABSOLUTE_ZERO_YEAR);
  const yday = Number(d);
  let day = yday;
  let month: number;
  if (isLeap(year) && day === 31 + 29 - 1) {
    month = 2;
    day = 29;
  } else {
    if (isLeap(year) && day > 31 + 29 - 1) day--;
    month = Math.floor(day / 31);
    const end = DAYS_BEFORE[month + 1];
    let begin: number;
    if (day >= end) {
      month++;
      begin = end;
    } else {
      begin = DAYS_BEFORE[month];
    }
    month++;
    day = day - begin + 1;
  }
  const weekday = Number(((abs + 86_400n) % 604_800n) / 86_400n);
  return { year, month, day, yday: yday + 1, weekday, hour: Number((abs % 86_400n) / 3_600n), minute: Number((abs % 3_600n) / 60n) };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export const DATE_FUNCTIONS: Record<string, (seconds: number) => number> = {
  day_of_month: (s) => goDate(s).day,
  day_of_week: (s) => goDate(s).weekday,
  day_of_year: (s) => goDate(s).yday,
  days_in_month: (s) => {
    const d = goDate(s);
    return d.month === 2 && isLeap(d.year) ? 29 : DAYS_IN_MONTH[d.month - 1];
  },
  hour: (s) => goDate(s).hour,
  minute: (s) => goDate(s).minute,
  month: (s) => goDate(s).month,
  year: (s) => goDate(s).year,
};

/** Prometheus's bucketQuantile over classic histogram buckets (upper bound, cumulative count). */
export function bucketQuantile(q: number, buckets: { upperBound: number; count: number }[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...buckets].sort((a, b) => a.upperBound - b.upperBound);
  if (sorted[sorted.length - 1].upperBound !== Infinity) return NaN;
  // coalesceBuckets: equal upper bounds add up.
  const bs: { upperBound: number; count: number }[] = [];
  for (const b of sorted) {
    const last = bs[bs.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else bs.push({ ...b });
  }
  // ensureMonotonic
  let max = -Infinity;
  for (const b of bs) {
    if (b.count > max) max = b.count;
    else if (b.count < max) b.count = max;
  }
  if (bs.length < 2) return NaN;
  const observations = bs[bs.length - 1].count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  // sort.Search over all but the +Inf bucket: the first whose count reaches the rank.
  let b = 0;
  while (b < bs.length - 1 && !(bs[b].count >= rank)) b++;
  if (b === bs.length - 1) return bs[bs.length - 2].upperBound;
  if (b === 0 && bs[0].upperBound <= 0) return bs[0].upperBound;
  let bucketStart = 0;
  const bucketEnd = bs[b].upperBound;
  let count = bs[b].count;
  if (b > 0) {
    bucketStart = bs[b - 1].upperBound;
    count -= bs[b - 1].count;
    rank -= bs[b - 1].count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

/** Go's strconv.ParseFloat as Prometheus reads an `le` label: null when it is not a float. */
export function parseGoFloat(s: string): number | null {
  const t = s.trim() === s ? s : '';
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (/^[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?$/.test(t) && !t.includes('_')) return Number(t);
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t)) return (t.startsWith('-') ? -1 : 1) * parseInt(t.replace(/^[+-]?0[xX]/, ''), 16);
  return null;
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that round-trip, never in exponent form. */
export function formatFloatF(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, int, frac = '', e] = m;
  const digits = int + frac;
  const point = int.length + Number(e);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Go's regexp.Expand template: `$1`, `${1}`, `$name`, `${name}`, `$$`; unknown groups expand to nothing. */
export function expandTemplate(template: string, groups: (string | null)[], named: Record<string, number>): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    i++;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | null = null;
    if (template[i] === '{') {
      const close = template.indexOf('}', i + 1);
      const inner = close < 0 ? '' : template.slice(i + 1, close);
      if (close >= 0 && /^[A-Za-z0-9_]+$/.test(inner)) {
        name = inner;
        i = close + 1;
      }
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(template.slice(i));
      if (m) {
        name = m[0];
        i += name.length;
      }
    }
    if (name === null) {
      // Not a valid reference: Go copies the `$` as is.
      out += '$';
      continue;
    }
    let index = -1;
    // A number with a leading zero (`$01`) is read as a group name, as Go does.
    if (/^\d+$/.test(name) && !/^0\d/.test(name)) index = Number(name);
    else if (name in named) index = named[name];
    if (index >= 0 && index < groups.length) out += groups[index] ?? '';
  }
  return out;
}

/** Go's math.Max: +Inf wins even over NaN, then NaN, then the larger (+0 over -0). */
export function goMax(x: number, y: number): number {
  if (x === Infinity || y === Infinity) return Infinity;
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  return Math.max(x, y);
}

/** Go's math.Min: -Inf wins even over NaN, then NaN, then the smaller (-0 over +0). */
export function goMin(x: number, y: number): number {
  if (x === -Infinity || y === -Infinity) return -Infinity;
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  return Math.min(x, y);
}

export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
