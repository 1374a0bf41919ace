/**
 * Kullback-Leibler divergence KL(reference ‖ chunk) (Evidently `kl_div`: `scipy.stats.entropy(r, c)`, natural
 * log, both share vectors renormalized to sum 1) on Evidently's bins (evidently-bins.ts). Evidently's
 * threshold: drift when KL ≥ 0.1.
 */
import { pairwiseSum } from '../../stats/moments';
import { BinnedShares, binnedShareMethods } from './evidently-bins';

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

const methods = binnedShareMethods('kullback_leibler', klDivergence);
export const klContinuous = methods.continuous;
export const klCategorical = methods.categorical;
