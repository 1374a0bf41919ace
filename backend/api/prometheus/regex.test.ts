import fc from 'fast-check';
import { RE2JS } from 're2js';
import { compileAnchoredRegex, estimateProgramSize, MAX_REGEX_PROGRAM_SIZE, RegexSyntaxError } from './regex';
import { FUZZ_SEED, fuzzParams } from '../../../test/helpers/fuzz';

const matches = (pattern: string, values: string[]) => values.filter((v) => compileAnchoredRegex(pattern).test(v));

describe('compileAnchoredRegex (RE2, as Prometheus 2.42)', () => {
  it('anchors the whole pattern, alternation included', () => {
    expect(matches('a|b', ['a', 'b', 'ab', 'xa', 'a|b'])).toEqual(['a', 'b']);
    expect(compileAnchoredRegex('.*').test('')).toBe(true);
    expect(compileAnchoredRegex('car_.*').test('my_car_value')).toBe(false);
  });

  it('reads RE2 syntax that JavaScript lacks', () => {
    expect(compileAnchoredRegex('(?i)DEMO').test('demo')).toBe(true);
    expect(compileAnchoredRegex('(?i:A)bc').test('abc')).toBe(true);
    expect(compileAnchoredRegex('(?i:A)bc').test('aBC')).toBe(false);
    expect(matches('[[:digit:]]+', ['123', '12a'])).toEqual(['123']);
    expect(matches('[[:^alpha:]]+', ['αβγ', 'abc', '😀'])).toEqual(['αβγ', '😀']);
    expect(matches('\\Qa.b\\E', ['a.b', 'axb'])).toEqual(['a.b']);
    expect(compileAnchoredRegex('(?P<x>a)b').test('ab')).toBe(true);
    expect(compileAnchoredRegex('[]a]').test(']')).toBe(true);
    expect(matches('\\pL+', ['héllo', 'αβγ', 'a_1'])).toEqual(['héllo', 'αβγ']);
    expect(matches('\\p{Greek}+', ['αβγ', 'abc'])).toEqual(['αβγ']);
    expect(matches('\\Aabc\\z', ['abc'])).toEqual(['abc']);
    expect(matches('\\x{1F600}', ['😀'])).toEqual(['😀']);
  });

  it('matches code points, and `.` does not match a newline (Prometheus 2.42; 3.x adds (?s))', () => {
    expect(matches('.', ['😀', 'é', '\n'])).toEqual(['😀', 'é']);
    expect(matches('a.b', ['a.b', 'a\nb'])).toEqual(['a.b']);
    expect(matches('(?s)a.b', ['a.b', 'a\nb'])).toEqual(['a.b', 'a\nb']);
  });

  it('rejects what RE2 does not have, with Go\'s messages', () => {
    const error = (p: string) => {
      try {
        compileAnchoredRegex(p);
      } catch (e) {
        expect(e).toBeInstanceOf(RegexSyntaxError);
        return (e as Error).message;
      }
      throw new Error(`${p} compiled`);
    };
    expect(error('(?=a)')).toBe('error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
    expect(error('(?<=a)b')).toBe('error parsing regexp: invalid or unsupported Perl syntax: `(?<`');
    expect(error('(?<x>a)bc')).toBe('error parsing regexp: invalid or unsupported Perl syntax: `(?<`');
    expect(error('(a)\\1')).toBe('error parsing regexp: invalid escape sequence: `\\1`');
    expect(error('a\\C')).toBe('error parsing regexp: invalid escape sequence: `\\C`');
    expect(error('(a')).toBe('error parsing regexp: missing closing ): `^(?:(a)$`');
    expect(error('a{1001}')).toBe('error parsing regexp: invalid repeat count: `{1001}`');
    expect(error('(.{0,1000}){0,3}')).toBe('error parsing regexp: invalid repeat count: `{0,3}`');
    expect(error('x{2000}')).toBe('error parsing regexp: invalid repeat count: `{2000}`');
    // Regression (fast-check, seed 20240612): Go does not look inside x{0} for nested counts.
    expect(estimateProgramSize('(?i:{(?i:(?:|}{0,400}$${1,20})}{0,3}.\\pL{50}){0}.){0,3}').invalidRepeat).toBeNull();
    // `(?<` inside a class or escaped is a literal.
    expect(compileAnchoredRegex('[(?<]+').test('(?<')).toBe(true);
    expect(compileAnchoredRegex('\\(?<').test('(<')).toBe(true);
  });

  it('matches the pattern of issue 12 in linear time', () => {
    const re = compileAnchoredRegex('(.|.|.)*!');
    const t0 = performance.now();
    expect(re.test('x'.repeat(100_000))).toBe(false);
    expect(re.test(`${'kolmogorov_smirnov'.repeat(100)}!`)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('refuses patterns whose program would be too large, before compiling them', () => {
    const t0 = performance.now();
    expect(() => compileAnchoredRegex('(a{0,100}|b){0,10}'.repeat(10))).toThrow(/expression too large for Vigil: it would compile to about \d+ instructions, more than 3000/);
    expect(() => compileAnchoredRegex('\\pL{1000}')).toThrow('expression too large for Vigil');
    expect(() => compileAnchoredRegex('x'.repeat(100_000))).toThrow('expression too large for Vigil');
    expect(performance.now() - t0).toBeLessThan(100);
    // An alternation of 150 column names of 15 characters fits.
    const names = Array.from({ length: 150 }, (_, i) => `feature_col_${String(i).padStart(3, '0')}`);
    expect(compileAnchoredRegex(names.join('|')).test('feature_col_149')).toBe(true);
  });

  it('estimates at least the compiled program size (re2js programSize) for generated patterns', () => {
    const atom = fc.constantFrom('a', 'b', '.', '\\d', '[a-c]', '[^x]', '\\pL', '\\p{Greek}', '[[:alpha:]]', '\\Qx.y\\E', '^', '$', '\\b', '\\x{41}', '{', '}');
    const quant = fc.constantFrom('', '', '*', '+?', '?', '{2}', '{0,3}', '{3,}', '{1,20}', '{50}', '{0,400}', '{1000}', '{1001}', '{0}');
    const regex: fc.Arbitrary<string> = fc.letrec<{ re: string; seq: string }>((tie) => ({
      seq: fc.array(fc.oneof({ weight: 4, arbitrary: atom }, { weight: 1, arbitrary: tie('re').map((r) => `(${r})`) }, { weight: 1, arbitrary: tie('re').map((r) => `(?:${r})`) }, { weight: 1, arbitrary: tie('re').map((r) => `(?i:${r})`) }), { maxLength: 4 }).chain((parts) => fc.tuple(...parts.map((p) => quant.map((q) => p + q)))).map((xs) => xs.join('')),
      re: fc.array(tie('seq'), { minLength: 1, maxLength: 3 }).map((alts) => alts.join('|')),
    })).re;
    fc.assert(
      fc.property(regex, (p) => {
        const estimate = estimateProgramSize(p);
        let size: number;
        try {
          size = RE2JS.compile(`^(?:${p})$`).programSize();
        } catch {
          return; // RE2 rejects it: nothing to bound
        }
        expect(estimate.size).toBeGreaterThanOrEqual(size);
        // A repeat taken for invalid is one RE2 refuses.
        expect(estimate.invalidRepeat).toBeNull();
      }),
      fuzzParams(300),
    );
    expect(FUZZ_SEED).toEqual(expect.any(Number));
  });

  it('keeps compile and match of any accepted pattern short', () => {
    // The costliest shapes at the limit: Unicode classes, counted repetitions, the NFA fallback.
    for (const p of ['\\pL{240}', '(a{0,70}|b){0,10}', '.{0,450}x.{0,450}', '(?i)\\p{Greek}[^a]{900}', '(\\pL+|\\d{0,20}){0,14}']) {
      expect(estimateProgramSize(p).size).toBeLessThanOrEqual(MAX_REGEX_PROGRAM_SIZE);
      const t0 = performance.now();
      const re = compileAnchoredRegex(p);
      re.test('a'.repeat(64));
      expect(performance.now() - t0).toBeLessThan(250);
    }
  });
});
