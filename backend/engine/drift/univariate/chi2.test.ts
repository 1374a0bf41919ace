import { categoryCountsOf, expectClose, KERNELS } from '../../../../test/fixtures/univariate/kernels';
import { chi2, chi2Contingency } from './chi2';
import { chi2Survival, gammaQ, logGamma } from './gamma';

describe('gamma functions', () => {
  it('logGamma matches factorials and Γ(1/2) = √π', () => {
    expectClose(logGamma(1), 0, 0, 1e-15);
    expectClose(logGamma(5), Math.log(24), 1e-14);
    expectClose(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14);
    expectClose(logGamma(101), 363.73937555556347, 1e-14);
  });

  it('Q(1, x) = e^−x and Q(2, x) = e^−x (1 + x) (chi2 with 2 and 4 dof)', () => {
    for (const x of [0.01, 0.5, 1, 2.5, 7, 30, 100]) {
      expectClose(gammaQ(1, x), Math.exp(-x), 1e-13);
      expectClose(gammaQ(2, x), Math.exp(-x) * (1 + x), 1e-13);
    }
  });

  it('chi2 survival matches scipy.stats.chi2.sf', () => {
    expectClose(chi2Survival(3.841458820694124, 1), 0.04999999999999989, 1e-12);
    expectClose(chi2Survival(30, 10), 0.000856641210775301, 1e-12);
    expectClose(chi2Survival(0.5, 3), 0.9188914116546758, 1e-12);
    expectClose(chi2Survival(200, 150), 0.003973185970821635, 1e-11);
    expectClose(chi2Survival(1e-3, 1), 0.9747728793699604, 1e-12);
    expect(chi2Survival(0, 3)).toBe(1);
  });
});

describe('chi2Contingency', () => {
  it('2×2 with Yates: [[10,20],[30,40]] → 0.44642857, p 0.50403587 (scipy)', () => {
    const r = chi2Contingency([10, 30], [20, 40]);
    expectClose(r.statistic, 0.4464285714285714, 1e-14);
    expectClose(r.pValue, 0.5040358664525046, 1e-12);
    expect(r.dof).toBe(1);
  });

  it('3×2 without correction: [[10,20],[30,40],[5,1]] → 5.1303669, p 0.0769051 (scipy)', () => {
    const r = chi2Contingency([10, 30, 5], [20, 40, 1]);
    expectClose(r.statistic, 5.130366900858704, 1e-14);
    expectClose(r.pValue, 0.07690507187921583, 1e-12);
  });

  it('a single category has dof 0: statistic 0, p 1', () => {
    expect(chi2Contingency([7], [3])).toEqual({ statistic: 0, pValue: 1, dof: 0 });
  });

  it('Yates moves each observation toward its expectation by min(0.5, |E − O|)', () => {
    // [[6,4],[4,6]]: E = 5 everywhere, |E − O| = 1 → moved by 0.5 → 4 · 0.5²/5
    expectClose(chi2Contingency([6, 4], [4, 6]).statistic, (4 * 0.25) / 5, 1e-15);
    // [[1,1],[1,2]]: E = [[.8,1.2],[1.2,1.8]], |E − O| = 0.2 → moved onto E → 0 (scipy gives 0.0)
    expect(chi2Contingency([1, 1], [1, 2]).statistic).toBe(0);
  });
});

describe('chi2 method', () => {
  it('single category in reference and chunk: value 0, no alert; an unseen category makes a 2-row table', () => {
    const fit = chi2.fit(categoryCountsOf(['a', 'a', 'a']));
    expect(chi2.score(fit, categoryCountsOf(['a', 'a'], ['a', 'a', 'a']))).toEqual({ value: 0, alert: false });
    const withUnseen = chi2.score(fit, categoryCountsOf(['b', 'b', 'b', 'b'], ['a', 'a', 'a']));
    const expected = chi2Contingency([3, 0], [0, 4]);
    expect(withUnseen.value).toBe(expected.statistic);
    expect(withUnseen.alert).toBe(expected.pValue < 0.05);
  });

  it.each(KERNELS.categorical.map((c) => [c.name, c] as const))('matches scipy chi2_contingency, alert = p < 0.05: %s', (_, c) => {
    const fit = chi2.fit(categoryCountsOf(c.reference));
    const r = chi2.score(fit, categoryCountsOf(c.chunk, c.reference));
    expectClose(r.value, c.chi2, 1e-12);
    expect(r.alert).toBe(c.chi2_p < 0.05);
  });
});
