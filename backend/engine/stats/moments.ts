/**
 * Summation and moment kernels with numpy/pandas rounding behaviour.
 *
 * NannyML's numbers come out of `np.add.reduce`, which sums float64 arrays pairwise (numpy's
 * `pairwise_sum`: blocks of 8 partial sums up to 128 elements, halves above). Using the same order
 * keeps our sums bit-identical to numpy's in the common case and always far inside 1e-12 relative.
 */

/** numpy's PW_BLOCKSIZE: below it, 8 interleaved accumulators; above it, split in two. */
const PAIRWISE_BLOCK = 128;
const UNROLL = 8;

/** Sum of `a[start .. start+n)` in numpy's pairwise order. */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < UNROLL) {
    let res = -0.0; // numpy starts from -0.0 to keep the sign of an all -0.0 sum
    for (let i = 0; i < n; i++) res += a[start + i];
    return res;
  }
  if (n <= PAIRWISE_BLOCK) {
    let r0 = a[start];
    let r1 = a[start + 1];
    let r2 = a[start + 2];
    let r3 = a[start + 3];
    let r4 = a[start + 4];
    let r5 = a[start + 5];
    let r6 = a[start + 6];
    let r7 = a[start + 7];
    let i = UNROLL;
    const end = n - (n % UNROLL);
    for (; i < end; i += UNROLL) {
      const p = start + i;
      r0 += a[p];
      r1 += a[p + 1];
      r2 += a[p + 2];
      r3 += a[p + 3];
      r4 += a[p + 4];
      r5 += a[p + 5];
      r6 += a[p + 6];
      r7 += a[p + 7];
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[start + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % UNROLL;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** Mean of NaN-free values (numpy `mean`); NaN when empty. */
export function mean(values: ArrayLike<number>): number {
  return values.length === 0 ? NaN : pairwiseSum(values) / values.length;
}

/** Standard deviation with `ddof` of NaN-free values, two-pass as numpy/pandas; NaN when n − ddof ≤ 0. */
export function std(values: ArrayLike<number>, ddof: number): number {
  const n = values.length;
  if (n - ddof <= 0) return NaN;
  const m = mean(values);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = values[i] - m;
    sq[i] = d * d;
  }
  return Math.sqrt(pairwiseSum(sq) / (n - ddof));
}

/**
 * scipy.stats.moment(x, 4): the population 4th central moment, `mean(((x − mean)²)²)`. NaN propagates, as
 * with scipy's default nan_policy.
 */
export function centralMoment4(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  const m = mean(values);
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = values[i] - m;
    const d2 = d * d;
    s[i] = d2 * d2;
  }
  return pairwiseSum(s) / n;
}

/**
 * Median of NaN-free values (numpy: the middle value, or the mean of the two middle values).
 * Selection instead of a full sort (numpy partitions too): the median of every chunk and column was the
 * single hottest function of a 1M-row summary-stats run (`npm run bench -- --profile`).
 */
export function median(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = values[i];
  const h = n >> 1;
  const upper = selectInPlace(a, h);
  if (n % 2 === 1) return upper;
  // After selection everything left of h is <= a[h]: the lower middle value is their maximum.
  let lower = a[0];
  for (let i = 1; i < h; i++) if (a[i] > lower) lower = a[i];
  return (lower + upper) / 2;
}

/** The k-th smallest value (0-based); reorders `a` so that a[i] <= a[k] for i < k and a[i] >= a[k] for i > k. */
function selectInPlace(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    // Hoare partition around the median of three.
    const x = a[lo];
    const y = a[(lo + hi) >> 1];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/**
 * Density of scipy's `gaussian_kde(x)` (Scott's rule) at `at`: bandwidth `bw = n^(−1/5) · std₁(x)` and
 * `f = Σ exp(−((at − xᵢ)/bw)²/2) / (n · bw · √(2π))`. A zero or undefined spread makes scipy's covariance
 * singular (LinAlgError), which NannyML turns into an infinite density; we return Infinity the same way.
 *
 * scipy whitens `xᵢ` and `at` separately (`xᵢ·(1/bw) − at·(1/bw)`), which loses digits when the data sit
 * far from zero relative to their spread (about 1e-11 relative for values near 1e9 with spread 1e3); the
 * difference form used here is the accurate one and agrees with scipy to ~1e-13 on ordinary data.
 */
export function gaussianKdeScottAt(values: ArrayLike<number>, at: number): number {
  const n = values.length;
  const sd = std(values, 1);
  if (!(sd > 0) || !Number.isFinite(sd)) return Infinity;
  const bw = Math.pow(n, -1 / 5) * sd;
  const terms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = (at - values[i]) / bw;
    terms[i] = Math.exp(-0.5 * z * z);
  }
  return pairwiseSum(terms) / (n * bw * Math.sqrt(2 * Math.PI));
}
