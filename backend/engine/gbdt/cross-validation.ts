/**
 * Cross-validation folds as scikit-learn's `StratifiedKFold(n_splits)` without shuffling: class counts
 * are spread over the folds as they fall when the sorted labels are dealt round-robin, and each class's
 * rows (in data order) fill fold 0 first, then fold 1, ... — contiguous blocks per class.
 */

/** The test fold of each row, for binary labels (0/1). Throws where scikit-learn raises. */
export function stratifiedKFold(y: ArrayLike<number>, nSplits: number): Int32Array {
  const n = y.length;
  if (!Number.isInteger(nSplits) || nSplits < 2) throw new Error(`n_splits must be an integer ≥ 2, got ${nSplits}`);
  if (nSplits > n) throw new Error(`cannot have n_splits=${nSplits} greater than the number of samples (${n})`);
  let n1 = 0;
  for (let i = 0; i < n; i++) if (y[i] === 1) n1++;
  const n0 = n - n1;
  const counts = [n0, n1];
  if (counts.filter((c) => c > 0).every((c) => nSplits > c)) {
    throw new Error(`n_splits=${nSplits} cannot be greater than the number of members in each class`);
  }
  // sorted labels are n0 zeros then n1 ones; fold i takes positions i, i + k, i + 2k, ...
  const inRange = (lo: number, hi: number, i: number) => {
    // positions p in [lo, hi) with p ≡ i (mod k)
    const first = lo + ((((i - lo) % nSplits) + nSplits) % nSplits);
    return first >= hi ? 0 : Math.floor((hi - 1 - first) / nSplits) + 1;
  };
  const allocation = [0, 1].map((c) => Array.from({ length: nSplits }, (_, i) => (c === 0 ? inRange(0, n0, i) : inRange(n0, n, i))));
  const fold = new Int32Array(n);
  const next = [0, 0];
  const left = [allocation[0][0], allocation[1][0]];
  for (let i = 0; i < n; i++) {
    const c = y[i] === 1 ? 1 : 0;
    while (left[c] === 0) {
      next[c]++;
      left[c] = allocation[c][next[c]];
    }
    fold[i] = next[c];
    left[c]--;
  }
  return fold;
}
