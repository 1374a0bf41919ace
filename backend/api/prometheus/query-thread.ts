/**
 * The query thread, the main thread's side: the Prometheus answers that read the series (query and
 * query_range evaluations, the listings, /metrics' monitoring series) are made in a worker thread of their
 * own (query-worker.ts), which holds the series index over its own connection to the store. The main
 * thread reads the request, answers from its answer cache when it can (router.ts, fast.ts), and otherwise
 * forwards the parameters as text and sends back the bytes the thread made. So neither the series' upkeep
 * (reading the chunks whose results changed) nor an evaluation runs on the thread that accepts ingest.
 *
 * Each request carries the server's results version and clock: the thread's series are refreshed when the
 * version moved (store-source.ts), so a query sent after a result write is answered with it. Between
 * requests the main thread tells the thread when the version moved (watch), so the refresh is done before
 * the next query asks. A thread that fails is logged and started again on the next request; the requests
 * it held get a 500 `internal`.
 */
import * as path from 'path';
import { Logger } from '../../service/log';
import { DEFAULT_SYNC_INTERVAL_MS } from '../../service/replica-sync';
import { WireAnswer } from '../../service/response-cache';
import type { Store } from '../../store/types';
import { queryThreadLimits } from '../../threads/heap-limit';
import { compiledWorker, Thread } from '../../threads/thread';
import { errorAnswer, Params, WireParams } from './params';
import { ListEndpoint, QueryEndpoint, QueryPlan, SeriesAnswers, StoreAnswersConfig } from './series-answers';

/** What the thread is started with. */
export interface QueryThreadData {
  /** The store to open (Store.location). */
  location: string;
  config: StoreAnswersConfig;
}

/** Sent with every request: what the main thread knows that the thread must follow. */
interface Stamp {
  /** The server's results version (Store.resultsVersion on the main thread's connection). */
  version: string;
  /** The server's clock (service.now), which decides open chunks and the time of instant queries without one. */
  now: number;
}

type QueryRequest =
  | { type: 'evaluate'; endpoint: QueryEndpoint; params: WireParams }
  | { type: 'list'; endpoint: ListEndpoint; params: WireParams; labelName?: string }
  | { type: 'exposition' };

/** A notice without reply: the results version moved (the thread reads the changes before a query asks). */
type VersionNotice = { type: 'version' };

export type ToQueryThread = Stamp & (QueryRequest | VersionNotice);

/** How often (ms) the main thread looks whether the results version moved, to tell the thread. */
const NOTICE_MS = 50;

/** An answer made by the thread, and its series' open/closed marks' validity then. */
export interface ThreadAnswer {
  status: number;
  body: Uint8Array;
  openUntil: number;
}

export interface ThreadExposition {
  text: string;
  openUntil: number;
}

/** The compiled thread entry (null when running from TypeScript sources: answers are made in process). */
export const QUERY_WORKER_FILE = compiledWorker(__dirname, 'query-worker.js');

export class QueryThread implements SeriesAnswers {
  private thread: Thread | null = null;
  private until = Number.POSITIVE_INFINITY;
  private watching: NodeJS.Timeout | null = null;
  /** The last version the thread was told of (by a notice or a request). */
  private told = '';
  /** When the results version was last read (Date.now), by the watch or a request. */
  private readAt = 0;
  /** Store.localResultWrites just before that read (-1: none yet). */
  private writesAtRead = -1;
  /** A watch read in flight: a slow store gets no second one on top. */
  private reading = false;

  constructor(
    private readonly store: Store,
    private readonly config: StoreAnswersConfig,
    private readonly now: () => number,
    private readonly log: Logger,
    private readonly file: string = QUERY_WORKER_FILE ?? path.join(__dirname, 'query-worker.js'),
    /** VIGIL_SYNC_INTERVAL: at most this long (ms) before a shared store's version is read again (watch). */
    private readonly syncIntervalMs: number = DEFAULT_SYNC_INTERVAL_MS,
  ) {}

  private running(): Thread {
    if (this.thread === null || this.thread.failed) {
      const data: QueryThreadData = { location: this.store.location, config: this.config };
      this.thread = new Thread(this.file, {
        name: 'query thread',
        workerData: data,
        resourceLimits: queryThreadLimits(),
        onFailure: (e) => this.log.error('query thread failed; it is started again on the next query', { error: e.stack ?? e.message }),
      });
      this.told = '';
      this.watch();
    }
    return this.thread;
  }

  /**
   * Once the thread runs, tells it each time the results version moves, so that it reads the changed
   * chunks in the background and a query finds its refresh done or under way rather than paying for
   * every change since the last query (query-worker.ts).
   */
  private watch(): void {
    if (this.watching !== null) return;
    this.watching = setInterval(() => {
      const t = this.thread;
      if (t === null || t.failed || this.reading || !this.versionMayHaveMoved()) return;
      this.reading = true;
      void this.readVersion()
        .then(
          (version) => {
            if (version === this.told || t !== this.thread) return;
            this.told = version;
            t.post({ type: 'version', version, now: this.now() } satisfies ToQueryThread);
          },
          () => undefined, // a failing store is reported by the next request
        )
        .finally(() => (this.reading = false));
    }, NOTICE_MS);
    this.watching.unref();
  }

  /**
   * Whether a watch tick reads the results version. On a store of this process alone (SQLite) the read
   * is a counter or `PRAGMA data_version` read: every tick. On a shared store (PostgreSQL) it is a
   * database round trip, which every tick would make 20 times a second per replica even when idle; so
   * it is read when this process wrote or was told of a result write since the last read
   * (Store.localResultWrites, no I/O), or when the sync interval passed: other replicas' writes show only
   * in the database, and the replica follows their other changes at that pace too (replica-sync.ts).
   */
  private versionMayHaveMoved(): boolean {
    if (!this.store.shared || this.store.localResultWrites === undefined) return true;
    return this.store.localResultWrites() !== this.writesAtRead || Date.now() - this.readAt >= this.syncIntervalMs;
  }

  /** Store.resultsVersion, noting when and after how many local writes (taken first, so a write during the read is read again). */
  private readVersion(): Promise<string> {
    this.writesAtRead = this.store.localResultWrites?.() ?? -1;
    this.readAt = Date.now();
    return this.store.resultsVersion();
  }

  private async ask<T extends { openUntil: number }>(message: QueryRequest): Promise<T> {
    const stamp: Stamp = { version: await this.readVersion(), now: this.now() };
    // After running(): a thread started for this request is told this version by it.
    const thread = this.running();
    this.told = stamp.version;
    const reply = await thread.request<T>({ ...message, ...stamp });
    this.until = reply.openUntil;
    return reply;
  }

  private async answer(message: QueryRequest): Promise<WireAnswer> {
    try {
      const a = await this.ask<ThreadAnswer>(message);
      const body = Buffer.from(a.body.buffer, a.body.byteOffset, a.body.byteLength);
      return { status: a.status, body, headers: ['content-type', 'application/json; charset=utf-8', 'content-length', String(body.length)] };
    } catch (e) {
      return errorAnswer(e);
    }
  }

  evaluate(endpoint: QueryEndpoint, p: Params, _plan: QueryPlan): Promise<WireAnswer> {
    // The thread reads the parameters again (the plan holds closures, which do not cross threads).
    return this.answer({ type: 'evaluate', endpoint, params: p.wire() });
  }

  list(endpoint: ListEndpoint, p: Params, labelName?: string): Promise<WireAnswer> {
    return this.answer({ type: 'list', endpoint, params: p.wire(), labelName });
  }

  async exposition(): Promise<string> {
    return (await this.ask<ThreadExposition>({ type: 'exposition' })).text;
  }

  openUntil(): number {
    return this.until;
  }

  async close(): Promise<void> {
    if (this.watching !== null) clearInterval(this.watching);
    this.watching = null;
    const t = this.thread;
    this.thread = null;
    if (t) await t.stop();
  }
}
