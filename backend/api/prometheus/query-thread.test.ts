/**
 * The query thread's main-thread side (query-thread.ts) with the compiled thread entry from build/
 * (`npm run build:backend` first) over a real SQLite file: answers and errors as in process, a thread
 * that dies is reported and started again on the next query, and VIGIL_QUERY_THREAD is checked.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createLogger } from '../../service/log';
import { SqliteStore } from '../../store/sqlite';
import { useQueryThread } from './index';
import { Params } from './params';
import { QueryThread } from './query-thread';
import { planQuery } from './series-answers';

const WORKER = path.join(__dirname, '..', '..', '..', 'build', 'api', 'prometheus', 'query-worker.js');
const CONFIG = { lookback: { kind: 'chunk' as const, ms: 86_400_000 }, limits: { timeoutMs: 10_000, maxSamples: 1000 }, perColumn: 'all' as const };

let dir: string;
let store: SqliteStore;
beforeAll(() => {
  if (!fs.existsSync(WORKER)) throw new Error(`${WORKER} is missing: run \`npm run build:backend\``);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-query-thread-'));
  store = new SqliteStore(path.join(dir, 'vigil.db'));
});
afterAll(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const ask = (qt: QueryThread, query: string) => {
  const p = new Params(`/api/v1/query?query=${encodeURIComponent(query)}&time=4`, undefined);
  return qt.evaluate('query', p, planQuery('query', p, 0, CONFIG.limits, { lookback: CONFIG.lookback }));
};

test('answers and errors come back as the thread made them; a thread that dies is reported and replaced', async () => {
  const lines: string[] = [];
  const qt = new QueryThread(store, CONFIG, () => 4000, createLogger('info', (l) => lines.push(l)), WORKER);
  try {
    const two = await ask(qt, '1+1');
    expect(two.status).toBe(200);
    expect(two.body.toString()).toBe('{"status":"success","data":{"resultType":"scalar","result":[4,"2"]}}');
    expect(two.headers).toEqual(['content-type', 'application/json; charset=utf-8', 'content-length', String(two.body.length)]);
    // An evaluation error made in the thread keeps its type and status.
    const bad = await ask(qt, 'label_replace(vector(1), "x", "$1", "y", "(")');
    expect(bad.status).toBe(422);
    expect(JSON.parse(bad.body.toString())).toMatchObject({ status: 'error', errorType: 'execution' });
    // The listings and /metrics' part read the (empty) store there too.
    const labels = await qt.list('labels', new Params('/api/v1/labels', undefined));
    expect(labels.body.toString()).toBe('{"status":"success","data":[]}');
    expect(await qt.exposition()).toBe('');

    // The thread ends unasked: logged once; the next query starts a new one.
    const first = (qt as unknown as { thread: { worker: { terminate(): Promise<number> } } }).thread;
    await first.worker.terminate();
    await new Promise((r) => setTimeout(r, 50));
    expect(lines.filter((l) => l.includes('query thread failed'))).toHaveLength(1);
    expect((await ask(qt, '2*3')).body.toString()).toContain('"6"');
    expect((qt as unknown as { thread: unknown }).thread).not.toBe(first);
  } finally {
    await qt.close();
  }
});

test('VIGIL_QUERY_THREAD is auto or off; an in-memory store never uses the thread', () => {
  expect(useQueryThread(store, { VIGIL_QUERY_THREAD: 'off' })).toBe(false);
  expect(() => useQueryThread(store, { VIGIL_QUERY_THREAD: 'on' })).toThrow("VIGIL_QUERY_THREAD: 'on' is not one of auto, off");
  expect(useQueryThread({ location: ':memory:' } as SqliteStore, {})).toBe(false);
});
