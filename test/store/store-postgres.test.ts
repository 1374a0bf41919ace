/**
 * The shared store suite on a real PostgreSQL (a throwaway cluster started for this file), one database
 * per test; and what only PostgreSQL has: migrations under a lock, replicas' concurrent batches, claims
 * taken with SKIP LOCKED, diverged categorical levels.
 */
import { openStore } from '../../backend/store';
import { PG_MIGRATIONS } from '../../backend/store/postgres-migrations';
import { PostgresStore } from '../../backend/store/postgres';
import { startPostgres, ThrowawayPostgres } from '../helpers/postgres';
import { batch, chunk, result, storeSuite } from './store-suite';

jest.setTimeout(60_000);

let pg: ThrowawayPostgres;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(() => pg?.stop());

let n = 0;
storeSuite(async () => {
  const url = pg.createDatabase(`suite${n++}`);
  return { store: openStore(url), reopen: () => openStore(url) };
});

test('PostgreSQL: replicas opening a new database at once migrate it once', async () => {
  const url = pg.createDatabase('migrate');
  const stores = Array.from({ length: 4 }, () => new PostgresStore(url));
  try {
    expect(await Promise.all(stores.map((s) => s.schemaVersion()))).toEqual([1, 1, 1, 1].map(() => PG_MIGRATIONS.length));
  } finally {
    for (const s of stores) await s.close();
  }
});

test('PostgreSQL: concurrent batches of one model from several connections get dense sequence numbers and no duplicate id', async () => {
  const url = pg.createDatabase('concurrent');
  const stores = Array.from({ length: 3 }, () => openStore(url));
  try {
    const m = await stores[0].createModel('m', {});
    // 3 connections × 10 batches of 50 rows; each id is sent twice (by two different connections).
    const batches = Array.from({ length: 30 }, (_, b) => batch(Array.from({ length: 50 }, (_, i) => `id${((b * 50 + i) % 750)}`), Array.from({ length: 50 }, (_, i) => b * 50 + i)));
    const results = await Promise.all(batches.map((bt, b) => stores[b % 3].ingestRows(m.id, bt, () => ({ upsert: [], remove: [] }))));
    expect(results.reduce((a, r) => a + r.inserted, 0)).toBe(750);
    expect(results.reduce((a, r) => a + r.duplicates, 0)).toBe(750);
    const rows = await stores[1].readChunkRows(m.id, chunk(0, 0, 10_000), 2);
    expect(Array.from(rows.seq)).toEqual(Array.from({ length: 750 }, (_, i) => i));
    expect((await stores[2].getModel('m'))!.analysisRows).toBe(750);
  } finally {
    for (const s of stores) await s.close();
  }
});

test('PostgreSQL: two schedulers claiming at once never get the same chunk', async () => {
  const url = pg.createDatabase('claims');
  const stores = [openStore(url), openStore(url)];
  try {
    const m = await stores[0].createModel('m', {});
    const marks = Array.from({ length: 40 }, (_, i) => chunk(i, i, i));
    await stores[0].ingestRows(m.id, batch(marks.map((_, i) => `r${i}`), marks.map((_, i) => i)), () => ({ upsert: marks, remove: [] }));
    const got = await Promise.all(Array.from({ length: 10 }, (_, k) => stores[k % 2].claimChunks(m.id, `owner${k}`, 60_000, 4)));
    const ids = got.flat().map((c) => c.chunkId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(40);
  } finally {
    for (const s of stores) await s.close();
  }
});

test('PostgreSQL: a level code another replica stored for another value fails the batch, which stores nothing', async () => {
  const url = pg.createDatabase('levels');
  const s = openStore(url);
  try {
    const m = await s.createModel('m', {});
    await s.ingestRows(m.id, batch(['a'], [0], { newLevels: [{ column: 'cat', code: 0, value: 'x' }] }), () => ({ upsert: [], remove: [] }));
    // The same level again (another replica found it too): fine.
    await s.ingestRows(m.id, batch(['b'], [0], { newLevels: [{ column: 'cat', code: 0, value: 'x' }] }), () => ({ upsert: [], remove: [] }));
    await expect(s.ingestRows(m.id, batch(['c'], [0], { newLevels: [{ column: 'cat', code: 0, value: 'y' }] }), () => ({ upsert: [], remove: [] }))).rejects.toThrow(
      "column 'cat': level code 0 is 'x' in the store, not 'y'",
    );
    expect((await s.getModel('m'))!.analysisRows).toBe(2);
    expect(await s.loadLevels(m.id)).toEqual(new Map([['cat', ['x']]]));
  } finally {
    await s.close();
  }
});

test('PostgreSQL: replicas writing one model at once (rows, results, positions, references, claims) never deadlock', async () => {
  const url = pg.createDatabase('deadlock');
  const stores = Array.from({ length: 4 }, () => openStore(url));
  try {
    const m = await stores[0].createModel('m', {});
    const marks = Array.from({ length: 6 }, (_, i) => chunk(i, i * 10, i * 10 + 9));
    let id = 0;
    const rows = (n: number) => batch(Array.from({ length: n }, () => `r${id++}`), Array.from({ length: n }, (_, i) => i));
    await stores[0].ingestRows(m.id, rows(60), () => ({ upsert: marks, remove: [] }));
    const writeAll = async (s: (typeof stores)[number]) => {
      for (const c of (await s.chunks(m.id)).reverse()) await s.writeChunkResults(m.id, { chunk: c, nRows: 10, startDate: 0, endDate: 9, results: [result(c.chunkId, 0.1)] });
    };
    for (let round = 0; round < 15; round++) {
      await Promise.all([
        stores[0].ingestRows(m.id, rows(5), () => ({ upsert: [...marks].reverse(), remove: round % 3 === 0 ? [99] : [] })),
        writeAll(stores[1]),
        stores[2].setChunkPositions(m.id, marks.map((c, i) => ({ chunkId: c.chunkId, index: 5 - i, startIndex: i, endIndex: i })).reverse()),
        round % 5 === 0 ? stores[3].replaceReference(m.id, { layout: {}, frame: Buffer.from([round]), rows: 1, newLevels: [], results: [result(0, 0.5, { period: 'reference' })] }) : stores[3].markAllDirty(m.id),
        stores[3].claimChunks(m.id, `o${round}`, 60_000, 6).then((got) => stores[2].releaseClaims(m.id, `o${round}`, got.map((c) => c.chunkId).reverse())),
      ]);
    }
    expect((await stores[0].getModel('m'))!.analysisRows).toBe(60 + 15 * 5);
  } finally {
    for (const s of stores) await s.close();
  }
});
