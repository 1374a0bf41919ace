/**
 * Pearson correlation with scipy.stats.pearsonr's two-sided p-value, for the CorrelationRanker.
 *
 * scipy: r = Σ(x−x̄)(y−ȳ) / (‖x−x̄‖·‖y−ȳ‖), clipped to [−1, 1]; under independence r follows
 * Beta(n/2 − 1, n/2 − 1) on [−1, 1], so p = 2·P(R > |r|) = 2·I_{(1−|r|)/2}(a, a) with a = n/2 − 1, the
 * regularized incomplete beta function. n = 2 gives p = 1; a constant input gives r = p = NaN (scipy warns
 * and returns NaN).
 */
import { logGamma } from '../drift/univariate/gamma';

/** Iteration cap and relative tolerance of the continued fraction; TINY keeps Lentz's method off zero. */
const MAX_ITERATIONS = 10_000;
const EPSILON = 1e-16;
const TINY = 1e-300;

/** Regularized incomplete beta I_x(a, b), by its continued fraction (modified Lentz) on the convergent side. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  // the fraction converges fast for x < (a+1)/(a+b+2); otherwise use I_x(a,b) = 1 − I_{1−x}(b,a)
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    // even step: d_{2m} = m(b−m)x / ((a+2m−1)(a+2m))
    let num = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    // odd step: d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1))
    num = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + num / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return (front * h) / a;
}

export interface Correlation {
  r: number;
  p: number;
}

/** scipy.stats.pearsonr(x, y) for n ≥ 2 pairs (callers drop NaN pairs first). */
export function pearsonr(x: ArrayLike<number>, y: ArrayLike<number>): Correlation {
  const n = x.length;
  if (n !== y.length) throw new Error('pearsonr: x and y differ in length');
  if (n < 2) return { r: NaN, p: NaN };
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return { r: NaN, p: NaN };
  const r = Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
  if (n === 2) return { r, p: 1 };
  const a = n / 2 - 1;
  const p = Math.min(1, 2 * incompleteBeta((1 - Math.abs(r)) / 2, a, a));
  return { r, p };
}
