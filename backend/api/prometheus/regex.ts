/**
 * Label-matcher regexes with Prometheus's semantics: RE2 syntax (Go's regexp, through the `re2js` port),
 * fully anchored as Prometheus compiles them (`^(?:re)$`), matched in time linear in the value's length.
 * The dialect is Prometheus 2.42's (the API version Vigil emulates, checked against the real binary in
 * test/prometheus/oracle.test.ts): `.` does not match a newline (Prometheus 3 adds `(?s)`), and `(?<name>…)`
 * is refused as Go before 1.22 refuses it (only `(?P<name>…)` names a group).
 *
 * Linear time is per instruction of the compiled program, and re2js compiles at ~1–25 µs per instruction
 * and falls back to an NFA that costs ~0.25 µs per instruction and character: a 20-character pattern with
 * counted repetitions (`(a{0,100}|b){0,10}`) compiles to 2,000 instructions. So a pattern's program size
 * is estimated from its text before compiling (an upper bound, see estimateProgramSize) and refused above
 * MAX_REGEX_PROGRAM_SIZE: no pattern can hold the event loop for long while it compiles or matches.
 */
import { RE2JS } from 're2js';

export class RegexSyntaxError extends Error {}

/**
 * The largest estimated program a matcher may compile to. At this size the slowest programs measured
 * (Unicode classes under counted repetition) compile in ~20 ms and match a 64-character value in ~10 ms;
 * an alternation of ~150 column names of 15 characters fits. (Go's own limit is ~3.3 million.)
 */
export const MAX_REGEX_PROGRAM_SIZE = 3000;

/** Distinct label values whose outcome each compiled regex remembers (series share values). */
const MEMO_LIMIT = 10_000;
/** Compiled patterns kept between queries: dashboards send the same matchers on every refresh. */
const CACHE_LIMIT = 500;

/** A compiled, fully anchored label-matcher regex; `test` remembers the outcome per value. */
export class AnchoredRegex {
  private readonly memo = new Map<string, boolean>();

  constructor(
    /** The pattern as written in the query (without the anchors). */
    readonly source: string,
    private readonly re: RE2JS,
  ) {}

  test(value: string): boolean {
    let hit = this.memo.get(value);
    if (hit === undefined) {
      hit = this.re.matches(value);
      if (this.memo.size < MEMO_LIMIT) this.memo.set(value, hit);
    }
    return hit;
  }

  /** Whether `test(value)` is answered from memory (no matching work). */
  knows(value: string): boolean {
    return this.memo.has(value);
  }
}

const compiled = new Map<string, AnchoredRegex>();

/** Compiles a Prometheus label-matcher regex, anchored at both ends; throws RegexSyntaxError. */
export function compileAnchoredRegex(pattern: string): AnchoredRegex {
  const cached = compiled.get(pattern);
  if (cached) {
    // Least recently used goes first: re-inserting moves the entry to the end of the Map's order.
    compiled.delete(pattern);
    compiled.set(pattern, cached);
    return cached;
  }
  const { size, invalidRepeat } = estimateProgramSize(pattern);
  if (size > MAX_REGEX_PROGRAM_SIZE) {
    // What RE2 would say, without compiling: the count itself is the error.
    if (invalidRepeat !== null) throw new RegexSyntaxError(`error parsing regexp: invalid repeat count: \`${invalidRepeat}\``);
    throw new RegexSyntaxError(
      `error parsing regexp: expression too large for Vigil: it would compile to about ${size} instructions, more than ${MAX_REGEX_PROGRAM_SIZE} (see docs/prometheus.md): \`${abbreviate(pattern)}\``,
    );
  }
  const unsupported = goOnlySyntaxError(pattern);
  if (unsupported) throw new RegexSyntaxError(unsupported);
  let re: RE2JS;
  try {
    re = RE2JS.compile(`^(?:${pattern})$`);
  } catch (e) {
    // re2js reports Go's messages ("error parsing regexp: missing closing ): `^(?:(a)$`").
    throw new RegexSyntaxError((e as Error).message);
  }
  const out = new AnchoredRegex(pattern, re);
  compiled.set(pattern, out);
  if (compiled.size > CACHE_LIMIT) compiled.delete(compiled.keys().next().value!);
  return out;
}

function abbreviate(s: string): string {
  return s.length <= 80 ? s : `${s.slice(0, 77)}...`;
}

/**
 * `(?<` outside a class and not escaped: a named group in Go ≥ 1.22 and re2js, a look-behind in re2js
 * with its LOOKBEHINDS flag; Go 1.19/1.20 (Prometheus 2.42) answer "invalid or unsupported Perl syntax".
 */
function goOnlySyntaxError(p: string): string | null {
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      if (p[i + 1] === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        if (end < 0) return null;
        i = end + 1;
      } else i++;
    } else if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const end = p.indexOf(':]', i + 2);
        if (end >= 0) i = end + 1;
      } else if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      if (p[i + 1] === '^') i++;
      if (p[i + 1] === ']') i++;
    } else if (c === '(' && p.startsWith('?<', i + 1)) {
      return 'error parsing regexp: invalid or unsupported Perl syntax: `(?<`';
    }
  }
  return null;
}

/** Per-instruction weight of a Unicode class (`\pL`, `\p{Greek}`): re2js compiles them ~10x slower. */
const UNICODE_CLASS_WEIGHT = 10;
const REPEAT_RE = /^\{(\d+)(,(\d*))?\}/;

interface Frame {
  /** Size of the finished alternatives, each plus one split instruction. */
  alternatives: number;
  /** Size of the alternative being read. */
  current: number;
  /** Size of the last atom of `current` (what a following quantifier repeats). */
  last: number;
  /** Product of the counted repetitions nested in the last atom, and the largest in the atoms before it. */
  lastRepeats: number;
  repeats: number;
  capture: boolean;
}

/** Go's limit on a repetition count, and on the product of nested counts (regexp/syntax repeatIsValid). */
const MAX_REPEAT = 1000;

export interface ProgramEstimate {
  size: number;
  /** The first `{n,m}` that RE2 refuses (a count or a nested product over 1000), as Go quotes it. */
  invalidRepeat: string | null;
}

/**
 * An upper bound on the number of instructions `pattern` compiles to (RE2's program, as re2js's
 * programSize() counts it), from one pass over the text: each atom (character, class, `.`, assertion)
 * costs one, a group two, an alternative one, `* + ?` two, and `x{n,m}` repeats x's size max(n, m)
 * times plus two per copy. Patterns RE2 rejects may be estimated anyhow; the compile then rejects them.
 * Reading stops once the estimate is over MAX_REGEX_PROGRAM_SIZE (then `size` is what was counted so far).
 */
export function estimateProgramSize(pattern: string): ProgramEstimate {
  const stack: Frame[] = [];
  const frame = (capture: boolean): Frame => ({ alternatives: 0, current: 0, last: 0, lastRepeats: 1, repeats: 1, capture });
  let f = frame(false);
  let invalidRepeat: string | null = null;
  const atom = (size: number, repeats = 1) => {
    f.repeats = Math.max(f.repeats, f.lastRepeats);
    f.current += size;
    f.last = size;
    f.lastRepeats = repeats;
  };
  const p = pattern;
  let i = 0;
  let nextCheck = 0;
  while (i < p.length) {
    // The estimate never decreases while reading: stop once it is over the limit already.
    if (i >= nextCheck) {
      nextCheck = i + 256;
      let sofar = f.alternatives + f.current;
      for (const outer of stack) sofar += outer.alternatives + outer.current;
      if (sofar > MAX_REGEX_PROGRAM_SIZE) return { size: sofar, invalidRepeat };
    }
    const c = p[i];
    if (c === '\\') {
      const e = p[i + 1];
      if (e === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        const literal = end < 0 ? p.slice(i + 2) : p.slice(i + 2, end);
        for (let k = 0; k < literal.length; k++) atom(1);
        i = end < 0 ? p.length : end + 2;
        continue;
      }
      if (e === 'p' || e === 'P') {
        const braced = p[i + 2] === '{' ? p.indexOf('}', i + 3) : -1;
        atom(UNICODE_CLASS_WEIGHT);
        i = braced >= 0 ? braced + 1 : i + 3;
        continue;
      }
      if (e === 'x' && p[i + 2] === '{') {
        const end = p.indexOf('}', i + 3);
        atom(1);
        i = end >= 0 ? end + 1 : p.length;
        continue;
      }
      atom(1);
      i += 2;
      continue;
    }
    if (c === '[') {
      const end = classEnd(p, i);
      const body = p.slice(i, end);
      atom(/\\[pP]/.test(body) ? UNICODE_CLASS_WEIGHT : 1);
      i = end;
      continue;
    }
    if (c === '(') {
      if (p[i + 1] === '?') {
        const close = p.indexOf(')', i + 2);
        const colon = p.indexOf(':', i + 2);
        // `(?i)`: flags for the rest of the group, no instructions.
        if (close >= 0 && (colon < 0 || close < colon) && /^[imsU-]*$/.test(p.slice(i + 2, close))) {
          i = close + 1;
          continue;
        }
      }
      stack.push(f);
      f = frame(p[i + 1] !== '?' || p[i + 2] === 'P');
      i++;
      continue;
    }
    if (c === ')' && stack.length > 0) {
      const size = f.alternatives + f.current + (f.capture ? 2 : 0);
      const repeats = Math.max(f.repeats, f.lastRepeats);
      f = stack.pop()!;
      atom(size, repeats);
      i++;
      continue;
    }
    if (c === '|') {
      f.alternatives += f.current + 1;
      f.current = 0;
      f.last = 0;
      f.repeats = Math.max(f.repeats, f.lastRepeats);
      f.lastRepeats = 1;
      i++;
      continue;
    }
    if (c === '*' || c === '+' || c === '?') {
      f.current += 2;
      f.last += 2;
      i += p[i + 1] === '?' ? 2 : 1;
      continue;
    }
    if (c === '{') {
      const m = REPEAT_RE.exec(p.slice(i, i + 32));
      if (m) {
        const n = Number(m[1]);
        const max = m[2] === undefined ? n : m[3] === '' ? n + 1 : Math.max(n, Number(m[3]));
        // x{n,m} compiles to m copies of x, each optional one behind a split (and a no-op, to be safe).
        const copies = Math.max(max, 1);
        const repeated = (f.last + 2) * copies;
        f.current += repeated - f.last;
        f.last = repeated;
        const count = m[3] === '' || m[3] === undefined ? n : Number(m[3]);
        // Go does not look inside x{0} (repeatIsValid returns early).
        const product = count === 0 ? 1 : f.lastRepeats * count;
        if (invalidRepeat === null && (n > MAX_REPEAT || count > MAX_REPEAT || (count >= 2 && product > MAX_REPEAT))) invalidRepeat = m[0];
        f.lastRepeats = product;
        i += m[0].length + (p[i + m[0].length] === '?' ? 1 : 0);
        continue;
      }
    }
    atom(1);
    i++;
  }
  // Unclosed groups (a syntax error RE2 reports) still count; then the anchors and the outer group.
  let size = f.alternatives + f.current;
  while (stack.length > 0) {
    f = stack.pop()!;
    size += f.alternatives + f.current + 2;
  }
  return { size: size + 6, invalidRepeat };
}

/** Index just past the `]` closing the class opened at `start` (RE2: a `]` first in the class is literal). */
function classEnd(p: string, start: number): number {
  let i = start + 1;
  if (p[i] === '^') i++;
  if (p[i] === ']') i++;
  while (i < p.length) {
    const c = p[i];
    if (c === '\\') i += 2;
    else if (c === '[' && p[i + 1] === ':') {
      const end = p.indexOf(':]', i + 2);
      i = end >= 0 ? end + 2 : i + 1;
    } else if (c === ']') return i + 1;
    else i++;
  }
  return p.length;
}
