/**
 * `/api/v1/format_query`: an expression printed back as Prometheus 2.42 prints it (its api.go answers
 * `expr.Pretty(0)`): each node's String() form (promql/parser/printer.go: `sum by (a) (x)`, matchers
 * sorted, `x{a="b"}[5m] offset 1h`, numbers as Go's %v prints a float64) and, for a node whose String()
 * is longer than 100 characters, the prettier's layout (promql/parser/prettier.go): the node split over
 * lines, children indented by two spaces per level. test/prometheus/format-query.test.ts compares the
 * output with the real Prometheus 2.42's.
 */
import type { AggregateExpr, AtModifier, BinaryExpr, Expr, LabelMatcher, VectorSelector } from './ast';
import { formatPromDuration } from './status';

const MAX_CHARACTERS_PER_LINE = 100;

/** Go's strconv.Quote: `"…"` with \a\b\f\n\r\t\v, \xNN for other control bytes, \u00NN for C1 controls. */
export function goQuote(s: string): string {
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (named[ch]) out += named[ch];
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c < 0xa0) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** Go's fmt.Sprint of a float64 (strconv 'g', shortest): `1`, `0.5`, `1e+06`, `1.5e-05`, `+Inf`, `NaN`. */
export function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  // Both JS and Go print the shortest digits that read back as the same float64; Go switches to the
  // exponent form outside 1e-4 <= |v| < 1e6 (strconv: "if precision was the shortest possible, use
  // precision 6"), with at least two exponent digits.
  const [mantissa, expText] = v.toExponential().split('e');
  const exp = Number(expText);
  if (exp >= -4 && exp < 6) return String(v);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function matcherString(m: LabelMatcher): string {
  return `${m.name}${m.op}${goQuote(m.value)}`;
}

function atString(at: AtModifier | null): string {
  if (at === null) return '';
  if (at.kind === 'start') return ' @ start()';
  if (at.kind === 'end') return ' @ end()';
  return ` @ ${(at.ms / 1000).toFixed(3)}`;
}

function offsetString(ms: number): string {
  if (ms > 0) return ` offset ${formatPromDuration(ms)}`;
  if (ms < 0) return ` offset -${formatPromDuration(-ms)}`;
  return '';
}

function selectorString(v: VectorSelector, withModifiers: boolean): string {
  // The __name__ matcher is printed only when it is not the name before the braces.
  const labels = v.matchers.filter((m) => !(m.name === '__name__' && m.op === '=' && m.value === (v.name ?? ''))).map(matcherString);
  const modifiers = withModifiers ? atString(v.at) + offsetString(v.offset) : '';
  const name = v.name ?? '';
  if (labels.length === 0) return name + modifiers;
  labels.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `${name}{${labels.join(',')}}${modifiers}`;
}

function groupingString(e: AggregateExpr): string {
  if (e.without) return `${e.op} without (${e.grouping.join(', ')}) `;
  if (e.grouping.length > 0) return `${e.op} by (${e.grouping.join(', ')}) `;
  return e.op;
}

function matchingString(e: BinaryExpr): string {
  const vm = e.matching;
  if (vm === null || !(vm.labels.length > 0 || vm.on)) return '';
  let s = ` ${vm.on ? 'on' : 'ignoring'} (${vm.labels.join(', ')})`;
  if (vm.card === 'many-to-one' || vm.card === 'one-to-many') s += ` group_${vm.card === 'many-to-one' ? 'left' : 'right'} (${vm.include.join(', ')})`;
  return s;
}

/** Prometheus's parser folds a sign into a number literal (`-1` is the number -1, `+1` is 1). */
function folded(e: Expr): Expr {
  if (e.type !== 'unary') return e;
  const inner = folded(e.expr);
  if (inner.type !== 'number') return e;
  return { ...inner, value: e.op === '-' ? -inner.value : inner.value };
}

/** A node's String() as Prometheus 2.42 prints it. */
export function exprString(node: Expr): string {
  const e = folded(node);
  switch (e.type) {
    case 'number':
      return goFloat(e.value);
    case 'string':
      return goQuote(e.value);
    case 'vector_selector':
      return selectorString(e, true);
    case 'matrix_selector':
      return `${selectorString(e.selector, false)}[${formatPromDuration(e.range)}]${atString(e.selector.at)}${offsetString(e.selector.offset)}`;
    case 'subquery':
      return exprString(e.expr) + subquerySuffix(e.range, e.step, e.at, e.offset);
    case 'paren':
      return `(${exprString(e.expr)})`;
    case 'unary':
      return `${e.op}${exprString(e.expr)}`;
    case 'call':
      return `${e.func}(${e.args.map(exprString).join(', ')})`;
    case 'aggregate':
      return `${groupingString(e)}(${e.param ? `${exprString(e.param)}, ` : ''}${exprString(e.expr)})`;
    case 'binary':
      return `${exprString(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''}${matchingString(e)} ${exprString(e.rhs)}`;
  }
}

function subquerySuffix(range: number, step: number, at: AtModifier | null, offset: number): string {
  return `[${formatPromDuration(range)}:${step === 0 ? '' : formatPromDuration(step)}]${atString(at)}${offsetString(offset)}`;
}

const indent = (level: number) => '  '.repeat(level);

/** Prometheus's Pretty(level): String() when it fits in 100 characters, else the node split over lines. */
export function prettyExpr(node: Expr, level = 0): string {
  const e = folded(node);
  const flat = exprString(e);
  const fits = flat.length <= MAX_CHARACTERS_PER_LINE;
  switch (e.type) {
    case 'aggregate': {
      if (fits) return indent(level) + flat;
      const param = e.param ? `${prettyExpr(e.param, level + 1)},\n` : '';
      return `${indent(level)}${groupingString(e)}(\n${param}${prettyExpr(e.expr, level + 1)}\n${indent(level)})`;
    }
    case 'binary':
      if (fits) return indent(level) + flat;
      return `${prettyExpr(e.lhs, level + 1)}\n${indent(level)}${e.op}${e.returnBool ? ' bool' : ''}${matchingString(e)}\n${prettyExpr(e.rhs, level + 1)}`;
    case 'call':
      if (fits) return indent(level) + flat;
      return `${indent(level)}${e.func}(\n${e.args.map((a) => prettyExpr(a, level + 1)).join(',\n')}\n${indent(level)})`;
    case 'paren':
      if (fits) return indent(level) + flat;
      return `${indent(level)}(\n${prettyExpr(e.expr, level + 1)}\n${indent(level)})`;
    case 'subquery':
      if (fits) return flat;
      return prettyExpr(e.expr, level) + subquerySuffix(e.range, e.step, e.at, e.offset);
    case 'unary':
      return `${indent(level)}${e.op}${prettyExpr(e.expr, level).trim()}`;
    default:
      return indent(level) + flat;
  }
}
