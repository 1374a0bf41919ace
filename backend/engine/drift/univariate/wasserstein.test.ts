import * as v8 from 'v8';
import { expectClose, KERNELS } from '../../../../test/fixtures/univariate/kernels';
import { kolmogorovSmirnov } from './kolmogorov-smirnov';
import { ComputationParams, ContinuousSample } from './methods';
import { sortedOnce } from './pooled';
import { wasserstein } from './wasserstein';

const params = (calculationMethod: ComputationParams['calculationMethod'], nBins = 10_000): ComputationParams => ({ calculationMethod, nBins });
const score = (reference: number[], chunk: number[], p: ComputationParams) =>
  wasserstein.score(wasserstein.fit(Float64Array.from(reference), p), new ContinuousSample(Float64Array.from(chunk)));

describe('wasserstein, exact', () => {
  it("scipy's documented examples: [0,1,3] vs [5,6,8] = 5; [3.4,3.9,7.5,7.8] vs [4.5,1.4] = 2.7", () => {
    expect(score([0, 1, 3], [5, 6, 8], params('exact'))).toBe(5);
    expectClose(score([3.4, 3.9, 7.5, 7.8], [4.5, 1.4], params('exact')), 2.7, 1e-15);
  });

  it('is 0 for the same sample, and the shift for a shifted one', () => {
    expect(score([1, 2, 2, 5], [5, 2, 1, 2], params('exact'))).toBe(0);
    expectClose(score([1, 2, 3], [11, 12, 13], params('exact')), 10, 1e-15);
  });

  it.each(KERNELS.continuous.map((c) => [c.name, c] as const))('matches scipy wasserstein_distance: %s', (_, c) => {
    expectClose(score(c.reference, c.chunk, params('exact')), c.wasserstein_exact, 1e-12);
  });
});

describe('wasserstein, estimated (n_bins bins + tail terms)', () => {
  // Reference 0..4 on 4 bins of width 1: counts [1,1,1,2] (last bin closed), F_ref = [.2,.4,.6,1].
  it('chunk inside the range: Σ|F_ref − F_c|·width; reference 0..4 vs [0,0]', () => {
    // F_c = [1,1,1,1] → .8+.6+.4+0 = 1.8
    expectClose(score([0, 1, 2, 3, 4], [0, 0], params('estimated', 4)), 1.8, 1e-15);
  });

  it('values below the minimum add the left tail term and lift the chunk CDF', () => {
    // chunk [-2]: a_S = 2/1 = 2; ECDF of {-2, 0}: x=[-2,0], y=[.5,1] → T_S = 2·(.5·2) = 2;
    // F_c = 0 + 2 → Σ|[.2,.4,.6,1] − 2| = 1.8+1.6+1.4+1 = 5.8 → W = 7.8
    expectClose(score([0, 1, 2, 3, 4], [-2], params('estimated', 4)), 7.8, 1e-15);
  });

  it('values above the maximum add the right tail term', () => {
    // chunk [7]: a_B = 2; ECDF of {4, 7}: y=[.5,1] → T_B = 2·((1−.5)·3) = 3; F_c = 0 → Σ F_ref = 2.2 → 5.2
    expectClose(score([0, 1, 2, 3, 4], [7], params('estimated', 4)), 5.2, 1e-15);
  });

  it('all reference values equal: numpy widens the range to ±0.5', () => {
    // one bin [2.5, 3.5] (n_bins 1): F_ref=[1]; chunk [3] → 0
    expect(score([3, 3, 3], [3], params('estimated', 1))).toBe(0);
  });

  it.each(KERNELS.continuous.map((c) => [c.name, c] as const))("matches NannyML's binned estimator in numpy: %s", (_, c) => {
    expectClose(score(c.reference, c.chunk, params('estimated', c.n_bins)), c.wasserstein_estimated, 1e-12);
  });

  it('auto is exact below 10 000 reference values', () => {
    expect(wasserstein.fit(new Float64Array(9_999).map((_, i) => i), params('auto')).mode).toBe('exact');
    expect(wasserstein.fit(new Float64Array(10_000).map((_, i) => i), params('auto')).mode).toBe('estimated');
  });
});

describe('wasserstein, fitted state', () => {
  // Seeded, spread over the range so most of the 10 000 bins are used.
  const reference = (n: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 - Math.floor(Math.sin(i * 12.9898) * 43758.5453) + (i % 7));

  it('keeps a binned fit as linspace parameters and byte counts, one copy shared with KS (not 10 001 edges and 10 000 CDF doubles)', () => {
    const ref = reference(20_000);
    const w = wasserstein.fit(ref, params('auto'));
    const ks = kolmogorovSmirnov.fit(ref, params('auto'));
    if (w.mode !== 'estimated' || ks.mode !== 'estimated') throw new Error('20 000 values: both binned');
    expect(w.edges).toEqual({ a: expect.any(Number), b: expect.any(Number), k: 10_000 });
    expect(w.referenceCounts).toBe(ks.referenceCounts);
    // 10 000 one-byte counts plus a few numbers; the former form serialised to about 160 KB.
    expect(v8.serialize({ w, ks }).length).toBeLessThan(10_200);
  });

  it('shares the sorted reference of an exact fit with KS, and with the other methods that keep it when not decimals', () => {
    const ref = reference(5_000);
    const w = wasserstein.fit(ref, params('auto'));
    const ks = kolmogorovSmirnov.fit(ref, params('auto'));
    if (w.mode !== 'exact' || ks.mode !== 'exact') throw new Error('5 000 values: both exact');
    expect(w.sortedReference).toBe(sortedOnce(ref)); // full-precision doubles: kept as they are
    expect(ks.sortedReference).toBe(w.sortedReference);
  });

  it('keeps an exact fit of decimals in a byte or two a value, with the same distances', () => {
    // 4 decimals, as a CSV column holds them
    const ref = reference(5_000).map((v) => Math.round(v * 1e4) / 1e4);
    const w = wasserstein.fit(ref, params('auto'));
    if (w.mode !== 'exact') throw new Error('5 000 values: exact');
    expect(v8.serialize(w).length).toBeLessThan(5_000 * 2 + 200); // 8 bytes a value before
    const full = { mode: 'exact' as const, sortedReference: Float64Array.from(ref).sort() };
    for (const shift of [0, 0.3, -2]) {
      const chunk = new ContinuousSample(reference(700).map((v) => Math.round((v + shift) * 1e4) / 1e4));
      expect(Object.is(wasserstein.score(w, chunk), wasserstein.score(full, chunk))).toBe(true);
    }
  });
});
