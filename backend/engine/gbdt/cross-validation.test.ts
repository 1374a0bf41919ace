import { stratifiedKFold } from './cross-validation';

describe('stratifiedKFold (scikit-learn StratifiedKFold, no shuffle)', () => {
  // expected folds computed with scikit-learn's _make_test_folds rule in numpy (see the module comment)
  test('class counts dealt round-robin over the sorted labels, contiguous blocks per class', () => {
    expect(Array.from(stratifiedKFold([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0], 5))).toEqual([0, 0, 1, 1, 2, 2, 3, 0, 1, 4, 3, 4]);
    expect(Array.from(stratifiedKFold([1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0], 3))).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  });

  test('every fold gets its share of each class', () => {
    const y = new Float64Array(55000);
    y.fill(1, 50000);
    const folds = stratifiedKFold(y, 5);
    for (let f = 0; f < 5; f++) {
      let zeros = 0;
      let ones = 0;
      folds.forEach((k, i) => {
        if (k === f) y[i] === 1 ? ones++ : zeros++;
      });
      expect([zeros, ones]).toEqual([10000, 1000]);
    }
    // reference rows: fold 0 is the first 10 000, chunk rows: fold 0 is the first 1 000
    expect(folds[9999]).toBe(0);
    expect(folds[10000]).toBe(1);
    expect(folds[50999]).toBe(0);
    expect(folds[51000]).toBe(1);
  });

  test('refuses what scikit-learn refuses', () => {
    expect(() => stratifiedKFold([0, 1, 0], 5)).toThrow(/greater than the number of samples/);
    expect(() => stratifiedKFold([0, 0, 0, 1, 1, 1], 5)).toThrow(/members in each class/);
    expect(() => stratifiedKFold([0, 1], 1)).toThrow(/≥ 2/);
  });
});
