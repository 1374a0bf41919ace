/**
 * Fast stable orderings of score columns (NaN-free). An LSD radix sort on the IEEE-754 bit patterns
 * gives numpy's argsort(kind='stable') order in linear time, which matters on million-row references
 * with near-continuous scores; small inputs use a comparator sort. And grouping of equal scores
 * (distinctIds, rankScores), which is all most metrics need: no row order at all.
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
  return fewDistinctOrder(values) ?? radixAscendingOrder(values);
}

/** Scratch of radixAscendingOrder, reused call after call (grown on demand). */
let radixLo = new Uint32Array(0);
let radixHi = new Uint32Array(0);
let radixNext = new Uint32Array(0);
const radixCount = new Int32Array(1 << DIGIT_BITS);

/** The stable ascending order by an LSD radix sort on the IEEE-754 bits (NaN-free values). */
function radixAscendingOrder(values: Float64Array): Uint32Array {
  const n = values.length;
  if (radixLo.length < n) {
    radixLo = new Uint32Array(n);
    radixHi = new Uint32Array(n);
    radixNext = new Uint32Array(n);
  }
  // Order-preserving unsigned keys: flip all bits of negatives, the sign bit of the rest.
  const bits = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  const lo = radixLo;
  const hi = radixHi;
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
  // six passes (two keys × three digits) swap order and next an even number of times: the result ends
  // in the array allocated above, and next is scratch
  let next = radixNext;
  const count = radixCount;
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

/**
 * Scratch open-addressing table of distinctIds, keyed by a value's bit pattern (a Map of doubles is
 * several times slower): grown on demand and emptied after each call, so chunk after chunk allocates
 * nothing. Calls never overlap (no callbacks run inside).
 */
let tableLo = new Uint32Array(0);
let tableHi = new Uint32Array(0);
let tableId = new Int32Array(0);
/** the table slot of each id, to empty the table afterwards */
let slotOfId = new Int32Array(0);
let firstValue = new Float64Array(0);
/** Smallest table: 2¹⁰ slots (a power of two, so a mask picks the slot). */
const MIN_TABLE_BITS = 10;

/**
 * Groups equal values: ids[i] = index of values[i] among the distinct values in order of first
 * appearance, -1 where values[i] is NaN. Returns the distinct values (each as first read: -0 and 0 are
 * one value, kept as whichever came first, as a stable sort would have it), or null when there are more
 * than `maxDistinct`.
 */
export function distinctIds(values: Float64Array, ids: Int32Array, maxDistinct = values.length): Float64Array | null {
  const n = values.length;
  const capacity = Math.min(n, maxDistinct);
  let bits = MIN_TABLE_BITS;
  while (1 << bits < 2 * capacity) bits++;
  const size = 1 << bits;
  if (tableId.length < size) {
    tableLo = new Uint32Array(size);
    tableHi = new Uint32Array(size);
    tableId = new Int32Array(size).fill(-1);
  }
  if (slotOfId.length < capacity) {
    slotOfId = new Int32Array(capacity);
    firstValue = new Float64Array(capacity);
  }
  // the table may be larger than this call needs: use its low `bits` bits only
  const mask = size - 1;
  const shift = 32 - bits;
  const word = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const found = hashValues(values, word, ids, capacity, mask, shift, tableLo, tableHi, tableId, slotOfId, firstValue);
  const count = Math.min(found, capacity);
  for (let id = 0; id < count; id++) tableId[slotOfId[id]] = -1;
  return found > capacity ? null : firstValue.slice(0, count);
}

/**
 * distinctIds' row loop, with the scratch table passed in (locals, not module variables, inside the
 * loop). Returns the number of distinct values, or capacity + 1 when there are more.
 */
function hashValues(
  values: Float64Array,
  word: Uint32Array,
  ids: Int32Array,
  capacity: number,
  mask: number,
  shift: number,
  tableLo: Uint32Array,
  tableHi: Uint32Array,
  tableId: Int32Array,
  slotOfId: Int32Array,
  firstValue: Float64Array,
): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) {
      ids[i] = -1;
      continue;
    }
    const zero = v === 0; // -0 → the bits of 0
    const lo = zero ? 0 : word[2 * i];
    const hi = zero ? 0 : word[2 * i + 1];
    let h = (Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> shift) & mask;
    let id = tableId[h];
    while (id !== -1 && (tableLo[h] !== lo || tableHi[h] !== hi)) {
      h = (h + 1) & mask;
      id = tableId[h];
    }
    if (id === -1) {
      if (count === capacity) return capacity + 1;
      id = count++;
      tableLo[h] = lo;
      tableHi[h] = hi;
      tableId[h] = id;
      slotOfId[id] = h;
      firstValue[id] = v;
    }
    ids[i] = id;
  }
  return count;
}

/** Indexes of distinct (NaN-free, pairwise unequal) values in ascending order of value. */
export function idsByValue(distinct: Float64Array): Uint32Array {
  const d = distinct.length;
  if (d >= RADIX_MIN) return radixAscendingOrder(distinct);
  const byValue = new Uint32Array(d);
  for (let id = 0; id < d; id++) byValue[id] = id;
  return byValue.sort((x, y) => distinct[x] - distinct[y]);
}

/**
 * The same stable order by a counting sort over the distinct values, or null when there are more than
 * FEW_DISTINCT_MAX of them.
 */
function fewDistinctOrder(values: Float64Array): Uint32Array | null {
  const n = values.length;
  const ids = new Int32Array(n);
  const distinct = distinctIds(values, ids, FEW_DISTINCT_MAX);
  if (distinct === null) return null;
  const size = distinct.length;
  const byValue = idsByValue(distinct);
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

/** Distinct present values (ascending) and each row's index among them (-1 where the value is NaN). */
export interface ScoreRanks {
  distinct: Float64Array;
  rank: Int32Array;
}

/** Ranks values among their distinct values by grouping equal ones, without sorting the rows. */
export function rankScores(values: Float64Array): ScoreRanks {
  const rank = new Int32Array(values.length);
  const firstSeen = distinctIds(values, rank)!;
  const byValue = idsByValue(firstSeen);
  const d = firstSeen.length;
  const rankOfId = new Int32Array(d);
  const distinct = new Float64Array(d);
  for (let r = 0; r < d; r++) {
    rankOfId[byValue[r]] = r;
    distinct[r] = firstSeen[byValue[r]];
  }
  idsToRanks(rank, rankOfId);
  return { distinct, rank };
}

/*
 * The row loops below live in functions of their own, one loop each: V8 compiles a long loop while it
 * runs (on-stack replacement), and code after it in the same function has no type feedback yet, so a
 * second loop there would fall back to the interpreter on every call.
 */

function idsToRanks(ids: Int32Array, rankOfId: Int32Array): void {
  for (let i = 0; i < ids.length; i++) if (ids[i] >= 0) ids[i] = rankOfId[ids[i]];
}
