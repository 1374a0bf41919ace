/**
 * Feature binning, following LightGBM's BinMapper (src/io/bin.cpp) so that split candidates — and hence
 * the trees — are the ones LightGBM would build on the same data:
 *
 * - numeric: distinct values (nearly equal doubles merged), zero as its own bin, greedy equal-count bins
 *   (max_bin, min_data_in_bin), bin bounds just above the midpoint of neighbouring values; NaN, when the
 *   training data has any, gets its own last bin;
 * - categorical: non-negative integer codes, bin 0 a catch-all for missing (NaN, negative) and unseen
 *   codes, then one bin per category in order of decreasing count (LightGBM 4).
 *
 * A bin mapper is plain data, so a fitted model can be stored and scored elsewhere.
 */

/** LightGBM's kZeroThreshold (1e-35f): values this close to zero are zero. */
export const ZERO_THRESHOLD = Math.fround(1e-35);

/**
 * Math functions as local bindings: under jest (vm contexts) every lookup of the global `Math` goes
 * through the sandbox's interceptors, which made the hot loops five times slower.
 */
const { abs, trunc } = Math;

export type MissingType = 'none' | 'nan';

export interface NumericBinMapper {
  kind: 'numeric';
  /** Upper bound (inclusive) of each bin; the last finite-data bin is +Infinity; a NaN bin ends with NaN. */
  upperBounds: number[];
  /** 'nan': the training data had NaN, which has its own (last) bin; 'none': NaN is read as 0. */
  missingType: MissingType;
  numBin: number;
}

export interface CategoricalBinMapper {
  kind: 'categorical';
  /** Category value (integer code) of each bin; bin 0 is the catch-all (-1). */
  binToCategory: number[];
  /** 'nan' when some training values had no bin of their own (NaN, or categories cut for being rare). */
  missingType: MissingType;
  numBin: number;
}

export type BinMapper = NumericBinMapper | CategoricalBinMapper;

export interface BinningOptions {
  maxBin: number;
  minDataInBin: number;
}

// --- doubles: LightGBM's Common::GetDoubleUpperBound / CheckDoubleEqualOrdered use nextafter(x, +inf) ---

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

/** The next double towards +Infinity (C's nextafter(x, INFINITY)). */
export function nextUp(x: number): number {
  if (x !== x || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  if (x > 0) {
    if (u32[LO] === 0xffffffff) {
      u32[LO] = 0;
      u32[HI]++;
    } else u32[LO]++;
  } else if (u32[LO] === 0) {
    u32[LO] = 0xffffffff;
    u32[HI]--;
  } else u32[LO]--;
  return f64[0];
}

/** One ulp is at most |a|·2⁻⁵²: a larger gap settles the comparison without computing nextafter. */
const ULP_BOUND = 2 ** -51;

/** b ≤ nextafter(a) for b ≥ a: the two (ordered) values count as one distinct value. */
function equalOrdered(a: number, b: number): boolean {
  if (b === a) return true;
  if (b - a > abs(a) * ULP_BOUND + Number.MIN_VALUE) return false;
  return b <= nextUp(a);
}

// --- numeric ---

/** Greedy equal-count binning of sorted distinct values (LightGBM's GreedyFindBin). */
function greedyFindBin(values: number[], counts: number[], start: number, end: number, maxBin: number, totalCnt: number, minDataInBin: number): number[] {
  const bounds: number[] = [];
  const num = end - start;
  if (num <= maxBin) {
    let inBin = 0;
    for (let i = start; i < end - 1; i++) {
      inBin += counts[i];
      if (inBin >= minDataInBin) {
        const v = nextUp((values[i] + values[i + 1]) / 2);
        if (bounds.length === 0 || !equalOrdered(bounds[bounds.length - 1], v)) {
          bounds.push(v);
          inBin = 0;
        }
      }
    }
    bounds.push(Infinity);
    return bounds;
  }
  if (minDataInBin > 0) maxBin = Math.max(1, Math.min(maxBin, Math.floor(totalCnt / minDataInBin)));
  let meanBinSize = totalCnt / maxBin;
  let restBinCnt = maxBin;
  let restSampleCnt = totalCnt;
  const isBig = new Uint8Array(num);
  for (let i = 0; i < num; i++) {
    if (counts[start + i] >= meanBinSize) {
      isBig[i] = 1;
      restBinCnt--;
      restSampleCnt -= counts[start + i];
    }
  }
  meanBinSize = restSampleCnt / restBinCnt;
  const upper: number[] = new Array(maxBin).fill(Infinity);
  const lower: number[] = new Array(maxBin).fill(Infinity);
  let binCnt = 0;
  lower[0] = values[start];
  let inBin = 0;
  // LightGBM compares against mean_bin_size * 0.5f (a float constant)
  const HALF = Math.fround(0.5);
  for (let i = 0; i < num - 1; i++) {
    if (!isBig[i]) restSampleCnt -= counts[start + i];
    inBin += counts[start + i];
    if (isBig[i] || inBin >= meanBinSize || (isBig[i + 1] && inBin >= Math.max(1, meanBinSize * HALF))) {
      upper[binCnt] = values[start + i];
      binCnt++;
      lower[binCnt] = values[start + i + 1];
      if (binCnt >= maxBin - 1) break;
      inBin = 0;
      if (!isBig[i]) {
        restBinCnt--;
        meanBinSize = restSampleCnt / restBinCnt;
      }
    }
  }
  binCnt++;
  for (let i = 0; i < binCnt - 1; i++) {
    const v = nextUp((upper[i] + lower[i + 1]) / 2);
    if (bounds.length === 0 || !equalOrdered(bounds[bounds.length - 1], v)) bounds.push(v);
  }
  bounds.push(Infinity);
  return bounds;
}

/** Negative values, zero and positive values binned separately, zero in a bin of its own (FindBinWithZeroAsOneBin). */
function findBinWithZeroAsOneBin(values: number[], counts: number[], maxBin: number, totalCnt: number, minDataInBin: number): number[] {
  const n = values.length;
  let leftCntData = 0;
  let cntZero = 0;
  let rightCntData = 0;
  for (let i = 0; i < n; i++) {
    if (values[i] <= -ZERO_THRESHOLD) leftCntData += counts[i];
    else if (values[i] > ZERO_THRESHOLD) rightCntData += counts[i];
    else cntZero += counts[i];
  }
  let leftCnt = -1;
  for (let i = 0; i < n; i++) {
    if (values[i] > -ZERO_THRESHOLD) {
      leftCnt = i;
      break;
    }
  }
  if (leftCnt < 0) leftCnt = n;
  let bounds: number[] = [];
  if (leftCnt > 0 && maxBin > 1) {
    const leftMaxBin = Math.max(1, Math.trunc((leftCntData / (totalCnt - cntZero)) * (maxBin - 1)));
    bounds = greedyFindBin(values, counts, 0, leftCnt, leftMaxBin, leftCntData, minDataInBin);
    if (bounds.length > 0) bounds[bounds.length - 1] = -ZERO_THRESHOLD;
  }
  let rightStart = -1;
  for (let i = leftCnt; i < n; i++) {
    if (values[i] > ZERO_THRESHOLD) {
      rightStart = i;
      break;
    }
  }
  const rightMaxBin = maxBin - 1 - bounds.length;
  if (rightStart >= 0 && rightMaxBin > 0) {
    const right = greedyFindBin(values, counts, rightStart, n, rightMaxBin, rightCntData, minDataInBin);
    bounds.push(ZERO_THRESHOLD, ...right);
  } else {
    bounds.push(Infinity);
  }
  return bounds;
}

/** Numeric bin mapper from a sample of the column (NaN allowed). */
export function findNumericBins(sample: ArrayLike<number>, opts: BinningOptions): NumericBinMapper {
  const total = sample.length;
  let naCnt = 0;
  let m = 0;
  const buffer = new Float64Array(total);
  for (let i = 0; i < total; i++) {
    const v = sample[i];
    if (v !== v) naCnt++;
    else if (abs(v) > ZERO_THRESHOLD) buffer[m++] = v;
  }
  const missingType: MissingType = naCnt > 0 ? 'nan' : 'none';
  const zeroCnt = total - m - naCnt;
  const sorted = buffer.subarray(0, m).sort();
  const values: number[] = [];
  const counts: number[] = [];
  if (m === 0 || (sorted[0] > 0 && zeroCnt > 0)) {
    values.push(0);
    counts.push(zeroCnt);
  }
  if (m > 0) {
    values.push(sorted[0]);
    counts.push(1);
  }
  for (let i = 1; i < m; i++) {
    if (!equalOrdered(sorted[i - 1], sorted[i])) {
      if (sorted[i - 1] < 0 && sorted[i] > 0) {
        values.push(0);
        counts.push(zeroCnt);
      }
      values.push(sorted[i]);
      counts.push(1);
    } else {
      // nearly equal: keep the larger value
      values[values.length - 1] = sorted[i];
      counts[counts.length - 1]++;
    }
  }
  if (m > 0 && sorted[m - 1] < 0 && zeroCnt > 0) {
    values.push(0);
    counts.push(zeroCnt);
  }
  let upperBounds: number[];
  if (missingType === 'none') {
    upperBounds = findBinWithZeroAsOneBin(values, counts, opts.maxBin, total, opts.minDataInBin);
  } else {
    upperBounds = findBinWithZeroAsOneBin(values, counts, opts.maxBin - 1, total - naCnt, opts.minDataInBin);
    upperBounds.push(NaN);
  }
  return { kind: 'numeric', upperBounds, missingType, numBin: upperBounds.length };
}

/** The bin of a numeric value: the first bin whose upper bound is ≥ the value (LightGBM's ValueToBin). */
export function numericValueToBin(mapper: NumericBinMapper, value: number): number {
  const b = mapper.upperBounds;
  if (value !== value) {
    if (mapper.missingType === 'nan') return mapper.numBin - 1;
    value = 0;
  }
  let lo = 0;
  let hi = mapper.numBin - 1 - (mapper.missingType === 'nan' ? 1 : 0);
  while (lo < hi) {
    const mid = (lo + hi - 1) >> 1;
    if (value <= b[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// --- categorical ---

/** LightGBM keeps the categories that cover 99 % of the rows (plus all while there are bins to spare). */
const CATEGORY_COVERAGE = Math.fround(0.99);

/**
 * Categorical bin mapper from a sample of integer codes (NaN or negative = missing), as LightGBM 4 builds
 * it: bin 0 is a catch-all for NaN, negative and unseen codes (and categories cut for being rare); the
 * categories follow in order of decreasing count (ties: smaller code first). Split searches never put
 * bin 0 on the left.
 */
export function findCategoricalBins(sample: ArrayLike<number>, opts: BinningOptions): CategoricalBinMapper {
  const total = sample.length;
  let naCnt = 0;
  const countOf = new Map<number, number>();
  for (let i = 0; i < total; i++) {
    const v = sample[i];
    if (v !== v || v < 0) {
      naCnt++;
      continue;
    }
    const c = trunc(v);
    countOf.set(c, (countOf.get(c) ?? 0) + 1);
  }
  if (total - naCnt <= 0) return { kind: 'categorical', binToCategory: [], missingType: 'nan', numBin: 0 };
  // decreasing count, ties by increasing value (a stable sort of the ascending distinct values)
  const cats = [...countOf.keys()].sort((a, b) => a - b);
  cats.sort((a, b) => countOf.get(b)! - countOf.get(a)!);
  const counts = cats.map((c) => countOf.get(c)!);
  // LightGBM's RoundInt
  const cutCnt = Math.floor((total - naCnt) * CATEGORY_COVERAGE + 0.5);
  const maxBin = Math.min(cats.length + (naCnt > 0 ? 1 : 0), opts.maxBin);
  const binToCategory: number[] = [-1];
  let used = 0;
  let cur = 0;
  while (cur < cats.length && (used < cutCnt || binToCategory.length < maxBin)) {
    if (counts[cur] < opts.minDataInBin && cur > 1) break;
    binToCategory.push(cats[cur]);
    used += counts[cur];
    cur++;
  }
  const missingType: MissingType = cur === cats.length && naCnt === 0 ? 'none' : 'nan';
  return { kind: 'categorical', binToCategory, missingType, numBin: binToCategory.length };
}

/** Lookup table category value → bin; values without a bin of their own go to bin 0 (LightGBM). */
export function categoricalBinLookup(mapper: CategoricalBinMapper): (value: number) => number {
  const map = new Map<number, number>();
  mapper.binToCategory.forEach((c, b) => {
    if (c >= 0) map.set(c, b);
  });
  return (value: number) => {
    if (value !== value || value < 0) return 0;
    const b = map.get(trunc(value));
    return b === undefined ? 0 : b;
  };
}
