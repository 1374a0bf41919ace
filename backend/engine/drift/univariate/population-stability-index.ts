/**
 * Population stability index (Evidently `psi`): Σ (r − c)·ln(r/c) over Evidently's bins (evidently-bins.ts).
 * Evidently's threshold: drift when PSI ≥ 0.1 (Vigil's constant threshold alerts on PSI > 0.1).
 */
import { pairwiseSum } from '../../stats/moments';
import { BinnedShares, binnedShareMethods } from './evidently-bins';

export function psi({ reference, chunk }: BinnedShares): number {
  return pairwiseSum(reference.map((r, i) => (r - chunk[i]) * Math.log(r / chunk[i])));
}

const methods = binnedShareMethods('population_stability_index', psi);
export const psiContinuous = methods.continuous;
export const psiCategorical = methods.categorical;
