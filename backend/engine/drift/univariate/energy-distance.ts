/**
 * Energy distance (Evidently `ed`: scipy `energy_distance(reference, chunk)`): √2 times the L2 distance
 * between the two empirical CDFs, integrated over the pooled sorted values. Evidently's threshold: drift
 * when the distance exceeds 0.1.
 */
import { pairwiseSum } from '../../stats/moments';
import { ContinuousMethod } from './methods';
import { sortedOnce, tieGroups } from './pooled';

export function energyDistance(sortedA: Float64Array, sortedB: Float64Array): number {
  const groups = tieGroups(sortedA, sortedB);
  const terms = new Float64Array(Math.max(0, groups.length - 1));
  let ca = 0;
  let cb = 0;
  for (let j = 0; j + 1 < groups.length; j++) {
    ca += groups[j].inA;
    cb += groups[j].inB;
    const gap = ca / sortedA.length - cb / sortedB.length;
    terms[j] = gap * gap * (groups[j + 1].value - groups[j].value);
  }
  return Math.SQRT2 * Math.sqrt(pairwiseSum(terms));
}

export const energyDistanceMethod: ContinuousMethod<Float64Array> = {
  id: 'energy_distance',
  limits: { lower: 0, upper: null },
  defaultThreshold: { type: 'constant', lower: null, upper: 0.1 },
  fit: sortedOnce,
  score: (sortedReference, chunk) => energyDistance(sortedReference, chunk.sorted()),
};
