/**
 * Training: histogram-based gradient boosting with leaf-wise (best-first) growth, written after
 * LightGBM's serial tree learner so that, with the same defaults, it grows the trees LightGBM grows:
 *
 * - gradients and hessians are float32 (LightGBM's score_t), histograms and scores float64;
 * - a leaf's row count in the split search is estimated from its hessians (cnt = round(h · n / H)), as
 *   LightGBM does; for L2 regression this is exact;
 * - numeric features: thresholds scanned from the top bin down (NaN goes left), then, when the feature
 *   has NaN, from the bottom up (NaN goes right); the first strictly best gain wins;
 * - categorical features (LightGBM's rule, see `findCategoricalSplit`): one category vs the rest when the
 *   feature has at most `maxCatToOnehot` bins, otherwise categories sorted by gradient/(hessian + cat_smooth)
 *   and split at the best prefix from either end (at most `maxCatThreshold` categories on the left);
 * - the next leaf to split is the one with the largest gain (ties: smaller feature index, then lower leaf);
 * - the larger child's histogram is the parent's minus the smaller child's (histogram subtraction);
 * - objectives: L2 regression and binary log loss, starting from the average (boost_from_average).
 *
 * Deterministic: the only random step is the row sample for binning when there are more than
 * `binConstructSampleCnt` rows, drawn from a seeded generator.
 */
import {
  BinMapper,
  CategoricalBinMapper,
  categoricalBinLookup,
  findCategoricalBins,
  findNumericBins,
  NumericBinMapper,
  numericValueToBin,
} from './binning';
import { DECISION_CATEGORICAL, DECISION_DEFAULT_LEFT, DECISION_MISSING_NAN, FeatureKind, GbdtModel, TreeModel } from './model';
import { GbdtParams } from './params';
import { seededRandom } from '../random';

/**
 * Math functions as local bindings: under jest (vm contexts) every lookup of the global `Math` goes
 * through the sandbox's interceptors, which made the hot loops five times slower.
 */
const { abs, exp, floor, sign } = Math;

export interface TrainFeature {
  name: string;
  kind: FeatureKind;
  /** numeric: NaN = missing; categorical: non-negative integer codes, NaN or negative = missing */
  values: ArrayLike<number>;
}

/** LightGBM's kEpsilon (1e-15f), added to hessian sums. */
const K_EPSILON = Math.fround(1e-15);
/** LightGBM's binary objective clamps the average label to [kEpsilon, 1 - kEpsilon] for the start score. */
const K_BINARY_EPSILON = 1e-15;

// ---------------------------------------------------------------------------------------------------
// Binned data

interface BinnedData {
  n: number;
  nf: number;
  /** row-major: bins[row * nf + feature] (histograms read all features of a row) */
  bins: Uint8Array | Uint16Array;
  /** column-major copy: binColumns[feature][row] (partitions read one feature) */
  binColumns: (Uint8Array | Uint16Array)[];
  mappers: BinMapper[];
  /** first histogram slot of each feature */
  offsets: Int32Array;
  totalBins: number;
}

/** Sorted row indices of a sample of `k` out of `n` rows (Floyd's algorithm). */
function sampleRows(n: number, k: number, seed: number): Int32Array {
  const rand = seededRandom(seed);
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = Math.floor(rand() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return Int32Array.from(chosen).sort();
}

function binData(features: TrainFeature[], n: number, p: GbdtParams): BinnedData {
  const nf = features.length;
  const sample = n > p.binConstructSampleCnt ? sampleRows(n, p.binConstructSampleCnt, p.seed) : null;
  const opts = { maxBin: p.maxBin, minDataInBin: p.minDataInBin };
  const mappers: BinMapper[] = features.map((f) => {
    let values: ArrayLike<number> = f.values;
    if (sample) {
      const s = new Float64Array(sample.length);
      for (let i = 0; i < sample.length; i++) s[i] = f.values[sample[i]];
      values = s;
    }
    return f.kind === 'numeric' ? findNumericBins(values, opts) : findCategoricalBins(values, opts);
  });
  const maxBins = mappers.reduce((m, b) => Math.max(m, b.numBin), 0);
  const small = maxBins <= 256;
  const bins = small ? new Uint8Array(n * nf) : new Uint16Array(n * nf);
  const binColumns = mappers.map((m, f) => {
    const col = small ? new Uint8Array(n) : new Uint16Array(n);
    const values = features[f].values;
    if (m.kind === 'numeric') {
      for (let i = 0; i < n; i++) col[i] = numericValueToBin(m, values[i]);
    } else {
      const lookup = categoricalBinLookup(m);
      for (let i = 0; i < n; i++) col[i] = lookup(values[i]);
    }
    for (let i = 0; i < n; i++) bins[i * nf + f] = col[i];
    return col;
  });
  const offsets = new Int32Array(nf);
  let total = 0;
  for (let f = 0; f < nf; f++) {
    offsets[f] = total;
    total += Math.max(mappers[f].numBin, 1);
  }
  return { n, nf, bins, binColumns, mappers, offsets, totalBins: total };
}

// ---------------------------------------------------------------------------------------------------
// Split search

class SplitInfo {
  gain = -Infinity;
  feature = -1;
  /** numeric: rows with bin ≤ thresholdBin go left */
  thresholdBin = 0;
  defaultLeft = false;
  /** categorical: bins that go left */
  catBins: number[] | null = null;
  leftSumG = 0;
  leftSumH = 0;
  leftCount = 0;
  rightSumG = 0;
  rightSumH = 0;
  rightCount = 0;
  leftOutput = 0;
  rightOutput = 0;

  copyFrom(o: SplitInfo): void {
    Object.assign(this, o);
    this.catBins = o.catBins ? o.catBins.slice() : null;
  }

  reset(): void {
    this.gain = -Infinity;
    this.feature = -1;
    this.catBins = null;
  }
}

/** LightGBM's ThresholdL1. */
function thresholdL1(s: number, l1: number): number {
  const r = abs(s) - l1;
  return r > 0 ? sign(s) * r : 0;
}

class SplitFinder {
  private readonly candidate = new SplitInfo();

  constructor(
    private readonly data: BinnedData,
    private readonly p: GbdtParams,
  ) {}

  private leafGain(g: number, h: number, l2: number): number {
    const t = this.p.lambdaL1 > 0 ? thresholdL1(g, this.p.lambdaL1) : g;
    return (t * t) / (h + l2);
  }

  private leafOutput(g: number, h: number, l2: number): number {
    const t = this.p.lambdaL1 > 0 ? thresholdL1(g, this.p.lambdaL1) : g;
    return -t / (h + l2);
  }

  /** Best split of a leaf over all features, into `out` (gain -Infinity when there is none). */
  find(hist: Float64Array, sumG: number, leafSumH: number, numData: number, out: SplitInfo): void {
    out.reset();
    // LightGBM passes sum_hessian + 2·kEpsilon to the threshold search
    const sumH = leafSumH + 2 * K_EPSILON;
    for (let f = 0; f < this.data.nf; f++) {
      const m = this.data.mappers[f];
      if (m.numBin <= 1) continue;
      const c = this.candidate;
      c.reset();
      if (m.kind === 'numeric') this.findNumericSplit(hist, f, m, sumG, sumH, numData, c);
      else this.findCategoricalSplit(hist, f, m, sumG, sumH, numData, c);
      if (c.feature >= 0 && c.gain > out.gain) out.copyFrom(c);
    }
  }

  private findNumericSplit(hist: Float64Array, f: number, m: NumericBinMapper, sumG: number, sumH: number, numData: number, out: SplitInfo): void {
    const l2 = this.p.lambdaL2;
    const minGainShift = this.leafGain(sumG, sumH, l2) + this.p.minGainToSplit;
    const hasNaNBin = m.missingType === 'nan';
    if (hasNaNBin && m.numBin > 2) {
      this.scanNumeric(hist, f, m.numBin, true, true, sumG, sumH, numData, minGainShift, out);
      this.scanNumeric(hist, f, m.numBin, false, true, sumG, sumH, numData, minGainShift, out);
    } else {
      this.scanNumeric(hist, f, m.numBin, true, false, sumG, sumH, numData, minGainShift, out);
      // with only [value, NaN] bins the reverse scan leaves NaN on the right
      if (hasNaNBin) out.defaultLeft = false;
    }
  }

  /**
   * One pass over the thresholds (LightGBM's FindBestThresholdSequentially). `reverse`: accumulate the
   * right side from the top bin down, missing values end up left; otherwise accumulate the left side from
   * the bottom up, missing values end up right. `skipNaN`: the last bin holds NaN and is not a threshold.
   */
  private scanNumeric(
    hist: Float64Array,
    f: number,
    numBin: number,
    reverse: boolean,
    skipNaN: boolean,
    sumG: number,
    sumH: number,
    numData: number,
    minGainShift: number,
    out: SplitInfo,
  ): void {
    const p = this.p;
    const l2 = p.lambdaL2;
    const base = this.data.offsets[f] << 1;
    const cntFactor = numData / sumH;
    let bestGain = -Infinity;
    let bestLeftG = NaN;
    let bestLeftH = NaN;
    let bestLeftCount = 0;
    let bestThreshold = numBin;
    let splittable = false;
    if (reverse) {
      let rG = 0;
      let rH = K_EPSILON;
      let rC = 0;
      for (let b = numBin - 1 - (skipNaN ? 1 : 0); b >= 1; b--) {
        const h = hist[base + 2 * b + 1];
        rG += hist[base + 2 * b];
        rH += h;
        rC += floor(h * cntFactor + 0.5);
        if (rC < p.minDataInLeaf || rH < p.minSumHessianInLeaf) continue;
        const lC = numData - rC;
        if (lC < p.minDataInLeaf) break;
        const lH = sumH - rH;
        if (lH < p.minSumHessianInLeaf) break;
        const lG = sumG - rG;
        const gain = this.leafGain(lG, lH, l2) + this.leafGain(rG, rH, l2);
        if (gain <= minGainShift) continue;
        splittable = true;
        if (gain > bestGain) {
          bestGain = gain;
          bestLeftG = lG;
          bestLeftH = lH;
          bestLeftCount = lC;
          bestThreshold = b - 1;
        }
      }
    } else {
      let lG = 0;
      let lH = K_EPSILON;
      let lC = 0;
      for (let b = 0; b <= numBin - 2; b++) {
        const h = hist[base + 2 * b + 1];
        lG += hist[base + 2 * b];
        lH += h;
        lC += floor(h * cntFactor + 0.5);
        if (lC < p.minDataInLeaf || lH < p.minSumHessianInLeaf) continue;
        const rC = numData - lC;
        if (rC < p.minDataInLeaf) break;
        const rH = sumH - lH;
        if (rH < p.minSumHessianInLeaf) break;
        const rG = sumG - lG;
        const gain = this.leafGain(lG, lH, l2) + this.leafGain(rG, rH, l2);
        if (gain <= minGainShift) continue;
        splittable = true;
        if (gain > bestGain) {
          bestGain = gain;
          bestLeftG = lG;
          bestLeftH = lH;
          bestLeftCount = lC;
          bestThreshold = b;
        }
      }
    }
    // the second pass replaces the first only with a strictly larger gain
    if (splittable && bestGain - minGainShift > out.gain) {
      out.feature = f;
      out.gain = bestGain - minGainShift;
      out.thresholdBin = bestThreshold;
      out.defaultLeft = reverse;
      out.catBins = null;
      this.fillChildren(out, sumG, sumH, numData, bestLeftG, bestLeftH, bestLeftCount, l2);
    }
  }

  private fillChildren(out: SplitInfo, sumG: number, sumH: number, numData: number, lG: number, lH: number, lC: number, l2: number): void {
    out.leftOutput = this.leafOutput(lG, lH, l2);
    out.rightOutput = this.leafOutput(sumG - lG, sumH - lH, l2);
    out.leftSumG = lG;
    out.leftSumH = lH - K_EPSILON;
    out.leftCount = lC;
    out.rightSumG = sumG - lG;
    out.rightSumH = sumH - lH - K_EPSILON;
    out.rightCount = numData - lC;
  }

  /**
   * LightGBM's categorical split (FindBestThresholdCategoricalInner). The catch-all bin 0 (missing, unseen)
   * is never put on the left. With at most `maxCatToOnehot` bins (counting bin 0): one category vs the
   * rest. Otherwise: categories with at least `catSmooth` rows, sorted by G/(H + catSmooth), split at the
   * best prefix taken from either end, at most min(maxCatThreshold, (k+1)/2) categories on the left,
   * groups of at least `minDataPerGroup` rows, with `catL2` added to the L2 penalty.
   */
  private findCategoricalSplit(hist: Float64Array, f: number, m: CategoricalBinMapper, sumG: number, sumH: number, numData: number, out: SplitInfo): void {
    const p = this.p;
    const base = this.data.offsets[f] << 1;
    // min_split_gain is measured against the parent gain with the plain L2 (as LightGBM without path smoothing)
    const minGainShift = this.leafGain(sumG, sumH, p.lambdaL2) + p.minGainToSplit;
    const cntFactor = numData / sumH;
    const numBin = m.numBin;
    let bestGain = -Infinity;
    let bestLeftG = 0;
    let bestLeftH = 0;
    let bestLeftCount = 0;
    let splittable = false;
    let l2 = p.lambdaL2;
    let leftBins: number[] | null = null;
    if (numBin <= p.maxCatToOnehot) {
      let bestBin = -1;
      for (let b = 1; b < numBin; b++) {
        const g = hist[base + 2 * b];
        const h = hist[base + 2 * b + 1];
        const cnt = floor(h * cntFactor + 0.5);
        if (cnt < p.minDataInLeaf || h < p.minSumHessianInLeaf) continue;
        const otherCount = numData - cnt;
        if (otherCount < p.minDataInLeaf) continue;
        const otherH = sumH - h - K_EPSILON;
        if (otherH < p.minSumHessianInLeaf) continue;
        const gain = this.leafGain(sumG - g, otherH, l2) + this.leafGain(g, h + K_EPSILON, l2);
        if (gain <= minGainShift) continue;
        splittable = true;
        if (gain > bestGain) {
          bestGain = gain;
          bestBin = b;
          bestLeftG = g;
          bestLeftH = h + K_EPSILON;
          bestLeftCount = cnt;
        }
      }
      if (bestBin >= 0) leftBins = [bestBin];
    } else {
      const sorted: number[] = [];
      for (let b = 1; b < numBin; b++) {
        if (floor(hist[base + 2 * b + 1] * cntFactor + 0.5) >= p.catSmooth) sorted.push(b);
      }
      const ctr = (b: number) => hist[base + 2 * b] / (hist[base + 2 * b + 1] + p.catSmooth);
      sorted.sort((a, b) => ctr(a) - ctr(b)); // Array.prototype.sort is stable, as LightGBM's std::stable_sort
      const used = sorted.length;
      l2 += p.catL2;
      const maxNumCat = Math.min(p.maxCatThreshold, (used + 1) >> 1);
      let bestThreshold = -1;
      let bestDir = 1;
      for (const dir of [1, -1]) {
        let pos = dir === 1 ? 0 : used - 1;
        let groupCount = 0;
        let lG = 0;
        let lH = K_EPSILON;
        let lC = 0;
        for (let i = 0; i < used && i < maxNumCat; i++) {
          const b = sorted[pos];
          pos += dir;
          const h = hist[base + 2 * b + 1];
          const cnt = floor(h * cntFactor + 0.5);
          lG += hist[base + 2 * b];
          lH += h;
          lC += cnt;
          groupCount += cnt;
          if (lC < p.minDataInLeaf || lH < p.minSumHessianInLeaf) continue;
          const rC = numData - lC;
          if (rC < p.minDataInLeaf || rC < p.minDataPerGroup) break;
          const rH = sumH - lH;
          if (rH < p.minSumHessianInLeaf) break;
          if (groupCount < p.minDataPerGroup) continue;
          groupCount = 0;
          const gain = this.leafGain(lG, lH, l2) + this.leafGain(sumG - lG, rH, l2);
          if (gain <= minGainShift) continue;
          splittable = true;
          if (gain > bestGain) {
            bestGain = gain;
            bestLeftG = lG;
            bestLeftH = lH;
            bestLeftCount = lC;
            bestThreshold = i;
            bestDir = dir;
          }
        }
      }
      if (bestThreshold >= 0) {
        leftBins = [];
        for (let i = 0; i <= bestThreshold; i++) leftBins.push(bestDir === 1 ? sorted[i] : sorted[used - 1 - i]);
      }
    }
    if (splittable && leftBins) {
      out.feature = f;
      out.gain = bestGain - minGainShift;
      out.defaultLeft = false;
      out.catBins = leftBins;
      this.fillChildren(out, sumG, sumH, numData, bestLeftG, bestLeftH, bestLeftCount, l2);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Objectives

/** An objective keeps the training rows' scores (and what it derives from them) and gives gradients. */
interface Objective {
  initScore(label: Float32Array): number;
  /** Sets every row's score to the start score. */
  start(score: Float64Array, initScore: number): void;
  gradients(label: Float32Array, score: Float64Array, g: Float32Array, h: Float32Array): void;
  /** Adds a leaf's value to the scores of rows[begin..end). */
  addToRows(score: Float64Array, rows: Int32Array, begin: number, end: number, value: number): void;
}

function l2Regression(): Objective {
  return {
    initScore(label) {
      let s = 0;
      for (let i = 0; i < label.length; i++) s += label[i];
      return s / label.length;
    },
    start(score, init) {
      score.fill(init);
    },
    gradients(label, score, g, h) {
      for (let i = 0; i < label.length; i++) {
        g[i] = score[i] - label[i];
        h[i] = 1;
      }
    },
    addToRows(score, rows, begin, end, value) {
      for (let i = begin; i < end; i++) score[rows[i]] += value;
    },
  };
}

/**
 * Binary log loss: g = p − y, h = p(1 − p) with p = sigmoid(score) (LightGBM's response form). exp(score)
 * is kept per row and multiplied by exp(leaf value) as trees are added — one exp per leaf instead of one
 * per row and tree, which was most of the domain classifier's time; the product drifts from exp(score) by
 * about 1e-16 per tree, far below the float32 rounding of the gradients.
 */
function binaryLogloss(): Objective {
  let expScore = new Float64Array(0);
  return {
    initScore(label) {
      let pos = 0;
      for (let i = 0; i < label.length; i++) if (label[i] > 0) pos++;
      let pavg = pos / label.length;
      pavg = Math.min(Math.max(pavg, K_BINARY_EPSILON), 1 - K_BINARY_EPSILON);
      return Math.log(pavg / (1 - pavg));
    },
    start(score, init) {
      score.fill(init);
      expScore = new Float64Array(score.length).fill(exp(init));
    },
    gradients(label, score, g, h) {
      for (let i = 0; i < label.length; i++) {
        const e = expScore[i];
        // y = 1: −1/(1 + e^s); y = 0: 1/(1 + e^−s) = e^s/(1 + e^s)
        const response = label[i] > 0 ? -1 / (1 + e) : e === Infinity ? 1 : e / (1 + e);
        const a = response < 0 ? -response : response;
        g[i] = response;
        h[i] = a * (1 - a);
      }
    },
    addToRows(score, rows, begin, end, value) {
      const f = exp(value);
      for (let i = begin; i < end; i++) {
        const row = rows[i];
        score[row] += value;
        expScore[row] *= f;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Tree growth

class TreeBuilder {
  private readonly indices: Int32Array;
  private readonly scratch: Int32Array;
  private readonly leafBegin: Int32Array;
  private readonly leafCount: Int32Array;
  private readonly leafSumG: Float64Array;
  private readonly leafSumH: Float64Array;
  private readonly leafDepth: Int32Array;
  private readonly leafParent: Int32Array;
  private readonly leafHist: (Float64Array | null)[];
  private readonly leafSplit: SplitInfo[];
  private readonly histPool: Float64Array[] = [];
  private readonly finder: SplitFinder;
  private readonly catMask: Uint8Array;
  /** gradients and hessians of the tree being grown */
  private g: Float32Array = new Float32Array(0);
  private h: Float32Array = new Float32Array(0);

  constructor(
    private readonly data: BinnedData,
    private readonly p: GbdtParams,
  ) {
    this.indices = new Int32Array(data.n);
    this.scratch = new Int32Array(data.n);
    const L = p.numLeaves;
    this.leafBegin = new Int32Array(L);
    this.leafCount = new Int32Array(L);
    this.leafSumG = new Float64Array(L);
    this.leafSumH = new Float64Array(L);
    this.leafDepth = new Int32Array(L);
    this.leafParent = new Int32Array(L);
    this.leafHist = new Array(L).fill(null);
    this.leafSplit = Array.from({ length: L }, () => new SplitInfo());
    this.finder = new SplitFinder(data, p);
    this.catMask = new Uint8Array(data.mappers.reduce((m, b) => Math.max(m, b.numBin), 1));
  }

  private takeHist(): Float64Array {
    return this.histPool.pop() ?? new Float64Array(this.data.totalBins * 2);
  }

  private buildHist(hist: Float64Array, begin: number, end: number, g: Float32Array, h: Float32Array): void {
    hist.fill(0);
    // row-major bins: measured faster here than LightGBM's per-feature loops over ordered gradients
    const { bins, nf, offsets } = this.data;
    const idx = this.indices;
    for (let i = begin; i < end; i++) {
      const row = idx[i];
      const gi = g[row];
      const hi = h[row];
      const base = row * nf;
      for (let f = 0; f < nf; f++) {
        const k = (offsets[f] + bins[base + f]) << 1;
        hist[k] += gi;
        hist[k + 1] += hi;
      }
    }
  }

  private findSplit(leaf: number): void {
    this.finder.find(this.leafHist[leaf]!, this.leafSumG[leaf], this.leafSumH[leaf], this.leafCount[leaf], this.leafSplit[leaf]);
  }

  /** Stable partition of a leaf's rows: left rows keep the leaf's place, right rows follow. */
  private partition(leaf: number, s: SplitInfo): number {
    const f = s.feature;
    const bins = this.data.binColumns[f];
    const m = this.data.mappers[f];
    const begin = this.leafBegin[leaf];
    const end = begin + this.leafCount[leaf];
    const idx = this.indices;
    const tmp = this.scratch;
    let nl = begin;
    let nr = 0;
    if (m.kind === 'numeric') {
      const nanBin = m.missingType === 'nan' ? m.numBin - 1 : -1;
      const th = s.thresholdBin;
      const defLeft = s.defaultLeft;
      for (let i = begin; i < end; i++) {
        const row = idx[i];
        const b = bins[row];
        if (b === nanBin ? defLeft : b <= th) idx[nl++] = row;
        else tmp[nr++] = row;
      }
    } else {
      const mask = this.catMask;
      mask.fill(0);
      for (const b of s.catBins!) mask[b] = 1;
      for (let i = begin; i < end; i++) {
        const row = idx[i];
        if (mask[bins[row]]) idx[nl++] = row;
        else tmp[nr++] = row;
      }
    }
    idx.set(tmp.subarray(0, nr), nl);
    return nl - begin;
  }

  /** Grows one tree on the gradients; returns it with unshrunk leaf values (each leaf's rows stay known). */
  build(g: Float32Array, h: Float32Array): { tree: TreeModel; numLeaves: number } {
    this.g = g;
    this.h = h;
    const p = this.p;
    const n = this.data.n;
    for (let i = 0; i < n; i++) this.indices[i] = i;
    let sumG = 0;
    let sumH = 0;
    for (let i = 0; i < n; i++) {
      sumG += g[i];
      sumH += h[i];
    }
    for (let l = 0; l < this.leafHist.length; l++) {
      const hist = this.leafHist[l];
      if (hist) this.histPool.push(hist);
      this.leafHist[l] = null;
    }
    const tree: TreeModel = { splitFeature: [], threshold: [], decision: [], left: [], right: [], catSets: [], leafValue: [0] };
    this.leafBegin[0] = 0;
    this.leafCount[0] = n;
    this.leafSumG[0] = sumG;
    this.leafSumH[0] = sumH;
    this.leafDepth[0] = 0;
    this.leafParent[0] = -1;
    const rootHist = this.takeHist();
    this.buildHist(rootHist, 0, n, g, h);
    this.leafHist[0] = rootHist;
    if (n >= 2 * p.minDataInLeaf) this.findSplit(0);
    else this.leafSplit[0].reset();
    let numLeaves = 1;
    while (numLeaves < p.numLeaves) {
      let best = 0;
      for (let l = 1; l < numLeaves; l++) {
        const a = this.leafSplit[l];
        const b = this.leafSplit[best];
        if (a.gain > b.gain || (a.gain === b.gain && a.feature >= 0 && (b.feature < 0 || a.feature < b.feature))) best = l;
      }
      const s = this.leafSplit[best];
      if (!(s.gain > 0) || s.feature < 0) break;
      const right = numLeaves;
      this.splitLeaf(tree, best, right, s);
      numLeaves++;
      const left = best;
      const depthExceeded = p.maxDepth > 0 && this.leafDepth[left] >= p.maxDepth;
      const tooSmall = this.leafCount[left] < 2 * p.minDataInLeaf && this.leafCount[right] < 2 * p.minDataInLeaf;
      if (depthExceeded || tooSmall) {
        this.leafSplit[left].reset();
        this.leafSplit[right].reset();
        continue;
      }
      this.findSplit(left);
      this.findSplit(right);
    }
    return { tree, numLeaves };
  }

  private splitLeaf(tree: TreeModel, leaf: number, right: number, s: SplitInfo): void {
    const m = this.data.mappers[s.feature];
    const node = tree.splitFeature.length;
    const parent = this.leafParent[leaf];
    if (parent >= 0) {
      if (tree.left[parent] === ~leaf) tree.left[parent] = node;
      else tree.right[parent] = node;
    }
    tree.splitFeature.push(s.feature);
    tree.left.push(~leaf);
    tree.right.push(~right);
    if (m.kind === 'numeric') {
      tree.threshold.push(m.upperBounds[s.thresholdBin]);
      tree.decision.push((s.defaultLeft ? DECISION_DEFAULT_LEFT : 0) | (m.missingType === 'nan' ? DECISION_MISSING_NAN : 0));
    } else {
      const cats = s.catBins!.map((b) => m.binToCategory[b]).filter((c) => c >= 0);
      tree.threshold.push(tree.catSets.length);
      tree.catSets.push(cats.sort((a, b) => a - b));
      tree.decision.push(DECISION_CATEGORICAL);
    }
    tree.leafValue[leaf] = s.leftOutput;
    tree.leafValue[right] = s.rightOutput;

    const leftCount = this.partition(leaf, s);
    const begin = this.leafBegin[leaf];
    const total = this.leafCount[leaf];
    this.leafCount[leaf] = leftCount;
    this.leafBegin[right] = begin + leftCount;
    this.leafCount[right] = total - leftCount;
    this.leafSumG[leaf] = s.leftSumG;
    this.leafSumH[leaf] = s.leftSumH;
    this.leafSumG[right] = s.rightSumG;
    this.leafSumH[right] = s.rightSumH;
    this.leafParent[leaf] = node;
    this.leafParent[right] = node;
    const depth = this.leafDepth[leaf] + 1;
    this.leafDepth[leaf] = depth;
    this.leafDepth[right] = depth;

    // histogram subtraction: build the smaller child, the larger one is parent − smaller
    const parentHist = this.leafHist[leaf]!;
    const smallerIsLeft = leftCount < total - leftCount;
    const small = smallerIsLeft ? leaf : right;
    const large = smallerIsLeft ? right : leaf;
    const smallHist = this.takeHist();
    this.buildHist(smallHist, this.leafBegin[small], this.leafBegin[small] + this.leafCount[small], this.g, this.h);
    for (let k = 0; k < parentHist.length; k++) parentHist[k] -= smallHist[k];
    this.leafHist[small] = smallHist;
    this.leafHist[large] = parentHist;
  }

  /** Adds each leaf's value to the scores of its training rows. */
  addToScores(objective: Objective, score: Float64Array, tree: TreeModel, numLeaves: number): void {
    for (let l = 0; l < numLeaves; l++) {
      const begin = this.leafBegin[l];
      objective.addToRows(score, this.indices, begin, begin + this.leafCount[l], tree.leafValue[l]);
    }
  }

}

// ---------------------------------------------------------------------------------------------------

/** Trains a model on feature columns (all the same length) against `label`. */
export function trainGbdt(features: TrainFeature[], label: ArrayLike<number>, params: GbdtParams): GbdtModel {
  const n = label.length;
  if (n === 0) throw new Error('no training rows');
  for (const f of features) {
    if (f.values.length !== n) throw new Error(`feature '${f.name}' has ${f.values.length} rows, label has ${n}`);
  }
  const labels = Float32Array.from(label); // LightGBM keeps labels as float32
  for (let i = 0; i < n; i++) if (!Number.isFinite(labels[i])) throw new Error(`label is not finite at row ${i}`);
  const objective = params.objective === 'binary' ? binaryLogloss() : l2Regression();
  const data = binData(features, n, params);
  const initScore = objective.initScore(labels);
  const model: GbdtModel = {
    objective: params.objective,
    initScore,
    features: features.map((f, i) => ({ name: f.name, kind: f.kind, missingType: data.mappers[i].missingType })),
    trees: [],
  };
  const score = new Float64Array(n);
  objective.start(score, initScore);
  const g = new Float32Array(n);
  const h = new Float32Array(n);
  const builder = new TreeBuilder(data, params);
  for (let it = 0; it < params.numIterations; it++) {
    objective.gradients(labels, score, g, h);
    const { tree, numLeaves } = builder.build(g, h);
    if (numLeaves <= 1) break; // no split with positive gain: LightGBM stops training here
    for (let l = 0; l < numLeaves; l++) tree.leafValue[l] *= params.learningRate;
    builder.addToScores(objective, score, tree, numLeaves);
    model.trees.push(tree);
  }
  return model;
}
