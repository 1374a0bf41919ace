/**
 * Population stability index (Evidently `psi`): Σ (r − c)·ln(r/c) over Evidently's bins (evidently-bins.ts).
 * Evidently's threshold: drift when PSI ≥ 0.1 (Vigil's constant threshold alerts on PSI > 0.1).
 */
import { pairwiseSum } from '../../stats/moments';
import { BinnedShares, categoricalShares, continuousShares, EvidentlyBinsFit, fitEvidentlyBins } from './evidently-bins';
import { CategoricalMethod, CategoryCounts, ContinuousMethod } from './methods';

export function psi({ reference, chunk }: BinnedShares): number {
  return pairwiseSum(reference.map((r, i) => (r - chunk[i]) * Math.log(r / chunk[i])));
}

const THRESHOLD = { type: 'constant' as const, lower: null, upper: 0.1 };

export const psiContinuous: ContinuousMethod<EvidentlyBinsFit> = {
  id: 'population_stability_index',
  limits: { lower: 0, upper: null },
  defaultThreshold: THRESHOLD,
  fit: fitEvidentlyBins,
  score: (fit, chunk) => psi(continuousShares(fit, chunk)),
};

export const psiCategorical: CategoricalMethod<CategoryCounts> = {
  id: 'population_stability_index',
  limits: { lower: 0, upper: null },
  defaultThreshold: THRESHOLD,
  fit: (reference) => reference,
  score: (reference, chunk) => ({ value: psi(categoricalShares(reference, chunk)) }),
};
