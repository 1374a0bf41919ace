import { categoryCountsOf, expectClose, KERNELS } from '../../../../test/fixtures/univariate/kernels';
import { jensenShannonCategorical, jensenShannonContinuous, jensenShannonDistance } from './jensen-shannon';
import { ContinuousSample, DEFAULT_COMPUTATION_PARAMS } from './methods';

const score = (reference: number[], chunk: number[]) =>
  jensenShannonContinuous.score(jensenShannonContinuous.fit(Float64Array.from(reference), DEFAULT_COMPUTATION_PARAMS), new ContinuousSample(Float64Array.from(chunk)));

describe('jensenShannonDistance (scipy jensenshannon, base 2)', () => {
  it('is 0 for equal and 1 for disjoint distributions', () => {
    expect(jensenShannonDistance([0.5, 0.5], [0.5, 0.5])).toBe(0);
    expect(jensenShannonDistance([1, 0], [0, 1])).toBe(1);
  });

  it('matches the hand formula sqrt((½ln(2/3) + ½ln2 + ln(4/3)) / (2 ln 2)) and scipy', () => {
    const byHand = Math.sqrt((0.5 * Math.log(2 / 3) + 0.5 * Math.log(2) + Math.log(4 / 3)) / (2 * Math.LN2));
    expectClose(jensenShannonDistance([0.5, 0.5], [1, 0]), byHand);
    expectClose(jensenShannonDistance([0.5, 0.5], [1, 0]), 0.5579230452841438); // scipy
  });

  it('normalises its inputs as scipy does', () => {
    expectClose(jensenShannonDistance([1, 1], [2, 0]), 0.5579230452841438);
  });
});

describe('jensen_shannon, continuous (Doane bins + leftover bin)', () => {
  it('reference 0..3 (bins [0,1,2,3]) against [0, 0, 10]: the 10 goes to the leftover bin', () => {
    expectClose(score([0, 1, 2, 3], [0, 0, 10]), 0.7826541301120076); // scipy on p=[.25,.25,.5,0], q=[2/3,0,0,1/3]
  });

  it('all reference values equal: 0 for the same value, 1 for a value outside', () => {
    expect(score([5, 5, 5, 5], [5, 5])).toBe(0);
    expect(score([5, 5, 5, 5], [6])).toBe(1);
  });

  it.each(KERNELS.continuous.map((c) => [c.name, c] as const))('matches numpy/scipy: %s', (_, c) => {
    expectClose(score(c.reference, c.chunk), c.jensen_shannon, 1e-12);
  });
});

describe('jensen_shannon, categorical', () => {
  it('single category: 0 when the chunk has it, unseen categories make it 1', () => {
    const fit = jensenShannonCategorical.fit(categoryCountsOf(['a', 'a']));
    expect(jensenShannonCategorical.score(fit, categoryCountsOf(['a'], ['a'])).value).toBe(0);
    expect(jensenShannonCategorical.score(fit, categoryCountsOf(['b', 'c'], ['a'])).value).toBe(1);
  });

  it.each(KERNELS.categorical.map((c) => [c.name, c] as const))('matches scipy: %s', (_, c) => {
    const fit = jensenShannonCategorical.fit(categoryCountsOf(c.reference));
    expectClose(jensenShannonCategorical.score(fit, categoryCountsOf(c.chunk, c.reference)).value, c.jensen_shannon, 1e-12);
  });
});
