/**
 * The Prometheus series of the server, kept current chunk by chunk instead of rebuilt from every stored
 * result (docs/prometheus.md "How the series are kept").
 *
 * - `ModelSeries`: one model's samples, per series a sorted list of (chunk start, chunk index, chunk id,
 *   value), and per chunk the series it contributed to. Applying a chunk's new result rows removes the
 *   chunk's old samples and splices in the new ones (a binary search per series); only the series a
 *   chunk touched are built again (Float64Array copies), on `publish()`.
 * - `SeriesIndex`: every model's series, per metric name a list sorted by labels (Prometheus's order; the
 *   name is the first label in that order, so the lists in name order are the whole sorted set). A
 *   selector with `__name__="…"`, as every alert rule has, reads one list.
 *
 * The result is the same as series.ts `seriesOfRows` over all of a model's rows (tested after random
 * sequences of writes, deletes, reference replacements and model deletions: series-index.test.ts):
 * within a series, samples are ordered by chunk start, then chunk index; of samples at one time the
 * later chunk's is kept; a series stays current until the latest end of its chunks plus the lookback.
 */
import { LabelMatcher } from './ast';
import { Labels, METRIC_NAME, sortedNames } from './labels';
import { FamilyDef, familyOfCalculator, RESULT_FIELDS } from '../../engine/catalog';
import { fieldValue, ResultRowLike, rowLabels, rowTime, seriesName } from './series';
import { seriesMatches, Series, SeriesSource } from './source';

/** A result row with the chunk position the sample order needs (the store's ResultRecord is one). */
export interface IndexedRow extends ResultRowLike {
  chunkId: number;
  chunk: ResultRowLike['chunk'] & { index: number };
}

/** One series of a model: its samples, sorted by (time, chunk index, chunk id). */
export class SeriesState {
  readonly t: number[] = [];
  readonly ord: number[] = [];
  readonly cid: number[] = [];
  readonly v: number[] = [];
  readonly end: number[] = [];
  /** The built series (what select returns); replaced, never mutated, when the samples change. */
  series: Series | null = null;
  /** Its samples changed since it was last built (it is in its model's list of touched series). */
  changed = true;
  /** Where its model keeps it: the row identity's labels and the field (to forget it once empty). */
  slot: { labels: RowLabels; field: number } | null = null;

  /** Its labels as one string whose order is Prometheus's label-set order (compareLabels), made once. */
  readonly sortKey: string;

  constructor(
    readonly labels: Labels,
    readonly name: string,
  ) {
    this.sortKey = sortKeyOf(labels);
  }

  /** First position whose (t, ord, cid) is not below the given one. */
  private lowerBound(t: number, ord: number, cid: number): number {
    let lo = 0;
    let hi = this.t.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const below = this.t[mid] < t || (this.t[mid] === t && (this.ord[mid] < ord || (this.ord[mid] === ord && this.cid[mid] < cid)));
      if (below) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(t: number, ord: number, cid: number, v: number, end: number): void {
    const n = this.t.length;
    // The usual case: the newest chunk, after every other.
    const last = n - 1;
    if (n === 0 || this.t[last] < t || (this.t[last] === t && (this.ord[last] < ord || (this.ord[last] === ord && this.cid[last] < cid)))) {
      this.t.push(t);
      this.ord.push(ord);
      this.cid.push(cid);
      this.v.push(v);
      this.end.push(end);
      return;
    }
    const i = this.lowerBound(t, ord, cid);
    this.t.splice(i, 0, t);
    this.ord.splice(i, 0, ord);
    this.cid.splice(i, 0, cid);
    this.v.splice(i, 0, v);
    this.end.splice(i, 0, end);
  }

  remove(t: number, ord: number, cid: number): void {
    const last = this.t.length - 1;
    const i = last >= 0 && this.cid[last] === cid && this.t[last] === t && this.ord[last] === ord ? last : this.lowerBound(t, ord, cid);
    if (i >= this.t.length || this.cid[i] !== cid || this.t[i] !== t || this.ord[i] !== ord) throw new Error(`series index: no sample of chunk ${cid} to remove`);
    this.t.splice(i, 1);
    this.ord.splice(i, 1);
    this.cid.splice(i, 1);
    this.v.splice(i, 1);
    this.end.splice(i, 1);
  }

  get empty(): boolean {
    return this.t.length === 0;
  }

  /** One sample per time (the later chunk's), current until the latest chunk end plus the lookback. */
  build(lookbackMs: number): void {
    const n = this.t.length;
    const ts = new Float64Array(n);
    const vs = new Float64Array(n);
    let k = 0;
    let lastEnd = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      if (k > 0 && ts[k - 1] === this.t[i]) vs[k - 1] = this.v[i];
      else {
        ts[k] = this.t[i];
        vs[k] = this.v[i];
        k++;
      }
      if (this.end[i] > lastEnd) lastEnd = this.end[i];
    }
    this.series = { labels: this.labels, timestamps: k === n ? ts : ts.slice(0, k), values: k === n ? vs : vs.slice(0, k), currentUntil: lastEnd + lookbackMs };
    this.changed = false;
  }
}

/** The labels of one row identity (calculator, id, column, metric, open mark) and its series by field. */
interface RowLabels {
  family: FamilyDef;
  base: Record<string, string>;
  states: (SeriesState | undefined)[];
}

/** What one chunk put into a model's series, to take it out again. */
interface ChunkSamples {
  /** What the chunk's results were read at (the store's chunk state); a different one means read again. */
  stamp: string;
  /** The end (ms) of the chunk if it was open when read (its marks change when the clock passes it); else Infinity. */
  openUntil: number;
  states: SeriesState[];
  t: number[];
  ord: number[];
}

/** What a publish changed, for the index. */
export interface SeriesChanges {
  added: SeriesState[];
  removed: SeriesState[];
}

export class ModelSeries {
  private readonly states = new Set<SeriesState>();
  private readonly rowLabels = new Map<string, RowLabels | null>();
  private readonly chunkSamples = new Map<number, ChunkSamples>();
  /** Series made since the last publish. */
  private added: SeriesState[] = [];
  /** Series whose samples changed since the last publish. */
  private touched: SeriesState[] = [];
  /** Bumped by every publish that changed something. */
  version = 0;

  constructor(
    readonly name: string,
    private readonly lookbackMs: number,
  ) {}

  private touch(state: SeriesState): void {
    if (state.changed) return;
    state.changed = true;
    this.touched.push(state);
  }

  /** The chunk ids applied and the stamp each was read at. */
  stampOf(chunkId: number): string | undefined {
    return this.chunkSamples.get(chunkId)?.stamp;
  }

  chunkIds(): IterableIterator<number> {
    return this.chunkSamples.keys();
  }

  /** Chunks that were open when read and whose end the clock has passed (`now` ms). */
  closedSince(now: number): number[] {
    const out: number[] = [];
    for (const [id, c] of this.chunkSamples) if (now > c.openUntil) out.push(id);
    return out;
  }

  /** The earliest end of a chunk that was open when read (Infinity when none). */
  openUntil(): number {
    let until = Number.POSITIVE_INFINITY;
    for (const c of this.chunkSamples.values()) if (c.openUntil < until) until = c.openUntil;
    return until;
  }

  /** Takes a chunk's samples out (its results were deleted, or are about to be replaced). */
  removeChunk(chunkId: number): void {
    const c = this.chunkSamples.get(chunkId);
    if (!c) return;
    this.chunkSamples.delete(chunkId);
    for (let i = 0; i < c.states.length; i++) {
      c.states[i].remove(c.t[i], c.ord[i], chunkId);
      this.touch(c.states[i]);
    }
  }

  /**
   * Replaces a chunk's samples by those of its rows (already marked open or closed, with the alert the
   * read paths report). Rows of one series within the chunk: the last one counts, as in seriesOfRows.
   */
  setChunk(chunkId: number, stamp: string, openUntil: number, rows: readonly IndexedRow[]): void {
    this.removeChunk(chunkId);
    const c: ChunkSamples = { stamp, openUntil, states: [], t: [], ord: [] };
    // Of one series' samples in the chunk (rows of one identity), the last row's counts, as in seriesOfRows.
    const at = new Map<SeriesState, number>();
    for (const row of rows) {
      const time = rowTime(row);
      if (!time) continue;
      const labels = this.labelsOf(row);
      if (!labels) continue;
      for (let f = 0; f < RESULT_FIELDS.length; f++) {
        const v = fieldValue(row, RESULT_FIELDS[f]);
        if (v === null) continue;
        const state = (labels.states[f] ??= this.newState(seriesName(labels.family, RESULT_FIELDS[f], row.metric), labels, f));
        const k = at.get(state);
        if (k !== undefined) {
          // A second row of one series in one chunk: take its sample instead.
          state.remove(c.t[k], c.ord[k], chunkId);
          c.t[k] = time.start;
          c.ord[k] = row.chunk.index;
        } else {
          at.set(state, c.states.length);
          c.states.push(state);
          c.t.push(time.start);
          c.ord.push(row.chunk.index);
        }
        state.insert(time.start, row.chunk.index, chunkId, v, time.end);
        this.touch(state);
      }
    }
    this.chunkSamples.set(chunkId, c);
  }

  /** A row's labels and series, cached by what decides them (rowLabels); null when it has no family. */
  private labelsOf(row: IndexedRow): RowLabels | null {
    const key = `${row.calculator}\u0000${row.id}\u0000${row.column ?? ''}\u0000${row.metric}\u0000${row.partial === true ? 1 : 0}`;
    let labels = this.rowLabels.get(key);
    if (labels === undefined) {
      const family = familyOfCalculator(row.calculator);
      const base = family ? rowLabels(this.name, row, family) : null;
      labels = family && base ? { family, base, states: [] } : null;
      this.rowLabels.set(key, labels);
    }
    return labels;
  }

  private newState(name: string, labels: RowLabels, field: number): SeriesState {
    const state = new SeriesState({ [METRIC_NAME]: name, ...labels.base }, name);
    state.slot = { labels, field };
    this.states.add(state);
    this.added.push(state);
    this.touched.push(state);
    return state;
  }

  /** Builds the series whose samples changed; returns the series that appeared and those now empty. */
  publish(): SeriesChanges {
    const removed: SeriesState[] = [];
    for (const state of this.touched) {
      if (state.empty) {
        this.states.delete(state);
        state.slot!.labels.states[state.slot!.field] = undefined;
        // One made and emptied since the last publish was never built, nor in the index.
        if (state.series !== null) removed.push(state);
        state.changed = false;
      } else state.build(this.lookbackMs);
    }
    const added = this.added.filter((s) => !s.empty);
    if (this.touched.length > 0) this.version++;
    this.added = [];
    this.touched = [];
    return { added, removed };
  }

  /** Every series of the model (when the model goes away). */
  all(): SeriesState[] {
    return [...this.states].filter((s) => s.series !== null);
  }
}

/** Every model's series by metric name, each list sorted by labels. */
export class SeriesIndex implements SeriesSource {
  private readonly byName = new Map<string, SeriesState[]>();
  private names: string[] = [];

  /**
   * Takes in the changes of one refresh, every model's at once (series whose samples changed were rebuilt
   * in place): per metric name touched, one pass that drops the removed series and merges in the added
   * ones, sorted, so a refresh costs the lists it touches once, not once per model.
   */
  apply(changes: readonly SeriesChanges[]): void {
    const gone = new Set<SeriesState>();
    const addedByName = new Map<string, SeriesState[]>();
    for (const c of changes) {
      for (const s of c.removed) gone.add(s);
      for (const s of c.added) {
        let list = addedByName.get(s.name);
        if (!list) addedByName.set(s.name, (list = []));
        list.push(s);
      }
    }
    if (gone.size === 0 && addedByName.size === 0) return;
    const touched = new Set(addedByName.keys());
    for (const s of gone) touched.add(s.name);
    for (const name of touched) {
      const old = this.byName.get(name) ?? [];
      const kept = gone.size > 0 ? old.filter((s) => !gone.has(s)) : old;
      const added = (addedByName.get(name) ?? []).sort(bySortKey);
      const merged = added.length === 0 ? kept : mergeSorted(kept, added);
      if (merged.length > 0) this.byName.set(name, merged);
      else this.byName.delete(name);
    }
    this.names = [...this.byName.keys()].sort();
  }

  select(matchers: readonly LabelMatcher[]): Series[] {
    const named = matchers.find((m) => m.name === METRIC_NAME && m.op === '=');
    const lists = named ? [this.byName.get(named.value) ?? []] : this.names.map((n) => this.byName.get(n)!);
    const out: Series[] = [];
    for (const list of lists) {
      for (const s of list) if (matchers.length === 0 || seriesMatches(s.labels, matchers)) out.push(s.series!);
    }
    return out;
  }

  get size(): number {
    let n = 0;
    for (const list of this.byName.values()) n += list.length;
    return n;
  }
}

const bySortKey = (a: SeriesState, b: SeriesState) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0);

function mergeSorted(a: SeriesState[], b: SeriesState[]): SeriesState[] {
  const out: SeriesState[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i].sortKey <= b[j].sortKey ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/**
 * A string whose order (UTF-16, as compareStrings) is compareLabels's: the label names and values in name
 * order, each followed by U+0000, with U+0000 and U+0001 inside them written as U+0001 U+0001 and U+0001
 * U+0002. That code keeps the order of characters and no code is a prefix of another, and the terminator
 * sorts below every code, so a name, a value or a label set that is a prefix of another sorts first, as
 * in compareLabels.
 */
export function sortKeyOf(labels: Labels): string {
  let key = '';
  for (const n of sortedNames(labels)) key += `${escapeLow(n)}\u0000${escapeLow(labels[n])}\u0000`;
  return key;
}

const LOW = /[\u0000\u0001]/g;
const escapeLow = (x: string) => (x.search(LOW) < 0 ? x : x.replace(LOW, (c) => `\u0001${String.fromCharCode(c.charCodeAt(0) + 1)}`));
