/**
 * Categories of a reference column and category counts of a chunk against them.
 *
 * A categorical column is either dictionary-coded text/booleans, or a numeric column treated as
 * categorical (`treat_as_categorical`). Numbers are matched by value, as pandas/numpy compare them (so an
 * int reference column and a float analysis column with NaN still meet: 1 == 1.0); text by its exact
 * string. A number never equals a string, as in pandas, so such values count as unseen.
 *
 * Counting is one pass over the codes (or values) into typed arrays.
 */
import { CategoricalColumn, Column, compareCodePoints, MISSING_CODE } from '../../frame';
import { CategoryCounts } from './methods';

/** The reference categories in np.unique order (only categories that occur), as plain data. */
export type CategoryTable = { type: 'text'; levels: string[] } | { type: 'number'; values: number[] };

export interface CategoricalReference {
  table: CategoryTable;
  counts: CategoryCounts;
}

/** Learns the category table and counts of a reference column (missing values skipped). */
export function fitCategories(column: Column): CategoricalReference {
  if (column.kind === 'numeric') {
    const counts = new Map<number, number>();
    let total = 0;
    const columnValues = column.values;
    for (let i = 0; i < columnValues.length; i++) {
      const v = columnValues[i];
      if (Number.isNaN(v)) continue;
      counts.set(v, (counts.get(v) ?? 0) + 1);
      total++;
    }
    const values = [...counts.keys()].sort((a, b) => a - b);
    return {
      table: { type: 'number', values },
      counts: { seen: Float64Array.from(values, (v) => counts.get(v)!), unseen: [], total },
    };
  }
  const perLevel = countCodes(column);
  const present = column.levels.map((_, i) => i).filter((i) => perLevel[i] > 0);
  present.sort(levelComparator(column));
  let total = 0;
  for (const i of present) total += perLevel[i];
  return {
    table: { type: 'text', levels: present.map((i) => column.levels[i]) },
    counts: { seen: Float64Array.from(present, (i) => perLevel[i]), unseen: [], total },
  };
}

/** np.unique order: False < True for booleans, code-point order for strings. */
function levelComparator(column: CategoricalColumn): (a: number, b: number) => number {
  return (a, b) => compareCodePoints(column.levels[a], column.levels[b]);
}

function countCodes(column: CategoricalColumn): Float64Array {
  const counts = new Float64Array(column.levels.length);
  const codes = column.codes;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c !== MISSING_CODE) counts[c]++;
  }
  return counts;
}

const textIndexCache = new WeakMap<CategoryTable, Map<string, number>>();
const numberIndexCache = new WeakMap<CategoryTable, Map<number, number>>();

function textIndex(table: { type: 'text'; levels: string[] }): Map<string, number> {
  let m = textIndexCache.get(table);
  if (!m) {
    m = new Map(table.levels.map((l, i) => [l, i]));
    textIndexCache.set(table, m);
  }
  return m;
}

function numberIndex(table: { type: 'number'; values: number[] }): Map<number, number> {
  let m = numberIndexCache.get(table);
  if (!m) {
    m = new Map(table.values.map((v, i) => [v, i]));
    numberIndexCache.set(table, m);
  }
  return m;
}

/** A number written as text in a CSV level ('1', '2.5'); NaN when the text is not a plain number. */
function levelAsNumber(level: string): number {
  const t = level.trim();
  if (t === '' || t !== level) return NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : NaN;
}

/**
 * Reference category of each level of a chunk column (−1: unseen). Chunks of one file share the column's
 * level table, so the mapping is built once per (reference table, level table), not once per chunk.
 */
const targetCache = new WeakMap<CategoryTable, WeakMap<string[], Int32Array>>();

function levelTargets(table: CategoryTable, column: CategoricalColumn): Int32Array {
  let perTable = targetCache.get(table);
  if (!perTable) targetCache.set(table, (perTable = new WeakMap()));
  let target = perTable.get(column.levels);
  if (!target || target.length !== column.levels.length) {
    target = new Int32Array(column.levels.length);
    for (let i = 0; i < column.levels.length; i++) {
      const level = column.levels[i];
      let t: number | undefined;
      if (table.type === 'text') t = textIndex(table).get(level);
      else if (column.dtype !== 'bool') t = numberIndex(table).get(levelAsNumber(level));
      target[i] = t ?? -1;
    }
    perTable.set(column.levels, target);
  }
  return target;
}

/** Counts a chunk column's non-missing values against the reference categories. */
export function countCategories(table: CategoryTable, column: Column): CategoryCounts {
  const size = table.type === 'text' ? table.levels.length : table.values.length;
  const seen = new Float64Array(size);
  if (column.kind === 'categorical') {
    const target = levelTargets(table, column);
    const unseenPerLevel = new Float64Array(column.levels.length);
    let total = 0;
    const codes = column.codes;
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c === MISSING_CODE) continue;
      total++;
      const t = target[c];
      if (t >= 0) seen[t]++;
      else unseenPerLevel[c]++;
    }
    const unseen: number[] = [];
    for (let i = 0; i < unseenPerLevel.length; i++) if (unseenPerLevel[i] > 0) unseen.push(unseenPerLevel[i]);
    return { seen, unseen, total };
  }
  const values = column.values;
  const unseen = new Map<number, number>();
  let total = 0;
  const index = table.type === 'number' ? numberIndex(table) : null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    total++;
    const t = index?.get(v);
    if (t !== undefined) seen[t]++;
    else unseen.set(v, (unseen.get(v) ?? 0) + 1);
  }
  return { seen, unseen: [...unseen.values()], total };
}
