import { categoryCountsOf, expectClose, KERNELS } from '../../../../test/fixtures/univariate/kernels';
import { lInfinity } from './l-infinity';

describe('l_infinity', () => {
  it('by hand: reference a,a,b,b vs chunk a,c,c,c → max(|.5−.25|, |.5−0|, |0−.75|) = .75', () => {
    const fit = lInfinity.fit(categoryCountsOf(['a', 'a', 'b', 'b']));
    expect(lInfinity.score(fit, categoryCountsOf(['a', 'c', 'c', 'c'], ['a', 'a', 'b', 'b'])).value).toBe(0.75);
  });

  it('is 0 for the same shares and counts a missing reference category', () => {
    const fit = lInfinity.fit(categoryCountsOf(['x', 'y']));
    expect(lInfinity.score(fit, categoryCountsOf(['y', 'x', 'x', 'y'], ['x', 'y'])).value).toBe(0);
    expect(lInfinity.score(fit, categoryCountsOf(['x'], ['x', 'y'])).value).toBe(0.5);
  });

  it.each(KERNELS.categorical.map((c) => [c.name, c] as const))('matches pandas value_counts arithmetic: %s', (_, c) => {
    const fit = lInfinity.fit(categoryCountsOf(c.reference));
    expectClose(lInfinity.score(fit, categoryCountsOf(c.chunk, c.reference)).value, c.l_infinity, 1e-15);
  });
});
