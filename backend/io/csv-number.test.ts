/**
 * Numbers read from bytes must be bitwise what the string path (`Number()` behind `parseNumber`) gives,
 * whichever path (Clinger's, decimal-to-double's, or the string fallback) takes them.
 */
// Builtins held in module constants: in jest's VM context each global lookup is slow.
const { floor, pow } = Math;
const { fromCharCode } = String;
const { isNaN } = Number;
const { is } = Object;
import { seededRandom } from '../engine/random';
import { midpoint } from '../../test/helpers/doubles';
import { isIntegerLiteral, numberIsInteger, parseNumber, parseNumberBytes, stringFallbackCount } from './csv-number';

/** Seeded, so a failure is reproducible. */
const rng = seededRandom;

function digitsOf(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += fromCharCode(48 + floor(r() * 10));
  return s;
}

/** Random decimal spellings: signs, leading zeros, `.5`, `5.`, exponents, 1–25 digits, odd syntax. */
function randomDecimal(r: () => number): string {
  const sign = r() < 0.2 ? '-' : r() < 0.1 ? '+' : '';
  const zeros = r() < 0.15 ? '0'.repeat(1 + floor(r() * 3)) : '';
  const intDigits = r() < 0.15 ? '' : digitsOf(r, floor(r() * (r() < 0.5 ? 8 : 20)));
  let frac = '';
  if (r() < 0.6) frac = '.' + digitsOf(r, floor(r() * (r() < 0.5 ? 6 : 20)));
  let exp = '';
  if (r() < 0.3) {
    const e = floor(r() * (r() < 0.7 ? 30 : 400));
    exp = (r() < 0.5 ? 'e' : 'E') + (r() < 0.4 ? '-' : r() < 0.2 ? '+' : '') + (r() < 0.1 ? '0' : '') + String(e);
  }
  let s = sign + zeros + intDigits + frac + exp;
  if (r() < 0.01) s += r() < 0.5 ? ' ' : 'x';
  return s;
}

/** Decimal strings the way CSV writers print doubles (shortest round-trip, fixed precision). */
function printedDouble(r: () => number): string {
  const x = (r() - 0.5) * pow(10, floor(r() * 40) - 20);
  const k = r();
  if (k < 0.4) return String(x);
  if (k < 0.7) return x.toFixed(floor(r() * 12));
  if (k < 0.9) return x.toPrecision(1 + floor(r() * 17));
  return x.toExponential(floor(r() * 17));
}

/** A random double from random bits: every binade, subnormals included, both signs (no NaN/inf). */
function randomBitsDouble(r: () => number, view: DataView): number {
  for (;;) {
    view.setUint32(0, floor(r() * 4294967296));
    view.setUint32(4, floor(r() * 4294967296));
    const x = view.getFloat64(0);
    if (Number.isFinite(x)) return x;
  }
}

/** How CSV writers print a double: repr (shortest round trip), 17 digits, and 16-19 digit precision. */
function reprs(x: number, r: () => number): string[] {
  return [String(x), x.toPrecision(17), x.toPrecision(16 + floor(r() * 3)), x.toExponential(16), x.toPrecision(19)];
}


/** digits · 10^exp10 spelled as a plain decimal (point inside, leading or trailing zeros) or d.ddde±x. */
function spell(digits: string, exp10: number, r: () => number): string {
  if (r() < 0.5) return `${digits[0]}.${digits.slice(1)}e${exp10 + digits.length - 1}`;
  const point = digits.length + exp10; // digits before the decimal point
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length) + (r() < 0.5 ? '.0' : '');
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

function check(strings: string[]): void {
  for (let i = 0; i < strings.length; i += 200_000) checkBatch(strings.slice(i, i + 200_000));
}

function checkBatch(strings: string[]): void {
  const buf = Buffer.from(strings.join('\n'), 'utf8');
  let start = 0;
  let bad = 0;
  const examples: string[] = [];
  for (const s of strings) {
    const end = start + Buffer.byteLength(s);
    const got = parseNumberBytes(buf, start, end);
    const want = parseNumber(s);
    const ok = is(got, want) && (isNaN(want) || numberIsInteger() === isIntegerLiteral(s));
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

  it('on 16-19 significant digits the way Python and JavaScript print doubles, across all magnitudes', () => {
    const r = rng(7);
    const view = new DataView(new ArrayBuffer(8));
    const strings: string[] = [];
    for (let i = 0; i < 150_000; i++) strings.push(...reprs(randomBitsDouble(r, view), r));
    // everyday magnitudes (what a CSV of features holds): uniform in [0, 1) and scaled by 10^-8..10^8
    for (let i = 0; i < 150_000; i++) strings.push(...reprs(r() * pow(10, floor(r() * 17) - 8), r));
    check(strings);
  });

  it('on random 16-19 digit decimals with random exponents, points, signs and padding', () => {
    const r = rng(8);
    const strings: string[] = [];
    for (let i = 0; i < 800_000; i++) {
      const digits = String(1 + floor(r() * 9)) + digitsOf(r, 15 + floor(r() * 4));
      const exp10 = r() < 0.8 ? -25 + floor(r() * 40) : -345 + floor(r() * 660);
      let s = spell(digits, exp10, r);
      if (r() < 0.05) s = '0'.repeat(1 + floor(r() * 3)) + s; // leading zeros
      if (r() < 0.05 && s.includes('.') && !s.includes('e')) s += '0'.repeat(1 + floor(r() * 8)); // trailing zeros
      strings.push((r() < 0.3 ? '-' : r() < 0.05 ? '+' : '') + s);
    }
    check(strings);
  });

  it('next to the midpoints between adjacent doubles (16-19 digits, and the exact midpoint)', () => {
    const r = rng(9);
    const view = new DataView(new ArrayBuffer(8));
    const strings: string[] = [];
    for (let i = 0; i < 40_000; i++) {
      const x = i % 4 === 0 ? Math.abs(randomBitsDouble(r, view)) : r() * pow(10, floor(r() * 41) - 20);
      if (x === 0) continue;
      const { digits, exp10 } = midpoint(x);
      if (i % 20 === 0) strings.push(spell(digits, exp10, r)); // the exact midpoint: a tie, to even
      for (let k = 16; k <= 19; k++) {
        if (digits.length <= k) continue;
        const q = exp10 + digits.length - k;
        const truncated = BigInt(digits.slice(0, k)); // just below the midpoint
        const rounded = digits.charCodeAt(k) >= 53 ? truncated + 1n : truncated;
        for (const w of [truncated - 1n, truncated, truncated + 1n, rounded + 1n]) strings.push(spell(String(w), q, r));
      }
    }
    check(strings);
  });

  it('at the subnormal and overflow edges, on zeros, and past 19 digits', () => {
    const strings = [
      '2.2250738585072014e-308', '2.2250738585072011e-308', '2.2250738585072012e-308', '2.2250738585072013e-308',
      '2.225073858507201136057409796709131975934819546351645648e-308', '2.2250738585072009e-308', '4.9406564584124654e-324',
      '2.4703282292062327e-324', '2.4703282292062328e-324', '7.4109846876186982e-324', '1.7976931348623157e308',
      '1.7976931348623158e308', '1.7976931348623159e308', '1.797693134862315807e308', '1.797693134862315808e308',
      '17976931348623157081452742373170435679807056752584499659891747680315726078002853876058955863276687817154045895351438246423432132688946418276846754670353751698604991057655128207624549009038932894407586850845513394230458323690322294816580855933212334827479782620414472316873817718091929988125040402618412485836.8',
      '-0', '-0.0000000000000000000', '-0e-400', '0.00000000000000000000000000000000', '-000000000000000000000.0',
      '0.10000000000000000000001', '0.1000000000000000000000', '0.10000000000000000000000000000000000000000000000000000001',
      '1234567890123456789012345678901234567890', '12345678901234567890000000000', '1.2345678901234567890000000000e-5',
      '9007199254740993', '9007199254740993.0000000000000000001', '9007199254740992.9999999999999999999', '4503599627370496.5',
      '4503599627370497.5', '1e23', '1.0e23', '100000000000000000000000', '99999999999999999999999', '0.000000000000000000001234567890123456789',
      '00000000000000000000000000001234567890123456789', '18446744073709551615', '18446744073709551616', '9999999999999999999',
      '10000000000000000000', '9999999999999999999e-350', '1e-342', '1e-343', '1.8446744073709551615e-330',
      // 19 digits: the largest accumulated rounding in the digit loop, with and without a point
      '9999999999999999999e-5', '999999999.9999999999', '0.9999999999999999999', '-0.0000000000000000009999999999999999999',
      '1999999999999999999.', '9007199254740993000', '9007199254740992999e-3', '123456789012345678.9e300', '1234567890123456789e-320',
    ];
    const r = rng(10);
    for (let i = 0; i < 100_000; i++) {
      // random 16-19 digit mantissas with exponents at the subnormal boundary, deep in it, and at overflow
      const digits = String(1 + floor(r() * 9)) + digitsOf(r, 15 + floor(r() * 4));
      const e = [-308, -307, -309, -310, -320, -323, -324, -325, 307, 308, 309][floor(r() * 11)];
      strings.push(`${digits[0]}.${digits.slice(1)}e${e}`);
      // 20-30 significant digits (the string path): zeros after the 19th, or a non-zero digit late
      const tail = r() < 0.5 ? '0'.repeat(1 + floor(r() * 11)) : '0'.repeat(floor(r() * 10)) + String(1 + floor(r() * 9));
      strings.push(`0.${digits}${tail}`);
    }
    check(strings);
  });

  it('takes 16-19 digit decimals without building strings (fewer than 1 in 100 fall back)', () => {
    const r = rng(11);
    const strings: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const x = r() * pow(10, floor(r() * 9) - 4);
      strings.push(String(x), x.toPrecision(17), (-x).toPrecision(16), x.toPrecision(19), x.toExponential(17));
      // numpy's default "%.18e", and fixed 16-19 digit widths, of short values (0.5, 12.25, 3e-7, 1e20)
      const round = floor(r() * 1000) * pow(10, floor(r() * 30) - 12);
      strings.push(round.toExponential(18), round.toPrecision(16 + floor(r() * 4)));
    }
    const before = stringFallbackCount();
    check(strings);
    expect((stringFallbackCount() - before) / strings.length).toBeLessThan(0.01);
  });
});
