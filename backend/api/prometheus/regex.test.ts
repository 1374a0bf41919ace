import { compileAnchoredRegex } from './regex';

describe('compileAnchoredRegex (RE2 label-matcher semantics)', () => {
  it('anchors the whole pattern, alternation included', () => {
    const re = compileAnchoredRegex('a|b');
    expect(['a', 'b'].map((s) => re.test(s))).toEqual([true, true]);
    expect(['ab', 'xa', 'a|b'].map((s) => re.test(s))).toEqual([false, false, false]);
    expect(compileAnchoredRegex('.*').test('')).toBe(true);
    expect(compileAnchoredRegex('car_.*').test('my_car_value')).toBe(false);
  });

  it('translates RE2-only syntax', () => {
    expect(compileAnchoredRegex('(?i)DEMO').test('demo')).toBe(true);
    expect(compileAnchoredRegex('[[:digit:]]+').test('123')).toBe(true);
    expect(compileAnchoredRegex('[[:alpha:]_]+').test('car_value')).toBe(true);
    expect(compileAnchoredRegex('\\Qa.b\\E').test('a.b')).toBe(true);
    expect(compileAnchoredRegex('\\Qa.b\\E').test('axb')).toBe(false);
    expect(compileAnchoredRegex('(?P<x>a)b').test('ab')).toBe(true);
    expect(compileAnchoredRegex('[]a]').test(']')).toBe(true);
  });

  it('rejects what RE2 does not have', () => {
    expect(() => compileAnchoredRegex('(?=a)')).toThrow('invalid or unsupported Perl syntax');
    expect(() => compileAnchoredRegex('(a)\\1')).toThrow('back-references');
    expect(() => compileAnchoredRegex('(a')).toThrow('error parsing regexp');
    expect(() => compileAnchoredRegex('[a')).toThrow('missing closing ]');
  });
});
