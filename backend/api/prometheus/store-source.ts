/**
 * The SeriesSource over the server's results store: every model's analysis results mapped to series by
 * series.ts and held in memory (series-index.ts), kept current per chunk. Queries never compute: they
 * read what the recompute wrote.
 *
 * A refresh (on a query, when the store's results version moved or an open chunk's period ended) reads
 * every model's stamp, then the chunk stamps (one query) of the models whose results generation
 * (moved by every transaction that changes their results) or reference moved, or whose open chunk the
 * clock closed: the others are not looked at. It compares each of those chunks' stamp (its
 * result-write time, position and dates: every result write and renumbering changes it) with the stamp
 * its samples were read at; a new reference (the model's fit version) makes every chunk stale. Only chunks whose
 * stamp moved, that appeared or went away, or that were open and whose period has ended by the clock
 * (service/open-chunks.ts: their samples lose `partial` and count their alerts) are read again, and their
 * samples are spliced into the model's series. A model is read whole once, when first seen, in slices
 * of a few chunks that yield to the event loop between them. `invalidate()` drops everything.
 */
import { ModelDefinition } from '../../service/definition';
import { effectiveAlert, isOpen, openChunkPolicy, OpenChunkPolicy } from '../../service/open-chunks';
import type { ChunkStamp, ModelStamp, ResultRecord, Store } from '../../store/types';
import type { Partition } from './model-partials';
import { IndexedRow, ModelSeries, SeriesChanges, SeriesIndex } from './series-index';
import { segmentOfStoredModel } from './series';
import type { LabelMatcher } from './ast';
import { Series, SeriesSource } from './source';

/** Chunks read per store query while a model is read whole (then the refresh yields if it took long). */
const CHUNKS_PER_READ = 16;
/**
 * A refresh yields to the event loop once it has run this long (ms) without a break: queries that arrive
 * meanwhile wait for it in the query thread's queue (the rule bench at 200 models: a query waited 8 ms at
 * the median, 46 ms at p99, with slices of 8 ms).
 */
const SLICE_MS = 3;

interface KnownModel {
  id: number;
  createdAt: number;
  /** The reference version read: a new reference deletes every chunk's results (all are read again). */
  fitVersion: number;
  /** The results generation read (ModelStamp.resultsGen): while it stays, no chunk's stamp is read. */
  resultsGen: number;
  policy: OpenChunkPolicy;
  series: ModelSeries;
}

export class StoreSeriesSource {
  private readonly models = new Map<string, KnownModel>();
  private index = new SeriesIndex();
  private refreshing: Promise<SeriesSource> | null = null;
  /** The results version the refresh in flight started at. */
  private refreshingAt: string | null = null;
  /** The store's results version the series were last brought to, and the clock then. */
  private seenVersion: string | null = null;
  /** Counters for tests and the bench: chunks read, and models read whole. */
  readonly reads = { chunks: 0, fullBuilds: 0 };

  constructor(
    private readonly store: Store,
    /** How long the last chunk stays current after its end (VIGIL_PROM_LOOKBACK). */
    private readonly lookbackMs: number,
    /** The server's clock, which decides which chunks are open (service.now). */
    private readonly now: () => number = () => Date.now(),
    /**
     * The results version to refresh by (default the store's). The query thread passes the server's: its
     * own connection would count every commit of ingested rows as a change.
     */
    private readonly version: () => Promise<string> = () => store.resultsVersion(),
  ) {}

  /**
   * Until when (ms, inclusive) the series built so far keep their open/closed marks: the earliest end of a
   * chunk that was open when it was read (Infinity when none was).
   */
  openUntil(): number {
    let until = Number.POSITIVE_INFINITY;
    for (const m of this.models.values()) until = Math.min(until, m.series.openUntil());
    return until;
  }

  /**
   * A model's series stamp: its identity (id, creation) and series version, so it changes whenever the
   * model's series change, a model deleted and registered again included (undefined for a model not read).
   */
  private modelStamp(name: string): string | undefined {
    const m = this.models.get(name);
    return m === undefined ? undefined : `${m.id}:${m.createdAt}:${m.series.version}`;
  }

  /**
   * The models read, by the `model` label their series carry (in label order), with the stamp of their
   * series together: a segment's own model carries the segmented model's name (series.ts). Kept until a
   * model's series change: every rule answered by parts, and their upkeep after each refresh, walks it.
   */
  partitions(): ReadonlyMap<string, Partition> {
    if (this.partitionsKept !== null) return this.partitionsKept;
    const out = new Map<string, Partition>();
    for (const name of [...this.models.keys()].sort()) {
      const label = segmentOfStoredModel(name)?.model ?? name;
      const p = out.get(label);
      if (p) p.names.push(name);
      else out.set(label, { names: [name], stamp: '' });
    }
    for (const p of out.values()) p.stamp = p.names.map((n) => this.modelStamp(n)).join('|');
    return (this.partitionsKept = out);
  }

  /** partitions() as last made (null: a model came, went or had its series changed since). */
  private partitionsKept: Map<string, Partition> | null = null;

  /** One model's series that satisfy every matcher, sorted by labels (empty for a model not read). */
  modelSelect(name: string, matchers: readonly LabelMatcher[]): Series[] {
    return this.models.get(name)?.series.select(matchers) ?? [];
  }

  /** A model's series version: bumped each time its series change (undefined for a model not read yet). */
  modelVersion(name: string): number | undefined {
    return this.models.get(name)?.series.version;
  }

  /**
   * The current series. Callers share a refresh in flight that started at the results version they know
   * of; one that started at an older version (a query right after a result write) is waited for, then
   * the caller refreshes again.
   */
  async current(): Promise<SeriesSource> {
    for (;;) {
      const version = await this.version();
      if (this.refreshing === null) {
        this.refreshingAt = version;
        this.refreshing = this.refresh(version).finally(() => {
          this.refreshing = null;
          this.refreshingAt = null;
        });
        return this.refreshing;
      }
      if (this.refreshingAt === version) return this.refreshing;
      await this.refreshing.catch(() => undefined);
    }
  }

  invalidate(): void {
    this.partitionsKept = null;
    this.models.clear();
    this.index = new SeriesIndex();
    this.seenVersion = null;
  }

  /** `version`: read before the states (a write after this read changes it, so the next refresh looks). */
  private async refresh(version: string): Promise<SeriesSource> {
    if (version === this.seenVersion && this.now() <= this.openUntil()) return this.index;
    const slice = new Slicer();
    // Stamps, not whole records: a model's definition (its open-chunk policy) is read once, when first seen.
    // Read before the chunk stamps: a result write after this read moves a generation past the one kept.
    const records = await this.store.modelStamps();
    // The chunk stamps of the models whose results may have changed (in one read), per model in chunk
    // order: new models, a results generation or reference that moved, an open chunk the clock closed.
    const now = this.now();
    const changed = new Set<number>();
    for (const r of records) {
      const known = this.models.get(r.name);
      if (!known || known.id !== r.id || known.resultsGen !== r.resultsGen || known.fitVersion !== r.fitVersion || known.series.openUntil() < now) changed.add(r.id);
    }
    const stamps = new Map<number, ChunkStamp[]>();
    if (changed.size > 0) {
      for (const c of await this.store.chunkStamps(changed.size === records.length ? undefined : [...changed])) {
        let list = stamps.get(c.modelId);
        if (!list) stamps.set(c.modelId, (list = []));
        list.push(c);
      }
    }
    const seen = new Set<string>();
    // Every model's changes go into the index at once, at the end (series rebuilt meanwhile are swapped in place).
    const changes: SeriesChanges[] = [];
    for (const record of records) {
      seen.add(record.name);
      let known = this.models.get(record.name);
      if (known && (known.id !== record.id || known.createdAt !== record.createdAt)) {
        changes.push(this.forget(record.name));
        known = undefined;
      }
      if (!known) {
        const full = await this.store.getModel(record.name);
        if (!full || full.id !== record.id) continue; // deleted meanwhile
        known = { id: record.id, createdAt: record.createdAt, fitVersion: record.fitVersion, resultsGen: record.resultsGen, policy: openChunkPolicy(full.definition as ModelDefinition), series: new ModelSeries(record.name, this.lookbackMs) };
        await this.readWhole(known, stamps.get(record.id) ?? [], slice);
        this.models.set(record.name, known);
      } else if (changed.has(record.id)) {
        await this.update(known, record, stamps.get(record.id) ?? [], slice);
        known.resultsGen = record.resultsGen;
      } else continue;
      changes.push(known.series.publish());
      this.partitionsKept = null; // a model came or its series changed (forget covers those that went)
      await slice.check();
    }
    for (const name of [...this.models.keys()]) if (!seen.has(name)) changes.push(this.forget(name));
    this.index.apply(changes);
    this.seenVersion = version;
    return this.index;
  }

  private forget(name: string): SeriesChanges {
    const known = this.models.get(name)!;
    this.models.delete(name);
    this.partitionsKept = null;
    return { added: [], removed: known.series.all() };
  }

  /** A model seen for the first time: every chunk, a few per read, yielding between reads when slow. */
  private async readWhole(known: KnownModel, chunks: ChunkStamp[], slice: Slicer): Promise<void> {
    this.reads.fullBuilds++;
    for (let i = 0; i < chunks.length; i += CHUNKS_PER_READ) {
      await this.readChunks(known, chunks.slice(i, i + CHUNKS_PER_READ));
      await slice.check();
    }
  }

  /** Reads again the chunks whose stamp moved or whose open period ended; drops those that went away. */
  private async update(known: KnownModel, record: ModelStamp, chunks: ChunkStamp[], slice: Slicer): Promise<void> {
    const newReference = record.fitVersion !== known.fitVersion;
    known.fitVersion = record.fitVersion;
    const now = this.now();
    const closed = new Set(known.series.closedSince(now));
    const present = new Set<number>();
    const stale: ChunkStamp[] = [];
    for (const c of chunks) {
      present.add(c.chunkId);
      if (newReference || closed.has(c.chunkId) || known.series.stampOf(c.chunkId) !== stampOf(c)) stale.push(c);
    }
    for (const id of [...known.series.chunkIds()]) if (!present.has(id)) known.series.removeChunk(id);
    for (let i = 0; i < stale.length; i += CHUNKS_PER_READ) {
      await this.readChunks(known, stale.slice(i, i + CHUNKS_PER_READ));
      await slice.check();
    }
  }

  private async readChunks(known: KnownModel, chunks: ChunkStamp[]): Promise<void> {
    if (chunks.length === 0) return;
    this.reads.chunks += chunks.length;
    const rows = await this.store.queryResults({ modelId: known.id, period: 'analysis', chunkIds: chunks.map((c) => c.chunkId) });
    const byChunk = new Map<number, ResultRecord[]>();
    for (const r of rows) {
      let list = byChunk.get(r.chunkId);
      if (!list) byChunk.set(r.chunkId, (list = []));
      list.push(r);
    }
    const now = this.now();
    for (const c of chunks) {
      const { marked, openUntil } = markOpenChunks(known.policy, byChunk.get(c.chunkId) ?? [], now);
      known.series.setChunk(c.chunkId, stampOf(c), openUntil, marked);
    }
  }
}

/** Yields to the event loop once the work since the last yield has run SLICE_MS. */
export class Slicer {
  private since = performance.now();

  async check(): Promise<void> {
    if (performance.now() - this.since < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.since = performance.now();
  }
}

/**
 * What a chunk's results were read at. Its results change only by a result write or a renumbering (both
 * move computedAt: a renumbering can rewrite the results' positions while the chunk's own stay), a new reference (the model's fitVersion, checked apart) or the chunk's removal;
 * rows landing in it (generation, dirty) change nothing until its recompute is written.
 */
function stampOf(c: ChunkStamp): string {
  return `${c.computedAt ?? ''},${c.chunkIndex},${c.startIndex},${c.endIndex},${c.startDate},${c.endDate}`;
}

/**
 * The rows with their open mark and the alert the read paths report (open-chunks.ts), and the earliest
 * end of an open period chunk among them (when the marks change by the clock; Infinity if none).
 */
export function markOpenChunks(policy: OpenChunkPolicy, rows: readonly ResultRecord[], now: number): { marked: IndexedRow[]; openUntil: number } {
  let openUntil = Number.POSITIVE_INFINITY;
  const marked = rows.map((r): IndexedRow => {
    // The stored flag of a period chunk was set at compute time: the clock decides now.
    if (!isOpen(policy, r, now)) return r.partial ? { ...r, partial: false } : r;
    if (policy.periodChunks && r.chunk.end_date !== null) openUntil = Math.min(openUntil, r.chunk.end_date);
    return { ...r, partial: true, alert: effectiveAlert(policy, r, now) };
  });
  return { marked, openUntil };
}
