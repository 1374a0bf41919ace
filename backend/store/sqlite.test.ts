import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { categorical, makeFrame, numeric } from '../engine/frame';
import { decodeFrame, encodeFrame } from './frame-codec';
import { MIGRATIONS } from './migrations';
import { SqliteStore } from './sqlite';
import { ChunkMark, ResultRecord, RowBatch, StoreConflictError } from './types';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-store-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const chunk = (id: number, start: number, end: number): ChunkMark => ({
  chunkId: id,
  key: `[${start}:${end}]`,
  startSeq: start,
  endSeq: end,
  rangeStart: null,
  rangeEnd: null,
  partial: false,
});

function batch(ids: string[], x: number[], opts: Partial<RowBatch> = {}): RowBatch {
  return {
    n: ids.length,
    ids,
    timestamps: Float64Array.from(ids.map((_, i) => 1e12 + i)),
    values: [Float64Array.from(x), Float64Array.from(x.map((v) => v * 2))],
    typeFlags: [null, null],
    targets: null,
    newLevels: [],
    ...opts,
  };
}

function result(chunkId: number, value: number, over: Partial<ResultRecord> = {}): ResultRecord {
  return {
    calculator: 'C',
    id: 'c',
    family: 'data_quality',
    column: 'x',
    metric: 'missing_values',
    period: 'analysis',
    chunkId,
    chunk: { key: `k${chunkId}`, index: chunkId, start_index: 0, end_index: 9, start_date: chunkId * 1000, end_date: chunkId * 1000 + 999 },
    value,
    upper_threshold: 0.5,
    lower_threshold: null,
    alert: value > 0.5,
    sampling_error: null,
    upper_confidence_boundary: null,
    lower_confidence_boundary: null,
    realized: null,
    targets_missing_rate: null,
    partial: false,
    calcOrder: 0,
    seriesOrder: 0,
    ...over,
  };
}

test('schema is created once and reopened', async () => {
  const file = path.join(dir, 'a.db');
  const s = new SqliteStore(file);
  const m = await s.createModel('m', { hello: 1 });
  await expect(s.createModel('m', {})).rejects.toBeInstanceOf(StoreConflictError);
  await s.close();
  const again = new SqliteStore(file);
  expect(again.db.pragma('journal_mode', { simple: true })).toBe('wal');
  expect(again.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  expect((await again.getModel('m'))!).toMatchObject({ id: m.id, definition: { hello: 1 }, layout: null, analysisRows: 0 });
  await again.close();
});

test('rows round-trip with flags and targets; duplicate ids are skipped; the plan sees accepted rows only', async () => {
  const s = new SqliteStore(path.join(dir, 'b.db'));
  const m = await s.createModel('m', {});
  const flags = new Uint8Array(3);
  flags[1] = 1;
  const seen: unknown[] = [];
  const r = await s.ingestRows(
    m.id,
    batch(['a', 'b', 'c'], [1, NaN, 3], { typeFlags: [flags, null], targets: Float64Array.from([1, NaN, 0]), newLevels: [{ column: 'cat', code: 0, value: 'x' }] }),
    (acc) => {
      seen.push({ ...acc, timestamps: Array.from(acc.timestamps!) });
      return { upsert: [chunk(0, 0, 2)], remove: [] };
    },
  );
  expect(r).toEqual({ inserted: 3, duplicates: 0 });
  const r2 = await s.ingestRows(m.id, batch(['c', 'd', 'd'], [30, 4, 40]), (acc) => {
    seen.push({ ...acc, timestamps: Array.from(acc.timestamps!) });
    return { upsert: [chunk(1, 3, 3)], remove: [] };
  });
  expect(r2).toEqual({ inserted: 1, duplicates: 2 });
  expect(seen).toEqual([
    { before: 0, count: 3, timestamps: [1e12, 1e12 + 1, 1e12 + 2] },
    { before: 3, count: 1, timestamps: [1e12 + 1] },
  ]);
  const rows = await s.readChunkRows(m.id, chunk(0, 0, 3), 2);
  expect(Array.from(rows.values[0])).toEqual([1, NaN, 3, 4]);
  expect(Array.from(rows.values[1])).toEqual([2, NaN, 6, 8]);
  expect(Array.from(rows.typeFlags[0]!)).toEqual([0, 1, 0, 0]);
  expect(rows.typeFlags[1]).toBeNull();
  expect(Array.from(rows.targets)).toEqual([1, NaN, 0, NaN]);
  expect(await s.loadLevels(m.id)).toEqual(new Map([['cat', ['x']]]));
  expect((await s.getModel('m'))!).toMatchObject({ analysisRows: 4, targets: 2 });
  await s.close();
});

test('large batches insert in multi-row statements: order, sequence numbers, tails and duplicates across id probes', async () => {
  const s = new SqliteStore(path.join(dir, 'big.db'));
  const m = await s.createModel('m', {});
  // 1234 rows: 12 statements of 100, 3 of 10, 4 of 1; more ids than one duplicate probe holds.
  const n1 = 1234;
  const ids1 = Array.from({ length: n1 }, (_, i) => `r${i}`);
  const x1 = Array.from({ length: n1 }, (_, i) => i * 0.5);
  expect(await s.ingestRows(m.id, batch(ids1, x1), () => ({ upsert: [], remove: [] }))).toEqual({ inserted: n1, duplicates: 0 });
  // Second batch: every third id is already stored, ids repeat inside the batch, some rows have no id.
  const ids2: (string | null)[] = [];
  const x2: number[] = [];
  const expected: number[] = [];
  const seenIds = new Set(ids1);
  for (let i = 0; i < 1500; i++) {
    const id = i % 7 === 0 ? null : i % 3 === 0 ? `r${i}` : `n${i % 700}`;
    ids2.push(id);
    x2.push(10000 + i);
    if (id === null || !seenIds.has(id)) expected.push(10000 + i);
    if (id !== null) seenIds.add(id);
  }
  let accepted = -1;
  const r = await s.ingestRows(m.id, batch(ids2 as string[], x2), (acc) => {
    accepted = acc.count;
    expect(acc.before).toBe(n1);
    return { upsert: [], remove: [] };
  });
  expect(r).toEqual({ inserted: expected.length, duplicates: 1500 - expected.length });
  expect(accepted).toBe(expected.length);
  const rows = await s.readChunkRows(m.id, chunk(0, 0, n1 + 1500), 2);
  expect(rows.n).toBe(n1 + expected.length);
  expect(Array.from(rows.seq)).toEqual(Array.from({ length: rows.n }, (_, i) => i));
  expect(Array.from(rows.values[0])).toEqual([...x1, ...expected]);
  expect((await s.getModel('m'))!).toMatchObject({ analysisRows: n1 + expected.length });
  await s.close();
});

test('a batch is all or nothing: a failure inside the transaction leaves no row behind', async () => {
  const s = new SqliteStore(path.join(dir, 'c.db'));
  const m = await s.createModel('m', {});
  await expect(
    s.ingestRows(m.id, batch(['a', 'b'], [1, 2]), () => {
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  expect((await s.getModel('m'))!.analysisRows).toBe(0);
  expect((await s.readChunkRows(m.id, chunk(0, 0, 10), 2)).n).toBe(0);
  expect(await s.chunks(m.id)).toEqual([]);
  await s.close();
});

test('targets attach by id, unknown ids are returned, touched chunks become dirty', async () => {
  const s = new SqliteStore(path.join(dir, 'd.db'));
  const m = await s.createModel('m', {});
  await s.ingestRows(m.id, batch(['a', 'b', 'c'], [1, 2, 3]), () => ({ upsert: [chunk(0, 0, 1), chunk(1, 2, 2)], remove: [] }));
  const [c0] = await s.chunks(m.id);
  await s.writeChunkResults(m.id, { chunk: c0, nRows: 2, startDate: null, endDate: null, results: [] });
  expect((await s.chunks(m.id, { dirtyOnly: true })).map((c) => c.chunkId)).toEqual([1]);
  const r = await s.attachTargets(m.id, { ids: ['a', 'zzz'], values: Float64Array.from([1, 0]), newLevels: [], chunkOf: (seq) => (seq < 2 ? 0 : 1) });
  expect(r).toEqual({ attached: 1, unknown: ['zzz'], expired: [] });
  expect((await s.chunks(m.id, { dirtyOnly: true })).map((c) => c.chunkId)).toEqual([0, 1]);
  expect((await s.getModel('m'))!.targets).toBe(1);
  await s.close();
});

test('results: a recompute that read an older generation does not clear dirty; filters and order', async () => {
  const s = new SqliteStore(path.join(dir, 'e.db'));
  const m = await s.createModel('m', {});
  await s.ingestRows(m.id, batch(['a'], [1]), () => ({ upsert: [chunk(0, 0, 0)], remove: [] }));
  const [stale] = await s.chunks(m.id);
  await s.ingestRows(m.id, batch(['b'], [1]), () => ({ upsert: [chunk(0, 0, 1)], remove: [] }));
  expect(await s.writeChunkResults(m.id, { chunk: stale, nRows: 1, startDate: 0, endDate: 999, results: [result(0, 0.2)] })).toBe(false);
  expect((await s.chunks(m.id))[0].dirty).toBe(true);
  const [fresh] = await s.chunks(m.id);
  expect(await s.writeChunkResults(m.id, { chunk: fresh, nRows: 2, startDate: 0, endDate: 999, results: [result(0, 0.9)] })).toBe(true);
  expect((await s.chunks(m.id))[0]).toMatchObject({ dirty: false, nRows: 2 });
  await s.replaceReference(m.id, {
    layout: { x: 1 },
    frame: Buffer.from([1]),
    rows: 10,
    newLevels: [],
    results: [result(0, 0.1, { period: 'reference' }), result(0, 0.3, { period: 'reference', column: 'y', seriesOrder: 1 })],
  });
  // The reference replaces every result and dirties every chunk.
  expect((await s.chunks(m.id))[0].dirty).toBe(true);
  const [c] = await s.chunks(m.id);
  await s.writeChunkResults(m.id, { chunk: c, nRows: 2, startDate: 0, endDate: 999, results: [result(0, 0.9), result(0, 0.4, { column: 'y', seriesOrder: 1 })] });
  const all = await s.queryResults({ modelId: m.id });
  expect(all.map((r) => [r.column, r.period, r.value])).toEqual([
    ['x', 'reference', 0.1],
    ['x', 'analysis', 0.9],
    ['y', 'reference', 0.3],
    ['y', 'analysis', 0.4],
  ]);
  expect((await s.queryResults({ modelId: m.id, columns: ['y'], period: 'analysis' })).map((r) => r.value)).toEqual([0.4]);
  expect((await s.queryResults({ modelId: m.id, alertsOnly: true })).map((r) => r.value)).toEqual([0.9]);
  expect(await s.queryResults({ modelId: m.id, from: 5000 })).toEqual([]);
  expect(await s.listSeries(m.id)).toEqual([
    { family: 'data_quality', calculator_id: 'c', calculator: 'C', metric: 'missing_values', column: 'x' },
    { family: 'data_quality', calculator_id: 'c', calculator: 'C', metric: 'missing_values', column: 'y' },
  ]);
  await s.deleteModel(m.id);
  expect(await s.listModels()).toEqual([]);
  expect(await s.queryResults({ modelId: m.id })).toEqual([]);
  await s.close();
});

test('frames round-trip through the blob codec', () => {
  const f = makeFrame([numeric('a', [1.5, NaN, -3], 'float'), categorical('b', ['x', null, 'y']), numeric('c', [1, 2, 3], 'int')]);
  const back = decodeFrame(encodeFrame(f));
  expect(back.names).toEqual(['a', 'b', 'c']);
  expect(back.length).toBe(3);
  expect(back.columns.get('a')).toEqual(f.columns.get('a'));
  expect(back.columns.get('b')).toEqual(f.columns.get('b'));
  expect(back.columns.get('c')).toEqual(f.columns.get('c'));
});
