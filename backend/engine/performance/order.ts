/**
 * Fast stable orderings of score columns (NaN-free). An LSD radix sort on the IEEE-754 bit patterns
 * gives numpy's argsort(kind='stable') order in linear time, which matters on million-row references
 * with near-continuous scores; small inputs use a comparator sort.
 */

/** Below this many values a comparator sort beats the radix passes. */
const RADIX_MIN = 2048;
const DIGIT_BITS = 11;
const DIGIT_MASK = (1 << DIGIT_BITS) - 1;
/**
 * Up to this many distinct values one counting pass replaces the six radix passes (scores rounded to a
 * few decimals, like the car-loan data's, have about a hundred); more, and the radix sort takes over.
 */
const FEW_DISTINCT_MAX = 4096;

/** Ascending order, ties in row order (numpy's argsort(kind='stable')); -0 and 0 tie. */
export function stableAscendingOrder(values: Float64Array): Uint32Array {
  const n = values.length;
  if (n < RADIX_MIN) {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    return order.sort((a, b) => values[a] - values[b] || a - b);
  }
  const few = fewDistinctOrder(values);
  if (few !== null) return few;
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

/** Open-addressing table size for fewDistinctOrder: a power of two, at least twice FEW_DISTINCT_MAX. */
const FEW_TABLE_SIZE = 2 * FEW_DISTINCT_MAX;

/**
 * The same stable order by a counting sort over the distinct values, or null when there are more than
 * FEW_DISTINCT_MAX of them. Values are hashed by their bit patterns (a Map of doubles is several times
 * slower); -0 is read as 0 so the two tie as in the radix sort.
 */
function fewDistinctOrder(values: Float64Array): Uint32Array | null {
  const n = values.length;
  const one = new Float64Array(1);
  const oneBits = new Uint32Array(one.buffer);
  const tableLo = new Uint32Array(FEW_TABLE_SIZE);
  const tableHi = new Uint32Array(FEW_TABLE_SIZE);
  const tableId = new Int32Array(FEW_TABLE_SIZE).fill(-1);
  const distinct = new Float64Array(FEW_DISTINCT_MAX);
  let size = 0;
  const ids = new Int32Array(n);
  const mask = FEW_TABLE_SIZE - 1;
  for (let i = 0; i < n; i++) {
    const v = values[i] === 0 ? 0 : values[i];
    one[0] = v;
    const lo = oneBits[0];
    const hi = oneBits[1];
    let h = (Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> 19) & mask;
    let id = tableId[h];
    while (id !== -1 && (tableLo[h] !== lo || tableHi[h] !== hi)) {
      h = (h + 1) & mask;
      id = tableId[h];
    }
    if (id === -1) {
      if (size === FEW_DISTINCT_MAX) return null;
      id = size++;
      tableLo[h] = lo;
      tableHi[h] = hi;
      tableId[h] = id;
      distinct[id] = v;
    }
    ids[i] = id;
  }
  const byValue = new Uint32Array(size);
  for (let id = 0; id < size; id++) byValue[id] = id;
  byValue.sort((x, y) => distinct[x] - distinct[y]);
  const start = new Int32Array(size); // first output slot of each id
  for (let i = 0; i < n; i++) start[ids[i]]++;
  let sum = 0;
  for (let r = 0; r < size; r++) {
    const id = byValue[r];
    const c = start[id];
    start[id] = sum;
    sum += c;
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[start[ids[i]]++] = i;
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
