/**
 * L-infinity distance (spec §2.7): the largest absolute difference between the reference and the chunk
 * share of any category (0 for a category absent on one side).
 */
import { CategoryFit, fitCategoryShares } from './jensen-shannon';
import { CategoricalMethod } from './methods';

export const lInfinity: CategoricalMethod<CategoryFit> = {
  id: 'l_infinity',
  limits: { lower: 0, upper: null },
  fit: fitCategoryShares,
  score(fit, chunk) {
    let d = 0;
    fit.referenceShares.forEach((share, i) => {
      const gap = Math.abs(share - chunk.seen[i] / chunk.total);
      if (gap > d) d = gap;
    });
    for (const c of chunk.unseen) if (c / chunk.total > d) d = c / chunk.total;
    return { value: d };
  },
};
