import { DataError } from '../calculator';
import { makeFrame, numeric } from '../frame';
import { binaryLabels, missingRate } from './data';

describe('binary labels', () => {
  const read = (values: number[]) => binaryLabels(makeFrame([numeric('y', values)]), 'y', 'analysis', 'y_true');

  it('accepts 0, 1, -0 and missing values as they are', () => {
    const values = [0, 1, -0, NaN, 1, 0];
    expect(Array.from(read(values))).toEqual(values);
  });

  it.each([2, 0.5, -1, 1e-300, 5e-324, 1 + 2 ** -52, 1 - 2 ** -53, Infinity, -Infinity])('rejects %p, naming the column and the value', (bad) => {
    const rows = [0, 1, NaN, 1, 0, 1, bad, 0, 7];
    expect(() => read(rows)).toThrow(DataError);
    expect(() => read(rows)).toThrow(`column 'y' (y_true) must hold 0/1 for classification_binary, found ${bad}`);
  });

  it('counts the missing share of a numeric target', () => {
    expect(missingRate(makeFrame([numeric('y', [1, NaN, 0, NaN])]), 'y')).toBe(0.5);
  });
});
