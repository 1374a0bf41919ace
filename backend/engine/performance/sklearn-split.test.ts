import { LegacyRandomState, sklearnStratifiedTestSets } from './sklearn-split';

// Expected values printed by numpy 2.4.6 / scikit-learn 1.9.1 (bench/peers/requirements.txt):
//   np.random.RandomState(42).permutation(10)
//   [te.tolist() for _, te in StratifiedShuffleSplit(n_splits=3, test_size=0.1, random_state=42).split(y, y)]
describe("scikit-learn's StratifiedShuffleSplit, reproduced", () => {
  it("numpy's legacy RandomState(42).permutation(10)", () => {
    expect(Array.from(new LegacyRandomState(42).permutation(10))).toEqual([8, 1, 5, 0, 7, 2, 9, 4, 3, 6]);
  });

  it('test rows of 3 splits of 53 labels (22 positive), in scikit-learn order', () => {
    const y = Float64Array.from({ length: 53 }, (_, i) => ((i * 7) % 5 < 2 ? 1 : 0));
    expect(sklearnStratifiedTestSets(y, 3, 0.1, 42).map((t) => Array.from(t))).toEqual([
      [47, 38, 23, 11, 24, 32],
      [44, 33, 15, 1, 7, 16],
      [27, 2, 38, 4, 7, 25],
    ]);
  });

  it('10 positives of 40', () => {
    const y = Float64Array.from({ length: 40 }, (_, i) => ((i * 3) % 4 === 0 ? 1 : 0));
    expect(sklearnStratifiedTestSets(y, 2, 0.1, 42).map((t) => Array.from(t))).toEqual([
      [19, 9, 26, 36],
      [5, 18, 8, 39],
    ]);
  });

  it('15 of 30: equal remainders (13.5 train rows each), the tie broken by a random choice as scikit-learn does', () => {
    const y = Float64Array.from({ length: 30 }, (_, i) => i % 2);
    expect(sklearnStratifiedTestSets(y, 4, 0.1, 42).map((t) => Array.from(t))).toEqual([
      [24, 6, 9],
      [4, 14, 29],
      [12, 5, 22],
      [22, 7, 17],
    ]);
  });
});
