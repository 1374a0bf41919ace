/**
 * Data-quality calculators against NannyML's code (nannyml/data_quality/{missing,unseen,range}/calculator.py):
 * denominators count every chunk row (NaN included), SE uses the reference null rate, bands clip to [0, 1]
 * (or at 0 for counts), thresholds clip to the limits, alerts are strict.
 */
import { DataError, FittedCalculator } from '../calculator';
import { categorical, Frame, makeFrame, numeric } from '../frame';
import { missingValuesCalculator, numericalRangeCalculator, unseenValuesCalculator } from './calculators';

const WHERE = 'calculators[0].params';
type Def = typeof missingValuesCalculator;
const fit = (def: Def, reference: Frame, params: Record<string, unknown>): FittedCalculator => def.fit(reference, def.parseParams(params, WHERE));

describe('MissingValuesCalculator', () => {
  // 8 rows, 2 missing: rate 1/4; chunk_size 4 → chunks with 1 and 1 missing
  const reference = makeFrame([numeric('x', [1, NaN, 3, 4, NaN, 6, 7, 8]), categorical('s', ['a', null, 'b', 'c', 'd', 'e', null, null])]);

  it('value = nulls / all chunk rows; SE = sqrt(p(1−p))/√n with the reference rate p; bands clipped to [0, 1]', () => {
    const fitted = fit(missingValuesCalculator, reference, { column_names: ['x', 's'], chunk_size: 4 });
    const [x, s] = fitted.calculate(makeFrame([numeric('x', [NaN, NaN, NaN, 1]), categorical('s', [null, 'a', 'a', 'a'])]));
    expect(x.value).toBe(0.75);
    expect(x.sampling_error).toBeCloseTo(Math.sqrt(0.25 * 0.75) / 2, 15);
    expect(x.upper_confidence_boundary).toBe(1);
    expect(x.lower_confidence_boundary).toBeCloseTo(0.75 - 3 * (Math.sqrt(0.1875) / 2), 15);
    // s: reference rate 3/8
    expect(s.value).toBe(0.25);
    expect(s.sampling_error).toBeCloseTo(Math.sqrt((3 / 8) * (5 / 8)) / 2, 15);
    expect(s.lower_confidence_boundary).toBe(0);
  });

  it('reference chunk rates 1/4, 1/4 → thresholds 1/4 ± 0 and strict alerts (equality does not alert)', () => {
    const fitted = fit(missingValuesCalculator, reference, { column_names: ['x'], chunk_size: 4 });
    const rows = fitted.reference.map((c) => c.rows[0]);
    expect(rows.map((r) => [r.value, r.lower_threshold, r.upper_threshold, r.alert])).toEqual([
      [0.25, 0.25, 0.25, false],
      [0.25, 0.25, 0.25, false],
    ]);
  });

  it('normalize: false counts nulls, SE = sqrt(p(1−p))·√n, no upper limit', () => {
    const fitted = fit(missingValuesCalculator, reference, { column_names: ['x'], chunk_size: 4, normalize: false });
    const [r] = fitted.calculate(makeFrame([numeric('x', [NaN, NaN, 5, 5, 5, 5, 5, 5, 5])]));
    expect(r.value).toBe(2);
    expect(r.sampling_error).toBeCloseTo(Math.sqrt(0.1875) * 3, 14);
    expect(r.upper_confidence_boundary).toBeCloseTo(2 + 9 * Math.sqrt(0.1875), 13);
  });
});

describe('UnseenValuesCalculator', () => {
  it('counts values not in the reference over all chunk rows; NaN is unseen only if the reference had none', () => {
    const reference = makeFrame([categorical('s', ['a', 'b', 'a', 'b']), categorical('t', ['a', null, 'a', 'b'])]);
    const fitted = fit(unseenValuesCalculator, reference, { column_names: ['s', 't'], chunk_size: 2 });
    const [s, t] = fitted.calculate(makeFrame([categorical('s', ['a', 'z', null, 'b']), categorical('t', ['a', 'z', null, 'b'])]));
    expect(s.value).toBe(0.5); // 'z' and the NaN
    expect(t.value).toBe(0.25); // 'z' only: the reference had NaN
    expect([s.upper_threshold, s.lower_threshold, s.alert]).toEqual([0, null, true]);
  });

  it('converts integer columns to categories and matches them by value; refuses float columns', () => {
    const reference = makeFrame([numeric('k', [1, 2, 3, 1], 'int'), numeric('f', [0.5, 1, 2, 3])]);
    const fitted = fit(unseenValuesCalculator, reference, { column_names: ['k'], chunk_size: 2, normalize: false });
    expect(fitted.calculate(makeFrame([numeric('k', [1, 4, NaN, 3])]))[0].value).toBe(2);
    expect(() => fit(unseenValuesCalculator, reference, { column_names: ['f'] })).toThrow(DataError);
  });
});

describe('NumericalRangeCalculator', () => {
  const reference = makeFrame([numeric('x', [2, NaN, 5, 3]), numeric('empty', [NaN, NaN, NaN, NaN]), categorical('c', ['a', 'b', 'a', 'b'])]);

  it('share of values outside the reference [min, max] over all chunk rows; NaN does not count', () => {
    const fitted = fit(numericalRangeCalculator, reference, { column_names: ['x'], chunk_size: 2 });
    const [r] = fitted.calculate(makeFrame([numeric('x', [1, 2, 5, 6, NaN])]));
    expect(r.value).toBe(2 / 5);
    expect([r.upper_threshold, r.lower_threshold, r.alert]).toEqual([0, null, true]);
    expect(fitted.calculate(makeFrame([numeric('x', [2, 5, NaN])]))[0].alert).toBe(false);
  });

  it('an all-NaN reference column has NaN bounds, so nothing is out of range (pandas comparisons with NaN)', () => {
    const fitted = fit(numericalRangeCalculator, reference, { column_names: ['empty'], chunk_size: 2 });
    expect(fitted.calculate(makeFrame([numeric('empty', [1, -1e9, 1e9])]))[0].value).toBe(0);
  });

  it('refuses categorical columns', () => {
    expect(() => fit(numericalRangeCalculator, reference, { column_names: ['c'] })).toThrow("column 'c' is categorical");
  });
});
