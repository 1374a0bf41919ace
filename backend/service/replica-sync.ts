/**
 * Replicas sharing one store (PostgreSQL): each Vigil process keeps its models in memory (definition,
 * layout, categorical dictionaries; the compute threads their fits), so what another replica changed in
 * the store must reach it. Every `intervalMs` (VIGIL_SYNC_INTERVAL, default 1 s) this reads the models'
 * stamps (one small query) and:
 *
 * - takes up a model registered elsewhere (runtime, dictionaries, compute threads), and forgets one
 *   deleted elsewhere;
 * - after a reference replaced elsewhere (the fit version moved), takes the new layout and dictionaries
 *   and has the compute threads drop their fit: the next recompute loads the saved fit (or refits);
 * - after rows ingested elsewhere (the last ingest time moved), re-reads the record and dictionaries;
 * - hands every model with dirty chunks to the compute scheduler, which claims them through the store
 *   (Store.claimChunks), so work ingested on an API-only replica, or left by a replica that died, is done.
 *
 * Changes of a model are applied under its lock, so a reference or batch being written by this replica
 * is never mistaken for one from elsewhere. Only started when the store is shared (Store.shared).
 */
import * as os from 'os';
import { ModelStamp, Store } from '../store/types';
import { ModelDefinition } from './definition';
import { ComputeEngine } from './engine';
import { Dictionary, ModelLayout } from './layout';
import { Logger } from './log';
import { ModelRuntime } from './runtime';
import type { ServiceHooks } from './service';

export const DEFAULT_SYNC_INTERVAL_MS = 1000;
/** How long a compute claim holds a chunk before another replica may take it over (VIGIL_CLAIM_LEASE). */
export const DEFAULT_CLAIM_LEASE_MS = 60_000;

/** A duration in ms from the environment variable `name`: its default when unset, at least `min`. */
function msFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min) throw new Error(`${name}: '${raw}' is not a number of milliseconds (at least ${min})`);
  return n;
}

/** VIGIL_SYNC_INTERVAL (ms, at least 50). */
export const syncIntervalFromEnv = (env: NodeJS.ProcessEnv) => msFromEnv(env, 'VIGIL_SYNC_INTERVAL', DEFAULT_SYNC_INTERVAL_MS, 50);

/** VIGIL_CLAIM_LEASE (ms, at least 1000): above the slowest claim's compute time. */
export const claimLeaseFromEnv = (env: NodeJS.ProcessEnv) => msFromEnv(env, 'VIGIL_CLAIM_LEASE', DEFAULT_CLAIM_LEASE_MS, 1000);

/** Who claims chunks in the store: this process's compute scheduler (host, pid, a random tag). */
export function claimOwner(): string {
  return `${os.hostname()}/${process.pid}/${Math.random().toString(36).slice(2, 10)}`;
}

export interface ReplicaHost {
  store: Store;
  engine: ComputeEngine;
  log: Logger;
  hooks: ServiceHooks;
  /** The service's models by name (this module adds and removes entries). */
  models: Map<string, ModelRuntime>;
  /** Whether this replica computes (role all or worker). */
  computes: boolean;
}

export class ReplicaSync {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly host: ReplicaHost,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => {
      // One pass at a time: a slow database does not pile passes up.
      if (this.running) return;
      this.running = this.tick()
        .catch((e) => this.host.log.warn('replica sync failed', { error: (e as Error).message }))
        .finally(() => (this.running = null));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass (also called by tests). */
  async tick(): Promise<void> {
    const { store, models } = this.host;
    const stamps = await store.modelStamps();
    const byName = new Map(stamps.map((s) => [s.name, s]));
    let changed = false;
    for (const [name, rt] of [...models]) {
      const s = byName.get(name);
      if (!s || s.id !== rt.record.id) {
        this.forget(name, rt);
        changed = true;
      }
    }
    for (const s of stamps) {
      if (this.stopped) return;
      const rt = models.get(s.name);
      if (!rt) {
        if (await this.adopt(s)) changed = true;
      } else if (s.fitVersion !== rt.record.fitVersion || s.lastIngestAt !== rt.record.lastIngestAt) {
        await this.refresh(rt);
      }
    }
    if (changed) this.host.hooks.modelsChanged?.(models.size);
    if (this.host.computes) {
      for (const [name, rt] of models) if (rt.layout && !rt.deleted && (await store.dirtyChunkCount(rt.record.id)) > 0) this.host.engine.schedule(name);
    }
  }

  /** A model registered by another replica. */
  private async adopt(stamp: ModelStamp): Promise<boolean> {
    const { store, engine, hooks, models } = this.host;
    const record = await store.getModel(stamp.name);
    if (!record || models.has(record.name)) return false;
    const rt = new ModelRuntime(record, record.definition as ModelDefinition);
    await this.loadDictionaries(rt);
    models.set(record.name, rt);
    engine.register(record);
    hooks.modelLoaded?.(record.name, { errorTotals: (await store.errorSummary(record.id)).totals, lastIngestAt: record.lastIngestAt });
    this.host.log.info('model taken up from the store', { model: record.name });
    return true;
  }

  /** A model deleted (or deleted and registered again) by another replica. */
  private forget(name: string, rt: ModelRuntime): void {
    rt.deleted = true;
    this.host.models.delete(name);
    this.host.engine.forget(name);
    this.host.hooks.modelDeleted?.(name);
    this.host.log.info('model deleted by another replica', { model: name });
  }

  /** Rows or a new reference stored by another replica: record, layout and dictionaries re-read. */
  private async refresh(rt: ModelRuntime): Promise<void> {
    await rt.lock.run(async () => {
      if (rt.deleted) return;
      const record = await this.host.store.getModel(rt.record.name);
      if (!record || record.id !== rt.record.id) return;
      const refitted = record.fitVersion !== rt.record.fitVersion;
      rt.record = record;
      await this.loadDictionaries(rt);
      if (!refitted) return;
      rt.layout = (record.layout as ModelLayout | null) ?? null;
      // The compute threads drop the fit they hold; the next recompute loads the one saved with the reference.
      this.host.engine.forget(record.name);
      this.host.engine.register(record);
      this.host.log.info('reference replaced by another replica', { model: record.name, fit_version: record.fitVersion });
    });
  }

  private async loadDictionaries(rt: ModelRuntime): Promise<void> {
    rt.dicts.clear();
    for (const [column, levels] of await this.host.store.loadLevels(rt.record.id)) rt.dicts.set(column, new Dictionary(levels));
  }
}
