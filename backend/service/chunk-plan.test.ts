import { chunkRows } from '../engine/chunking';
import { chunkIdOf, planChunks, sizeChunkMarks } from './chunk-plan';
import { StreamChunker } from './layout';

const size = (n: number, incomplete: 'keep' | 'append' | 'drop' = 'keep'): StreamChunker & { type: 'size' } => ({ type: 'size', size: n, incomplete });

describe('size chunking over the stream', () => {
  test('the chunks of n streamed rows are NannyML’s size chunks of n rows, the last partial while filling', () => {
    for (const incomplete of ['keep', 'append', 'drop'] as const) {
      for (const n of [1, 99, 100, 101, 250, 300]) {
        const marks = sizeChunkMarks(n, size(100, incomplete));
        if (incomplete === 'drop' && n < 100) {
          expect(marks).toEqual([]);
          continue;
        }
        const engine = chunkRows(n, { type: 'size', chunkSize: 100, incomplete }, null);
        expect(marks.map((m) => [m.key, m.startSeq, m.endSeq])).toEqual(engine.map((c) => [c.key, c.start, c.end]));
        const filling = n % 100 !== 0 && incomplete !== 'drop';
        expect(marks.map((m) => m.partial)).toEqual(marks.map((_, i) => filling && i === marks.length - 1));
      }
    }
  });

  test('a batch dirties only the chunks whose rows change', () => {
    // 250 rows, then 30 more: only chunk 2 ([200:249] → [200:279]).
    let p = planChunks({ before: 250, count: 30, timestamps: null }, size(100));
    expect(p.upsert.map((m) => [m.chunkId, m.key, m.partial])).toEqual([[2, '[200:279]', true]]);
    expect(p.remove).toEqual([]);
    // 280 + 40 → chunk 2 fills up, chunk 3 starts.
    p = planChunks({ before: 280, count: 40, timestamps: null }, size(100));
    expect(p.upsert.map((m) => [m.chunkId, m.key, m.partial])).toEqual([
      [2, '[200:299]', false],
      [3, '[300:319]', true],
    ]);
    // append: the remainder lives in the last full chunk, which changes with it.
    p = planChunks({ before: 250, count: 60, timestamps: null }, size(100, 'append'));
    expect(p.upsert.map((m) => [m.chunkId, m.key])).toEqual([
      [1, '[100:199]'],
      [2, '[200:309]'],
    ]);
  });

  test('the chunk of a stored row', () => {
    expect(chunkIdOf(250, null, 260, size(100))).toBe(2);
    expect(chunkIdOf(250, null, 260, size(100, 'append'))).toBe(1);
    expect(chunkIdOf(150, null, 260, size(100, 'append'))).toBe(1);
  });
});

describe('period chunking', () => {
  test('rows dirty the periods of their timestamps, late rows included', () => {
    const day = (d: number, h = 0) => Date.UTC(2024, 0, d, h);
    const p = planChunks({ before: 10, count: 4, timestamps: Float64Array.from([day(3, 1), day(3, 5), day(1, 23), day(5)]) }, { type: 'period', period: 'D' });
    expect(p.upsert.map((m) => [m.key, m.rangeStart, m.rangeEnd])).toEqual([
      ['2024-01-03', day(3), day(4)],
      ['2024-01-01', day(1), day(2)],
      ['2024-01-05', day(5), day(6)],
    ]);
    expect(chunkIdOf(0, day(3, 7), 0, { type: 'period', period: 'D' })).toBe(day(3));
  });
});
