import { DataError, FittedCalculator } from '../calculator';
import { categorical, Frame, makeFrame, numeric } from '../frame';
import {
  summaryStatsAvgCalculator,
  summaryStatsMedianCalculator,
  summaryStatsRowCountCalculator,
  summaryStatsStdCalculator,
  summaryStatsSumCalculator,
} from './calculators';
import { centralMoment4, gaussianKdeScottAt } from './moments';

const WHERE = 'calculators[0].params';
type Def = typeof summaryStatsAvgCalculator;
const fit = (def: Def | typeof summaryStatsRowCountCalculator, reference: Frame, params: Record<string, unknown>): FittedCalculator =>
  (def as Def).fit(reference, (def as Def).parseParams(params, WHERE));

/** 1..10 with chunk_size 5: reference chunks [1..5], [6..10]. */
const reference = makeFrame([numeric('x', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), categorical('c', Array(10).fill('a'))]);
const SD1 = Math.sqrt(55 / 6); // sample std of 1..10 (Σ(x−5.5)² = 82.5, /9)

describe('SummaryStatsAvgCalculator', () => {
  const fitted = fit(summaryStatsAvgCalculator, reference, { column_names: ['x'], chunk_size: 5 });

  it('values, ±3·std₀ thresholds of the chunk means, open-interval alerts', () => {
    const rows = fitted.reference.map((c) => c.rows[0]);
    expect(rows.map((r) => r.value)).toEqual([3, 8]);
    // means 3 and 8: mean 5.5, std₀ 2.5 → (−2, 13)
    expect([rows[0].lower_threshold, rows[0].upper_threshold]).toEqual([-2, 13]);
    expect(rows.map((r) => r.alert)).toEqual([false, false]);
  });

  it('SE = std₁(ref)/√n with n counting NaN rows; bands ±3·SE unclipped', () => {
    const [r] = fitted.calculate(makeFrame([numeric('x', [20, NaN, NaN, NaN])]));
    expect(r.value).toBe(20);
    expect(r.alert).toBe(true);
    expect(r.sampling_error).toBeCloseTo(SD1 / 2, 14);
    expect(r.upper_confidence_boundary).toBeCloseTo(20 + 3 * (SD1 / 2), 13);
    expect(r.lower_confidence_boundary).toBeCloseTo(20 - 3 * (SD1 / 2), 13);
  });

  it('an all-NaN chunk: value null and alert true (open interval), SE still reported, no bands', () => {
    const [r] = fitted.calculate(makeFrame([numeric('x', [NaN, NaN])]));
    expect([r.value, r.alert, r.upper_confidence_boundary]).toEqual([null, true, null]);
    expect(r.sampling_error).toBeCloseTo(SD1 / Math.SQRT2, 14);
  });

  it('a value equal to a threshold alerts (open interval)', () => {
    const [r] = fitted.calculate(makeFrame([numeric('x', [13, 13])]));
    expect(r.alert).toBe(true);
  });

  it('refuses categorical columns, naming the column', () => {
    expect(() => fit(summaryStatsAvgCalculator, reference, { column_names: ['c'] })).toThrow(DataError);
    expect(() => fit(summaryStatsAvgCalculator, reference, { column_names: ['c'] })).toThrow("column 'c' is categorical");
  });
});

describe('SummaryStatsSumCalculator', () => {
  it('sum (0 for no values), SE = std₁(ref)·√n', () => {
    const fitted = fit(summaryStatsSumCalculator, reference, { column_names: ['x'], chunk_size: 5 });
    expect(fitted.reference.map((c) => c.rows[0].value)).toEqual([15, 40]);
    const [r] = fitted.calculate(makeFrame([numeric('x', [NaN, NaN, NaN, NaN])]));
    expect(r.value).toBe(0);
    expect(r.sampling_error).toBeCloseTo(SD1 * 2, 13);
  });
});

describe('SummaryStatsStdCalculator', () => {
  const fitted = fit(summaryStatsStdCalculator, reference, { column_names: ['x'], chunk_size: 5 });

  it('value std₁; lower threshold ≤ 0 becomes None (override_using_none)', () => {
    const rows = fitted.reference.map((c) => c.rows[0]);
    expect(rows[0].value).toBeCloseTo(Math.sqrt(2.5), 15);
    // both chunks have std₁ √2.5 → std₀ 0 → thresholds √2.5 both; lower > 0 stays
    expect(rows[0].lower_threshold).toBeCloseTo(Math.sqrt(2.5), 15);
    expect(rows.map((r) => r.alert)).toEqual([true, true]);
  });

  it("SE by Rao's formula with the reference std₁ and 4th central moment", () => {
    const [r] = fitted.calculate(makeFrame([numeric('x', [1, 5, 9, 2, 2, 7])]));
    const mu4 = centralMoment4([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const n = 6;
    const expected = (1 / (2 * SD1)) * Math.sqrt((mu4 - ((n - 3) * SD1 ** 4) / (n - 1)) / n);
    expect(r.sampling_error).toBeCloseTo(expected, 14);
    expect(r.lower_confidence_boundary).toBe(Math.max(0, r.value! - 3 * r.sampling_error!));
  });

  it('SE is NaN when the bracket is negative, or when the reference has NaN (scipy moment propagates NaN)', () => {
    const [small] = fitted.calculate(makeFrame([numeric('x', [1])]));
    expect(small.value).toBeNull();
    expect(small.sampling_error).toBeNull();
    const withNaN = fit(summaryStatsStdCalculator, makeFrame([numeric('x', [1, 2, NaN, 4, 5, 9])]), { column_names: ['x'], chunk_size: 3 });
    expect(withNaN.reference[0].rows[0].value).toBeCloseTo(Math.SQRT1_2, 15);
    expect(withNaN.reference[0].rows[0].sampling_error).toBeNull();
  });

  it('clips the lower band at 0', () => {
    const [r] = fitted.calculate(makeFrame([numeric('x', [1, 1.001, 1, 1.001])]));
    expect(r.lower_confidence_boundary).toBe(0);
  });
});

describe('SummaryStatsMedianCalculator', () => {
  it('median; SE = sqrt(1/(4 n f²)) with f the Scott-KDE density of the reference at its median', () => {
    const fitted = fit(summaryStatsMedianCalculator, reference, { column_names: ['x'], chunk_size: 5 });
    expect(fitted.reference.map((c) => c.rows[0].value)).toEqual([3, 8]);
    const f = gaussianKdeScottAt([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5.5);
    const [r] = fitted.calculate(makeFrame([numeric('x', [4, 1, 100, NaN])]));
    expect(r.value).toBe(4);
    expect(r.sampling_error).toBeCloseTo(Math.sqrt(1 / (4 * 4 * f * f)), 14);
  });

  it('a constant reference has infinite density, so SE 0', () => {
    const fitted = fit(summaryStatsMedianCalculator, makeFrame([numeric('x', [3, 3, 3, 3])]), { column_names: ['x'], chunk_size: 2 });
    expect(fitted.reference[0].rows[0].sampling_error).toBe(0);
  });
});

describe('SummaryStatsRowCountCalculator', () => {
  it('equal chunk sizes give zero spread: thresholds equal the count and every chunk alerts (NannyML open interval)', () => {
    const fitted = fit(summaryStatsRowCountCalculator, reference, { chunk_size: 5 });
    const rows = fitted.reference.map((c) => c.rows[0]);
    expect(rows.map((r) => [r.column, r.metric, r.value, r.lower_threshold, r.upper_threshold, r.alert])).toEqual([
      [null, 'rows_count', 5, 5, 5, true],
      [null, 'rows_count', 5, 5, 5, true],
    ]);
    expect(rows[0].sampling_error).toBeNull();
  });

  it('a lower threshold at or below 0 becomes None', () => {
    // chunk_size 4 on 10 rows: 4, 4, 2 → mean 3.33, std₀ 0.943 → lower 0.50 (kept); multiplier 10 → below 0 → None
    const kept = fit(summaryStatsRowCountCalculator, reference, { chunk_size: 4 });
    expect(kept.reference[0].rows[0].lower_threshold).toBeCloseTo(10 / 3 - 3 * Math.sqrt(8 / 9), 14);
    const dropped = fit(summaryStatsRowCountCalculator, reference, {
      chunk_size: 4,
      threshold: { type: 'standard_deviation', std_lower_multiplier: 10, std_upper_multiplier: 1 },
    });
    expect(dropped.reference[0].rows[0].lower_threshold).toBeNull();
    expect(dropped.calculate(makeFrame([numeric('x', [1])]))[0].alert).toBe(false);
  });

  it('rejects column_names (NannyML takes none)', () => {
    expect(() => summaryStatsRowCountCalculator.parseParams({ column_names: ['x'] }, WHERE)).toThrow(`${WHERE}.column_names: unknown parameter`);
  });
});
