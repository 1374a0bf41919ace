import { expectClose, KERNELS } from '../../../../test/fixtures/univariate/kernels';
import { kolmogorovSmirnov, ksStatisticSorted } from './kolmogorov-smirnov';
import { AUTO_EXACT_BELOW_ROWS, ComputationParams, ContinuousSample } from './methods';

const params = (calculationMethod: ComputationParams['calculationMethod'], nBins = 10_000): ComputationParams => ({ calculationMethod, nBins });
const score = (reference: number[] | Float64Array, chunk: number[], p: ComputationParams) =>
  kolmogorovSmirnov.score(kolmogorovSmirnov.fit(Float64Array.from(reference), p), new ContinuousSample(Float64Array.from(chunk)));

describe('kolmogorov_smirnov, exact', () => {
  it('by hand: [1,2,3,4] vs [3,4,5,6] gives 0.5; identical 0; disjoint 1', () => {
    expect(score([1, 2, 3, 4], [3, 4, 5, 6], params('exact'))).toBe(0.5);
    expect(score([1, 2, 3], [3, 2, 1], params('exact'))).toBe(0);
    expect(score([1, 2], [7, 8, 9], params('exact'))).toBe(1);
    expect(score([7, 8], [1, 2, 3], params('exact'))).toBe(1);
  });

  it('handles ties across both samples (CDFs evaluated after all equal values)', () => {
    // F_ref(1)=2/3, F_chunk(1)=1/2; F_ref(2)=1, F_chunk(2)=1/2 → D = 1/2
    expect(ksStatisticSorted(Float64Array.of(1, 1, 2), Float64Array.of(1, 3))).toBe(0.5);
  });

  it.each(KERNELS.continuous.map((c) => [c.name, c] as const))('matches scipy ks_2samp: %s', (_, c) => {
    expectClose(score(c.reference, c.chunk, params('exact')), c.ks_exact, 1e-15);
  });
});

describe('kolmogorov_smirnov, estimated (n_bins equal-width bins)', () => {
  it('counts chunk values below the reference minimum from the start and ignores values above the maximum', () => {
    // Reference 0..4 on 4 bins: F_ref = [.2, .4, .6, 1] (last bin closed); chunk [-1, 10]: F_c = .5 → D = 0.5
    expect(score([0, 1, 2, 3, 4], [-1, 10], params('estimated', 4))).toBe(0.5);
  });

  it('all reference values equal: every equal chunk value lands in the last bin', () => {
    expect(score([3, 3, 3], [3, 3], params('estimated', 5))).toBe(0);
    expect(score([3, 3, 3], [2, 3], params('estimated', 5))).toBe(0.5);
  });

  it.each(KERNELS.continuous.map((c) => [c.name, c] as const))("matches NannyML's binned estimator in numpy: %s", (_, c) => {
    expectClose(score(c.reference, c.chunk, params('estimated', c.n_bins)), c.ks_estimated, 1e-14);
  });
});

describe('kolmogorov_smirnov, auto', () => {
  const ramp = (n: number) => Float64Array.from({ length: n }, (_, i) => (i * 7919) % n);

  it('is exact below 10 000 reference values and estimated from 10 000 on', () => {
    expect(AUTO_EXACT_BELOW_ROWS).toBe(10_000);
    expect(kolmogorovSmirnov.fit(ramp(9_999), params('auto')).mode).toBe('exact');
    expect(kolmogorovSmirnov.fit(ramp(10_000), params('auto')).mode).toBe('estimated');
  });

  it('the two modes differ where binning loses resolution, and auto follows the switch', () => {
    const reference = Array.from({ length: 10_000 }, (_, i) => (i % 100) / 100 + Math.floor(i / 100) * 1e-6);
    const chunk = [0.005, 0.0051, 0.5, 0.99];
    const exact = score(reference, chunk, params('exact', 10));
    const estimated = score(reference, chunk, params('estimated', 10));
    expect(exact).not.toBe(estimated);
    expect(score(reference, chunk, params('auto', 10))).toBe(estimated);
    expect(score(reference.slice(0, 9_999), chunk, params('auto', 10))).toBe(score(reference.slice(0, 9_999), chunk, params('exact', 10)));
  });
});
