/**
 * Label-matcher regexes: Prometheus compiles `=~ "re"` as RE2 `^(?:re)$` (fully anchored). JavaScript's
 * RegExp is close to RE2 for what label matchers use (alternation, classes, repetition); this module
 * translates the RE2-only syntax that has a JavaScript equivalent and rejects Perl features RE2 lacks
 * (look-around, back-references), so a pattern means the same thing here as in Prometheus or fails.
 */

export class RegexSyntaxError extends Error {}

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const escapeLiteral = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** Compiles a Prometheus label-matcher regex, anchored at both ends. */
export function compileAnchoredRegex(pattern: string): RegExp {
  let flags = '';
  let body = pattern;
  // RE2 flag groups at the very start apply to the whole pattern: JS takes them as RegExp flags.
  const lead = /^\(\?([imsU]+)\)/.exec(body);
  if (lead) {
    for (const f of lead[1]) {
      if (f === 'i' || f === 's' || f === 'm') flags += flags.includes(f) ? '' : f;
      else throw new RegexSyntaxError(`error parsing regexp: flag '${f}' is not supported: \`${pattern}\``);
    }
    body = body.slice(lead[0].length);
  }
  const translated = translate(body, pattern);
  try {
    return new RegExp(`^(?:${translated})$`, flags);
  } catch (e) {
    throw new RegexSyntaxError(`error parsing regexp: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}

function translate(src: string, original: string): string {
  let out = '';
  let i = 0;
  let inClass = false;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') {
      const e = src[i + 1];
      if (e === undefined) throw new RegexSyntaxError(`error parsing regexp: trailing backslash at end of expression: \`${original}\``);
      if (e === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const literal = end < 0 ? src.slice(i + 2) : src.slice(i + 2, end);
        out += escapeLiteral(literal);
        i = end < 0 ? src.length : end + 2;
        continue;
      }
      if (!inClass && e >= '1' && e <= '9') {
        throw new RegexSyntaxError(`error parsing regexp: invalid escape sequence: \`\\${e}\` (back-references are not RE2)`);
      }
      if (e === 'A' && !inClass) out += '^';
      else if (e === 'z' && !inClass) out += '$';
      else if (e === 'p' || e === 'P' || e === 'C') {
        throw new RegexSyntaxError(`error parsing regexp: Unicode classes (\\${e}) are not supported by Vigil: \`${original}\``);
      } else out += c + e;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && src[i + 1] === ':') {
        const end = src.indexOf(':]', i + 2);
        if (end > 0) {
          const name = src.slice(i + 2, end);
          const negated = name.startsWith('^');
          const cls = POSIX_CLASSES[negated ? name.slice(1) : name];
          if (!cls) throw new RegexSyntaxError(`error parsing regexp: invalid character class range: \`[:${name}:]\``);
          if (negated) throw new RegexSyntaxError(`error parsing regexp: negated POSIX classes are not supported by Vigil: \`[:${name}:]\``);
          out += cls;
          i = end + 2;
          continue;
        }
      }
      if (c === '[') out += '\\[';
      else out += c;
      if (c === ']') inClass = false;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      // A `]` right after `[` or `[^` is a literal in RE2.
      if (src[i] === '^') {
        out += '^';
        i++;
      }
      if (src[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      const rest = src.slice(i + 2);
      if (rest.startsWith(':')) {
        out += '(?:';
        i += 3;
        continue;
      }
      const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named) {
        out += `(?<${named[1]}>`;
        i += 2 + named[0].length;
        continue;
      }
      throw new RegexSyntaxError(`error parsing regexp: invalid or unsupported Perl syntax: \`(?${rest.slice(0, 1)}\``);
    }
    out += c;
    i++;
  }
  if (inClass) throw new RegexSyntaxError(`error parsing regexp: missing closing ]: \`${original}\``);
  return out;
}
