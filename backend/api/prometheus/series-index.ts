/**
 * The Prometheus series of the server, kept current chunk by chunk instead of rebuilt from every stored
 * result (docs/prometheus.md "How the series are kept current").
 *
 * - `ModelSeries`: one model's series. Each holds its samples in one Float64Array (times, values, chunk
 *   ids), sorted by (chunk start, chunk index, chunk id); each chunk knows its start, index and end and
 *   the series it put samples into. Applying a chunk's new result rows marks its old samples to drop and
 *   its new ones to add; `publish()` rebuilds only the series touched, in one merge pass each, as new
 *   arrays (a series a query holds never changes under it).
 * - `SeriesIndex`: every model's series, per metric name a list sorted by labels (Prometheus's order; the
 *   name is the first label in that order, so the lists in name order are the whole sorted set). A
 *   selector with `__name__="…"`, as every alert rule has, reads one list.
 *
 * The result is the same as series.ts `seriesOfRows` over all of a model's rows (tested after random
 * sequences of writes, deletes, reference replacements and model deletions: series-index.test.ts):
 * within a series, samples are ordered by chunk start, then chunk index; of samples at one time the
 * later chunk's is kept; a series stays current until the latest end of its chunks plus the lookback.
 * The rows of one chunk share its fields (one result write per chunk), so a chunk has one start.
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

/** Where a chunk's samples sit: its start (the sample time), index and end. */
interface ChunkPlace {
  t: number;
  ord: number;
  end: number;
}

/** The labels of one row identity (calculator, id, column, metric, open mark) and its series by field. */
interface RowLabels {
  family: FamilyDef;
  base: Record<string, string>;
  /** sortKeyOf(base): within one name's list, the order of the label sets. */
  sortKey: string;
  states: (SeriesState | undefined)[];
}

/**
 * Where the samples of a series sit: chunk ids and times, in sample order. The series of a model that have
 * samples in the same chunks (most have one in every chunk) share one, so a model holds one array of
 * times rather than one per series. Never mutated once made.
 */
interface Layout {
  /** Times, then chunk ids: 2n numbers. */
  data: Float64Array;
  /** data's times (what the built series gives as its timestamps when no two samples share a time). */
  times: Float64Array;
  /** The series that use it (it leaves its model's table at zero). */
  users: number;
  /** layoutHash of its chunk ids and times. */
  hash: number;
}

const EMPTY = new Float64Array(0);
const EMPTY_LAYOUT: Layout = { data: EMPTY, times: EMPTY, users: 0, hash: 0 };

/**
 * How the touched series that share an old layout and whose changed chunks are the same get their new
 * samples, worked out once per publish for all of them: the samples before `keep` stay in place (block
 * copies), and the rest is merged once here, so a publish during ingest, which changes the last chunks of
 * every series of a model, costs the tail it changes per series rather than the series' length.
 */
interface Transition {
  /** The new layout (null when no sample is left). */
  layout: Layout | null;
  keep: number;
  /** Per new sample from `keep` on: the old sample's index, or -(j + 1) for the j-th of `addedCids`. */
  tail: Int32Array;
  addedCids: number[];
  /** The latest end of the new layout's chunks, and whether two of its samples share a time. */
  lastEnd: number;
  dup: boolean;
}

/** One series of a model. */
export class SeriesState {
  /** Its samples' chunk ids and times (shared), and its values, one per sample of the layout; never mutated. */
  private layout: Layout = EMPTY_LAYOUT;
  private values: Float64Array = EMPTY;
  /** Samples to drop (by chunk) and to add (chunk → value) at the next build. */
  private drop: Set<number> | null = null;
  private add: Map<number, number> | null = null;
  /** The built series (what select returns); replaced, never mutated, when the samples change. */
  series: Series | null = null;
  /** Its samples changed since it was last built (it is in its model's list of touched series). */
  changed = true;

  constructor(
    readonly labels: Labels,
    /** The row identity's labels and this series' field there (to forget it once empty). */
    readonly row: RowLabels,
    readonly field: number,
  ) {}

  get name(): string {
    return this.labels[METRIC_NAME];
  }

  get sortKey(): string {
    return this.row.sortKey;
  }

  dropChunk(cid: number): void {
    (this.drop ??= new Set()).add(cid);
    this.add?.delete(cid);
  }

  /** A later call for the same chunk replaces the value (the last row of a series in a chunk counts). */
  addChunk(cid: number, v: number): void {
    (this.add ??= new Map()).set(cid, v);
  }

  /** The layout its samples sit in now (before the pending changes). */
  get currentLayout(): Layout {
    return this.layout;
  }

  /** Which chunks its next build drops and adds: series with the same old layout and key share a Transition. */
  changeKey(): string {
    const d = this.drop ? [...this.drop].sort((a, b) => a - b).join(',') : '';
    const a = this.add ? [...this.add.keys()].sort((x, y) => x - y).join(',') : '';
    return `${d}|${a}`;
  }

  /** The chunks to drop and the chunks added (what a Transition is worked out from). */
  pendingChanges(): { drop: ReadonlySet<number> | null; added: number[] } {
    return { drop: this.drop, added: this.add ? [...this.add.keys()] : [] };
  }

  /**
   * Takes its new samples: the transition's layout (shared) and `values` (its place in the publish's
   * array, filled here from its old values and its added ones), then the series: one sample per time (the
   * later chunk's), current until the latest end of its chunks plus the lookback. Returns the layout it
   * let go of.
   */
  place(t: Transition, values: Float64Array, lookbackMs: number): Layout {
    const old = this.values;
    if (t.keep > 0) values.set(old.subarray(0, t.keep));
    for (let k = 0; k < t.tail.length; k++) {
      const from = t.tail[k];
      values[t.keep + k] = from >= 0 ? old[from] : this.add!.get(t.addedCids[-from - 1])!;
    }
    const was = this.layout;
    this.layout = t.layout!;
    this.values = values;
    this.drop = null;
    this.add = null;
    this.changed = false;
    let timestamps = this.layout.times;
    if (t.dup) {
      const ts: number[] = [];
      const vs: number[] = [];
      for (let i = 0; i < values.length; i++) {
        if (ts.length > 0 && ts[ts.length - 1] === timestamps[i]) vs[vs.length - 1] = values[i];
        else {
          ts.push(timestamps[i]);
          vs.push(values[i]);
        }
      }
      timestamps = Float64Array.from(ts);
      values = Float64Array.from(vs);
    }
    this.series = { labels: this.labels, timestamps, values, currentUntil: t.lastEnd + lookbackMs };
    return was;
  }

  /** Forgets its samples (it is empty); returns the layout it let go of. */
  clear(): Layout {
    const was = this.layout;
    this.layout = EMPTY_LAYOUT;
    this.values = EMPTY;
    this.drop = null;
    this.add = null;
    this.changed = false;
    return was;
  }
}

/**
 * Series names by family, metric and field: every series of a name holds the same string (one per name
 * for the whole index, rather than one concatenated per series).
 */
const NAMES = new Map<FamilyDef, Map<string, string[]>>();

function internedSeriesName(family: FamilyDef, field: number, metric: string): string {
  let byMetric = NAMES.get(family);
  if (!byMetric) NAMES.set(family, (byMetric = new Map()));
  let names = byMetric.get(metric);
  if (!names) byMetric.set(metric, (names = RESULT_FIELDS.map((f) => seriesName(family, f, metric))));
  return names[field];
}

/** A hash of a layout's chunk ids and times (`data`: n times, then n chunk ids); equal ones are told apart by sameLayout. */
function layoutHash(data: Float64Array, n: number): number {
  let h = n;
  for (let i = 0; i < n; i++) h = (Math.imul(h, 31) + (data[n + i] % 0x7fffffff) + ((data[i] / 1000) % 0x7fffffff)) | 0;
  return h;
}

function sameLayout(l: Layout, data: Float64Array, n: number): boolean {
  if (l.times.length !== n) return false;
  for (let i = 0; i < 2 * n; i++) if (l.data[i] !== data[i]) return false;
  return true;
}

/** The first of the n times at the start of `data` that is not below `t`. */
function firstAtOrAfter(data: Float64Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (data[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const precedes = (ordA: number, cidA: number, ordB: number, cidB: number) => ordA < ordB || (ordA === ordB && cidA < cidB);

/** What one chunk put into a model's series, to take it out again. */
interface ChunkSamples extends ChunkPlace {
  /** What the chunk's results were read at (the store's chunk state); a different one means read again. */
  stamp: string;
  /** The end (ms) of the chunk if it was open when read (its marks change when the clock passes it); else Infinity. */
  openUntil: number;
  /** The row identities it has samples of (their series, a few of which may have no sample in it). */
  rows: RowLabels[];
}

/** What a publish changed, for the index. */
export interface SeriesChanges {
  added: SeriesState[];
  removed: SeriesState[];
}

export class ModelSeries {
  private readonly states = new Set<SeriesState>();
  /** The same series by metric name (what one model's select reads). */
  private readonly statesByName = new Map<string, Set<SeriesState>>();
  private readonly rowLabels = new Map<string, RowLabels | null>();
  private readonly chunkSamples = new Map<number, ChunkSamples>();
  /** The layouts its series use, by the hash of their chunk ids and times. */
  private readonly layouts = new Map<number, Layout[]>();
  /** The start (sample time) of each chunk taken out since the last publish, where its old samples sit. */
  private readonly dropTimes = new Map<number, number>();
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

  /**
   * The earliest end of a chunk that was open when read (Infinity when none). Kept between changes of the
   * chunks: every refresh asks it of every model, and every answer of all of them (200 models of 26
   * chunks: 5,200 entries walked each time, 7 % of the query thread's upkeep).
   */
  openUntil(): number {
    if (this.openUntilKept !== null) return this.openUntilKept;
    let until = Number.POSITIVE_INFINITY;
    for (const c of this.chunkSamples.values()) if (c.openUntil < until) until = c.openUntil;
    return (this.openUntilKept = until);
  }

  /** openUntil() as last walked (null: a chunk came or went since). */
  private openUntilKept: number | null = null;

  /** Takes a chunk's samples out (its results were deleted, or are about to be replaced). */
  removeChunk(chunkId: number): void {
    const c = this.chunkSamples.get(chunkId);
    if (!c) return;
    this.chunkSamples.delete(chunkId);
    this.openUntilKept = null;
    if (!Number.isNaN(c.t)) this.dropTimes.set(chunkId, Math.min(c.t, this.dropTimes.get(chunkId) ?? c.t));
    for (const row of c.rows) {
      for (const state of row.states) {
        if (!state) continue;
        state.dropChunk(chunkId);
        this.touch(state);
      }
    }
  }

  /**
   * Replaces a chunk's samples by those of its rows (already marked open or closed, with the alert the
   * read paths report). Rows of one series within the chunk: the last one counts, as in seriesOfRows.
   */
  setChunk(chunkId: number, stamp: string, openUntil: number, rows: readonly IndexedRow[]): void {
    this.removeChunk(chunkId);
    const c: ChunkSamples = { stamp, openUntil, t: NaN, ord: 0, end: NaN, rows: [] };
    const seen = new Set<RowLabels>();
    for (const row of rows) {
      const time = rowTime(row);
      if (!time) continue;
      const labels = this.labelsOf(row);
      if (!labels) continue;
      if (Number.isNaN(c.t)) ((c.t = time.start), (c.ord = row.chunk.index), (c.end = time.end));
      if (!seen.has(labels)) {
        seen.add(labels);
        c.rows.push(labels);
      }
      for (let f = 0; f < RESULT_FIELDS.length; f++) {
        const v = fieldValue(row, RESULT_FIELDS[f]);
        if (v === null) continue;
        let state = labels.states[f];
        if (!state) labels.states[f] = state = this.newState(internedSeriesName(labels.family, f, row.metric), labels, f);
        state.addChunk(chunkId, v);
        this.touch(state);
      }
    }
    this.chunkSamples.set(chunkId, c);
    this.openUntilKept = null;
  }

  /** A row's labels and series, cached by what decides them (rowLabels); null when it has no family. */
  private labelsOf(row: IndexedRow): RowLabels | null {
    const key = `${row.calculator}\u0000${row.id}\u0000${row.column ?? ''}\u0000${row.metric}\u0000${row.partial === true ? 1 : 0}`;
    let labels = this.rowLabels.get(key);
    if (labels === undefined) {
      const family = familyOfCalculator(row.calculator);
      const base = family ? rowLabels(this.name, row, family) : null;
      labels = family && base ? { family, base, sortKey: sortKeyOf(base), states: [] } : null;
      this.rowLabels.set(key, labels);
    }
    return labels;
  }

  private newState(name: string, labels: RowLabels, field: number): SeriesState {
    const state = new SeriesState({ [METRIC_NAME]: name, ...labels.base }, labels, field);
    this.states.add(state);
    let named = this.statesByName.get(state.name);
    if (!named) this.statesByName.set(state.name, (named = new Set()));
    named.add(state);
    this.added.push(state);
    this.touched.push(state);
    return state;
  }

  /**
   * Builds the series whose samples changed; returns the series that appeared and those now empty. The
   * values of the series built go into one array (each series' values a view of it), and their chunk ids
   * and times into the model's shared layouts: a few allocations per publish rather than a few per series.
   * Series that share an old layout and changed in the same chunks share one Transition (worked out once).
   */
  publish(): SeriesChanges {
    const removed: SeriesState[] = [];
    const added: SeriesState[] = [];
    const fresh = new Set(this.added);
    const byLayout = new Map<Layout, Map<string, Transition>>();
    const plans: Transition[] = new Array(this.touched.length);
    let total = 0;
    for (let i = 0; i < this.touched.length; i++) {
      const state = this.touched[i];
      const key = state.changeKey();
      let byKey = byLayout.get(state.currentLayout);
      if (!byKey) byLayout.set(state.currentLayout, (byKey = new Map()));
      let plan = byKey.get(key);
      if (!plan) byKey.set(key, (plan = this.transition(state)));
      plans[i] = plan;
      // Counted before any old layout is let go of, so that a new layout another series leaves stays known.
      if (plan.layout) {
        plan.layout.users++;
        total += plan.layout.times.length;
      }
    }
    const slab = new Float64Array(total);
    let at = 0;
    for (let i = 0; i < this.touched.length; i++) {
      const state = this.touched[i];
      const plan = plans[i];
      if (plan.layout) {
        const n = plan.layout.times.length;
        this.release(state.place(plan, slab.subarray(at, at + n), this.lookbackMs));
        at += n;
        if (fresh.has(state)) added.push(state);
        continue;
      }
      const had = state.series !== null;
      this.release(state.clear());
      this.states.delete(state);
      const named = this.statesByName.get(state.name)!;
      named.delete(state);
      if (named.size === 0) this.statesByName.delete(state.name);
      state.row.states[state.field] = undefined;
      // One made and emptied since the last publish was never built, nor in the index.
      // (A removed series keeps its last build until the index lets it go at the end of the refresh.)
      if (had && !fresh.has(state)) removed.push(state);
    }
    if (this.touched.length > 0) this.version++;
    this.added = [];
    this.touched = [];
    this.dropTimes.clear();
    return { added, removed };
  }

  /**
   * The new samples of `state` (and of every series with its old layout and changed chunks), sorted by
   * (time, chunk index, chunk id). Every sample of a chunk sits at the chunk's start, so the old samples
   * before the earliest start of a dropped or added chunk are kept as they are; only the rest is merged.
   */
  private transition(state: SeriesState): Transition {
    const chunks = this.chunkSamples;
    const old = state.currentLayout.data;
    const n = state.currentLayout.times.length;
    const { drop, added } = state.pendingChanges();
    added.sort((a, b) => {
      const x = chunks.get(a)!;
      const y = chunks.get(b)!;
      return x.t - y.t || x.ord - y.ord || a - b;
    });
    let from = added.length > 0 ? chunks.get(added[0])!.t : Number.POSITIVE_INFINITY;
    if (drop) for (const cid of drop) from = Math.min(from, this.dropTimes.get(cid) ?? Number.NEGATIVE_INFINITY);
    const keep = firstAtOrAfter(old, n, from);
    const times: number[] = [];
    const cids: number[] = [];
    const tail: number[] = [];
    let j = 0;
    const putAdded = () => {
      const at = chunks.get(added[j])!;
      times.push(at.t);
      cids.push(added[j]);
      tail.push(-(j + 1));
      j++;
    };
    for (let i = keep; i < n; i++) {
      const cid = old[n + i];
      if (drop?.has(cid)) continue;
      const t = old[i];
      // Added samples that sort before this one (a tie in time is decided by chunk index, then chunk id).
      while (j < added.length && (chunks.get(added[j])!.t < t || (chunks.get(added[j])!.t === t && precedes(chunks.get(added[j])!.ord, added[j], chunks.get(cid)!.ord, cid)))) putAdded();
      times.push(t);
      cids.push(cid);
      tail.push(i);
    }
    while (j < added.length) putAdded();
    const size = keep + times.length;
    const plan: Transition = { layout: null, keep, tail: Int32Array.from(tail), addedCids: added, lastEnd: Number.NEGATIVE_INFINITY, dup: false };
    if (size === 0) return plan;
    const data = new Float64Array(2 * size);
    data.set(old.subarray(0, keep), 0);
    data.set(times, keep);
    data.set(old.subarray(n, n + keep), size);
    data.set(cids, size + keep);
    plan.layout = this.layoutOf(data, size);
    for (let i = 0; i < size; i++) {
      const end = chunks.get(data[size + i])!.end;
      if (end > plan.lastEnd) plan.lastEnd = end;
      if (i > 0 && data[i] === data[i - 1]) plan.dup = true;
    }
    return plan;
  }

  /** The shared layout of these chunk ids and times (made when no series has it yet; users counted by the caller). */
  private layoutOf(data: Float64Array, n: number): Layout {
    const hash = layoutHash(data, n);
    let bucket = this.layouts.get(hash);
    if (!bucket) this.layouts.set(hash, (bucket = []));
    let layout = bucket.find((l) => sameLayout(l, data, n));
    if (!layout) {
      layout = { data, times: data.subarray(0, n), users: 0, hash };
      bucket.push(layout);
    }
    return layout;
  }

  private release(layout: Layout): void {
    if (layout === EMPTY_LAYOUT || --layout.users > 0) return;
    const bucket = this.layouts.get(layout.hash)!;
    bucket.splice(bucket.indexOf(layout), 1);
    if (bucket.length === 0) this.layouts.delete(layout.hash);
  }

  /** The model's series that satisfy every matcher, sorted by labels (the index's select, for one model). */
  select(matchers: readonly LabelMatcher[]): Series[] {
    const named = matchers.find((m) => m.name === METRIC_NAME && m.op === '=');
    const among = named ? (this.statesByName.get(named.value) ?? []) : this.states;
    const found: SeriesState[] = [];
    for (const s of among) if (s.series !== null && seriesMatches(s.labels, matchers)) found.push(s);
    return found.sort(bySortKey).map((s) => s.series!);
  }

  /** Every series of the model (when the model goes away). */
  all(): SeriesState[] {
    return [...this.states].filter((s) => s.series !== null);
  }
}

/** Series in and out of one name's list since it was last brought up to date. */
interface PendingChanges {
  added: Set<SeriesState>;
  removed: Set<SeriesState>;
}

/**
 * Every model's series by metric name, each list sorted by labels. A refresh's changes are noted per name
 * and merged into the name's list when the list is next selected (or once they are many): during ingest
 * the open chunks' series come and go every few seconds in every model, and refreshes run several times a
 * second, while a rule selects its name about once a second and most names are selected only by panels.
 * Merging on every refresh took a quarter of the query thread's time at 200 models (the rule bench).
 */
export class SeriesIndex implements SeriesSource {
  private readonly byName = new Map<string, SeriesState[]>();
  private readonly pending = new Map<string, PendingChanges>();
  private names: string[] = [];

  /** Takes in the changes of one refresh, every model's at once (series whose samples changed were rebuilt in place). */
  apply(changes: readonly SeriesChanges[]): void {
    for (const c of changes) {
      for (const s of c.removed) {
        const p = this.pendingOf(s.name);
        // A series made and gone between two merges never enters the list.
        if (!p.added.delete(s)) p.removed.add(s);
      }
      for (const s of c.added) {
        this.pendingOf(s.name).added.add(s);
        if (!this.byName.has(s.name)) {
          this.byName.set(s.name, []);
          this.names = [...this.byName.keys()].sort();
        }
      }
    }
    // Changes are merged once they are many for their list: each merge costs the list once, so the
    // series that wait are bounded and each change costs O(1) amortised, whether or not the name is read.
    for (const [name, p] of this.pending) {
      if (p.added.size + p.removed.size >= Math.max(MERGE_AT_LEAST, (this.byName.get(name)?.length ?? 0) / 2)) this.merge(name);
    }
  }

  private pendingOf(name: string): PendingChanges {
    let p = this.pending.get(name);
    if (!p) this.pending.set(name, (p = { added: new Set(), removed: new Set() }));
    return p;
  }

  /** Brings a name's list up to date with the changes noted for it. */
  private merge(name: string): void {
    const p = this.pending.get(name);
    if (!p) return;
    this.pending.delete(name);
    const old = this.byName.get(name) ?? [];
    const removed = [...p.removed];
    const added = [...p.added].sort(bySortKey);
    let merged: SeriesState[];
    if (removed.length + added.length <= old.length / SMALL_CHANGE) {
      // A few series in and out of a long list: found by binary search and spliced in place. Safe:
      // select copies what it returns, and nothing runs in between.
      for (const s of removed) {
        const i = findSorted(old, s.sortKey);
        if (i < old.length && old[i] === s) old.splice(i, 1);
      }
      for (const s of added) old.splice(findSorted(old, s.sortKey), 0, s);
      merged = old;
    } else {
      const kept = removed.length > 0 ? old.filter((s) => !p.removed.has(s)) : old;
      merged = added.length === 0 ? kept : mergeSorted(kept, added);
    }
    if (merged.length > 0) this.byName.set(name, merged);
    else if (this.byName.delete(name)) this.names = [...this.byName.keys()].sort();
  }

  select(matchers: readonly LabelMatcher[]): Series[] {
    const named = matchers.find((m) => m.name === METRIC_NAME && m.op === '=');
    // The other matchers (the name's is what chose the list).
    const rest = named ? matchers.filter((m) => m !== named) : matchers;
    if (named) this.merge(named.value);
    else for (const name of [...this.pending.keys()]) this.merge(name);
    const lists = named ? [this.byName.get(named.value) ?? []] : this.names.map((n) => this.byName.get(n)!);
    const out: Series[] = [];
    for (const list of lists) {
      if (rest.length === 0) for (const s of list) out.push(s.series!);
      else for (const s of list) if (seriesMatches(s.labels, rest)) out.push(s.series!);
    }
    return out;
  }

  get size(): number {
    for (const name of [...this.pending.keys()]) this.merge(name);
    let n = 0;
    for (const list of this.byName.values()) n += list.length;
    return n;
  }
}

/** Changes noted for a name are merged once they are at least this many (and half its list). */
const MERGE_AT_LEAST = 256;

/** A change to a name's list is spliced in place when it is at most 1/SMALL_CHANGE of the list. */
const SMALL_CHANGE = 16;

/** The first index of `list` (sorted by sort key) whose key is not below `key`. */
function findSorted(list: readonly SeriesState[], key: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].sortKey < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
