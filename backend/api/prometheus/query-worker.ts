/**
 * The query thread (query-thread.ts has the main thread's side): the series index over a store connection
 * of its own, and the answers that read it (series-answers.ts), made on request. It only reads: the store
 * is opened through openStore like the compute threads' (for SQLite, a second connection to the same WAL
 * file, which sees every committed result).
 */
import { workerData } from 'worker_threads';
import { openStore } from '../../store';
import { nameThisThread } from '../../threads/priority';
import { serveRequests } from '../../threads/thread';
import { Params } from './params';
import { QueryThreadData, ThreadAnswer, ThreadExposition, ToQueryThread } from './query-thread';
import { storeSeriesAnswers } from './series-answers';

const data = workerData as QueryThreadData;
void nameThisThread('vigil-query'); // for top -H and /proc
const store = openStore(data.location);
/** The latest results version and clock the main thread sent (the series follow them, not this connection's). */
let version = '';
let clock = Date.now();
const answers = storeSeriesAnswers(store, data.config, () => clock, async () => version);

const asBytes = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

async function handle(m: ToQueryThread): Promise<ThreadAnswer | ThreadExposition> {
  version = m.version;
  clock = m.now;
  if (m.type === 'exposition') {
    const text = await answers.exposition();
    return { text, openUntil: answers.openUntil() };
  }
  const p = Params.fromWire(m.params);
  const a = m.type === 'evaluate' ? await answers.evaluateParams(m.endpoint, p) : await answers.list(m.endpoint, p, m.labelName);
  return { status: a.status, body: asBytes(a.body), openUntil: answers.openUntil() };
}

serveRequests(handle, () => undefined);
