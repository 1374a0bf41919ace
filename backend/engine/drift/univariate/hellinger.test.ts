import { categoryCountsOf, expectClose, KERNELS } from '../../../../test/fixtures/univariate/kernels';
import { hellingerCategorical, hellingerContinuous, hellingerDistance } from './hellinger';
import { ContinuousSample, DEFAULT_COMPUTATION_PARAMS } from './methods';

const score = (reference: number[], chunk: number[]) =>
  hellingerContinuous.score(hellingerContinuous.fit(Float64Array.from(reference), DEFAULT_COMPUTATION_PARAMS), new ContinuousSample(Float64Array.from(chunk)));

describe('hellinger', () => {
  it('is 0 for equal and 1 for disjoint distributions', () => {
    expect(hellingerDistance([0.3, 0.7], [0.3, 0.7])).toBe(0);
    expect(hellingerDistance([1, 0], [0, 1])).toBe(1);
  });

  it('by hand: p=[.25,.25,.5,0], q=[2/3,0,0,1/3] (reference 0..3 against [0, 0, 10])', () => {
    const byHand = Math.sqrt((0.5 - Math.sqrt(2 / 3)) ** 2 + 0.25 + (Math.sqrt(0.5) - 0) ** 2 + (0 - Math.sqrt(1 / 3)) ** 2) / Math.SQRT2;
    expectClose(score([0, 1, 2, 3], [0, 0, 10]), byHand, 1e-14);
    expectClose(score([0, 1, 2, 3], [0, 0, 10]), 0.769253995463226); // numpy
  });

  it('all reference values equal: a chunk value outside gives 1', () => {
    expect(score([2, 2, 2], [3])).toBe(1);
  });

  it.each(KERNELS.continuous.map((c) => [c.name, c] as const))('continuous matches numpy: %s', (_, c) => {
    expectClose(score(c.reference, c.chunk), c.hellinger, 1e-12);
  });

  it.each(KERNELS.categorical.map((c) => [c.name, c] as const))('categorical matches numpy: %s', (_, c) => {
    const fit = hellingerCategorical.fit(categoryCountsOf(c.reference));
    expectClose(hellingerCategorical.score(fit, categoryCountsOf(c.chunk, c.reference)).value, c.hellinger, 1e-12);
  });
});
