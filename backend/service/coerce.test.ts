import { parseRowsBody } from './body';
import { coerceColumn, coerceRows, normalizeId, sortByTime } from './coerce';
import { ApiError } from './errors';
import { ColumnSpec, Dictionary, DictionaryOverlay } from './layout';

const num: ColumnSpec = { name: 'x', role: 'feature', kind: 'numeric', dtype: 'float' };
const str: ColumnSpec = { name: 's', role: 'feature', kind: 'categorical', dtype: 'string' };
const bool: ColumnSpec = { name: 'b', role: 'feature', kind: 'categorical', dtype: 'bool' };
const numCat: ColumnSpec = { name: 'n', role: 'feature', kind: 'categorical', dtype: 'number' };

function coerceJson(spec: ColumnSpec, values: unknown[], dict = new Map<string, Dictionary>()) {
  const overlay = new DictionaryOverlay(dict);
  const c = coerceColumn(spec, { type: 'json', name: spec.name, values }, values.length, overlay);
  return { ...c, overlay, levels: overlay.levelsOf(spec.name) };
}

function coerceCsv(spec: ColumnSpec, text: string) {
  const parsed = parseRowsBody(text, 'csv');
  const overlay = new DictionaryOverlay(new Map());
  const c = coerceColumn(spec, parsed.columns.get(spec.name)!, parsed.n, overlay);
  return { ...c, levels: overlay.levelsOf(spec.name) };
}

describe('coerceColumn (JSON values)', () => {
  test('numeric: finite numbers kept, null missing, anything else flagged and missing', () => {
    const c = coerceJson(num, [1.5, null, undefined, 'abc', '2', true, { a: 1 }, -0]);
    expect(Array.from(c.values)).toEqual([1.5, NaN, NaN, NaN, NaN, NaN, NaN, -0]);
    expect(Array.from(c.flags!)).toEqual([0, 0, 0, 1, 1, 1, 1, 0]);
    expect(c.inconsistent).toBe(4);
  });

  test('string categories: text kept as levels in first-seen order; numbers and booleans flagged', () => {
    const c = coerceJson(str, ['b', 'a', 'b', 3, false, null]);
    expect(Array.from(c.values)).toEqual([0, 1, 0, NaN, NaN, NaN]);
    expect(c.levels).toEqual(['b', 'a']);
    expect(c.inconsistent).toBe(2);
  });

  test('boolean categories take booleans and True/False text', () => {
    const c = coerceJson(bool, [true, false, 'True', 'false', 'yes', 1]);
    expect(c.levels).toEqual(['True', 'False']);
    expect(Array.from(c.values)).toEqual([0, 1, 0, 1, NaN, NaN]);
    expect(c.inconsistent).toBe(2);
  });

  test('number categories: 1, "1" and 1.0 are one level', () => {
    const c = coerceJson(numCat, [1, '1', 1.0, 2.5, 'x']);
    expect(c.levels).toEqual(['1', '2.5']);
    expect(Array.from(c.values)).toEqual([0, 0, 0, 1, NaN]);
  });

  test('new levels stay pending until commit; codes continue the dictionary', () => {
    const dict = new Map([['s', new Dictionary(['a', 'b'])]]);
    const c = coerceJson(str, ['c', 'a', 'd', 'c'], dict);
    expect(Array.from(c.values)).toEqual([2, 0, 3, 2]);
    expect(c.overlay.newLevels()).toEqual([
      { column: 's', code: 2, value: 'c' },
      { column: 's', code: 3, value: 'd' },
    ]);
    expect(dict.get('s')!.levels).toEqual(['a', 'b']);
    c.overlay.commit();
    expect(dict.get('s')!.levels).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('coerceColumn (CSV columns)', () => {
  test('text in a numeric column and infinities are flagged; NA tokens are plain missing', () => {
    const c = coerceCsv(num, 'x\n1\nNA\nabc\ninf\n-Infinity\n2.5\n');
    expect(Array.from(c.values)).toEqual([1, NaN, NaN, NaN, NaN, 2.5]);
    expect(Array.from(c.flags!)).toEqual([0, 0, 1, 1, 1, 0]);
  });

  test('numbers in a string column are categories by their text', () => {
    const c = coerceCsv(str, 's\n5\n7\n5\n');
    expect(c.levels).toEqual(['5', '7']);
    expect(c.inconsistent).toBe(0);
  });

  test('a boolean column accepts the pandas spellings only', () => {
    const c = coerceCsv(bool, 'b\nTrue\nFALSE\ntrue\nmaybe\n\n');
    expect(c.levels).toEqual(['True', 'False']);
    expect(Array.from(c.values)).toEqual([0, 1, 0, NaN]);
    expect(c.inconsistent).toBe(1);
  });
});

describe('ids', () => {
  test('numbers and number-like text meet; other text is kept; junk is unreadable', () => {
    expect([normalizeId(5), normalizeId('5'), normalizeId('5.0'), normalizeId(5.0)]).toEqual(['5', '5', '5', '5']);
    expect(normalizeId('abc-1')).toBe('abc-1');
    expect(normalizeId(null)).toBeNull();
    expect(normalizeId('')).toBeNull();
    expect(normalizeId(true)).toBeUndefined();
    expect(normalizeId({})).toBeUndefined();
    expect(normalizeId(Infinity)).toBeUndefined();
  });
});

describe('coerceRows', () => {
  const layout = { payload: [num, str], target: null, timestamp: 't', id: 'id' };

  test('unknown and missing columns are named; timestamps read as ISO, date or epoch s/ms', () => {
    const parsed = parseRowsBody(
      JSON.stringify([
        { id: 1, t: '2024-01-02T00:00:00Z', x: 1, other: 1 },
        { id: 2, t: '2024-01-01', x: 2 },
        { id: 3, t: 1704067200, x: 3 },
        { id: 4, t: 1704067200000, x: 4 },
      ]),
      'json',
    );
    const r = coerceRows(parsed, layout, new DictionaryOverlay(new Map()), { requireId: true });
    expect(r.unknownColumns).toEqual(['other']);
    expect(r.missingColumns).toEqual(['s']);
    expect(Array.from(r.timestamps!)).toEqual([Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1)]);
    expect(r.ids).toEqual(['1', '2', '3', '4']);
    // Stable sort by time: rows 2, 3, 4 share a timestamp and keep their order.
    const sorted = sortByTime(r);
    expect(sorted.ids).toEqual(['2', '3', '4', '1']);
    expect(Array.from(sorted.values[0])).toEqual([2, 3, 4, 1]);
  });

  test('structural errors name the row and column', () => {
    const run = (rows: unknown[]) => coerceRows(parseRowsBody(JSON.stringify(rows), 'json'), layout, new DictionaryOverlay(new Map()), { requireId: true });
    const err = (rows: unknown[]) => {
      try {
        run(rows);
      } catch (e) {
        return [(e as ApiError).code, (e as ApiError).where];
      }
      return null;
    };
    expect(err([{ id: 1, t: '2024-01-01' }, { id: 2, t: '2024-02-30' }])).toEqual(['invalid_timestamp', "body[1], column 't'"]);
    expect(err([{ id: 1, t: '2024-01-01' }, { id: [2], t: '2024-01-01' }])).toEqual(['invalid_id', "body[1], column 'id'"]);
    expect(err([{ t: '2024-01-01' }])).toEqual(['missing_column', 'body']);
    expect(err([])).toEqual(['empty_body', 'body']);
  });
});
