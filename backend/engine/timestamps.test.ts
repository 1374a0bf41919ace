import { parseCanonicalTimestampBytes, parseTimestamp, parseTimestampPattern } from './timestamps';

describe('parseTimestamp', () => {
  it('reads the common shapes by hand-checkable values', () => {
    expect(parseTimestamp('2018-01-01 00:08:43.152')).toBe(Date.UTC(2018, 0, 1, 0, 8, 43) + Number('0.152') * 1000);
    expect(parseTimestamp('2020-02-29T23:59:59Z')).toBe(Date.UTC(2020, 1, 29, 23, 59, 59));
    expect(parseTimestamp('2019-02-29 00:00:00')).toBeNaN();
    expect(parseTimestamp('2018-01-01 24:00:00')).toBeNaN();
  });

  it('the fast path and the general pattern agree on every text (valid, invalid, odd spacing, fractions)', () => {
    let seed = 11;
    const rand = (k: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % k;
    const pad = (v: number, w: number) => String(v).padStart(w, '0');
    const texts: string[] = ['1900-02-29 00:00:00', '2000-02-29 12:00:00', '2100-02-29 12:00:00', '0000-02-29 00:00:00', '0004-02-29 00:00:00', '2018-01-01 00:00:00.Z', '2018-01-01 00:00:00.1234567891'];
    for (let i = 0; i < 20000; i++) {
      const date = `${pad(rand(3) === 0 ? rand(10000) : 1900 + rand(250), 4)}-${pad(rand(14), 2)}-${pad(rand(33), 2)}`;
      const time = `${pad(rand(26), 2)}:${pad(rand(61), 2)}:${pad(rand(61), 2)}`;
      const frac = rand(3) === 0 ? '' : `.${'123456789'.slice(0, 1 + rand(9))}`;
      const sep = [' ', 'T', '  ', 'x'][rand(4)];
      const zone = ['', 'Z', ' Z', '+01:00', ' '][rand(5)];
      texts.push(`${date}${sep}${time}${frac}${zone}`, `${date}${sep}${time.slice(0, 5)}`, date);
    }
    let valid = 0;
    for (const t of texts) {
      const expected = parseTimestampPattern(t);
      const got = parseTimestamp(t);
      if (Number.isNaN(expected)) expect([t, got]).toEqual([t, NaN]);
      else {
        expect([t, got]).toEqual([t, expected]);
        valid++;
      }
    }
    expect(valid).toBeGreaterThan(1000);
  });
});

describe('parseCanonicalTimestampBytes', () => {
  it('gives the general pattern\'s number from the bytes of a longer buffer, or undefined / NaN as parseTimestamp', () => {
    let seed = 5;
    const rand = (k: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % k;
    const pad = (v: number, w: number) => String(v).padStart(w, '0');
    let compared = 0;
    for (let i = 0; i < 20000; i++) {
      const digits = Array.from({ length: 1 + rand(10) }, () => rand(10)).join('');
      const text = `${1970 + rand(130)}-${pad(1 + rand(12), 2)}-${pad(1 + rand(31), 2)}${rand(2) ? ' ' : 'T'}${pad(rand(25), 2)}:${pad(rand(60), 2)}:${pad(rand(60), 2)}${rand(4) ? `.${digits}` : ''}${rand(3) ? '' : 'Z'}`;
      const bytes = Buffer.from(`ab,${text},cd`, 'latin1');
      const got = parseCanonicalTimestampBytes(bytes, 3, 3 + text.length);
      // undefined: not the canonical shape (the CSV reader then keeps the column as text)
      if (got !== undefined) expect([text, Object.is(got, parseTimestamp(text))]).toEqual([text, true]);
      if (got !== undefined && !Number.isNaN(got)) {
        expect([text, got]).toEqual([text, parseTimestampPattern(text)]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10000);
    expect(parseCanonicalTimestampBytes(Buffer.from('2018-01-01'), 0, 10)).toBeUndefined();
  });
});
