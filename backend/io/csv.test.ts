/**
 * CSV reading with pandas `read_csv` semantics (run contract "CSV reading").
 */
import { CategoricalColumn, Column, Frame, NumericColumn } from '../engine/frame';
import { toTimestampColumn } from '../engine/timestamps';
import { CsvError, parseCsv, parseCsvBytes, parseNumber } from './csv';

const col = (f: Frame, name: string): Column => f.columns.get(name)!;
const num = (f: Frame, name: string) => col(f, name) as NumericColumn;
const cat = (f: Frame, name: string) => col(f, name) as CategoricalColumn;
/** Values of a categorical column as strings, null for missing. */
const texts = (c: CategoricalColumn) => Array.from(c.codes, (code) => (code < 0 ? null : c.levels[code]));

describe('types', () => {
  it('numbers are float64; a column written only as integers is int, anything with a point or exponent float', () => {
    const f = parseCsv('a,b,c,d\n1,1.5,1.0,1e3\n-2,2,2.0,2\n');
    expect([num(f, 'a').dtype, num(f, 'b').dtype, num(f, 'c').dtype, num(f, 'd').dtype]).toEqual(['int', 'float', 'float', 'float']);
    expect(Array.from(num(f, 'a').values)).toEqual([1, -2]);
    expect(Array.from(num(f, 'd').values)).toEqual([1000, 2]);
  });

  it('a missing value makes an integer column float (pandas has no NaN in int64)', () => {
    const f = parseCsv('a\n1\n2\nNA\n');
    expect(num(f, 'a').dtype).toBe('float');
    expect(Array.from(num(f, 'a').values)).toEqual([1, 2, NaN]);
  });

  it('True/False columns are boolean categoricals with canonical levels, missing allowed', () => {
    const f = parseCsv('b,m\nTrue,TRUE\nFalse,false\n,True\n');
    expect(cat(f, 'b').dtype).toBe('bool');
    expect(texts(cat(f, 'b'))).toEqual(['True', 'False', null]);
    expect(cat(f, 'm').dtype).toBe('bool');
    expect(cat(f, 'm').levels).toEqual(['False', 'True']);
    expect(texts(cat(f, 'm'))).toEqual(['True', 'False', 'True']);
  });

  it('anything else is a string column; a column turning to text re-reads its earlier numbers as text', () => {
    const f = parseCsv('x,y\n1,yes\n2.50,True\nabc,no\n3,\n');
    expect(cat(f, 'x').dtype).toBe('string');
    expect(texts(cat(f, 'x'))).toEqual(['1', '2.50', 'abc', '3']);
    expect(cat(f, 'y').dtype).toBe('string');
    expect(texts(cat(f, 'y'))).toEqual(['yes', 'True', 'no', null]);
  });

  it('the text fallback works past the first buffer growth (more than 1 024 rows)', () => {
    const rows = Array.from({ length: 3000 }, (_, i) => (i === 2500 ? 'x' : String(i)));
    const f = parseCsv('v\n' + rows.join('\n') + '\n');
    expect(texts(cat(f, 'v'))).toEqual(rows);
  });

  it('parseNumber: decimals, exponents and inf as pandas; hex, binary and padded text are not numbers', () => {
    expect(parseNumber('-1.5e-3')).toBe(-0.0015);
    expect(parseNumber('.5')).toBe(0.5);
    expect(parseNumber('inf')).toBe(Infinity);
    expect(parseNumber('-Infinity')).toBe(-Infinity);
    for (const s of ['0x10', '0b1', '0o7', ' 1', 'abc', '']) expect(parseNumber(s)).toBeNaN();
  });
});

describe("pandas' default NA tokens", () => {
  const tokens = ['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null'];

  it.each(tokens)('%j is missing in numeric and in text columns', (token) => {
    const f = parseCsv(`n,t\n1,a\n${token.includes(',') ? `"${token}"` : token},${token}\n`);
    expect(num(f, 'n').values[1]).toBeNaN();
    expect(cat(f, 't').codes[1]).toBe(-1);
  });

  it('other spellings are values', () => {
    const f = parseCsv('t\nNone\nnone\nNil\n');
    expect(texts(cat(f, 't'))).toEqual([null, 'none', 'Nil']);
  });
});

describe('quoting and line endings', () => {
  it('quoted fields keep commas, doubled quotes and newlines; quoted numbers are numbers; "" is missing', () => {
    const f = parseCsv('name,n,e\n"Braund, Mr. Owen",1,x\n"say ""hi""","2.5",""\n"two\nlines",3,y\n');
    expect(texts(cat(f, 'name'))).toEqual(['Braund, Mr. Owen', 'say "hi"', 'two\nlines']);
    expect(Array.from(num(f, 'n').values)).toEqual([1, 2.5, 3]);
    expect(texts(cat(f, 'e'))).toEqual(['x', null, 'y']);
  });

  it('CRLF line endings and a UTF-8 byte-order mark', () => {
    const f = parseCsv('\ufeffid,c\r\n1,a\r\n2,b\r\n');
    expect(f.names).toEqual(['id', 'c']);
    expect(texts(cat(f, 'c'))).toEqual(['a', 'b']);
    expect(Array.from(num(f, 'id').values)).toEqual([1, 2]);
  });

  it('blank lines are skipped and the last line needs no newline', () => {
    const f = parseCsv('a,b\n\n1,2\n\n3,4');
    expect(f.length).toBe(2);
    expect(Array.from(num(f, 'b').values)).toEqual([2, 4]);
  });

  it('a header without rows gives an empty frame', () => {
    const f = parseCsv('a,b\n');
    expect(f.length).toBe(0);
    expect(f.names).toEqual(['a', 'b']);
  });
});

describe('malformed CSV is a CsvError naming the source and the line', () => {
  it.each([
    ['a,b\n1,2\n3\n', 'data.csv: line 3 has 1 fields, the header has 2'],
    ['a,b\n1,2,3\n', 'data.csv: line 2 has 3 fields, the header has 2'],
    ['a,b\n\n"x\ny",2\n\n3\n', 'data.csv: line 6 has 1 fields, the header has 2'],
    ['a,b\r\n1,2\r\n3\r\n', 'data.csv: line 3 has 1 fields, the header has 2'],
    ['a,b\n"open,2\n', 'data.csv: unterminated quoted field'],
    ['a,b\n"x"y,2\n', 'data.csv: unexpected character after a closing quote'],
    ['', 'data.csv: empty file'],
    ['a,a\n1,2\n', "data.csv: duplicate column 'a'"],
    ['a,,c\n1,2,3\n', 'data.csv: header column 2 has no name'],
  ])('%j', (text, message) => {
    expect(() => parseCsv(text, { source: 'data.csv' })).toThrow(CsvError);
    expect(() => parseCsv(text, { source: 'data.csv' })).toThrow(message);
  });
});

describe('byte-level reading', () => {
  it('UTF-8 text fields decode correctly, quoted or not, and intern to one level per value', () => {
    const f = parseCsvBytes(Buffer.from('salary,city\n20K - 40K €,"Zürich, CH"\n20K - 40K €,東京\n"20K - 40K €",Zürich\n'));
    expect(texts(cat(f, 'salary'))).toEqual(['20K - 40K €', '20K - 40K €', '20K - 40K €']);
    expect(cat(f, 'salary').levels).toEqual(['20K - 40K €']);
    expect(texts(cat(f, 'city'))).toEqual(['Zürich, CH', '東京', 'Zürich']);
  });

  it('escaped quotes intern to the unescaped value; a BOM in a Buffer is skipped', () => {
    const f = parseCsvBytes(Buffer.from('\ufeffq,n\n"a ""b""",1\n"a ""b""",2\n"x",3\n'));
    expect(f.names).toEqual(['q', 'n']);
    expect(cat(f, 'q').levels).toEqual(['a "b"', 'x']);
    expect(Array.from(cat(f, 'q').codes)).toEqual([0, 0, 1]);
  });

  it('many distinct values keep first-seen order and codes through table growth', () => {
    const values = Array.from({ length: 5000 }, (_, i) => `v${(i * 7919) % 5000}-ü`);
    const rows = values.map((v, i) => (i % 3 === 0 ? `"${v}"` : v)).concat(values.slice(0, 10));
    const f = parseCsv('t\n' + rows.join('\n') + '\n');
    expect(cat(f, 't').levels).toEqual(values);
    expect(texts(cat(f, 't'))).toEqual(values.concat(values.slice(0, 10)));
  });

  it('a column turning to text re-reads quoted and escaped earlier fields as text', () => {
    const f = parseCsv('v,w\n"1",a\n2,b\n"3""",c\nNA,d\n');
    expect(texts(cat(f, 'v'))).toEqual(['1', '2', '3"', null]);
  });

  it('offsets in messages count characters of the text, not bytes', () => {
    expect(() => parseCsv('a,b\n€€,"x"y\n', { source: 'd' })).toThrow('d: unexpected character after a closing quote at offset 10');
    expect(() => parseCsv('\ufeffa,b\n€,"x\n', { source: 'd' })).toThrow('d: unterminated quoted field starting at offset 6');
  });
});

describe('timestamp columns (ReadCsvOptions.timestampColumns)', () => {
  const ts = new Set(['t']);
  const plain = (text: string) => parseCsv(text);
  const hinted = (text: string) => parseCsvBytes(Buffer.from(text), { timestampColumns: ts });

  it('reads canonical timestamps straight to epoch ms, equal to parsing the text column', () => {
    const text = 't,x\n2018-01-01 00:08:43.152,1\n2020-02-29T23:59:59Z,2\n"2021-06-30 12:00:00.000001",3\n';
    const f = hinted(text);
    const t = num(f, 't');
    expect(t.epochMs).toBe(true);
    expect(Array.from(t.values)).toEqual(Array.from(toTimestampColumn(plain(text).columns.get('t')!).values));
    expect(toTimestampColumn(t)).toBe(t);
    expect(Array.from(num(f, 'x').values)).toEqual([1, 2, 3]);
  });

  it('turns back into the text column at any other field (other shape, missing, invalid date), at any row', () => {
    for (const odd of ['2018-01-03', '', 'NA', '2019-02-29 00:00:00', 'yesterday', '"2018-01-03 00:00:00 "']) {
      for (const at of [0, 2]) {
        const rows = ['2018-01-01 00:00:00', '2018-01-02 00:00:00', '2018-01-04 00:00:00'];
        rows.splice(at, 0, odd);
        const text = `t,x\n${rows.map((r, i) => `${r},${i}`).join('\n')}\n`;
        expect(hinted(text).columns.get('t')).toEqual(plain(text).columns.get('t'));
      }
    }
  });
});
