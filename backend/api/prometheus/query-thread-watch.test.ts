/**
 * The query thread's watch (query-thread.ts): how often the main thread reads the results version to
 * tell the thread it moved. On a real throwaway PostgreSQL (a shared store: each read is a round trip)
 * it is read after a result write of this process (Store.localResultWrites) and otherwise once per sync
 * interval, which is how another replica's write is noticed; on a SQLite file, every tick as before.
 * The compiled thread entry from build/ is used (`npm run build:backend` first).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startPostgres, ThrowawayPostgres } from '../../../test/helpers/postgres';
import { batch, chunk, result } from '../../../test/store/store-suite';
import { silentLogger } from '../../service/log';
import { PostgresStore } from '../../store/postgres';
import { SqliteStore } from '../../store/sqlite';
import type { Store } from '../../store/types';
import { Params } from './params';
import { QueryThread, ToQueryThread } from './query-thread';
import { planQuery } from './series-answers';

jest.setTimeout(60_000);

const WORKER = path.join(__dirname, '..', '..', '..', 'build', 'api', 'prometheus', 'query-worker.js');
const CONFIG = { lookback: { kind: 'chunk' as const, ms: 86_400_000 }, limits: { timeoutMs: 10_000, maxSamples: 1000 }, perColumn: 'all' as const };
/** Slack (ms) on top of the expected delays, for a loaded test machine's timers. */
const SLACK = 400;

let pg: ThrowawayPostgres;
beforeAll(async () => {
  if (!fs.existsSync(WORKER)) throw new Error(`${WORKER} is missing: run \`npm run build:backend\``);
  pg = await startPostgres();
});
afterAll(() => pg?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts the calls of the real store's resultsVersion (the store itself is untouched). */
function countVersionReads(store: Store): { reads: number } {
  const counter = { reads: 0 };
  const read = store.resultsVersion.bind(store);
  store.resultsVersion = () => {
    counter.reads++;
    return read();
  };
  return counter;
}

/** Starts the thread with one query, then records the version notices posted to it (they still reach it). */
async function started(qt: QueryThread): Promise<string[]> {
  const p = new Params(`/api/v1/query?query=${encodeURIComponent('1+1')}&time=4`, undefined);
  const a = await qt.evaluate('query', p, planQuery('query', p, 0, CONFIG.limits, { lookback: CONFIG.lookback }));
  expect(a.body.toString()).toBe('{"status":"success","data":{"resultType":"scalar","result":[4,"2"]}}');
  const thread = (qt as unknown as { thread: { post(m: ToQueryThread): void } }).thread;
  const notices: string[] = [];
  const post = thread.post.bind(thread);
  thread.post = (m) => {
    if (m.type === 'version') notices.push(m.version);
    post(m);
  };
  return notices;
}

/** Waits until `notices` has more than `n` entries; the time it took (ms), or fails after `limitMs`. */
async function nextNotice(notices: string[], n: number, limitMs: number): Promise<number> {
  const t0 = Date.now();
  while (notices.length <= n) {
    if (Date.now() - t0 > limitMs) throw new Error(`no version notice within ${limitMs} ms`);
    await sleep(10);
  }
  return Date.now() - t0;
}

/** A model with one chunk of rows, and a writer of one result in it (a chunk compute's write). */
async function modelWithChunk(store: Store, name: string): Promise<(value: number) => Promise<void>> {
  const m = await store.createModel(name, { chunking: { chunk_size: 10 } });
  await store.ingestRows(m.id, batch(['a', 'b'], [1, 2]), () => ({ upsert: [chunk(0, 0, 9)], remove: [] }));
  return async (value) => {
    const [c] = await store.chunks(m.id);
    expect(await store.writeChunkResults(m.id, { chunk: c, nRows: 2, startDate: 0, endDate: 999, results: [result(0, value)] })).toBe(true);
  };
}

test('PostgreSQL: idle, the version is read once per sync interval (not every 50 ms tick); another replica\'s write is noticed within it', async () => {
  const url = pg.createDatabase('watch_interval');
  const store = new PostgresStore(url);
  const replica = new PostgresStore(url); // another replica's connection to the same database
  const qt = new QueryThread(store, CONFIG, () => 4000, silentLogger, WORKER, 200);
  try {
    const write = await modelWithChunk(replica, 'm');
    const reads = countVersionReads(store);
    const notices = await started(qt);
    reads.reads = 0;
    await sleep(1500);
    // Every tick would be ~30 reads; once per 200 ms at most 1500 / 200 + 1.
    expect(reads.reads).toBeLessThanOrEqual(1500 / 200 + 1);
    expect(reads.reads).toBeGreaterThanOrEqual(3);
    expect(notices).toEqual([]); // nothing moved

    await write(0.7);
    const took = await nextNotice(notices, 0, 5000);
    expect(took).toBeLessThanOrEqual(200 + 50 + SLACK);
    expect(notices[0]).toBe(await store.resultsVersion());
  } finally {
    await qt.close();
    await store.close();
    await replica.close();
  }
});

test('PostgreSQL: a result write of this process (announced, or committed through the store) is noticed within a tick or two, with no read in between', async () => {
  const url = pg.createDatabase('watch_local');
  const store = new PostgresStore(url);
  const replica = new PostgresStore(url);
  // An interval longer than the test: only this process's writes can make the watch read.
  const qt = new QueryThread(store, CONFIG, () => 4000, silentLogger, WORKER, 600_000);
  try {
    const ownWrite = await modelWithChunk(store, 'own');
    const replicaWrite = await modelWithChunk(replica, 'theirs');
    const reads = countVersionReads(store);
    const notices = await started(qt);
    reads.reads = 0;
    await sleep(500);
    expect(reads.reads).toBe(0);

    // A compute thread's write, announced by the service (chunkComputed): the counter moves, no database write here.
    store.noteResultWrite();
    expect(await nextNotice(notices, 0, 5000)).toBeLessThanOrEqual(2 * 50 + SLACK);
    expect(reads.reads).toBe(1);
    expect(notices[0]).toBe(await store.resultsVersion());

    // A write committed through this store object (the inline compute, a reference, a deletion).
    await ownWrite(0.2);
    expect(await nextNotice(notices, 1, 5000)).toBeLessThanOrEqual(2 * 50 + SLACK);
    expect(notices[1]).toBe(await store.resultsVersion());

    // Another replica's write is in the database only: not read before the interval (the first test).
    reads.reads = 0;
    await replicaWrite(0.9);
    await sleep(500);
    expect(reads.reads).toBe(0);
    expect(notices).toHaveLength(2);
  } finally {
    await qt.close();
    await store.close();
    await replica.close();
  }
});

test('SQLite: not shared, the version (a counter read) is still read every tick', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-query-watch-'));
  const store = new SqliteStore(path.join(dir, 'vigil.db'));
  const qt = new QueryThread(store, CONFIG, () => 4000, silentLogger, WORKER, 600_000);
  try {
    const reads = countVersionReads(store);
    await started(qt);
    reads.reads = 0;
    await sleep(500);
    expect(reads.reads).toBeGreaterThanOrEqual(5);
  } finally {
    await qt.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
