/**
 * Chunking as NannyML's chunkers (spec §1): size, number, period, default, and the incomplete-chunk rules.
 */
import { Chunk, chunkRows, ChunkingError, periodChunks, periodOf, sizeChunks } from './chunking';
import { formatIsoMs, parseTimestamp } from './timestamps';

const keys = (chunks: Chunk[]) => chunks.map((c) => c.key);
const ts = (...texts: string[]) => Float64Array.from(texts.map(parseTimestamp));

describe('size-based chunks', () => {
  it('full chunks [i, i+size−1] and a kept remainder chunk', () => {
    const chunks = sizeChunks(12, 5, 'keep', null);
    expect(keys(chunks)).toEqual(['[0:4]', '[5:9]', '[10:11]']);
    expect(chunks.map((c) => [c.index, c.start, c.end])).toEqual([
      [0, 0, 4],
      [1, 5, 9],
      [2, 10, 11],
    ]);
    expect(chunks[0].startDate).toBeNull();
  });

  it("incomplete 'append' merges the remainder into the last full chunk; 'drop' discards it", () => {
    expect(keys(sizeChunks(12, 5, 'append', null))).toEqual(['[0:4]', '[5:11]']);
    expect(keys(sizeChunks(12, 5, 'drop', null))).toEqual(['[0:4]', '[5:9]']);
  });

  it('no remainder: only full chunks, whatever the incomplete rule', () => {
    for (const rule of ['keep', 'append', 'drop'] as const) expect(keys(sizeChunks(10, 5, rule, null))).toEqual(['[0:4]', '[5:9]']);
  });

  it('start and end dates are the min and max timestamp of the chunk rows (merged chunks span both)', () => {
    const t = ts('2020-01-01', '2020-01-02', '2020-01-03 12:00', '2020-01-04', '2020-01-05');
    const [first, second] = sizeChunks(5, 2, 'append', t);
    expect([formatIsoMs(first.startDate), formatIsoMs(first.endDate)]).toEqual(['2020-01-01T00:00:00.000Z', '2020-01-02T00:00:00.000Z']);
    expect(second.key).toBe('[2:4]');
    expect([formatIsoMs(second.startDate), formatIsoMs(second.endDate)]).toEqual(['2020-01-03T12:00:00.000Z', '2020-01-05T00:00:00.000Z']);
  });

  it('rejects a size below 1', () => {
    expect(() => sizeChunks(10, 0, 'keep', null)).toThrow(ChunkingError);
  });
});

describe('count-based and default chunks', () => {
  it('50 000 rows, chunk_number 9: nine chunks of 5 555 and [49995:49999] (spec §1)', () => {
    const chunks = chunkRows(50_000, { type: 'number', chunkNumber: 9, incomplete: 'keep' }, null);
    expect(chunks).toHaveLength(10);
    expect(keys(chunks).slice(0, 2)).toEqual(['[0:5554]', '[5555:11109]']);
    expect(chunks[8].key).toBe('[44440:49994]');
    expect(chunks[9].key).toBe('[49995:49999]');
  });

  it('chunk_number larger than the rows is an error', () => {
    expect(() => chunkRows(5, { type: 'number', chunkNumber: 6, incomplete: 'keep' }, null)).toThrow('chunk_number 6 is larger than the number of rows (5)');
  });

  it("Titanic's 891 rows with the default chunker: size 89, ten chunks and [890:890] (spec §1)", () => {
    const chunks = chunkRows(891, { type: 'default' }, null);
    expect(chunks).toHaveLength(11);
    expect(chunks[9].key).toBe('[801:889]');
    expect(chunks[10]).toMatchObject({ key: '[890:890]', index: 10, start: 890, end: 890 });
  });

  it('default chunker: 50 000 rows make ten chunks of 5 000', () => {
    expect(keys(chunkRows(50_000, { type: 'default' }, null))).toEqual(Array.from({ length: 10 }, (_, i) => `[${i * 5000}:${i * 5000 + 4999}]`));
  });
});

describe('period chunks', () => {
  it('keys are pandas Period strings', () => {
    const t = parseTimestamp('2018-02-14 13:45:10.250');
    expect(periodOf(t, 'Y').key).toBe('2018');
    expect(periodOf(t, 'A').key).toBe('2018');
    expect(periodOf(t, 'Q').key).toBe('2018Q1');
    expect(periodOf(t, 'M').key).toBe('2018-02');
    expect(periodOf(t, 'D').key).toBe('2018-02-14');
    expect(periodOf(t, 'h').key).toBe('2018-02-14 13:00');
    expect(periodOf(t, 'min').key).toBe('2018-02-14 13:45');
  });

  it('weeks run Monday to Sunday (W = W-SUN): 2020-01-06/2020-01-12, across a year end too', () => {
    for (const day of ['2020-01-06', '2020-01-09 23:00', '2020-01-12 23:59:59']) expect(periodOf(parseTimestamp(day), 'W').key).toBe('2020-01-06/2020-01-12');
    expect(periodOf(parseTimestamp('2020-01-05'), 'W').key).toBe('2019-12-30/2020-01-05');
    expect(periodOf(parseTimestamp('2021-01-01'), 'W').key).toBe('2020-12-28/2021-01-03');
  });

  it('start date is the period start, end date the next start minus 1 ns, printed truncated to …59.999Z', () => {
    const [q] = periodChunks(ts('2018-02-14'), 'Q');
    expect(formatIsoMs(q.startDate)).toBe('2018-01-01T00:00:00.000Z');
    expect(formatIsoMs(q.endDate)).toBe('2018-03-31T23:59:59.999Z');
    const [m] = periodChunks(ts('2024-02-10'), 'M');
    expect(formatIsoMs(m.endDate)).toBe('2024-02-29T23:59:59.999Z');
    const [w] = periodChunks(ts('2020-01-08'), 'W');
    expect([formatIsoMs(w.startDate), formatIsoMs(w.endDate)]).toEqual(['2020-01-06T00:00:00.000Z', '2020-01-12T23:59:59.999Z']);
    const [h] = periodChunks(ts('2030-06-01 05:30'), 'h');
    expect(formatIsoMs(h.endDate)).toBe('2030-06-01T05:59:59.999Z');
    expect(h.endDate!).toBeLessThan(parseTimestamp('2030-06-01 06:00'));
  });

  it('groups in period order with min/max row numbers; empty periods make no chunk', () => {
    const chunks = periodChunks(ts('2018-01-05', '2018-01-20', '2018-03-02', '2018-03-03', '2018-01-31'), 'M');
    expect(chunks.map((c) => [c.key, c.index, c.start, c.end])).toEqual([
      ['2018-01', 0, 0, 4],
      ['2018-03', 1, 2, 3],
    ]);
  });

  it('needs a timestamp column', () => {
    expect(() => chunkRows(3, { type: 'period', period: 'M' }, null)).toThrow('chunk_period needs a timestamp column');
  });
});
