/**
 * The query thread (query-thread.ts has the main thread's side): the series index over a store connection
 * of its own, and the answers that read it (series-answers.ts), made on request. It only reads: the store
 * is opened through openStore like the compute threads' (for SQLite, a second connection to the same WAL
 * file, which sees every committed result).
 */
import { workerData } from 'worker_threads';
import { openStore } from '../../store';
import { queryPriorityFromEnv } from '../../service/compute-env';
import { createLogger, parseLogLevel } from '../../service/log';
import { nameThisThread, setThisThreadLevel } from '../../threads/priority';
import { serveRequests } from '../../threads/thread';
import { Params } from './params';
import { QueryThreadData, ThreadAnswer, ThreadExposition, ToQueryThread } from './query-thread';
import { storeSeriesAnswers } from './series-answers';

const data = workerData as QueryThreadData;
const log = createLogger(parseLogLevel(process.env.VIGIL_LOG_LEVEL));
// Named for top -H and /proc; above the rest of the server (VIGIL_QUERY_PRIORITY, checked by `vigil serve`
// before the start; this thread got a copy of the server's environment), so that a burst of rule queries
// does not wait behind ingest when the cores are full.
nameThisThread('vigil-query')
  .then(() => setThisThreadLevel(-queryPriorityFromEnv(process.env)))
  .then(
    (p) => {
      // A refusal is logged once, by the main thread (serve.ts), which meets it first.
      if (p) log.debug('query thread priority', { ...p });
    },
    (e: Error) => log.warn('query thread priority left unchanged', { error: e.message }),
  );
const store = openStore(data.location);
/** The latest results version and clock the main thread sent (the series follow them, not this connection's). */
let version = '';
let clock = Date.now();
const answers = storeSeriesAnswers(store, data.config, () => clock, async () => version);

const asBytes = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/**
 * The least pause (ms) after a background refresh before the next; the pause is also at least the
 * refresh's own time, so the upkeep takes at most half the thread. It is not throttled harder: a
 * refresh costs about the chunks it reads, so reading them early adds little CPU, while every change
 * left for later is read by the next query before it answers (the 200-model rule bench: refreshes of
 * 40-230 chunks, 100-600 ms under load, when the pause was 4x the refresh and at least 250 ms).
 */
const UPKEEP_GAP_MS = 50;
let upkeep: Promise<void> | null = null;
let upkeepAt = '';

/**
 * The background refresh, on a version notice: reads the changed chunks now rather than when the next
 * query comes (it then shares this refresh, or finds it done), then makes again the per-model parts of
 * the rule answers asked lately whose models changed (model-partials.ts). One at a time; when the version moved while
 * it ran, it runs again after the pause. A query never waits for the pause: it refreshes itself.
 */
function keepCurrent(): void {
  if (upkeep !== null) return;
  upkeep = (async () => {
    while (upkeepAt !== version) {
      upkeepAt = version;
      const t0 = performance.now();
      await answers.refresh();
      await answers.warm();
      const gap = Math.max(UPKEEP_GAP_MS, performance.now() - t0);
      await new Promise((resolve) => setTimeout(resolve, gap));
    }
  })()
    // A failed read is left to the next query, which refreshes again and answers with the error.
    .catch(() => undefined)
    .finally(() => (upkeep = null));
}

async function handle(m: ToQueryThread): Promise<ThreadAnswer | ThreadExposition | void> {
  version = m.version;
  clock = m.now;
  if (m.type === 'version') return keepCurrent();
  if (m.type === 'exposition') {
    const text = await answers.exposition();
    return { text, openUntil: answers.openUntil() };
  }
  const p = Params.fromWire(m.params);
  const a = m.type === 'evaluate' ? await answers.evaluateParams(m.endpoint, p) : await answers.list(m.endpoint, p, m.labelName);
  return { status: a.status, body: asBytes(a.body), openUntil: answers.openUntil() };
}

serveRequests(handle, () => undefined);
