/**
 * Where the heavy parts of an ingest run: parsing a rows body, and writing an ingested batch to the
 * store. With the compiled build (the server), each has a worker thread of its own (ingest-worker.ts):
 * the main thread, which answers queries, only receives bodies, coerces the parsed columns to the
 * model's types (per distinct level for CSV text, with the model's dictionaries, which live here), and
 * answers. Inline (tests from TypeScript sources, an in-memory store, VIGIL_COMPUTE=inline) both run on
 * the caller's thread, with the same results.
 *
 * Order: each worker answers in the order it was asked, and the service takes the model's lock when a
 * parse is answered, so the batches of a model are written in the order their bodies arrived. A batch
 * is all or nothing: the writer's store runs it in one transaction, and a parse error rejects it
 * before anything is written.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RowBatch, Store, StoreConflictError } from '../store/types';
import { BodyFormat, ParsedParts, ParsedRows, parseRowsBody, rowsFromParts, RowsBody } from './body';
import { planChunks } from './chunk-plan';
import type { SerializedError } from '../threads/errors';
import { Thread } from '../threads/thread';
import { deserializeError } from './engine';
import { ApiError } from './errors';
import { StreamChunker } from './layout';

export interface WriteReply {
  inserted: number;
  duplicates: number;
  /** the batch re-planned chunks whose stored results were removed (cached answers are stale) */
  resultsRemoved: boolean;
}

export interface IngestPipeline {
  readonly kind: 'worker' | 'inline';
  parse(body: RowsBody, format: BodyFormat): Promise<ParsedRows>;
  /**
   * Stores coerced batches of one model, in order, each in a transaction of its own (it plans the
   * chunks it touches). Once one fails, the later ones are not written (they may use its new levels)
   * and get its error too.
   */
  writeMany(modelId: number, batches: RowBatch[], chunker: StreamChunker): Promise<(WriteReply | Error)[]>;
  close(): Promise<void>;
}

/** Messages to an ingest worker; each gets a reply with the same id. */
export type ToIngestWorker =
  | { type: 'parse'; id: number; body: Uint8Array; format: BodyFormat }
  | { type: 'write'; id: number; modelId: number; batches: RowBatch[]; chunker: StreamChunker }
  | { type: 'close'; id: number };

export interface IngestWorkerData {
  role: 'parse' | 'write';
  dbPath?: string;
  synchronous?: 'full' | 'normal';
}

/** writeMany's work, on whichever thread holds the store connection. */
export async function writeBatches(store: Store, modelId: number, batches: RowBatch[], chunker: StreamChunker): Promise<(WriteReply | Error)[]> {
  const out: (WriteReply | Error)[] = [];
  let failed: Error | null = null;
  for (const batch of batches) {
    if (failed) {
      out.push(failed);
      continue;
    }
    let resultsRemoved = false;
    try {
      const res = await store.ingestRows(modelId, batch, (accepted) => {
        const plan = planChunks(accepted, chunker);
        resultsRemoved = plan.remove.length > 0;
        return plan;
      });
      out.push({ ...res, resultsRemoved });
    } catch (e) {
      failed = e instanceof StoreConflictError ? retryLater(e) : e instanceof Error ? e : new Error(String(e));
      out.push(failed);
    }
  }
  return out;
}

/**
 * A batch refused by the store because another replica changed the model meanwhile (PostgreSQL: a new
 * categorical level got the same code on two replicas, or the reference was replaced): nothing was
 * stored, and the same batch succeeds once this replica has reloaded the model's dictionaries (the
 * service does on any write failure) or followed the new reference (replica-sync.ts).
 */
export function retryLater(e: StoreConflictError): ApiError {
  return new ApiError(503, 'store_conflict', `${e.message}; nothing was stored: send the batch again`, 'body');
}

class InlinePipeline implements IngestPipeline {
  readonly kind = 'inline' as const;
  constructor(private readonly store: Store) {}

  async parse(body: RowsBody, format: BodyFormat): Promise<ParsedRows> {
    return parseRowsBody(body, format);
  }

  writeMany(modelId: number, batches: RowBatch[], chunker: StreamChunker): Promise<(WriteReply | Error)[]> {
    return writeBatches(this.store, modelId, batches, chunker);
  }

  async close(): Promise<void> {}
}

/**
 * Calls `flush` with every item submitted while the previous flush ran, in order: the batches that
 * arrive while one is being written go to the writer together (one request, one thread hop), which is
 * what keeps ingest fast when many clients post to one model. An item's result is its own: an Error
 * rejects only its submitter; a throwing flush rejects the whole group.
 */
export class Coalescer<I, O> {
  private readonly queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  constructor(private readonly flush: (items: I[]) => Promise<(O | Error)[]>) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const group = this.queue.splice(0);
      try {
        const out = await this.flush(group.map((g) => g.item));
        out.forEach((o, i) => (o instanceof Error ? group[i].reject(o) : group[i].resolve(o)));
      } catch (e) {
        for (const g of group) g.reject(e);
      }
    }
    this.running = false;
  }
}

/** One ingest worker thread (threads/thread.ts): requests and their replies, matched by id. */
class IngestThread {
  private readonly thread: Thread;

  constructor(data: IngestWorkerData) {
    this.thread = new Thread(INGEST_WORKER_FILE, { name: `ingest worker (${data.role})`, workerData: data, reviveError: deserializeError });
  }

  request<T>(msg: ToIngestWorker extends infer M ? (M extends unknown ? Omit<M, 'id'> : never) : never): Promise<T> {
    return this.thread.request<T>(msg);
  }

  async close(): Promise<void> {
    if (!this.thread.failed) await this.request({ type: 'close' }).catch(() => undefined);
    await this.thread.stop();
  }
}

class WorkerPipeline implements IngestPipeline {
  readonly kind = 'worker' as const;
  private readonly parser: IngestThread;
  private readonly writer: IngestThread;

  constructor(dbPath: string, synchronous: 'full' | 'normal' | undefined) {
    this.parser = new IngestThread({ role: 'parse' });
    this.writer = new IngestThread({ role: 'write', dbPath, synchronous });
  }

  async parse(body: RowsBody, format: BodyFormat): Promise<ParsedRows> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    return rowsFromParts(await this.parser.request<ParsedParts>({ type: 'parse', body: bytes, format }));
  }

  async writeMany(modelId: number, batches: RowBatch[], chunker: StreamChunker): Promise<(WriteReply | Error)[]> {
    const replies = await this.writer.request<(WriteReply | SerializedError)[]>({ type: 'write', modelId, batches, chunker });
    return replies.map((r) => ('message' in r ? deserializeError(r) : r));
  }

  async close(): Promise<void> {
    await Promise.all([this.parser.close(), this.writer.close()]);
  }
}

/** The compiled worker entry (absent when running from TypeScript sources). */
export const INGEST_WORKER_FILE = path.join(__dirname, 'ingest-worker.js');

/**
 * Worker threads when the compiled entry exists and the store is a file (another connection can open
 * it), as the compute engine decides; inline otherwise. With the writer thread, the main connection no
 * longer sees ingest commits as its own, so the store is told to count result writes as announced
 * (Store.announceResultWrites) rather than by any other connection's commit.
 */
export function createIngestPipeline(mode: 'worker' | 'inline' | 'auto', store: Store, synchronous?: 'full' | 'normal'): IngestPipeline {
  const useWorker = mode === 'worker' || (mode === 'auto' && fs.existsSync(INGEST_WORKER_FILE) && store.location !== ':memory:');
  if (!useWorker || !store.announceResultWrites) return new InlinePipeline(store);
  store.announceResultWrites();
  return new WorkerPipeline(store.location, synchronous);
}
