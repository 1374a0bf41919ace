/**
 * Sampling-error helpers shared by calculators (spec §4.5, §6.2, §7). Confidence bands are
 * value ± SAMPLING_ERROR_RANGE · SE (nannyml/sampling_error/__init__.py).
 */
export const SAMPLING_ERROR_RANGE = 3;

/** Mean of finite values. */
export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return values.length === 0 ? NaN : s / values.length;
}

/** Standard deviation with `ddof` (0 = population, 1 = sample), two-pass. */
export function std(values: ArrayLike<number>, ddof = 0): number {
  const n = values.length;
  if (n - ddof <= 0) return NaN;
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < n; i++) s += (values[i] - m) * (values[i] - m);
  return Math.sqrt(s / (n - ddof));
}

/** SE of a mean of Bernoulli/real components: std / sqrt(n · fraction). */
export function componentSamplingError(componentStd: number, n: number, fraction = 1): number {
  if (!(n > 0) || !(fraction > 0)) return NaN;
  return componentStd / Math.sqrt(n * fraction);
}
