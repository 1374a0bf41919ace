/**
 * A compute worker thread: a ComputeCore over its own connection to the same SQLite file (WAL lets it
 * write results while the main thread ingests). The server runs a pool of them (compute-pool.ts): the
 * main thread claims dirty chunks and hands each thread the ones it claimed (`compute`). Messages are in
 * engine.ts.
 */
import { parentPort, workerData } from 'worker_threads';
import { openStore } from '../store';
import { serveRequests } from '../threads/thread';
import { nameThisThread, setThisThreadLevel } from '../threads/priority';
import { ComputeCore } from './compute';
import { computeNiceFromEnv } from './compute-env';
import { FromWorker, ToWorker, WorkerOptions } from './engine';
import { createLogger } from './log';

const opts = workerData as WorkerOptions;
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const log = createLogger(opts.logLevel);
// Compute is background work whose lag is allowed: below ingest and the query thread when they compete
// for the CPU (VIGIL_COMPUTE_NICE, checked by `vigil serve` before the start; this thread got a copy of the
// server's environment). Compute starts meanwhile; only its name and priority follow a moment later.
nameThisThread('vigil-compute').then(() => setThisThreadLevel(computeNiceFromEnv(process.env))).then(
  (p) => p && log.debug('compute thread priority', { ...p }),
  (e: Error) => log.warn('compute thread priority left unchanged', { error: e.message }),
);
// Results, saved fits and errors are all derived data, and a chunk's results commit with the clearing of
// its dirty flag: a power cut that loses a commit leaves the chunk dirty, recomputed at the next start.
// So this connection does not wait for the disk at each commit (SQLite WAL, synchronous=NORMAL: the
// database stays consistent; only the latest commits can be lost on power loss, never on a crash of the
// process). The ingest connection keeps the server's setting (VIGIL_SYNCHRONOUS, FULL by default).
const store = openStore(opts.dbPath, { synchronous: 'normal' });
const core = new ComputeCore(store, log, {
  recomputed: (model, seconds, chunks, chunkSeconds) => {
    post({ type: 'event', event: 'recomputed', model, seconds, chunks, chunkSeconds });
    post({ type: 'status', model, status: core.status(model) });
  },
  // The main thread answers GET /api/models/{name} from these: keep them as fresh as the stored chunks.
  chunkComputed: (model) => post({ type: 'status', model, status: core.status(model) }),
  error: (model, where) => post({ type: 'event', event: 'error', model, where }),
  queueDepth: (depth) => post({ type: 'event', event: 'queueDepth', depth }),
  fitSaved: (model) => post({ type: 'event', event: 'fitSaved', model }),
}, { fitCacheSize: opts.fitCacheSize, fitCacheBytes: opts.fitCacheBytes, ownQueue: false });

const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** A message's handling; the value of one with an id is its reply (serveRequests). */
async function handle(m: ToWorker): Promise<unknown> {
  switch (m.type) {
    case 'start': {
      const dirty = await core.loadAll();
      for (const model of (await store.listModels()).map((r) => r.name)) post({ type: 'status', model, status: core.status(model) });
      return dirty;
    }
    case 'register':
      core.register(m.record);
      return post({ type: 'status', model: m.record.name, status: core.status(m.record.name) });
    case 'fit':
      return core.fit(m.model, m.specs, asBuffer(m.frame));
    case 'adopt':
      core.adopt(m.model, m.token, m.layout);
      return post({ type: 'status', model: m.model, status: core.status(m.model) });
    case 'discard':
      return core.discard(m.model, m.token);
    case 'forget':
      return core.forget(m.model);
    case 'relayout':
      core.relayout(m.model, m.layout);
      return post({ type: 'status', model: m.model, status: core.status(m.model) });
    case 'compute':
      return core.recompute(m.model, m.chunks);
    case 'score':
      return core.score(m.model, asBuffer(m.frame));
    case 'close':
      await core.close();
      await store.close();
      return undefined;
  }
}

serveRequests(handle, (m, e) => log.error('compute worker: message failed', { type: m.type, error: e.message }));
