/**
 * One suite of store tests, run on every Store implementation (store-sqlite.test.ts on a SQLite file,
 * store-postgres.test.ts on a real throwaway PostgreSQL): the service relies on the same behaviour from
 * both: all-or-nothing batches, dedup by id, the generation check of result writes, errors, retention,
 * fits, claims and the results version.
 */
import { ChunkMark, ResultRecord, RowBatch, Store, StoreConflictError } from '../../backend/store/types';

/** A fresh, empty store; `reopen` opens another connection to the same one. */
export interface OpenedStore {
  store: Store;
  reopen(): Store;
}

export const chunk = (id: number, start: number, end: number): ChunkMark => ({
  chunkId: id,
  key: `[${start}:${end}]`,
  startSeq: start,
  endSeq: end,
  rangeStart: null,
  rangeEnd: null,
  partial: false,
});

export function batch(ids: (string | null)[], x: number[], opts: Partial<RowBatch> = {}): RowBatch {
  return {
    n: ids.length,
    ids: ids as string[],
    timestamps: Float64Array.from(ids.map((_, i) => 1e12 + i)),
    values: [Float64Array.from(x), Float64Array.from(x.map((v) => v * 2))],
    typeFlags: [null, null],
    targets: null,
    newLevels: [],
    ...opts,
  };
}

export function result(chunkId: number, value: number, over: Partial<ResultRecord> = {}): ResultRecord {
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

const none = () => ({ upsert: [], remove: [] });

export function storeSuite(open: () => Promise<OpenedStore>): void {
  const opened: Store[] = [];
  const fresh = async () => {
    const o = await open();
    opened.push(o.store);
    return {
      s: o.store,
      reopen: () => {
        const again = o.reopen();
        opened.push(again);
        return again;
      },
    };
  };
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  test('models: created once (a taken name conflicts), read back from another connection', async () => {
    const { s, reopen } = await fresh();
    const m = await s.createModel('m', { hello: 1 });
    await expect(s.createModel('m', {})).rejects.toBeInstanceOf(StoreConflictError);
    const again = reopen();
    expect((await again.getModel('m'))!).toMatchObject({ id: m.id, definition: { hello: 1 }, layout: null, analysisRows: 0, fitVersion: 0, lastIngestAt: null });
    expect((await again.modelStamps()).map((x) => x.name)).toEqual(['m']);
    expect(await again.getModel('nope')).toBeNull();
  });

  test('rows round-trip with flags and targets; duplicate ids are skipped; the plan sees accepted rows only', async () => {
    const { s } = await fresh();
    const m = await s.createModel('m', {});
    const flags = new Uint8Array(3);
    flags[1] = 1;
    const invalid = new Uint8Array(3);
    invalid[2] = 1;
    const seen: unknown[] = [];
    const r = await s.ingestRows(
      m.id,
      batch(['a', 'b', 'c'], [1, NaN, 3], {
        typeFlags: [flags, null],
        invalidFlags: [null, invalid, null],
        targets: Float64Array.from([1, NaN, 0]),
        newLevels: [{ column: 'cat', code: 0, value: 'x' }],
        receivedAt: 5000,
      }),
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
    expect(Array.from(rows.seq)).toEqual([0, 1, 2, 3]);
    expect(Array.from(rows.values[0])).toEqual([1, NaN, 3, 4]);
    expect(Array.from(rows.values[1])).toEqual([2, NaN, 6, 8]);
    expect(Array.from(rows.typeFlags[0]!)).toEqual([0, 1, 0, 0]);
    expect(rows.typeFlags[1]).toBeNull();
    expect(Array.from(rows.invalidFlags[1]!)).toEqual([0, 0, 1, 0]);
    expect(rows.invalidFlags[0]).toBeNull();
    expect(Array.from(rows.targets)).toEqual([1, NaN, 0, NaN]);
    expect(Array.from(rows.timestamps)).toEqual([1e12, 1e12 + 1, 1e12 + 2, 1e12 + 1]);
    expect(await s.loadLevels(m.id)).toEqual(new Map([['cat', ['x']]]));
    expect((await s.getModel('m'))!).toMatchObject({ analysisRows: 4, targets: 2 });
    expect((await s.getModel('m'))!.lastIngestAt).not.toBeNull();
    // Period chunks read a time range in (time, seq) order.
    const period = await s.readChunkRows(m.id, { ...chunk(9, 0, 0), startSeq: null, endSeq: null, rangeStart: 1e12 + 1, rangeEnd: 1e12 + 2 }, 2);
    expect(Array.from(period.seq)).toEqual([1, 3]);
  });

  test('large batches: order, sequence numbers and duplicates (stored, repeated in the batch, rows without id)', async () => {
    const { s } = await fresh();
    const m = await s.createModel('m', {});
    const n1 = 1234;
    const ids1 = Array.from({ length: n1 }, (_, i) => `r${i}`);
    const x1 = Array.from({ length: n1 }, (_, i) => i * 0.5);
    expect(await s.ingestRows(m.id, batch(ids1, x1), none)).toEqual({ inserted: n1, duplicates: 0 });
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
    const r = await s.ingestRows(m.id, batch(ids2, x2), (acc) => {
      accepted = acc.count;
      expect(acc.before).toBe(n1);
      return none();
    });
    expect(r).toEqual({ inserted: expected.length, duplicates: 1500 - expected.length });
    expect(accepted).toBe(expected.length);
    const rows = await s.readChunkRows(m.id, chunk(0, 0, n1 + 1500), 2);
    expect(rows.n).toBe(n1 + expected.length);
    expect(Array.from(rows.seq)).toEqual(Array.from({ length: rows.n }, (_, i) => i));
    expect(Array.from(rows.values[0])).toEqual([...x1, ...expected]);
    expect((await s.getModel('m'))!).toMatchObject({ analysisRows: n1 + expected.length });
  });

  test('a batch is all or nothing: a failure inside the transaction leaves no row, level or chunk behind', async () => {
    const { s } = await fresh();
    const m = await s.createModel('m', {});
    await expect(
      s.ingestRows(m.id, batch(['a', 'b'], [1, 2], { newLevels: [{ column: 'cat', code: 0, value: 'x' }] }), () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await s.getModel('m'))!.analysisRows).toBe(0);
    expect((await s.readChunkRows(m.id, chunk(0, 0, 10), 2)).n).toBe(0);
    expect(await s.chunks(m.id)).toEqual([]);
    expect(await s.loadLevels(m.id)).toEqual(new Map());
    // The same ids are accepted afterwards: nothing of the failed batch is left.
    expect(await s.ingestRows(m.id, batch(['a', 'b'], [1, 2], { fitVersion: 0 }), none)).toEqual({ inserted: 2, duplicates: 0 });
    // A batch coded for another fit version (the reference replaced meanwhile) is refused whole.
    await expect(s.ingestRows(m.id, batch(['c'], [3], { fitVersion: 7 }), none)).rejects.toBeInstanceOf(StoreConflictError);
    expect((await s.getModel('m'))!.analysisRows).toBe(2);
  });

  test('targets attach by id, unknown ids are returned, touched chunks become dirty (targets only when computed)', async () => {
    const { s } = await fresh();
    const m = await s.createModel('m', {});
    await s.replaceReference(m.id, { layout: { payload: [{}, {}] }, frame: Buffer.from([1]), rows: 1, newLevels: [], results: [] });
    await s.ingestRows(m.id, batch(['a', 'b', 'c'], [1, 2, 3]), () => ({ upsert: [chunk(0, 0, 1), chunk(1, 2, 2)], remove: [] }));
    const [c0] = await s.chunks(m.id);
    await s.writeChunkResults(m.id, { chunk: c0, nRows: 2, startDate: null, endDate: null, results: [] });
    expect((await s.chunks(m.id, { dirtyOnly: true })).map((c) => c.chunkId)).toEqual([1]);
    const invalid = Uint8Array.from([0, 0, 1]);
    const r = await s.attachTargets(m.id, { ids: ['a', 'zzz', 'c'], values: Float64Array.from([1, 0, NaN]), invalid, newLevels: [], chunkOf: (seq) => (seq < 2 ? 0 : 1) });
    expect(r).toEqual({ attached: 2, unknown: ['zzz'], expired: [] });
    const chunks = await s.chunks(m.id, { dirtyOnly: true });
    expect(chunks.map((c) => [c.chunkId, c.targetsOnly])).toEqual([
      [0, true],
      [1, false],
    ]);
    expect((await s.getModel('m'))!.targets).toBe(1);
    const rows = await s.readChunkRows(m.id, chunk(0, 0, 2), 2);
    expect(Array.from(rows.targets)).toEqual([1, NaN, NaN]);
    // The target's invalid bit is the one after the payload columns.
    expect(Array.from(rows.invalidFlags[2]!)).toEqual([0, 0, 1]);
    expect(await s.dirtyChunkCount(m.id)).toBe(2);
  });

  test('results: a recompute that read an older generation does not clear dirty; filters and order; delete', async () => {
    const { s } = await fresh();
    const m = await s.createModel('m', {});
    await s.ingestRows(m.id, batch(['a'], [1]), () => ({ upsert: [chunk(0, 0, 0)], remove: [] }));
    const [stale] = await s.chunks(m.id);
    await s.ingestRows(m.id, batch(['b'], [1]), () => ({ upsert: [chunk(0, 0, 1)], remove: [] }));
    expect(await s.writeChunkResults(m.id, { chunk: stale, nRows: 1, startDate: 0, endDate: 999, results: [result(0, 0.2)] })).toBe(false);
    expect((await s.chunks(m.id))[0].dirty).toBe(true);
    const [fresh1] = await s.chunks(m.id);
    expect(await s.writeChunkResults(m.id, { chunk: fresh1, nRows: 2, startDate: 0, endDate: 999, results: [result(0, 0.9)] })).toBe(true);
    const computed = (await s.chunks(m.id))[0];
    expect(computed).toMatchObject({ dirty: false, nRows: 2, startDate: 0, endDate: 999 });
    expect(computed.computedAt).not.toBeNull();
    await s.replaceReference(m.id, {
      layout: { x: 1 },
      frame: Buffer.from([1, 2, 3]),
      rows: 10,
      newLevels: [{ column: 'cat', code: 0, value: 'x' }],
      results: [result(0, 0.1, { period: 'reference' }), result(0, 0.3, { period: 'reference', column: 'y', seriesOrder: 1 })],
    });
    expect(await s.loadReference(m.id)).toEqual(Buffer.from([1, 2, 3]));
    expect((await s.getModel('m'))!).toMatchObject({ layout: { x: 1 }, referenceRows: 10, fitVersion: 1 });
    // The reference replaces every result and dirties every chunk.
    expect((await s.chunks(m.id))[0].dirty).toBe(true);
    expect(await s.queryResults({ modelId: m.id, period: 'analysis' })).toEqual([]);
    const [c] = await s.chunks(m.id);
    await s.writeChunkResults(m.id, { chunk: c, nRows: 2, startDate: 0, endDate: 999, results: [result(0, 0.9), result(0, 0.4, { column: 'y', seriesOrder: 1 })] });
    expect((await s.chunks(m.id))[0].computedAt!).toBeGreaterThan(computed.computedAt!);
    const all = await s.queryResults({ modelId: m.id });
    expect(all.map((r) => [r.column, r.period, r.value])).toEqual([
      ['x', 'reference', 0.1],
      ['x', 'analysis', 0.9],
      ['y', 'reference', 0.3],
      ['y', 'analysis', 0.4],
    ]);
    expect(all[1]).toEqual(result(0, 0.9));
    expect((await s.queryResults({ modelId: m.id, columns: ['y'], period: 'analysis' })).map((r) => r.value)).toEqual([0.4]);
    expect((await s.queryResults({ modelId: m.id, family: 'data_quality', metrics: ['missing_values'], calculatorId: 'c', chunkIds: [0] })).length).toBe(4);
    expect((await s.queryResults({ modelId: m.id, alertsOnly: true })).map((r) => r.value)).toEqual([0.9]);
    expect(await s.queryResults({ modelId: m.id, from: 5000 })).toEqual([]);
    expect((await s.queryResults({ modelId: m.id, to: 500, period: 'analysis' })).length).toBe(2);
    expect(await s.listSeries(m.id)).toEqual([
      { family: 'data_quality', calculator_id: 'c', calculator: 'C', metric: 'missing_values', column: 'x' },
      { family: 'data_quality', calculator_id: 'c', calculator: 'C', metric: 'missing_values', column: 'y' },
    ]);
    expect(await s.listSeries(m.id, 'drift')).toEqual([]);
    const stamps = await s.chunkStamps();
    expect(stamps).toEqual([expect.objectContaining({ modelId: m.id, chunkId: 0, startDate: 0, endDate: 999 })]);
    await s.deleteModel(m.id);
    expect(await s.listModels()).toEqual([]);
    expect(await s.queryResults({ modelId: m.id })).toEqual([]);
    expect(await s.chunkStamps()).toEqual([]);
  });

  test("a renumbering moves the chunk's stamp (computedAt), even onto the positions it already had", async () => {
    const { s } = await fresh();
    const m = await s.createModel('m', {});
    await s.ingestRows(m.id, batch(['a'], [1]), () => ({ upsert: [chunk(0, 0, 0)], remove: [] }));
    const [c] = await s.chunks(m.id);
    await s.writeChunkResults(m.id, { chunk: c, nRows: 1, startDate: 0, endDate: 9, results: [result(0, 0.1)] });
    const position = { chunkId: 0, index: 0, startIndex: 0, endIndex: 0 };
    await s.setChunkPositions(m.id, [position]);
    const [written] = await s.chunkStamps();
    // The chunk's own positions stay; its result rows' positions are rewritten, so the series index must read it again.
    await s.setChunkPositions(m.id, [position]);
    const [renumbered] = await s.chunkStamps();
    expect(renumbered).toMatchObject({ chunkIndex: 0, startIndex: 0, endIndex: 0 });
    expect(renumbered.computedAt!).toBeGreaterThan(written.computedAt!);
    await s.writeChunkResults(m.id, { chunk: (await s.chunks(m.id))[0], nRows: 1, startDate: 0, endDate: 9, results: [result(0, 0.2)] });
    expect((await s.chunkStamps())[0].computedAt!).toBeGreaterThan(renumbered.computedAt!);
  });

  test('the results generation moves with every change of a model\'s results, and past a deletion', async () => {
    const { s } = await fresh();
    const gen = async (name: string) => (await s.modelStamps()).find((r) => r.name === name)?.resultsGen;
    const m = await s.createModel('m', {});
    const other = await s.createModel('other', {});
    expect(await gen('m')).toBe(0);
    await s.ingestRows(m.id, batch(['a', 'b'], [1, 2]), () => ({ upsert: [chunk(0, 0, 0), chunk(1, 1, 1)], remove: [] }));
    expect(await gen('m')).toBe(0); // rows change no result
    let last = 0;
    const moved = async () => {
      const g = (await gen('m'))!;
      expect(g).toBeGreaterThan(last);
      last = g;
    };
    const [c0] = await s.chunks(m.id);
    await s.writeChunkResults(m.id, { chunk: c0, nRows: 1, startDate: 0, endDate: 9, results: [result(0, 0.1)] });
    await moved();
    await s.setChunkPositions(m.id, [{ chunkId: 0, index: 0, startIndex: 0, endIndex: 0 }]);
    await moved();
    await s.ingestRows(m.id, batch(['c'], [3]), () => ({ upsert: [], remove: [1] }));
    await moved();
    await s.replaceReference(m.id, { layout: {}, frame: Buffer.alloc(8), rows: 1, newLevels: [], results: [] });
    await moved();
    expect(await gen('other')).toBe(0);
    // Registered again (SQLite reuses the id of the last model deleted): never the generation last read.
    await s.deleteModel(other.id);
    await s.deleteModel(m.id);
    const again = await s.createModel('m', {});
    const [reused] = (await s.modelStamps()).filter((r) => r.id === m.id);
    if (again.id === m.id) expect(reused.resultsGen).toBeGreaterThan(last);
    else expect(reused).toBeUndefined();
    expect(await s.chunkStamps([again.id])).toEqual([]);
  });

  test('a result write of only some calculators keeps the others; missing values are stored as null', async () => {
    const { s } = await fresh();
    const m = await s.createModel('m', {});
    await s.ingestRows(m.id, batch(['a'], [1]), () => ({ upsert: [chunk(0, 0, 0)], remove: [] }));
    let [c] = await s.chunks(m.id);
    await s.writeChunkResults(m.id, { chunk: c, nRows: 1, startDate: 0, endDate: 9, results: [result(0, 0.1), result(0, 0.2, { id: 'd', calculator: 'D', calcOrder: 1 })] });
    await s.markAllDirty(m.id);
    [c] = await s.chunks(m.id);
    expect(c.dirty).toBe(true);
    await s.writeChunkResults(m.id, { chunk: c, nRows: 1, startDate: 0, endDate: 9, results: [result(0, NaN, { id: 'd', calculator: 'D', calcOrder: 1, alert: null })], calculators: ['d'] });
    const rows = await s.queryResults({ modelId: m.id });
    expect(rows.map((r) => [r.id, r.value, r.alert])).toEqual([
      ['c', 0.1, false],
      ['d', null, null],
    ]);
  });

  test('rechunking replaces chunks with generations above the old ones; a plan removes chunks and their results', async () => {
    const { s } = await fresh();
    const m = await s.createModel('m', {});
    await s.ingestRows(m.id, batch(['a', 'b', 'c'], [1, 2, 3]), () => ({ upsert: [chunk(0, 0, 1), chunk(1, 2, 2)], remove: [] }));
    const [, c1] = await s.chunks(m.id);
    await s.writeChunkResults(m.id, { chunk: c1, nRows: 1, startDate: 1000, endDate: 1999, results: [result(1, 0.1)] });
    const v0 = await s.resultsVersion();
    await s.ingestRows(m.id, batch(['d'], [4]), () => ({ upsert: [chunk(0, 0, 3)], remove: [1] }));
    expect((await s.chunks(m.id)).map((c) => c.chunkId)).toEqual([0]);
    expect(await s.queryResults({ modelId: m.id })).toEqual([]);
    expect(await s.resultsVersion()).not.toBe(v0);
    const oldGen = (await s.chunks(m.id))[0].gen;
    await s.replaceReference(m.id, { layout: {}, frame: Buffer.from([0]), rows: 1, newLevels: [], results: [], rechunk: [chunk(0, 0, 1), chunk(1, 2, 3)] });
    const after = await s.chunks(m.id);
    expect(after.map((c) => [c.chunkId, c.dirty])).toEqual([
      [0, true],
      [1, true],
    ]);
    for (const c of after) expect(c.gen).toBeGreaterThan(oldGen);
    await s.setChunkPositions(m.id, [{ chunkId: 1, index: 7, startIndex: 70, endIndex: 79 }]);
    expect((await s.chunks(m.id))[1]).toMatchObject({ chunkIndex: 7, startIndex: 70, endIndex: 79 });
  });

  test('errors: recorded with totals, resolved by stage, pruned to the newest 100; a chunk that recomputes resolves its own', async () => {
    const { s } = await fresh();
    const m = await s.createModel('m', {});
    await s.recordError(m.id, { stage: 'fit', calculator: null, chunkId: null, chunkKey: null, message: 'no fit' });
    await s.ingestRows(m.id, batch(['a'], [1]), () => ({ upsert: [chunk(0, 0, 0)], remove: [] }));
    let [c] = await s.chunks(m.id);
    await s.writeChunkResults(m.id, { chunk: c, nRows: 1, startDate: 0, endDate: 9, results: [], errors: [{ calculator: 'X', message: 'x failed' }] });
    expect(await s.errorSummary(m.id)).toEqual({ totals: { fit: 1, recompute: 1 }, unresolved: { fit: 1, recompute: 1 } });
    // Every model's unresolved errors in one read: a model without any is left out.
    const quiet = await s.createModel('quiet', {});
    expect(await s.unresolvedErrorCounts()).toEqual(new Map([[m.id, { fit: 1, recompute: 1 }]]));
    await s.recordError(quiet.id, { stage: 'recompute', calculator: null, chunkId: null, chunkKey: null, message: 'r' });
    expect((await s.unresolvedErrorCounts()).get(quiet.id)).toEqual({ fit: 0, recompute: 1 });
    expect((await s.listErrors(m.id)).map((e) => [e.stage, e.calculator, e.chunkKey, e.message, e.resolvedAt])).toEqual([
      ['recompute', 'X', '[0:0]', 'x failed', null],
      ['fit', null, null, 'no fit', null],
    ]);
    await s.markAllDirty(m.id);
    [c] = await s.chunks(m.id);
    await s.writeChunkResults(m.id, { chunk: c, nRows: 1, startDate: 0, endDate: 9, results: [] });
    expect((await s.errorSummary(m.id)).unresolved).toEqual({ fit: 1, recompute: 0 });
    expect(await s.resolveErrors(m.id, 'fit', { modelLevelOnly: true })).toBe(1);
    for (let i = 0; i < 105; i++) await s.recordError(m.id, { stage: 'fit', calculator: null, chunkId: null, chunkKey: null, message: `e${i}` });
    const kept = await s.listErrors(m.id);
    expect(kept.length).toBe(100);
    expect(kept[0].message).toBe('e104');
    expect((await s.errorSummary(m.id)).totals).toEqual({ fit: 106, recompute: 1 });
  });

  test('retention: only computed chunks are marked; rows deleted in steps keep their ids (duplicates, expired targets)', async () => {
    const { s } = await fresh();
    const m = await s.createModel('m', {});
    await s.ingestRows(m.id, batch(['a', 'b', 'c', 'd'], [1, 2, 3, 4]), () => ({ upsert: [chunk(0, 0, 2), chunk(1, 3, 3)], remove: [] }));
    const [c0] = await s.chunks(m.id);
    await s.writeChunkResults(m.id, { chunk: c0, nRows: 3, startDate: 0, endDate: 9, results: [result(0, 0.3)] });
    expect(await s.markRowsDropped(m.id, [0, 1], 123)).toEqual([0]);
    expect(await s.deleteDroppedRows(m.id, 0, 2)).toEqual({ deleted: 2, done: false });
    expect(await s.deleteDroppedRows(m.id, 0, 2)).toEqual({ deleted: 1, done: true });
    expect((await s.chunks(m.id))[0]).toMatchObject({ rowsDropped: true, rowsGone: true });
    expect((await s.readChunkRows(m.id, chunk(0, 0, 3), 2)).n).toBe(1);
    expect(await s.ingestRows(m.id, batch(['a', 'e'], [1, 5]), none)).toEqual({ inserted: 1, duplicates: 1 });
    const t = await s.attachTargets(m.id, { ids: ['b'], values: Float64Array.from([1]), newLevels: [], chunkOf: () => 0 });
    expect(t).toEqual({ attached: 0, unknown: [], expired: [{ id: 'b', chunk: '[0:2]' }] });
    // Its results stay; a dropped chunk is never recomputed (a write is refused) nor dirtied by a new reference.
    expect((await s.queryResults({ modelId: m.id })).map((r) => r.value)).toEqual([0.3]);
    expect(await s.writeChunkResults(m.id, { chunk: (await s.chunks(m.id))[0], nRows: 0, startDate: 0, endDate: 9, results: [] })).toBe(false);
    await s.replaceReference(m.id, { layout: {}, frame: Buffer.from([0]), rows: 1, newLevels: [], results: [] });
    expect((await s.chunks(m.id))[0].dirty).toBe(false);
    expect((await s.queryResults({ modelId: m.id })).map((r) => r.value)).toEqual([0.3]);
  });

  test('fits are saved, replaced and loaded', async () => {
    const { s } = await fresh();
    const m = await s.createModel('m', {});
    expect(await s.loadFit(m.id)).toBeNull();
    await s.saveFit(m.id, { codeVersion: 'v1', inputsHash: 'h', checksum: 'c', blob: Buffer.from([1, 2]) });
    await s.saveFit(m.id, { codeVersion: 'v2', inputsHash: 'h2', checksum: 'c2', blob: Buffer.from([3, 4, 5]) });
    expect(await s.loadFit(m.id)).toEqual({ codeVersion: 'v2', inputsHash: 'h2', checksum: 'c2', blob: Buffer.from([3, 4, 5]) });
  });

  test('claims: a claimed chunk is not handed out again until released or its lease ends', async () => {
    const { s } = await fresh();
    const m = await s.createModel('m', {});
    await s.ingestRows(m.id, batch(['a', 'b', 'c'], [1, 2, 3]), () => ({ upsert: [chunk(0, 0, 0), chunk(1, 1, 1), chunk(2, 2, 2)], remove: [] }));
    const a = await s.claimChunks(m.id, 'A', 60_000, 2);
    expect(a.map((c) => c.chunkId)).toEqual([0, 1]);
    expect(a[0].gen).toBe((await s.chunks(m.id))[0].gen);
    expect((await s.claimChunks(m.id, 'B', 60_000, 5)).map((c) => c.chunkId)).toEqual([2]);
    expect(await s.claimChunks(m.id, 'B', 60_000, 5)).toEqual([]);
    await s.releaseClaims(m.id, 'B', [0]); // not B's: stays A's
    expect(await s.claimChunks(m.id, 'B', 60_000, 5)).toEqual([]);
    await s.releaseClaims(m.id, 'A', [0, 1]);
    // Only among given chunks.
    expect((await s.claimChunks(m.id, 'D', 60_000, 5, [1, 2])).map((c) => c.chunkId)).toEqual([1]);
    expect((await s.claimChunks(m.id, 'B', 1, 5)).map((c) => c.chunkId)).toEqual([0]);
    await new Promise((r) => setTimeout(r, 20));
    // B's 1 ms lease ended: taken over.
    expect((await s.claimChunks(m.id, 'C', 60_000, 5)).map((c) => c.chunkId)).toEqual([0]);
  });

  test('claims: a renewed claim outlives its first lease; an ended one is not revived', async () => {
    const { s } = await fresh();
    const m = await s.createModel('m', {});
    await s.ingestRows(m.id, batch(['a', 'b'], [1, 2]), () => ({ upsert: [chunk(0, 0, 0), chunk(1, 1, 1)], remove: [] }));
    expect((await s.claimChunks(m.id, 'A', 1000, 1, [0])).map((c) => c.chunkId)).toEqual([0]);
    expect((await s.claimChunks(m.id, 'A', 5, 1, [1])).map((c) => c.chunkId)).toEqual([1]);
    await new Promise((r) => setTimeout(r, 100));
    // Chunk 0's lease is live: renewed, by its owner only; chunk 1's has ended: not revived.
    expect(await s.renewClaims(m.id, 'B', 5000, [0])).toEqual([]);
    expect(await s.renewClaims(m.id, 'A', 5000, [0, 1])).toEqual([0]);
    await new Promise((r) => setTimeout(r, 1000));
    // Past chunk 0's first lease it is still A's (renewed); chunk 1 is free.
    expect((await s.claimChunks(m.id, 'B', 60_000, 5)).map((c) => c.chunkId)).toEqual([1]);
  });

  test('the results version changes with every result write, and not with a plain ingest', async () => {
    const { s } = await fresh();
    const m = await s.createModel('m', {});
    await s.ingestRows(m.id, batch(['a'], [1]), () => ({ upsert: [chunk(0, 0, 0)], remove: [] }));
    const v1 = await s.resultsVersion();
    await s.ingestRows(m.id, batch(['b'], [1]), () => ({ upsert: [chunk(0, 0, 1)], remove: [] }));
    expect(await s.resultsVersion()).toBe(v1);
    const [c] = await s.chunks(m.id);
    await s.writeChunkResults(m.id, { chunk: c, nRows: 1, startDate: 0, endDate: 9, results: [result(0, 0.5)] });
    expect(await s.resultsVersion()).not.toBe(v1);
  });
}
