/**
 * The SeriesSource over the server's results store: every model's analysis results mapped to series by
 * series.ts, held in memory and rebuilt for a model only when its results changed. Queries never compute:
 * they read what the recompute wrote.
 *
 * Change detection is a per-model fingerprint read on each request (two small indexed queries per model):
 * the model's fit version and, per analysis chunk, its generation, dirty flag, row count and dates. Every
 * ingest, refit and result write changes one of them. `invalidate()` drops the cache outright.
 */
import type { ModelRecord, Store, StoredChunk } from '../../store/types';
import { seriesOfRows } from './series';
import { MemorySeriesSource, Series, SeriesSource } from './source';

interface CachedModel {
  fingerprint: string;
  series: Series[];
}

export class StoreSeriesSource {
  private readonly models = new Map<string, CachedModel>();
  private combined: MemorySeriesSource = new MemorySeriesSource([]);
  private refreshing: Promise<SeriesSource> | null = null;

  constructor(
    private readonly store: Store,
    /** How long the last chunk stays current after its end (VIGIL_PROM_LOOKBACK). */
    private readonly lookbackMs: number,
  ) {}

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
      if (this.models.get(model.name)?.fingerprint === fingerprint) continue;
      const rows = await this.store.queryResults({ modelId: model.id, period: 'analysis' });
      this.models.set(model.name, { fingerprint, series: seriesOfRows(model.name, rows, this.lookbackMs) });
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

function fingerprintOf(model: ModelRecord, chunks: StoredChunk[]): string {
  let fp = `${model.id}:${model.fitVersion}:${model.analysisRows}:${model.targets}`;
  for (const c of chunks) fp += `|${c.chunkId},${c.gen},${c.dirty ? 1 : 0},${c.nRows},${c.startDate},${c.endDate}`;
  return fp;
}
