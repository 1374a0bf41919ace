import { findCategoricalBins, findNumericBins, nextUp, numericValueToBin, ZERO_THRESHOLD, categoricalBinLookup } from './binning';

const opts = { maxBin: 255, minDataInBin: 3 };

describe('nextUp', () => {
  test('is the next double above', () => {
    expect(nextUp(1)).toBe(1 + Number.EPSILON);
    expect(nextUp(0)).toBe(Number.MIN_VALUE);
    expect(nextUp(-1)).toBe(-1 + Number.EPSILON / 2);
    expect(nextUp(2 ** 53)).toBe(2 ** 53 + 2);
  });
});

describe('numeric bins (LightGBM BinMapper)', () => {
  test('few distinct values: one bin each, bounds just above the midpoints, zero bin first', () => {
    const m = findNumericBins([1, 1, 1, 2, 2, 2, 3, 3, 3], opts);
    expect(m.missingType).toBe('none');
    expect(m.upperBounds).toEqual([ZERO_THRESHOLD, nextUp(1.5), nextUp(2.5), Infinity]);
    expect([1, 2, 3, 0, -5, 1.5, 1.6].map((v) => numericValueToBin(m, v))).toEqual([1, 2, 3, 0, 0, 1, 2]);
  });

  test('values seen fewer than min_data_in_bin times share a bin with the next', () => {
    const m = findNumericBins([1, 2, 3, 3, 3, 4, 4, 4], opts);
    expect(m.upperBounds).toEqual([ZERO_THRESHOLD, nextUp(3.5), Infinity]);
  });

  test('negative, zero and positive values are binned apart', () => {
    const m = findNumericBins([-2, -2, -2, -1, -1, -1, 0, 0, 0, 1, 1, 1, 2, 2, 2], opts);
    expect(m.upperBounds).toEqual([nextUp(-1.5), -ZERO_THRESHOLD, ZERO_THRESHOLD, nextUp(1.5), Infinity]);
    expect([-2, -1, 0, 1, 2].map((v) => numericValueToBin(m, v))).toEqual([0, 1, 2, 3, 4]);
  });

  test('NaN gets the last bin; without NaN in training it reads as zero', () => {
    const withNaN = findNumericBins([1, 1, 1, 2, 2, 2, NaN], opts);
    expect(withNaN.missingType).toBe('nan');
    expect(withNaN.upperBounds[withNaN.numBin - 1]).toBeNaN();
    expect(numericValueToBin(withNaN, NaN)).toBe(withNaN.numBin - 1);
    const without = findNumericBins([-1, -1, -1, 1, 1, 1], opts);
    expect(numericValueToBin(without, NaN)).toBe(numericValueToBin(without, 0));
  });

  test('more distinct values than max_bin: roughly equal-count bins', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    const m = findNumericBins(values, { maxBin: 10, minDataInBin: 3 });
    expect(m.numBin).toBeLessThanOrEqual(10);
    const counts = new Array(m.numBin).fill(0);
    for (const v of values) counts[numericValueToBin(m, v)]++;
    // bin 0 is the (empty) zero bin; the 9 others split 1000 values evenly
    expect(counts[0]).toBe(0);
    for (const c of counts.slice(1)) expect(Math.abs(c - 1000 / 9)).toBeLessThanOrEqual(2);
  });
});

describe('categorical bins (LightGBM 4)', () => {
  test('bin 0 is the catch-all, then one bin per category by decreasing count', () => {
    const values = [...Array(50).fill(2), ...Array(30).fill(0), ...Array(20).fill(5)];
    const m = findCategoricalBins(values, opts);
    expect(m.binToCategory).toEqual([-1, 2, 0, 5]);
    expect(m.missingType).toBe('none');
    expect([2, 0, 5].map(categoricalBinLookup(m))).toEqual([1, 2, 3]);
  });

  test('equal counts keep the smaller code first', () => {
    const m = findCategoricalBins([3, 3, 3, 1, 1, 1], opts);
    expect(m.binToCategory).toEqual([-1, 1, 3]);
  });

  test('NaN, negative and unseen codes fall into bin 0', () => {
    const m = findCategoricalBins([1, 1, 1, 2, 2, 2, NaN, -1], opts);
    expect(m.binToCategory).toEqual([-1, 1, 2]);
    expect(m.missingType).toBe('nan');
    const bin = categoricalBinLookup(m);
    expect([1, 2, NaN, -3, 7].map(bin)).toEqual([1, 2, 0, 0, 0]);
  });

  test('categories seen fewer than min_data_in_bin times (after the first two) join bin 0', () => {
    const m = findCategoricalBins([...Array(100).fill(1), ...Array(50).fill(2), 3, 3], opts);
    expect(m.binToCategory).toEqual([-1, 1, 2]);
    expect(m.missingType).toBe('nan');
    expect(categoricalBinLookup(m)(3)).toBe(0);
  });
});
