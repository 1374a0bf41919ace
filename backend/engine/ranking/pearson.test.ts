import * as fs from 'fs';
import * as path from 'path';
import { incompleteBeta, pearsonr } from './pearson';

// scipy values from test/fixtures/scripts/pearsonr.py
const fx = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../test/fixtures/ranking/pearsonr.json'), 'utf8'));

describe('incompleteBeta', () => {
  it('by hand: I_x(1, 1) = x and I_x(a, b) + I_{1−x}(b, a) = 1', () => {
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 14);
    expect(incompleteBeta(0.2, 2, 5) + incompleteBeta(0.8, 5, 2)).toBeCloseTo(1, 14);
    expect(incompleteBeta(0, 2, 3)).toBe(0);
    expect(incompleteBeta(1, 2, 3)).toBe(1);
  });
  it.each(fx.betainc as { x: number; a: number; b: number; value: number }[])('equals scipy.special.betainc at %j', ({ x, a, b, value }) => {
    expect(incompleteBeta(x, a, b) / value).toBeCloseTo(1, 11);
  });
});

describe('pearsonr', () => {
  it.each((fx.pearsonr as { x: number[]; y: number[]; r: number; p: number }[]).map((c) => [c.x.length, c]))('equals scipy for n = %i', (_n, c) => {
    const { r, p } = pearsonr(c.x, c.y);
    expect(r).toBeCloseTo(c.r, 12);
    expect(p / c.p).toBeCloseTo(1, 10);
  });
  it('edge cases: perfect correlation p = 0, two points p = 1, constant input NaN', () => {
    // scipy: r = 0.9999999999999998, p = 1.3e-8 (rounding of r decides the tiny p)
    const perfect = pearsonr([1, 2, 3], [2, 4, 6]);
    expect(perfect.r).toBeCloseTo(1, 15);
    expect(perfect.p).toBeLessThan(1e-7);
    expect(pearsonr([1, 2, 3, 4], [8, 6, 4, 2])).toEqual({ r: -1, p: 0 });
    expect(pearsonr([1, 2], [5, 3])).toEqual({ r: -1, p: 1 });
    expect(pearsonr([1, 1, 1], [1, 2, 3])).toEqual({ r: NaN, p: NaN });
    expect(pearsonr([1], [1])).toEqual({ r: NaN, p: NaN });
  });
});
