/**
 * Two Vigil services in one process on one throwaway PostgreSQL (compute inline): what one replica
 * changes reaches the other through the store (service/replica-sync.ts, one pass called by the test),
 * and a categorical level both find at once is refused on the second with 503, nothing stored, and
 * accepted when the batch is sent again.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { openStore } from '../../backend/store';
import { VigilService } from '../../backend/service/service';
import { startPostgres, ThrowawayPostgres } from '../helpers/postgres';

jest.setTimeout(60_000);

let pg: ThrowawayPostgres;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(() => pg?.stop());

const MODEL = {
  name: 'm',
  columns: { features: ['x', 'c'], categorical: ['c'], timestamp: 'timestamp', id: 'id' },
  chunking: { chunk_size: 10 },
  calculators: [{ class: 'MissingValuesCalculator', params: { column_names: ['x', 'c'] } }],
};

function csv(from: number, n: number, level: (i: number) => string): string {
  const lines = ['id,timestamp,x,c'];
  for (let i = from; i < from + n; i++) lines.push(`${i},2024-01-01T00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z,${i % 7},${level(i)}`);
  return lines.join('\n');
}

async function replicas(db: string): Promise<[VigilService, VigilService]> {
  const url = pg.createDatabase(db);
  // A sync interval far longer than the test: each pass is run by the test (replicaSync.tick).
  const make = () => new VigilService({ store: openStore(url), compute: 'inline', syncIntervalMs: 3_600_000 });
  const a = make();
  const b = make();
  await Promise.all([a.start(), b.start()]);
  return [a, b];
}

test('a model registered, re-referenced, fed and deleted on one replica is followed by the other', async () => {
  const [a, b] = await replicas('follow');
  try {
    expect(a.replicaSync).not.toBeNull();
    await a.registerModel(MODEL);
    expect(() => b.model('m')).toThrow("model 'm'");
    await b.replicaSync!.tick();
    expect(b.model('m').layout).toBeNull();
    await a.putReference('m', csv(0, 40, (i) => (i % 2 ? 'a' : 'b')), 'text/csv');
    await b.replicaSync!.tick();
    expect(b.model('m').layout).toEqual(a.model('m').layout);
    expect(b.model('m').dicts.get('c')!.levels).toEqual(['b', 'a']);
    // B ingests with the layout and dictionaries it took up; A sees the rows.
    expect(await b.ingestRows('m', csv(100, 25, (i) => (i % 2 ? 'a' : 'b')), 'text/csv')).toMatchObject({ inserted: 25 });
    await a.replicaSync!.tick();
    expect(a.model('m').record.analysisRows).toBe(25);
    await Promise.all([a.idle(), b.idle()]);
    await b.replicaSync!.tick();
    await b.idle();
    expect(await a.store.dirtyChunkCount(a.model('m').record.id)).toBe(0);
    await a.deleteModel('m');
    await b.replicaSync!.tick();
    expect(() => b.model('m')).toThrow("model 'm'");
    expect(b.modelNames()).toEqual([]);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('a new level found on two replicas at once: the second batch is refused with 503 and stores nothing; sent again, it is stored', async () => {
  const [a, b] = await replicas('levels');
  try {
    await a.registerModel(MODEL);
    await a.putReference('m', csv(0, 40, (i) => (i % 2 ? 'a' : 'b')), 'text/csv');
    await b.replicaSync!.tick();
    expect(await a.ingestRows('m', csv(100, 5, () => 'zz'), 'text/csv')).toMatchObject({ inserted: 5 });
    // B has not looked since: it codes 'yy' with the code A gave 'zz'.
    await expect(b.ingestRows('m', csv(200, 5, () => 'yy'), 'text/csv')).rejects.toMatchObject({ status: 503, code: 'store_conflict' });
    expect((await b.store.getModel('m'))!.analysisRows).toBe(5);
    expect(await b.ingestRows('m', csv(200, 5, () => 'yy'), 'text/csv')).toMatchObject({ inserted: 5 });
    expect((await a.store.loadLevels(a.model('m').record.id)).get('c')).toEqual(['b', 'a', 'zz', 'yy']);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('a batch coded with the layout of a reference another replica has replaced since is refused (503, nothing stored) until the replica follows', async () => {
  const [a, b] = await replicas('refit');
  try {
    await a.registerModel(MODEL);
    await a.putReference('m', csv(0, 40, (i) => (i % 2 ? 'a' : 'b')), 'text/csv');
    await b.replicaSync!.tick();
    await a.putReference('m', csv(0, 60, (i) => (i % 3 ? 'a' : 'b')), 'text/csv');
    await expect(b.ingestRows('m', csv(100, 5, () => 'a'), 'text/csv')).rejects.toMatchObject({ status: 503, code: 'store_conflict', message: expect.stringContaining('reference was replaced') });
    expect((await b.store.getModel('m'))!.analysisRows).toBe(0);
    await b.replicaSync!.tick();
    expect(await b.ingestRows('m', csv(100, 5, () => 'a'), 'text/csv')).toMatchObject({ inserted: 5 });
    // Late targets likewise (their chunks follow the reference's chunking).
    const targets = 'id,y\n100,1';
    const withTarget = { ...MODEL, name: 't', columns: { ...MODEL.columns, y_true: 'y' } };
    await a.registerModel(withTarget);
    const ref = csv(0, 40, (i) => (i % 2 ? 'a' : 'b')).split('\n').map((l, i) => (i === 0 ? `${l},y` : `${l},${i % 2}`)).join('\n');
    await a.putReference('t', ref, 'text/csv');
    await b.replicaSync!.tick();
    expect(await b.ingestRows('t', csv(100, 5, () => 'a'), 'text/csv')).toMatchObject({ inserted: 5 });
    await a.putReference('t', ref, 'text/csv');
    await expect(b.attachTargets('t', targets, 'text/csv')).rejects.toMatchObject({ status: 503, code: 'store_conflict' });
    await b.replicaSync!.tick();
    expect(await b.attachTargets('t', targets, 'text/csv')).toMatchObject({ attached: 1 });
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('vigil serve refuses a bad --role, VIGIL_ROLE, VIGIL_SYNC_INTERVAL or VIGIL_CLAIM_LEASE with exit 2 naming it', () => {
  const bin = path.join(__dirname, '..', '..', 'bin', 'vigil.js');
  const serve = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [bin, 'serve', '--port', '0', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  for (const [args, env, message] of [
    [['--role', 'boss'], {}, "--role: 'boss' (expected api, worker, all)"],
    [[], { VIGIL_ROLE: 'x' }, "VIGIL_ROLE: 'x'"],
    [[], { VIGIL_SYNC_INTERVAL: '5' }, "VIGIL_SYNC_INTERVAL: '5'"],
    [[], { VIGIL_CLAIM_LEASE: 'soon' }, "VIGIL_CLAIM_LEASE: 'soon'"],
  ] as const) {
    const r = serve([...args], env);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr: expect.stringContaining(message) });
  }
});
