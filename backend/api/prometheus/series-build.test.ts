/**
 * A model's series rebuilt after each batch of chunk changes (series-index.ts ModelSeries.publish, which
 * copies the samples before the earliest changed chunk as they are and merges only the rest) equal the
 * series made from scratch from the chunks' current rows (series.ts seriesOfRows), over many chunks, with
 * changes mostly at the tail as during ingest, chunks sharing a start, chunks ending after later ones,
 * chunks read again with an earlier end, and chunks removed.
 */
import * as fc from 'fast-check';
import { compareLabels } from './labels';
import { seriesOfRows } from './series';
import { IndexedRow, ModelSeries } from './series-index';
import { Series } from './source';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const LOOKBACK = 2 * DAY;
const CHUNKS = 40;
const COLUMNS = ['a', 'b', 'c'];

type Change =
  | { kind: 'set'; chunk: number; columns: boolean[]; value: number; alert: boolean; tie: boolean; long: number; partial: boolean }
  | { kind: 'remove'; chunk: number }
  | { kind: 'publish' };

/** Mostly the last few chunks, as ingest changes them; sometimes any. */
const chunkNo = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: CHUNKS - 4, max: CHUNKS - 1 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: CHUNKS - 1 }) });
const change: fc.Arbitrary<Change> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      chunk: chunkNo,
      columns: fc.array(fc.boolean(), { minLength: COLUMNS.length, maxLength: COLUMNS.length }),
      value: fc.double({ min: 0, max: 1, noNaN: true }),
      alert: fc.boolean(),
      tie: fc.boolean(),
      long: fc.integer({ min: 0, max: 5 }),
      partial: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), chunk: chunkNo }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'publish' as const }) },
);

function rowsOf(c: Extract<Change, { kind: 'set' }>): IndexedRow[] {
  // `tie`: the chunk starts where the one before it does (the later chunk's sample is kept).
  const start = T0 + (c.chunk - (c.tie && c.chunk > 0 ? 1 : 0)) * DAY;
  // `long`: the chunk ends after later ones (a series is current until its latest chunk end).
  const end = start + (c.long === 5 ? 9 : 1) * DAY - 1;
  const out: IndexedRow[] = [];
  COLUMNS.forEach((column, k) => {
    if (!c.columns[k]) return;
    out.push({
      calculator: 'UnivariateDriftCalculator', id: 'UnivariateDriftCalculator', column, metric: 'jensen_shannon', period: 'analysis', chunkId: 1000 + c.chunk,
      chunk: { index: c.chunk, start_date: start, end_date: end }, value: c.value + k, upper_threshold: 0.5, lower_threshold: k === 1 ? null : 0.1,
      alert: c.alert, upper_confidence_boundary: null, lower_confidence_boundary: null, sampling_error: null, realized: null, partial: c.partial && c.chunk === CHUNKS - 1,
    });
  });
  return out;
}

const plain = (s: readonly Series[]) =>
  [...s].sort((a, b) => compareLabels(a.labels, b.labels)).map((x) => ({ labels: x.labels, t: Array.from(x.timestamps), v: Array.from(x.values), currentUntil: x.currentUntil }));

test('series rebuilt after tail-heavy chunk changes equal the series made from scratch', () => {
  fc.assert(
    fc.property(fc.array(change, { minLength: 1, maxLength: 60 }), (changes) => {
      const model = new ModelSeries('m', LOOKBACK);
      const current = new Map<number, IndexedRow[]>();
      // A full history first: every chunk once, so that later changes meet long series.
      for (let i = 0; i < CHUNKS; i++) {
        const rows = rowsOf({ kind: 'set', chunk: i, columns: [true, true, true], value: i / 100, alert: i % 3 === 0, tie: i % 7 === 3, long: i % 11 === 4 ? 5 : 0, partial: false });
        current.set(i, rows);
        model.setChunk(1000 + i, `s${i}`, Number.POSITIVE_INFINITY, rows);
      }
      model.publish();
      const check = () => {
        model.publish();
        const rows = [...current.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, r]) => r);
        expect(plain(model.all().map((s) => s.series!))).toEqual(plain(seriesOfRows('m', rows, LOOKBACK)));
      };
      for (const c of [...changes, { kind: 'publish' } as Change]) {
        if (c.kind === 'publish') check();
        else if (c.kind === 'remove') {
          current.delete(c.chunk);
          model.removeChunk(1000 + c.chunk);
        } else {
          const rows = rowsOf(c);
          current.set(c.chunk, rows);
          model.setChunk(1000 + c.chunk, `s${c.chunk}-${c.value}`, Number.POSITIVE_INFINITY, rows);
        }
      }
    }),
    { numRuns: 300 },
  );
});
