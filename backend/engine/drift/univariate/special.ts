/**
 * Special functions the two-sample tests need for their p-values, each to close to double precision:
 *
 * - the normal survival function, from Q(½, z²/2) (erfc) of gamma.ts;
 * - Student's t survival function, from the regularized incomplete beta function I_x(a, b) (the one the
 *   correlation ranker uses for scipy's pearsonr);
 * - the modified Bessel function of the second kind K_ν(x), by the trapezoidal rule on its integral
 *   K_ν(x) = ∫₀^∞ exp(−x·cosh t)·cosh(νt) dt. The integrand is analytic in a strip of half-width π/2
 *   and decays double-exponentially, so the rule's error is of order exp(−π²/h): with h = 1/32 it is
 *   far below rounding.
 */
import { incompleteBeta } from '../../ranking/pearson';
import { gammaQ } from './gamma';

/** P(Z > z) for a standard normal Z (scipy `norm.sf`, `special.ndtr(−z)`). */
export function normalSurvival(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z === Infinity) return 0;
  if (z === -Infinity) return 1;
  const q = 0.5 * gammaQ(0.5, (z * z) / 2); // ½·erfc(|z|/√2)
  return z >= 0 ? q : 1 - q;
}

/** P(T > t) for Student's t with `df` degrees of freedom (scipy `t.sf`). */
export function studentTSurvival(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  // P(|T| > |t|) = I_{df/(df+t²)}(df/2, ½); computed on the side that avoids cancellation.
  const tt = t * t;
  const tail = tt < df ? 1 - incompleteBeta(tt / (df + tt), 0.5, df / 2) : incompleteBeta(df / (df + tt), df / 2, 0.5);
  return t >= 0 ? tail / 2 : 1 - tail / 2;
}

/** Step of the trapezoidal rule for K_ν. */
const BESSEL_STEP = 1 / 32;

/** Modified Bessel function of the second kind K_ν(x), x > 0 (scipy `special.kv`). */
export function besselK(nu: number, x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  // Terms vanish once x·cosh t exceeds ~750 (exp underflows) and |ν|·t stays well below it.
  let sum = 0.5 * Math.exp(-x);
  for (let i = 1; ; i++) {
    const t = i * BESSEL_STEP;
    const term = Math.exp(-x * Math.cosh(t)) * Math.cosh(nu * t);
    sum += term;
    if (term < 1e-300 || (term < sum * 1e-18 && x * Math.cosh(t) > 40)) break;
  }
  return sum * BESSEL_STEP;
}

/** Chi-squared survival function re-exported for the tests that need it. */
export { chi2Survival } from './gamma';
