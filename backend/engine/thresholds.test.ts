import { calculateThresholdValues, nanMean, nanStd0, openIntervalAlert, pairwiseSum, parseThreshold, strictAlert } from './thresholds';

describe('thresholds (spec §0.1)', () => {
  test('standard deviation: mean ± k·std₀ over reference chunk values', () => {
    // mean 2, std₀ sqrt(2/3)
    const t = calculateThresholdValues({ type: 'standard_deviation', stdLowerMultiplier: 3, stdUpperMultiplier: 3 }, [1, 2, 3], { lower: null, upper: null });
    expect(t.upper).toBeCloseTo(2 + 3 * Math.sqrt(2 / 3), 12);
    expect(t.lower).toBeCloseTo(2 - 3 * Math.sqrt(2 / 3), 12);
  });
  test('NaN values are skipped; a null multiplier gives a null bound', () => {
    const t = calculateThresholdValues({ type: 'standard_deviation', stdLowerMultiplier: null, stdUpperMultiplier: 1 }, [1, NaN, 3], { lower: null, upper: null });
    expect(t).toEqual({ lower: null, upper: 3 });
  });
  test('limits clip inclusively, or become null with override_using_none', () => {
    const th = { type: 'constant' as const, lower: 0, upper: 1 };
    expect(calculateThresholdValues(th, [], { lower: 0, upper: 1 })).toEqual({ lower: 0, upper: 1 });
    expect(calculateThresholdValues(th, [], { lower: 0, upper: 1 }, true)).toEqual({ lower: null, upper: null });
    expect(calculateThresholdValues({ type: 'constant', lower: -5, upper: 0.5 }, [], { lower: 0, upper: 1 })).toEqual({ lower: 0, upper: 0.5 });
  });
  test('strict alert ignores NaN and equality; open interval alerts on both', () => {
    const t = { lower: 0, upper: 1 };
    expect(strictAlert(1, t)).toBe(false);
    expect(strictAlert(1.0001, t)).toBe(true);
    expect(strictAlert(NaN, t)).toBe(false);
    expect(openIntervalAlert(1, t)).toBe(true);
    expect(openIntervalAlert(NaN, t)).toBe(true);
    expect(openIntervalAlert(0.5, { lower: null, upper: null })).toBe(false);
  });
  test('parseThreshold rejects bad objects with the key', () => {
    expect(() => parseThreshold({ type: 'constant', lower: 1, upper: 0 }, 'x')).toThrow(/lower/);
    expect(() => parseThreshold({ type: 'bogus' }, 'x')).toThrow(/x.type/);
    expect(() => parseThreshold({ type: 'standard_deviation', std_upper_multiplier: -1 }, 'x')).toThrow(/negative/);
    expect(() => parseThreshold({ type: 'constant', upper: 1, extra: 2 }, 'x')).toThrow(/extra/);
  });
});

describe("numpy's summation order (nanMean, nanStd0)", () => {
  // expected values printed by numpy 2.4.6 (bench/peers/requirements.txt) for the same arrays
  const values = (n: number) => Array.from({ length: n }, (_, i) => ((i * 7919) % 101) / 7.0 - 3.3);
  it('pairwise sums 200 values to the last bit of np.sum, where a plain loop is 3 ulp off', () => {
    const a = values(200);
    a[17] = NaN;
    const zeroed = a.map((v) => (Number.isNaN(v) ? 0 : v));
    expect(pairwiseSum(zeroed)).toBe(761.8714285714286);
    expect(zeroed.reduce((s, v) => s + v, 0)).toBe(761.8714285714283);
    expect(nanMean(a)).toBe(3.8284996410624554);
    expect(nanStd0(a)).toBe(4.16257640764429);
  });

  it('below 8 values and up to 128: np.nanmean and np.nanstd exactly', () => {
    expect(nanMean(values(9))).toBe(2.4936507936507937);
    expect(nanStd0(values(9))).toBe(4.21911808557251);
  });
});
