/**
 * Numbers read from bytes must be bitwise what the string path (`Number()` behind `parseNumber`) gives.
 */
import { isIntegerLiteral, numberIsInteger, parseNumber, parseNumberBytes } from './csv-number';

/** Small seeded PRNG (mulberry32) so a failure is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function digitsOf(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(48 + Math.floor(r() * 10));
  return s;
}

/** Random decimal spellings: signs, leading zeros, `.5`, `5.`, exponents, 1–25 digits, odd syntax. */
function randomDecimal(r: () => number): string {
  const sign = r() < 0.2 ? '-' : r() < 0.1 ? '+' : '';
  const zeros = r() < 0.15 ? '0'.repeat(1 + Math.floor(r() * 3)) : '';
  const intDigits = r() < 0.15 ? '' : digitsOf(r, Math.floor(r() * (r() < 0.5 ? 8 : 20)));
  let frac = '';
  if (r() < 0.6) frac = '.' + digitsOf(r, Math.floor(r() * (r() < 0.5 ? 6 : 20)));
  let exp = '';
  if (r() < 0.3) {
    const e = Math.floor(r() * (r() < 0.7 ? 30 : 400));
    exp = (r() < 0.5 ? 'e' : 'E') + (r() < 0.4 ? '-' : r() < 0.2 ? '+' : '') + (r() < 0.1 ? '0' : '') + String(e);
  }
  let s = sign + zeros + intDigits + frac + exp;
  if (r() < 0.01) s += r() < 0.5 ? ' ' : 'x';
  return s;
}

/** Decimal strings the way CSV writers print doubles (shortest round-trip, fixed precision). */
function printedDouble(r: () => number): string {
  const x = (r() - 0.5) * Math.pow(10, Math.floor(r() * 40) - 20);
  const k = r();
  if (k < 0.4) return String(x);
  if (k < 0.7) return x.toFixed(Math.floor(r() * 12));
  if (k < 0.9) return x.toPrecision(1 + Math.floor(r() * 17));
  return x.toExponential(Math.floor(r() * 17));
}

function check(strings: string[]): void {
  const buf = Buffer.from(strings.join('\n'), 'utf8');
  let start = 0;
  let bad = 0;
  const examples: string[] = [];
  for (const s of strings) {
    const end = start + Buffer.byteLength(s);
    const got = parseNumberBytes(buf, start, end);
    const want = parseNumber(s);
    const ok = Object.is(got, want) && (Number.isNaN(want) || numberIsInteger() === isIntegerLiteral(s));
    if (!ok) {
      bad++;
      if (examples.length < 5) examples.push(`${JSON.stringify(s)}: got ${got}, want ${want}`);
    }
    start = end + 1;
  }
  expect(examples).toEqual([]);
  expect(bad).toBe(0);
}

describe('parseNumberBytes equals Number() bit for bit', () => {
  it('on edge spellings', () => {
    check([
      '0', '-0', '+0', '0.0', '-0.0', '00', '007', '-007.50', '.5', '-.5', '+.5', '5.', '-5.', '.', '-', '+', '', 'e5', '.e5',
      '1e', '1e+', '1e-', '1e5', '1E5', '1e+05', '1e-05', '1.e5', '.5e-3', '1e22', '1e23', '1e-22', '1e-23', '9007199254740993',
      '123456789012345', '1234567890123456', '0.1', '0.2', '0.3', '2.2250738585072014e-308', '4.9e-324', '5e-325', '1.7976931348623157e308',
      '1.8e308', '1e400', '-1e400', '1e-400', '0e999', '-0e-999', '0.000000000000000000000000001', '100000000000000000000000',
      'inf', '-inf', '+inf', 'Inf', 'INF', 'Infinity', '-Infinity', 'infinity', 'nan', 'NaN', '0x10', '0b1', '0o7', '1_000', '1 ',
      ' 1', '1,5', '--1', '+-1', '1e5.5', '1.2.3', '١', '１',
      '3.14159265358979', '3.141592653589793', '0.30000000000000004', '123.456e-2', '999999999999999', '999999999999999.9',
      // longer than the byte-by-byte string path (64 bytes), and non-ASCII after ASCII digits
      `0.${'1'.repeat(70)}`, `${'9'.repeat(64)}`, `${'9'.repeat(65)}`, `${'1'.repeat(20)}é`, '1.23456789012345678é',
    ]);
  });

  it('on 2 million random decimal strings', () => {
    const r = rng(20261127);
    const strings: string[] = [];
    for (let i = 0; i < 1_400_000; i++) strings.push(randomDecimal(r));
    for (let i = 0; i < 600_000; i++) strings.push(printedDouble(r));
    check(strings);
  });
});
