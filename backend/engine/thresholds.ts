/**
 * Thresholds and alert rules (spec §0.1).
 */

export type Threshold =
  | { type: 'constant'; lower: number | null; upper: number | null }
  | { type: 'standard_deviation'; stdLowerMultiplier: number | null; stdUpperMultiplier: number | null };

export interface Limits {
  lower: number | null;
  upper: number | null;
}

export interface ThresholdValues {
  lower: number | null;
  upper: number | null;
}

/** NannyML's StandardDeviationThreshold() default: mean ± 3·std₀. */
export const DEFAULT_STD_THRESHOLD: Threshold = { type: 'standard_deviation', stdLowerMultiplier: 3, stdUpperMultiplier: 3 };

/**
 * numpy's pairwise summation (`pairwise_sum` in numpy/_core/src/umath/loops_utils.h), the order in which
 * np.sum/np.mean/np.var add a float64 array: sequential below 8 values; up to 128, eight interleaved
 * partial sums added as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the tail; above, two halves (the
 * first a multiple of 8). The same order gives the same last bits: a threshold at mean − 3·std that is
 * ±1e-16 instead of 0 decides an open-interval alert on a value of 0 (found against NannyML itself).
 */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= 128) {
    const r = [a[start], a[start + 1], a[start + 2], a[start + 3], a[start + 4], a[start + 5], a[start + 6], a[start + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** np.nanmean: NaN replaced by 0, pairwise sum, divided by the count of the others. */
export function nanMean(values: ArrayLike<number>): number {
  const zeroed = Float64Array.from(values, (v) => (Number.isNaN(v) ? 0 : v));
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) n++;
  return n === 0 ? NaN : pairwiseSum(zeroed) / n;
}

/** np.nanstd (ddof = 0): deviations from the nanmean (0 where NaN), squared, pairwise-summed, / count. */
export function nanStd0(values: ArrayLike<number>): number {
  const m = nanMean(values);
  if (Number.isNaN(m)) return NaN;
  const sq = Float64Array.from(values, (v) => (Number.isNaN(v) ? 0 : (v - m) * (v - m)));
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) n++;
  return Math.sqrt(pairwiseSum(sq) / n);
}

/** The raw (lower, upper) of a threshold on the reference chunk values, before limits. */
export function thresholdBounds(threshold: Threshold, referenceValues: ArrayLike<number>): ThresholdValues {
  if (threshold.type === 'constant') return { lower: threshold.lower, upper: threshold.upper };
  const m = nanMean(referenceValues);
  const s = nanStd0(referenceValues);
  const fin = (x: number) => (Number.isNaN(x) ? null : x);
  return {
    lower: threshold.stdLowerMultiplier === null ? null : fin(m - threshold.stdLowerMultiplier * s),
    upper: threshold.stdUpperMultiplier === null ? null : fin(m + threshold.stdUpperMultiplier * s),
  };
}

/**
 * NannyML's calculate_threshold_values: bounds clipped to the metric's limits (inclusive comparisons); with
 * `overrideUsingNone` a bound beyond its limit becomes null instead.
 */
export function calculateThresholdValues(
  threshold: Threshold,
  referenceValues: ArrayLike<number>,
  limits: Limits,
  overrideUsingNone = false,
): ThresholdValues {
  let { lower, upper } = thresholdBounds(threshold, referenceValues);
  if (limits.lower !== null && lower !== null && lower <= limits.lower) lower = overrideUsingNone ? null : limits.lower;
  if (limits.upper !== null && upper !== null && upper >= limits.upper) upper = overrideUsingNone ? null : limits.upper;
  return { lower, upper };
}

/** Strict rule: value outside [lower, upper]; NaN never alerts. */
export function strictAlert(value: number, t: ThresholdValues): boolean {
  if (Number.isNaN(value)) return false;
  return (t.lower !== null && value < t.lower) || (t.upper !== null && value > t.upper);
}

/** Open-interval rule: alert unless lower < value < upper; equality and NaN alert. */
export function openIntervalAlert(value: number, t: ThresholdValues): boolean {
  const lo = t.lower ?? -Infinity;
  const hi = t.upper ?? Infinity;
  return !(lo < value && value < hi);
}

/** Parses a run-config threshold object; throws a message naming the offending key. */
export function parseThreshold(raw: unknown, where: string): Threshold {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${where}: threshold must be an object`);
  const o = raw as Record<string, unknown>;
  const num = (k: string): number | null => {
    const v = o[k];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}.${k}: must be a number or null`);
    return v;
  };
  const allow = (keys: string[]) => {
    for (const k of Object.keys(o)) if (!keys.includes(k)) throw new Error(`${where}: unknown key '${k}' (expected ${keys.join(', ')})`);
  };
  if (o.type === 'constant') {
    allow(['type', 'lower', 'upper']);
    const lower = num('lower');
    const upper = num('upper');
    if (lower !== null && upper !== null && !(lower < upper)) throw new Error(`${where}: lower (${lower}) must be below upper (${upper})`);
    return { type: 'constant', lower, upper };
  }
  if (o.type === 'standard_deviation') {
    allow(['type', 'std_lower_multiplier', 'std_upper_multiplier', 'offset_from']);
    const lo = 'std_lower_multiplier' in o ? num('std_lower_multiplier') : 3;
    const hi = 'std_upper_multiplier' in o ? num('std_upper_multiplier') : 3;
    if ((lo !== null && lo < 0) || (hi !== null && hi < 0)) throw new Error(`${where}: multipliers must not be negative`);
    return { type: 'standard_deviation', stdLowerMultiplier: lo, stdUpperMultiplier: hi };
  }
  throw new Error(`${where}.type: must be 'constant' or 'standard_deviation', got ${JSON.stringify(o.type)}`);
}
