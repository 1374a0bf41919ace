/**
 * findInvalidUtf8 against the WHATWG decoder (TextDecoder, the same well-formedness rules as Python's
 * strict utf-8 codec that pandas uses): valid exactly when TextDecoder with fatal:true accepts the bytes,
 * and the fault is where the non-fatal decoder puts its first U+FFFD. Property runs are bounded and seeded.
 */
import fc from 'fast-check';
import { findInvalidUtf8 } from './utf8';

const bytes = (...xs: (number | string)[]) =>
  Buffer.concat(xs.map((x) => (typeof x === 'string' ? Buffer.from(x, 'utf8') : Buffer.from([x]))));

describe('findInvalidUtf8', () => {
  it('accepts valid UTF-8, a BOM included', () => {
    expect(findInvalidUtf8(bytes('a,b\n1,€\n'))).toBeNull();
    expect(findInvalidUtf8(bytes(0xef, 0xbb, 0xbf, 'a,b\n1,2\n'))).toBeNull();
    expect(findInvalidUtf8(bytes('x,😀,\u{10ffff}\n'))).toBeNull();
  });

  it('names line, character column and byte column of the first bad byte', () => {
    // line 2: `1,€,` is 4 characters and 6 bytes, then a Latin-1 é
    const fault = findInvalidUtf8(bytes('a,b,c\n1,€,', 0xe9, 'x\n', 0xff));
    expect(fault).toEqual({ offset: 12, line: 2, column: 5, byteColumn: 7, byte: 0xe9 });
  });

  it('does not count a leading BOM as a character of line 1', () => {
    expect(findInvalidUtf8(bytes(0xef, 0xbb, 0xbf, 'ab', 0x80))).toMatchObject({ line: 1, column: 3, byteColumn: 6 });
  });

  it.each([
    ['an overlong form', [0xc0, 0xaf]],
    ['an overlong three-byte form', [0xe0, 0x80, 0xaf]],
    ['a surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a lone continuation byte', [0x80]],
    ['a sequence cut by the end of the file', [0xe2, 0x82]],
    ['a lead byte followed by ASCII', [0xe2, 0x41, 0x41]],
  ])('refuses %s at its first byte', (_name, seq) => {
    const fault = findInvalidUtf8(bytes('ok,', ...seq));
    expect(fault).toMatchObject({ offset: 3, line: 1, column: 4, byte: seq[0] });
  });

  it('agrees with TextDecoder on arbitrary bytes (fast-check, seed 1207)', () => {
    // Bytes biased towards the edges of UTF-8's ranges, so that near-valid sequences are common.
    const edgy = fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(0x0a, 0x2c, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff),
      fc.constantFrom(...'a,€😀\n'.split('')).map((s) => s.codePointAt(0)!),
    );
    const ascii = (c: number) => (c > 255 ? [...Buffer.from(String.fromCodePoint(c), 'utf8')] : [c]);
    fc.assert(
      fc.property(fc.array(edgy, { maxLength: 40 }), (xs) => {
        const b = Buffer.from(xs.flatMap(ascii));
        const fault = findInvalidUtf8(b);
        let strictOk = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(b);
        } catch {
          strictOk = false;
        }
        expect(fault === null).toBe(strictOk);
        if (fault === null) return;
        // everything before the fault is valid, and the lenient decoder replaces a sequence starting there
        expect(() => new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, fault.offset))).not.toThrow();
        const text = new TextDecoder('utf-8').decode(b);
        const prefix = new TextDecoder('utf-8').decode(b.subarray(0, fault.offset));
        expect(text.startsWith(prefix + '\ufffd')).toBe(true);
      }),
      { numRuns: 2000, seed: 1207 },
    );
  });
});
