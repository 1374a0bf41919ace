/**
 * The held-out rows of scikit-learn's `StratifiedShuffleSplit(n_splits, test_size, random_state=seed)`
 * on 0/1 labels, drawn exactly as scikit-learn 1.x draws them with numpy's legacy `RandomState(seed)`
 * (MT19937). NannyML's needs_calibration decides on these splits (spec §4.1); with the same rows held out,
 * Vigil takes the same calibrate-or-not decision as NannyML (differential tests: test/peers/), where a
 * look-alike seeded split took the other decision on about one class in three.
 */

const N = 624;
const M = 397;

/** numpy's legacy RandomState: MT19937 seeded by `init_genrand` (an integer seed), and the draws it uses here. */
export class LegacyRandomState {
  private readonly mt = new Uint32Array(N);
  private pos = N;

  constructor(seed: number) {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  nextUint32(): number {
    const mt = this.mt;
    if (this.pos >= N) {
      for (let i = 0; i < N; i++) {
        const y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
        mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.pos = 0;
    }
    let y = mt[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** numpy's `random_interval(max)`: uniform in [0, max] by masked rejection (max < 2³²). */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let v: number;
    do v = (this.nextUint32() & mask) >>> 0;
    while (v > max);
    return v;
  }

  /** `RandomState.shuffle` of a 1-d array: Fisher–Yates from the end, j = interval(i). */
  shuffle(values: Int32Array): void {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
  }

  /** `permutation(n)`: a shuffled arange(n). */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    this.shuffle(out);
    return out;
  }
}

/**
 * sklearn.utils.extmath._approximate_mode: floor of each class's share of `draws`, the missing draws
 * added by descending remainder, ties among equal remainders broken by `rng.choice(..., replace=False)`
 * (legacy: the first `k` of a permutation).
 */
function approximateMode(counts: number[], draws: number, rng: LegacyRandomState): number[] {
  const total = counts.reduce((s, c) => s + c, 0);
  const continuous = counts.map((c) => (c / total) * draws);
  const floored = continuous.map(Math.floor);
  let need = draws - floored.reduce((s, c) => s + c, 0);
  if (need > 0) {
    const remainder = continuous.map((c, i) => c - floored[i]);
    const values = [...new Set(remainder)].sort((a, b) => b - a);
    for (const value of values) {
      const inds = remainder.flatMap((r, i) => (r === value ? [i] : []));
      const add = Math.min(inds.length, need);
      const chosen = rng.permutation(inds.length).subarray(0, add);
      for (const k of chosen) floored[inds[k]]++;
      need -= add;
      if (need === 0) break;
    }
  }
  return floored;
}

/**
 * Test index sets of `StratifiedShuffleSplit(nSplits, test_size=testSize, random_state=seed)` on labels
 * (1 = positive, anything else = class 0), in the order scikit-learn yields them (each split's rows
 * permuted). Both classes must have 2+ rows, as scikit-learn requires.
 */
export function sklearnStratifiedTestSets(labels: Float64Array, nSplits: number, testSize: number, seed: number): Int32Array[] {
  const n = labels.length;
  const nTest = Math.ceil(testSize * n);
  const nTrain = n - nTest;
  const members: number[][] = [[], []];
  for (let i = 0; i < n; i++) members[labels[i] === 1 ? 1 : 0].push(i);
  const classes = members.filter((m) => m.length > 0);
  const counts = classes.map((m) => m.length);
  const rng = new LegacyRandomState(seed);
  const out: Int32Array[] = [];
  for (let s = 0; s < nSplits; s++) {
    const nI = approximateMode(counts, nTrain, rng);
    const tI = approximateMode(counts.map((c, i) => c - nI[i]), nTest, rng);
    const train: number[] = [];
    const test: number[] = [];
    classes.forEach((rows, c) => {
      const perm = rng.permutation(counts[c]);
      for (let k = 0; k < nI[c]; k++) train.push(rows[perm[k]]);
      for (let k = nI[c]; k < nI[c] + tI[c]; k++) test.push(rows[perm[k]]);
    });
    rng.shuffle(Int32Array.from(train)); // scikit-learn permutes the train rows too: the draws count
    const held = Int32Array.from(test);
    rng.shuffle(held);
    out.push(held);
  }
  return out;
}
