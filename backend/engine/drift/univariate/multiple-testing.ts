/**
 * False-discovery control across the columns of a drift calculator (issue 17): with
 * `multiple_testing: {method: benjamini_hochberg, q: 0.05}`, the p-values of every test series of one
 * chunk (all columns × test methods) are adjusted by Benjamini-Hochberg's step-up procedure, and a test
 * alerts when its adjusted p-value is ≤ q. This bounds the expected share of false alerts among a chunk's
 * alerts by q (for independent or positively dependent tests), where testing each of m undrifted columns
 * at level α alerts somewhere in a chunk with probability 1 − (1 − α)^m.
 */
import { ConfigError } from '../../calculator';
import { ParamReader } from '../../params';

export interface MultipleTesting {
  method: 'benjamini_hochberg';
  q: number;
}

export const DEFAULT_FDR_Q = 0.05;

export { adjustedPValueMetric } from '../../catalog';

export function parseMultipleTesting(raw: unknown, where: string): MultipleTesting | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(where, 'must be a mapping {method: benjamini_hochberg, q: 0.05}');
  const r = new ParamReader(raw as Record<string, unknown>, where);
  const method = r.oneOf('method', ['benjamini_hochberg'] as const, 'benjamini_hochberg');
  const q = r.number('q', DEFAULT_FDR_Q, { min: 0, max: 1, exclusiveMin: true })!;
  r.done();
  return { method, q };
}

/**
 * BH-adjusted p-values: p_(i)·m/i over the ascending order, made monotone from the largest down and capped
 * at 1 (R's `p.adjust(method = "BH")`, statsmodels' `fdr_bh`). NaN p-values are left out of m and stay NaN.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const idx = pValues.map((_, i) => i).filter((i) => !Number.isNaN(pValues[i]));
  idx.sort((a, b) => pValues[a] - pValues[b]);
  const m = idx.length;
  const out = pValues.map(() => NaN);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = idx[r];
    running = Math.min(running, (pValues[i] * m) / (r + 1));
    out[i] = running;
  }
  return out;
}
