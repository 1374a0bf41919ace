/**
 * The series kept current per chunk (store-source.ts + series-index.ts) equal a full rebuild from every
 * stored result (series.ts seriesOfRows, what the server did before), after random sequences of chunk
 * result writes, ingests, chunk removals, renumbering, reference replacements (with and without new
 * chunking), model deletions and clock moves, on a real SQLite store.
 */
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openChunkPolicy } from '../../service/open-chunks';
import { SqliteStore } from '../../store/sqlite';
import type { ChunkMark, ResultRecord, RowBatch } from '../../store/types';
import type { VectorSelector } from './ast';
import { compareLabels } from './labels';
import { parseQuery } from './parser';
import { seriesOfRows } from './series';
import { Series } from './source';
import { SeriesIndex, SeriesState, sortKeyOf } from './series-index';
import { markOpenChunks, StoreSeriesSource } from './store-source';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const LOOKBACK = 2 * DAY;
const CHUNKS = 4;
const MODELS = ['size', 'daily', 'opted'] as const;
type ModelName = (typeof MODELS)[number];
const DEFINITIONS: Record<ModelName, unknown> = {
  size: { chunking: { chunk_size: 10 } },
  daily: { chunking: { chunk_period: 'D' } },
  opted: { chunking: { chunk_period: 'D' }, alerting: { open_chunks_min_rows: 3 } },
};

/** Series of the generated results: calculator, id, metric, column (calc and series order fixed per series). */
const SERIES = [
  { calculator: 'UnivariateDriftCalculator', id: 'UnivariateDriftCalculator', family: 'univariate_drift', metric: 'jensen_shannon', column: 'a' },
  { calculator: 'UnivariateDriftCalculator', id: 'UnivariateDriftCalculator', family: 'univariate_drift', metric: 'jensen_shannon', column: 'b' },
  { calculator: 'CBPE', id: 'CBPE', family: 'estimated_performance', metric: 'roc_auc', column: null },
  { calculator: 'CBPE', id: 'cbpe_f1', family: 'estimated_performance', metric: 'f1', column: null },
  { calculator: 'SummaryStatsRowCountCalculator', id: 'SummaryStatsRowCountCalculator', family: 'summary_stats', metric: 'rows_count', column: null },
];

type Op =
  | { kind: 'write'; model: number; chunk: number; series: boolean[]; value: number; nulls: number; alert: number; partial: boolean; shift: number; long: boolean }
  | { kind: 'ingest'; model: number; chunk: number }
  | { kind: 'remove'; model: number; chunk: number }
  | { kind: 'renumber'; model: number; seed: number }
  | { kind: 'reference'; model: number; rechunk: boolean }
  | { kind: 'delete'; model: number }
  | { kind: 'clock'; ms: number }
  | { kind: 'check' };

const model = fc.integer({ min: 0, max: MODELS.length - 1 });
const chunk = fc.integer({ min: 0, max: CHUNKS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('write' as const), model, chunk, series: fc.array(fc.boolean(), { minLength: SERIES.length, maxLength: SERIES.length }), value: fc.double({ min: 0, max: 1, noNaN: true }), nulls: fc.nat(255), alert: fc.nat(2), partial: fc.boolean(), shift: fc.constantFrom(0, 1), long: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ingest' as const), model, chunk }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), model, chunk }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('renumber' as const), model, seed: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reference' as const), model, rechunk: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), model }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('clock' as const), ms: fc.integer({ min: 0, max: 2 * DAY }) }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'check' as const }) },
);

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-series-index-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function mark(name: ModelName, id: number): ChunkMark {
  const period = name !== 'size';
  return { chunkId: period ? T0 + id * DAY : id, key: `c${id}`, startSeq: period ? null : id * 10, endSeq: period ? null : id * 10 + 9, rangeStart: period ? T0 + id * DAY : null, rangeEnd: period ? T0 + (id + 1) * DAY : null, partial: false };
}

function oneRow(n: number): RowBatch {
  return { n: 1, ids: [`r${n}`], timestamps: Float64Array.of(T0 + n), values: [Float64Array.of(n)], typeFlags: [null], targets: null, newLevels: [] };
}

/** Today's full rebuild: every analysis result of every model through seriesOfRows, sorted as the index sorts. */
async function fullRebuild(store: SqliteStore, now: number): Promise<Series[]> {
  const out: Series[] = [];
  for (const m of await store.listModels()) {
    const rows = await store.queryResults({ modelId: m.id, period: 'analysis' });
    const { marked } = markOpenChunks(openChunkPolicy(m.definition as never), rows, now);
    out.push(...seriesOfRows(m.name, marked, LOOKBACK));
  }
  return out.sort((a, b) => compareLabels(a.labels, b.labels));
}

const plain = (s: readonly Series[]) => s.map((x) => ({ labels: x.labels, t: Array.from(x.timestamps), v: Array.from(x.values), currentUntil: x.currentUntil }));

async function run(ops: Op[]): Promise<void> {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.db`);
  const store = new SqliteStore(file);
  let now = T0 + 3 * DAY + 5 * 3_600_000;
  const source = new StoreSeriesSource(store, LOOKBACK, () => now);
  let rowNo = 0;
  const ids = new Map<ModelName, number>();
  for (const name of MODELS) ids.set(name, (await store.createModel(name, DEFINITIONS[name])).id);
  try {
    const check = async () => {
      const inc = (await source.current()).select([]);
      expect(plain(inc)).toEqual(plain(await fullRebuild(store, now)));
    };
    for (const o of [...ops, { kind: 'check' } as Op]) {
      if (o.kind === 'check') await check();
      else if (o.kind === 'clock') now += o.ms;
      else {
        const name = MODELS[o.model];
        const id = ids.get(name)!;
        const chunks = await store.chunks(id);
        if (o.kind === 'ingest') {
          await store.ingestRows(id, oneRow(rowNo++), () => ({ upsert: [mark(name, o.chunk)], remove: [] }));
        } else if (o.kind === 'remove') {
          const c = chunks.find((x) => x.chunkId === mark(name, o.chunk).chunkId);
          if (c) await store.ingestRows(id, oneRow(rowNo++), () => ({ upsert: [], remove: [c.chunkId] }));
        } else if (o.kind === 'write') {
          // A chunk is computed after rows landed in it.
          if (!chunks.some((x) => x.chunkId === mark(name, o.chunk).chunkId)) await store.ingestRows(id, oneRow(rowNo++), () => ({ upsert: [mark(name, o.chunk)], remove: [] }));
          const c = (await store.chunks(id)).find((x) => x.chunkId === mark(name, o.chunk).chunkId)!;
          // `shift` moves a size chunk's start onto the next chunk's: two chunks at one time (later index wins).
          const start = T0 + (o.chunk + (name === 'size' ? o.shift : 0)) * DAY;
          // A long chunk ends after later ones: a series is current until its latest chunk end, not its last chunk's.
          const end = start + (o.long ? 3 : 1) * DAY - 1;
          const index = c.chunkIndex ?? o.chunk;
          const results: ResultRecord[] = [];
          SERIES.forEach((s, k) => {
            if (!o.series[k]) return;
            const isNull = (bit: number) => (o.nulls >> ((k + bit) % 8)) & 1;
            results.push({
              calculator: s.calculator, id: s.id, family: s.family, column: s.column, metric: s.metric, period: 'analysis', chunkId: c.chunkId,
              chunk: { key: c.key, index, start_index: index * 10, end_index: index * 10 + (o.nulls % 5), start_date: start, end_date: end },
              value: isNull(0) ? null : o.value + k, upper_threshold: isNull(1) ? null : 0.5, lower_threshold: isNull(2) ? null : 0.1,
              alert: o.alert === 2 ? null : o.alert === 1, sampling_error: isNull(3) ? null : 0.01, upper_confidence_boundary: isNull(4) ? null : o.value + 0.03,
              lower_confidence_boundary: isNull(5) ? null : o.value - 0.03, realized: isNull(6) ? null : o.value / 2, targets_missing_rate: null,
              partial: o.partial, calcOrder: Math.floor(k / 2), seriesOrder: k % 2,
            });
          });
          await store.writeChunkResults(id, { chunk: c, nRows: 10, startDate: start, endDate: end, results });
        } else if (o.kind === 'renumber') {
          // A random permutation of chunk indices (period chunking renumbers when a late row opens a chunk).
          const order = chunks.map((c, i) => ({ c, k: (i * 7919 + o.seed) % 101 })).sort((a, b) => a.k - b.k || a.c.chunkId - b.c.chunkId);
          await store.setChunkPositions(id, order.map(({ c }, i) => ({ chunkId: c.chunkId, index: i, startIndex: i * 10, endIndex: i * 10 + 9 })));
        } else if (o.kind === 'reference') {
          const rechunk = o.rechunk ? [0, 1, 2].map((i) => mark(name, i)) : undefined;
          await store.replaceReference(id, { layout: {}, frame: Buffer.alloc(8), rows: 1, newLevels: [], results: [], rechunk });
        } else if (o.kind === 'delete') {
          await store.deleteModel(id);
          ids.set(name, (await store.createModel(name, DEFINITIONS[name])).id);
        }
      }
    }
  } finally {
    await store.close();
  }
}

test('series kept current per chunk equal a full rebuild after random chunk writes, deletes, references and model deletions', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 50, size: 'max' }), (ops) => run(ops)),
    { numRuns: Number(process.env.VIGIL_FC_RUNS ?? 100), interruptAfterTimeLimit: 60_000 },
  );
}, 120_000);

test('a result write reads only the chunk written; an unchanged store reads nothing', async () => {
  const store = new SqliteStore(path.join(dir, 'few.db'));
  const now = T0 + 30 * DAY;
  const source = new StoreSeriesSource(store, LOOKBACK, () => now);
  const m = await store.createModel('m', DEFINITIONS.daily);
  for (let i = 0; i < 20; i++) await store.ingestRows(m.id, oneRow(i), () => ({ upsert: [mark('daily', i)], remove: [] }));
  const write = async (i: number, value: number) => {
    const c = (await store.chunks(m.id)).find((x) => x.chunkId === mark('daily', i).chunkId)!;
    const start = T0 + i * DAY;
    const r: ResultRecord = { ...SERIES[0], period: 'analysis', chunkId: c.chunkId, chunk: { key: c.key, index: i, start_index: 0, end_index: 9, start_date: start, end_date: start + DAY - 1 }, value, upper_threshold: 0.5, lower_threshold: null, alert: value > 0.5, sampling_error: null, upper_confidence_boundary: null, lower_confidence_boundary: null, realized: null, targets_missing_rate: null, partial: false, calcOrder: 0, seriesOrder: 0 };
    await store.writeChunkResults(m.id, { chunk: c, nRows: 10, startDate: start, endDate: start + DAY - 1, results: [r] });
  };
  for (let i = 0; i < 20; i++) await write(i, i / 100);
  await source.current();
  expect(source.reads).toEqual({ chunks: 20, fullBuilds: 1 });
  await source.current();
  expect(source.reads.chunks).toBe(20);
  await write(7, 0.9);
  const alert = (await source.current()).select([{ name: '__name__', op: '=', value: 'vigil_univariate_drift_alert' }]);
  expect(source.reads).toEqual({ chunks: 21, fullBuilds: 1 });
  expect(Array.from(alert[0].values)).toEqual(Array.from({ length: 20 }, (_, i) => (i === 7 ? 1 : 0)));
  expect(source.modelVersion('m')).toBe(2);
  await store.close();
});
test('two size chunks starting at one time keep the later chunk; an open day closes by the clock', async () => {
  const all = [true, true, true, true, true];
  await run([
    { kind: 'write', model: 0, chunk: 0, series: all, value: 0.2, nulls: 0, alert: 1, partial: false, shift: 1, long: false },
    { kind: 'write', model: 0, chunk: 1, series: all, value: 0.3, nulls: 0, alert: 1, partial: false, shift: 0, long: false },
    { kind: 'write', model: 1, chunk: 3, series: all, value: 0.3, nulls: 0, alert: 1, partial: false, shift: 0, long: false },
    { kind: 'check' },
    { kind: 'clock', ms: 2 * DAY },
  ]);
});

test('a renumbering that rewrites a chunk\'s result positions but not its own is read again (fast-check seed -1073806543)', async () => {
  // The chunk's positions already were the renumbering's; its results held others (a row count of 1, so
  // the opted model's open-chunk alert was withheld). The rewrite makes them 10 rows: the alert counts.
  const none = [false, false, false, false, false];
  const cbpeF1 = [false, false, false, true, false];
  await run([
    { kind: 'write', model: 2, chunk: 3, series: none, value: 0, nulls: 0, alert: 0, partial: false, shift: 0, long: false },
    { kind: 'renumber', model: 2, seed: 0 },
    { kind: 'write', model: 2, chunk: 3, series: cbpeF1, value: 0, nulls: 0, alert: 1, partial: false, shift: 0, long: false },
    { kind: 'check' },
    { kind: 'renumber', model: 2, seed: 0 },
  ]);
});

test("a label set's sort key orders as Prometheus's label-set comparison, control characters included", () => {
  const text = fc.string({ unit: fc.constantFrom('\u0000', '\u0001', '\u0002', 'a', 'b', 'é', '_'), maxLength: 4 });
  const labels = fc.dictionary(fc.constantFrom('__name__', 'a', 'ab', 'b', 'model', 'm\u0000', 'm\u0001'), text, { maxKeys: 4 });
  fc.assert(
    fc.property(labels, labels, (x, y) => {
      const byKey = Math.sign(sortKeyOf(x) < sortKeyOf(y) ? -1 : sortKeyOf(x) > sortKeyOf(y) ? 1 : 0);
      expect(byKey).toBe(Math.sign(compareLabels(x, y)));
    }),
    { numRuns: 2000 },
  );
});

test('a long list takes a few series in and out in place, in label order, as a full merge would', () => {
  const matchers = (selector: string) => (parseQuery(selector) as VectorSelector).matchers;
  // Two names; series of name n carry label k (a number, so that label order differs from creation order).
  const made = (name: string, k: number) => {
    const base = { model: 'm', k: String(k) };
    const labels = { __name__: name, ...base };
    const state = new SeriesState(labels, { family: null as never, base, sortKey: sortKeyOf(base), states: [] }, 0);
    state.series = { labels, timestamps: Float64Array.of(k), values: Float64Array.of(k) };
    return state;
  };
  fc.assert(
    fc.property(fc.array(fc.record({ add: fc.uniqueArray(fc.integer({ min: 0, max: 2000 }), { maxLength: 20 }), drop: fc.array(fc.nat(), { maxLength: 20 }) }), { minLength: 1, maxLength: 8 }), (steps) => {
      const index = new SeriesIndex();
      const held = new Map<string, SeriesState>();
      const add = (states: SeriesState[]) => index.apply([{ added: states, removed: [] }]);
      const first: SeriesState[] = [];
      for (let k = 0; k < 400; k += 1) for (const name of ['a_alert', 'b_value']) first.push(made(name, k * 5 + 1));
      add(first);
      for (const s of first) held.set(`${s.name}|${s.labels.k}`, s);
      for (const step of steps) {
        const list = [...held.values()];
        const removed = [...new Set(step.drop.map((i) => list[i % list.length]))];
        for (const s of removed) held.delete(`${s.name}|${s.labels.k}`);
        const added = step.add.map((k) => made(k % 2 ? 'a_alert' : 'b_value', k)).filter((s) => !held.has(`${s.name}|${s.labels.k}`));
        for (const s of added) held.set(`${s.name}|${s.labels.k}`, s);
        index.apply([{ added, removed }]);
        const expected = [...held.values()].map((s) => s.series!).sort((x, y) => compareLabels(x.labels, y.labels));
        expect(index.select([])).toEqual(expected);
        expect(index.select(matchers('a_alert'))).toEqual(expected.filter((s) => s.labels.__name__ === 'a_alert'));
        expect(index.select(matchers('b_value{k=~"1.*"}'))).toEqual(expected.filter((s) => s.labels.__name__ === 'b_value' && s.labels.k.startsWith('1')));
      }
    }),
    { numRuns: 60 },
  );
});
