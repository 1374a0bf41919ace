/**
 * Fast stable orderings of score columns (NaN-free). An LSD radix sort on the IEEE-754 bit patterns
 * gives numpy's argsort(kind='stable') order in linear time, which matters on million-row references
 * with near-continuous scores; small inputs use a comparator sort.
 */

/** Below this many values a comparator sort beats the radix passes. */
const RADIX_MIN = 2048;
const DIGIT_BITS = 11;
const DIGIT_MASK = (1 << DIGIT_BITS) - 1;

/** Ascending order, ties in row order (numpy's argsort(kind='stable')); -0 and 0 tie. */
export function stableAscendingOrder(values: Float64Array): Uint32Array {
  const n = values.length;
  if (n < RADIX_MIN) {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    return order.sort((a, b) => values[a] - values[b] || a - b);
  }
  // Order-preserving unsigned keys: flip all bits of negatives, the sign bit of the rest.
  const bits = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i] === 0 ? 0 : values[i]; // -0 → 0
    let l: number;
    let h: number;
    if (v === 0) {
      l = 0;
      h = 0;
    } else {
      l = bits[2 * i];
      h = bits[2 * i + 1];
    }
    if (h >>> 31) {
      lo[i] = ~l >>> 0;
      hi[i] = ~h >>> 0;
    } else {
      lo[i] = l;
      hi[i] = (h | 0x80000000) >>> 0;
    }
  }
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Uint32Array(n);
  const count = new Int32Array(1 << DIGIT_BITS);
  for (const keys of [lo, hi]) {
    for (let shift = 0; shift < 32; shift += DIGIT_BITS) {
      count.fill(0);
      for (let i = 0; i < n; i++) count[(keys[order[i]] >>> shift) & DIGIT_MASK]++;
      let sum = 0;
      for (let d = 0; d < count.length; d++) {
        const c = count[d];
        count[d] = sum;
        sum += c;
      }
      for (let i = 0; i < n; i++) {
        const row = order[i];
        next[count[(keys[row] >>> shift) & DIGIT_MASK]++] = row;
      }
      const t = order;
      order = next;
      next = t;
    }
  }
  return order;
}

/** Distinct values (ascending) and each row's index among them. */
export interface Ranking {
  distinct: Float64Array;
  ranks: Int32Array;
  /** the stable ascending order the ranking came from */
  order: Uint32Array;
}

export function rankValues(values: Float64Array): Ranking {
  const order = stableAscendingOrder(values);
  const ranks = new Int32Array(values.length);
  const distinct = new Float64Array(values.length);
  let k = -1;
  let last = NaN;
  for (let i = 0; i < order.length; i++) {
    const v = values[order[i]];
    if (k < 0 || v !== last) {
      distinct[++k] = v;
      last = v;
    }
    ranks[order[i]] = k;
  }
  return { distinct: distinct.slice(0, k + 1), ranks, order };
}
