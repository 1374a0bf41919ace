import { categorical, Frame, makeFrame, numeric } from '../engine/frame';
import { JoinError, leftJoinTargets } from './frames';

const valuesOf = (f: Frame, name: string) => {
  const c = f.columns.get(name)!;
  return c.kind === 'numeric' ? Array.from(c.values) : Array.from(c.codes);
};

describe('leftJoinTargets', () => {
  const analysis = (ids: (number | string | null)[]) =>
    makeFrame([
      typeof ids.find((v) => v !== null) === 'string' ? categorical('id', ids) : numeric('id', ids.map((v) => (v === null ? NaN : Number(v)))),
      numeric('x', ids.map((_, i) => i)),
    ]);

  it('matches numeric ids, leaves unlabelled rows missing and counts unknown target ids', () => {
    const targets = makeFrame([numeric('id', [12, 10, 99]), numeric('y', [1, 0, 1]), categorical('label', ['b', 'a', 'c'])]);
    const { frame, unmatched } = leftJoinTargets(analysis([10, 11, 12, null]), targets, 'id');
    expect(unmatched).toBe(1);
    expect(valuesOf(frame, 'y')).toEqual([0, NaN, 1, NaN]);
    const label = frame.columns.get('label')!;
    expect(label.kind === 'categorical' && Array.from(label.codes).map((c) => (c < 0 ? null : label.levels[c]))).toEqual(['a', null, 'b', null]);
  });

  it('gives the same rows for numeric keys as for the same keys written as text (5 meets 5.0)', () => {
    const targets = makeFrame([numeric('id', [5, 7]), numeric('y', [1, 0])]);
    const byNumber = leftJoinTargets(analysis([7, 5, 6]), targets, 'id').frame;
    const byText = leftJoinTargets(analysis(['7.0', '5', '6']), targets, 'id').frame;
    expect(valuesOf(byNumber, 'y')).toEqual([0, 1, NaN]);
    expect(valuesOf(byText, 'y')).toEqual(valuesOf(byNumber, 'y'));
  });

  it('refuses a target id given twice, matched or not, and a missing target id', () => {
    const twiceMatched = makeFrame([numeric('id', [1, 1]), numeric('y', [0, 1])]);
    const twiceUnknown = makeFrame([numeric('id', [8, 8]), numeric('y', [0, 1])]);
    const missing = makeFrame([numeric('id', [1, NaN]), numeric('y', [0, 1])]);
    expect(() => leftJoinTargets(analysis([1, 2]), twiceMatched, 'id')).toThrow(new JoinError("row 2: 'id' value 1 appears twice"));
    expect(() => leftJoinTargets(analysis([1, 2]), twiceUnknown, 'id')).toThrow(new JoinError("row 2: 'id' value 8 appears twice"));
    expect(() => leftJoinTargets(analysis([1, 2]), missing, 'id')).toThrow(new JoinError("row 2: missing 'id'"));
  });

  it('numeric keys (dense ids, sparse, fractional, negative) join as the same keys written as text', () => {
    let seed = 3;
    const rand = (k: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % k;
    const shapes: ((i: number) => number)[] = [(i) => i, (i) => 1000 + 3 * i, (i) => i * 1e6, (i) => i / 4, (i) => -i, (i) => (i % 2 ? i : -0)];
    for (const shape of shapes) {
      const ids = Array.from({ length: 200 }, (_, i) => shape(i));
      if (shape !== shapes[5]) ids[17] = ids[3]; // a duplicate analysis id: the last row gets the target
      const targetIds = [...new Set(Array.from({ length: 80 }, () => shape(rand(260))))];
      const targets = makeFrame([numeric('id', targetIds), numeric('y', targetIds.map((_, j) => j))]);
      const textTargets = makeFrame([categorical('id', targetIds.map(String)), numeric('y', targetIds.map((_, j) => j))]);
      const byNumber = leftJoinTargets(analysis(ids), targets, 'id');
      const byText = leftJoinTargets(analysis(ids.map(String)), textTargets, 'id');
      expect(valuesOf(byNumber.frame, 'y')).toEqual(valuesOf(byText.frame, 'y'));
      expect(byNumber.unmatched).toBe(byText.unmatched);
    }
  });
});
