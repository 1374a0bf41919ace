/**
 * The SeriesSource over the server's results store: every model's analysis results mapped to series by
 * series.ts, held in memory and rebuilt for a model only when its results changed. Queries never compute:
 * they read what the recompute wrote.
 *
 * Change detection is a per-model fingerprint read on each request (two small indexed queries per model):
 * the model's fit version and, per analysis chunk, its generation, dirty flag, row count and dates. Every
 * ingest, refit and result write changes one of them. `invalidate()` drops the cache outright.
 *
 * Which chunks are open also follows the clock (a period chunk closes when its period ends: its samples
 * lose the `partial` label and its alert counts, service/open-chunks.ts), so a model's series are also
 * rebuilt once the clock passes the end of one of its open chunks; `openUntil()` tells the answer caches
 * when that is.
 */
import { ModelDefinition } from '../../service/definition';
import { effectiveAlert, isOpen, openChunkPolicy } from '../../service/open-chunks';
import type { ModelRecord, ResultRecord, Store, StoredChunk } from '../../store/types';
import { ResultRowLike, seriesOfRows } from './series';
import { MemorySeriesSource, Series, SeriesSource } from './source';

interface CachedModel {
  fingerprint: string;
  series: Series[];
  /** The end (ms) of the earliest-ending chunk that was open when the series were built; Infinity if none. */
  openUntil: number;
}

export class StoreSeriesSource {
  private readonly models = new Map<string, CachedModel>();
  private combined: MemorySeriesSource = new MemorySeriesSource([]);
  private refreshing: Promise<SeriesSource> | null = null;

  constructor(
    private readonly store: Store,
    /** How long the last chunk stays current after its end (VIGIL_PROM_LOOKBACK). */
    private readonly lookbackMs: number,
    /** The server's clock, which decides which chunks are open (service.now). */
    private readonly now: () => number = () => Date.now(),
  ) {}

  /**
   * Until when (ms, inclusive) the series built so far keep their open/closed marks: the earliest end of a
   * chunk that was open when they were built (Infinity when none was).
   */
  openUntil(): number {
    let until = Number.POSITIVE_INFINITY;
    for (const m of this.models.values()) until = Math.min(until, m.openUntil);
    return until;
  }

  /** The current series; concurrent callers share one refresh. */
  current(): Promise<SeriesSource> {
    if (!this.refreshing) {
      this.refreshing = this.refresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  invalidate(): void {
    this.models.clear();
    this.combined = new MemorySeriesSource([]);
  }

  private async refresh(): Promise<SeriesSource> {
    const records = await this.store.listModels();
    let changed = false;
    const seen = new Set<string>();
    for (const model of records) {
      seen.add(model.name);
      const fingerprint = fingerprintOf(model, await this.store.chunks(model.id));
      const now = this.now();
      const cached = this.models.get(model.name);
      if (cached?.fingerprint === fingerprint && now <= cached.openUntil) continue;
      const rows = await this.store.queryResults({ modelId: model.id, period: 'analysis' });
      const { marked, openUntil } = markOpenChunks(model, rows, now);
      this.models.set(model.name, { fingerprint, series: seriesOfRows(model.name, marked, this.lookbackMs), openUntil });
      changed = true;
    }
    for (const name of [...this.models.keys()]) {
      if (!seen.has(name)) {
        this.models.delete(name);
        changed = true;
      }
    }
    if (changed) this.combined = new MemorySeriesSource([...this.models.values()].flatMap((m) => m.series));
    return this.combined;
  }
}

/** The rows with their open mark and the alert the read paths report (open-chunks.ts). */
function markOpenChunks(model: ModelRecord, rows: ResultRecord[], now: number): { marked: ResultRowLike[]; openUntil: number } {
  const policy = openChunkPolicy(model.definition as ModelDefinition);
  let openUntil = Number.POSITIVE_INFINITY;
  const marked = rows.map((r) => {
    // The stored flag of a period chunk was set at compute time: the clock decides now.
    if (!isOpen(policy, r, now)) return r.partial ? { ...r, partial: false } : r;
    if (policy.periodChunks && r.chunk.end_date !== null) openUntil = Math.min(openUntil, r.chunk.end_date);
    return { ...r, partial: true, alert: effectiveAlert(policy, r, now) };
  });
  return { marked, openUntil };
}

function fingerprintOf(model: ModelRecord, chunks: StoredChunk[]): string {
  let fp = `${model.id}:${model.fitVersion}:${model.analysisRows}:${model.targets}`;
  for (const c of chunks) fp += `|${c.chunkId},${c.gen},${c.dirty ? 1 : 0},${c.nRows},${c.startDate},${c.endDate}`;
  return fp;
}
