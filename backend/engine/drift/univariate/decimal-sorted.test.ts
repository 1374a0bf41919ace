import * as v8 from 'v8';
import { compactSorted, sortedValues } from './decimal-sorted';

const sorted = (values: number[]) => Float64Array.from(values).sort();
const bits = (a: Float64Array) => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : String(v)));

describe('decimal-sorted', () => {
  it('decodes decimals of a CSV column to the very same doubles, in fewer bytes', () => {
    let s = 7;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
    for (const [digits, scale] of [[0, 1000], [2, 50], [3, 1e5], [6, 1]] as const) {
      const values = sorted(Array.from({ length: 3_000 }, () => Number(((rnd() - 0.3) * scale).toFixed(digits))));
      const compact = compactSorted(values);
      expect(compact).not.toBeInstanceOf(Float64Array);
      expect(bits(sortedValues(compact))).toEqual(bits(values));
      expect(v8.serialize(compact).length).toBeLessThan(values.length * 4 + 100);
      // as a saved fit restores it
      expect(bits(sortedValues(v8.deserialize(v8.serialize(compact))))).toEqual(bits(values));
    }
  });

  it('keeps -0 apart from 0, and decodes ties and negative values', () => {
    const values = sorted([-1.25, -0.5, -0, -0, 0, 0, 0.75, 0.75, 3]);
    const compact = compactSorted(values);
    expect(bits(sortedValues(compact))).toEqual(bits(values));
  });

  it('keeps values that are not short decimals as they are', () => {
    const values = sorted([Math.PI, Math.E, 1 / 3, 2]);
    expect(compactSorted(values)).toBe(values);
    const huge = sorted([1e300, 2e300]);
    expect(compactSorted(huge)).toBe(huge);
    const wide = sorted([0, 1e10]); // a gap beyond 32 bits
    expect(compactSorted(wide)).toBe(wide);
  });
});
