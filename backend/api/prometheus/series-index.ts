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
import { compareLabels, Labels, METRIC_NAME } from './labels';
import { rowSamples, ResultRowLike } from './series';
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
  changed = true;

  constructor(
    readonly labels: Labels,
    readonly name: string,
  ) {}

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
    const i = this.lowerBound(t, ord, cid);
    this.t.splice(i, 0, t);
    this.ord.splice(i, 0, ord);
    this.cid.splice(i, 0, cid);
    this.v.splice(i, 0, v);
    this.end.splice(i, 0, end);
    this.changed = true;
  }

  remove(t: number, ord: number, cid: number): void {
    const i = this.lowerBound(t, ord, cid);
    if (i >= this.t.length || this.cid[i] !== cid || this.t[i] !== t || this.ord[i] !== ord) throw new Error(`series index: no sample of chunk ${cid} to remove`);
    this.t.splice(i, 1);
    this.ord.splice(i, 1);
    this.cid.splice(i, 1);
    this.v.splice(i, 1);
    this.end.splice(i, 1);
    this.changed = true;
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
  private readonly states = new Map<string, SeriesState>();
  private readonly chunkSamples = new Map<number, ChunkSamples>();
  /** Series made since the last publish. */
  private added: SeriesState[] = [];
  /** Bumped by every publish that changed something. */
  version = 0;

  constructor(
    readonly name: string,
    private readonly lookbackMs: number,
  ) {}

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
    for (let i = 0; i < c.states.length; i++) c.states[i].remove(c.t[i], c.ord[i], chunkId);
  }

  /**
   * Replaces a chunk's samples by those of its rows (already marked open or closed, with the alert the
   * read paths report). Rows of one series within the chunk: the last one counts, as in seriesOfRows.
   */
  setChunk(chunkId: number, stamp: string, openUntil: number, rows: readonly IndexedRow[]): void {
    this.removeChunk(chunkId);
    const per = new Map<SeriesState, { t: number; ord: number; v: number; end: number }>();
    const emitted: [SeriesState, number][] = [];
    for (const row of rows) {
      emitted.length = 0;
      const at = rowSamples(this.name, row, (name, base, v) => emitted.push([this.stateOf(name, base), v]));
      if (!at) continue;
      for (const [state, v] of emitted) per.set(state, { t: at.start, ord: row.chunk.index, v, end: at.end });
    }
    const c: ChunkSamples = { stamp, openUntil, states: [], t: [], ord: [] };
    for (const [state, s] of per) {
      state.insert(s.t, s.ord, chunkId, s.v, s.end);
      c.states.push(state);
      c.t.push(s.t);
      c.ord.push(s.ord);
    }
    this.chunkSamples.set(chunkId, c);
  }

  private stateOf(name: string, base: Record<string, string>): SeriesState {
    let key = name;
    for (const k in base) key += `\u0000${k}\u0001${base[k]}`;
    let state = this.states.get(key);
    if (!state) {
      state = new SeriesState({ [METRIC_NAME]: name, ...base }, name);
      this.states.set(key, state);
      this.added.push(state);
    }
    return state;
  }

  /** Builds the series whose samples changed; returns the series that appeared and those now empty. */
  publish(): SeriesChanges {
    const removed: SeriesState[] = [];
    let changed = false;
    for (const [key, state] of this.states) {
      if (!state.changed) continue;
      changed = true;
      if (state.empty) {
        this.states.delete(key);
        // One made and emptied since the last publish was never built, nor in the index.
        if (state.series !== null) removed.push(state);
      } else state.build(this.lookbackMs);
    }
    const added = this.added.filter((s) => !s.empty);
    this.added = [];
    if (changed) this.version++;
    return { added, removed };
  }

  /** Every series of the model (when the model goes away). */
  all(): SeriesState[] {
    return [...this.states.values()].filter((s) => s.series !== null);
  }
}

/** Every model's series by metric name, each list sorted by labels. */
export class SeriesIndex implements SeriesSource {
  private readonly byName = new Map<string, SeriesState[]>();
  private names: string[] = [];

  /** Takes in a publish's changes (series whose samples changed were rebuilt in place). */
  apply(changes: SeriesChanges): void {
    const touched = new Set<string>();
    if (changes.removed.length > 0) {
      const gone = new Set(changes.removed);
      for (const s of changes.removed) touched.add(s.name);
      for (const name of touched) {
        const left = this.byName.get(name)!.filter((s) => !gone.has(s));
        if (left.length > 0) this.byName.set(name, left);
        else this.byName.delete(name);
      }
    }
    for (const s of changes.added) {
      let list = this.byName.get(s.name);
      if (!list) this.byName.set(s.name, (list = []));
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareLabels(list[mid].labels, s.labels) < 0) lo = mid + 1;
        else hi = mid;
      }
      list.splice(lo, 0, s);
    }
    if (changes.removed.length > 0 || changes.added.length > 0) this.names = [...this.byName.keys()].sort();
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
