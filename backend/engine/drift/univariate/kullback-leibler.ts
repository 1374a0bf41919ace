/**
 * Kullback-Leibler divergence KL(reference ‖ chunk) (Evidently `kl_div`: `scipy.stats.entropy(r, c)`, natural
 * log, both share vectors renormalized to sum 1) on Evidently's bins (evidently-bins.ts). Evidently's
 * threshold: drift when KL ≥ 0.1.
 */
import { pairwiseSum } from '../../stats/moments';
import { BinnedShares, categoricalShares, continuousShares, EvidentlyBinsFit, fitEvidentlyBins } from './evidently-bins';
import { CategoricalMethod, CategoryCounts, ContinuousMethod } from './methods';

export function klDivergence({ reference, chunk }: BinnedShares): number {
  const rs = pairwiseSum(reference);
  const cs = pairwiseSum(chunk);
  return pairwiseSum(
    reference.map((r, i) => {
      const p = r / rs;
      const q = chunk[i] / cs;
      return p === 0 ? 0 : p * Math.log(p / q);
    }),
  );
}

const THRESHOLD = { type: 'constant' as const, lower: null, upper: 0.1 };

export const klContinuous: ContinuousMethod<EvidentlyBinsFit> = {
  id: 'kullback_leibler',
  limits: { lower: 0, upper: null },
  defaultThreshold: THRESHOLD,
  fit: fitEvidentlyBins,
  score: (fit, chunk) => klDivergence(continuousShares(fit, chunk)),
};

export const klCategorical: CategoricalMethod<CategoryCounts> = {
  id: 'kullback_leibler',
  limits: { lower: 0, upper: null },
  defaultThreshold: THRESHOLD,
  fit: (reference) => reference,
  score: (reference, chunk) => ({ value: klDivergence(categoricalShares(reference, chunk)) }),
};
