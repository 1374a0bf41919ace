/**
 * Recursive-descent (precedence-climbing) parser for PromQL as Prometheus 2.42 has it: every function,
 * aggregation and operator, vector matching with group_left/group_right, subqueries and `@`. Constructs
 * of later versions (limitk, mad_over_time, ...) are rejected with a message naming them, and type
 * errors read like Prometheus's (promql/parser/parse.go, checkAST).
 *
 * Operator precedence, lowest to highest (Prometheus docs, "Binary operator precedence"):
 *   or < and, unless < comparisons < + - < * / % atan2 < ^ (right-associative).
 * A unary minus binds like `*`: `-2^2` is `-(2^2)`.
 *
 * Size is bounded (limits.ts): the lexer stops at MAX_QUERY_TOKENS, and both the parser's recursion and
 * the depth of the tree it builds (a chain `a + b + c` is a left-deep tree) stop at MAX_EXPRESSION_DEPTH,
 * with a parse error, so no query overflows the stack here or in the evaluator.
 */
import {
  AggregateExpr,
  AggregateOp,
  AtModifier,
  BinaryOp,
  childrenOf,
  Expr,
  isComparison,
  isSetOp,
  LabelMatcher,
  MatchOp,
  MatrixSelector,
  Span,
  SubqueryExpr,
  typeOf,
  ValueType,
  VectorMatching,
  VectorSelector,
} from './ast';
import { FUNCTIONS, LATER_FUNCTIONS } from './functions';
import { PromQLParseError, UnsupportedConstructError } from './errors';
import { parseDuration as parseDurationText, Token, tokenize } from './lexer';
import { MAX_EXPRESSION_DEPTH, MAX_QUERY_TOKENS } from './limits';
import { compileAnchoredRegex, RegexSyntaxError } from './regex';

export const SUPPORTED_AGGREGATIONS: readonly AggregateOp[] = ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values'];
const AGGREGATIONS_WITH_PARAM: readonly AggregateOp[] = ['topk', 'bottomk', 'quantile', 'count_values'];

/** Aggregations of later Prometheus versions (named in the error instead of "unexpected"). */
const OTHER_AGGREGATIONS = ['limitk', 'limit_ratio'];

/** Prometheus's largest time: Go's time.Duration limit in ms, as the parser checks an `@` time. */
const MAX_AT_MS = 9_223_372_036_854;

interface OpInfo {
  prec: number;
  rightAssoc?: boolean;
}
const BINARY_PRECEDENCE: Record<string, OpInfo> = {
  or: { prec: 1 },
  and: { prec: 2 },
  unless: { prec: 2 },
  '==': { prec: 3 },
  '!=': { prec: 3 },
  '<=': { prec: 3 },
  '<': { prec: 3 },
  '>=': { prec: 3 },
  '>': { prec: 3 },
  '+': { prec: 4 },
  '-': { prec: 4 },
  '*': { prec: 5 },
  '/': { prec: 5 },
  '%': { prec: 5 },
  atan2: { prec: 5 },
  '^': { prec: 6, rightAssoc: true },
};
const POW_PREC = 6;
const KEYWORD_OPS = ['and', 'or', 'unless', 'atan2'];

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export interface ParseResult {
  expr: Expr;
  type: ValueType;
}

/** Parses a query into the AST of the subset; throws PromQLParseError (bad_data) otherwise. */
export function parseQuery(query: string): Expr {
  return new Parser(query).parseTop();
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  /** parseExpr calls in progress */
  private nesting = 0;
  /** Depth of each compound node built (leaves are 1), so a node's depth is known in constant time. */
  private readonly depths = new WeakMap<Expr, number>();

  constructor(private readonly query: string) {
    this.tokens = tokenize(query, MAX_QUERY_TOKENS);
  }

  parseTop(): Expr {
    if (this.peek().kind === 'eof') this.fail(this.peek(), 'no expression found in input');
    const expr = this.parseExpr(0);
    const t = this.peek();
    if (t.kind !== 'eof') this.fail(t, `unexpected ${describe(t)}`);
    return expr;
  }

  // ---- tokens

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private isPunct(text: string, t = this.peek()): boolean {
    return t.kind === 'punct' && t.text === text;
  }
  private isKeyword(word: string, t = this.peek()): boolean {
    return t.kind === 'ident' && t.text.toLowerCase() === word;
  }
  private expectPunct(text: string, context: string): Token {
    const t = this.peek();
    if (!this.isPunct(text, t)) this.fail(t, `unexpected ${describe(t)} ${context}, expected "${text}"`);
    return this.next();
  }
  private fail(t: Token | number, message: string): never {
    throw new PromQLParseError(this.query, typeof t === 'number' ? t : t.pos, message);
  }
  private unsupported(t: Token | number, construct: string): never {
    throw new UnsupportedConstructError(this.query, typeof t === 'number' ? t : t.pos, construct);
  }

  // ---- expressions

  private binaryOpAt(t: Token): string | null {
    if (t.kind === 'punct' && t.text in BINARY_PRECEDENCE) return t.text;
    if (t.kind === 'ident' && KEYWORD_OPS.includes(t.text.toLowerCase())) return t.text.toLowerCase();
    return null;
  }

  private parseExpr(minPrec: number): Expr {
    if (++this.nesting > MAX_EXPRESSION_DEPTH) this.tooDeep(this.peek());
    try {
      return this.parseOperators(minPrec);
    } finally {
      this.nesting--;
    }
  }

  private tooDeep(at: Token | number): never {
    this.fail(at, `expression nests too deeply: more than ${MAX_EXPRESSION_DEPTH} levels (Vigil's limit, see docs/prometheus.md)`);
  }

  /** Records a compound node's depth; fails past the limit. */
  private built<T extends Expr>(e: T): T {
    let depth = 0;
    for (const c of childrenOf(e)) depth = Math.max(depth, this.depths.get(c) ?? 1);
    if (depth + 1 > MAX_EXPRESSION_DEPTH) this.tooDeep(e.span.start);
    this.depths.set(e, depth + 1);
    return e;
  }

  private parseOperators(minPrec: number): Expr {
    let lhs = this.parseUnary();
    for (;;) {
      const opTok = this.peek();
      const op = this.binaryOpAt(opTok);
      if (op === null) break;
      const info = BINARY_PRECEDENCE[op];
      if (info.prec < minPrec) break;
      this.next();
      const binOp = op as BinaryOp;
      let returnBool = false;
      if (this.isKeyword('bool')) {
        if (!isComparison(binOp)) this.fail(this.peek(), 'bool modifier can only be used on comparison operators');
        this.next();
        returnBool = true;
      }
      let matching: VectorMatching | null = null;
      if (this.isKeyword('on') || this.isKeyword('ignoring')) {
        const on = this.next().text.toLowerCase() === 'on';
        matching = { on, labels: this.parseLabelList(on ? 'on' : 'ignoring'), card: 'one-to-one', include: [] };
        if (this.isKeyword('group_left') || this.isKeyword('group_right')) {
          matching.card = this.next().text.toLowerCase() === 'group_left' ? 'many-to-one' : 'one-to-many';
          // The label list is optional: `a * on(x) group_left b`.
          if (this.isPunct('(')) matching.include = this.parseLabelList('group');
        }
      }
      const rhs = this.parseExpr(info.rightAssoc ? info.prec : info.prec + 1);
      lhs = this.makeBinary(opTok, binOp, lhs, rhs, returnBool, matching);
    }
    return lhs;
  }

  private makeBinary(opTok: Token, op: BinaryOp, lhs: Expr, rhs: Expr, returnBool: boolean, matching: VectorMatching | null): Expr {
    const lt = typeOf(lhs);
    const rt = typeOf(rhs);
    const span: Span = { start: lhs.span.start, end: rhs.span.end };
    if ((lt !== 'scalar' && lt !== 'vector') || (rt !== 'scalar' && rt !== 'vector')) {
      this.fail(opTok, 'binary expression must contain only scalar and instant vector types');
    }
    if (isComparison(op) && !returnBool && lt === 'scalar' && rt === 'scalar') {
      this.fail(opTok, 'comparisons between scalars must use BOOL modifier');
    }
    if (matching && isSetOp(op) && matching.card === 'one-to-one') matching.card = 'many-to-many';
    if (matching && matching.on) {
      const both = matching.labels.find((l) => matching!.include.includes(l));
      if (both !== undefined) this.fail(opTok, `label "${both}" must not occur in ON and GROUP clause at once`);
    }
    if (matching && (lt !== 'vector' || rt !== 'vector')) {
      // Prometheus drops an empty `on()` / `ignoring()` beside a scalar (found by the generated oracle test).
      if (matching.labels.length > 0) this.fail(opTok, 'vector matching only allowed between instant vectors');
      matching = null;
    } else if (matching && isSetOp(op) && matching.card !== 'many-to-many') {
      this.fail(opTok, `no grouping allowed for "${op}" operation`);
    }
    if ((lt === 'scalar' || rt === 'scalar') && isSetOp(op)) this.fail(opTok, `set operator "${op}" not allowed in binary scalar expression`);
    if (lt === 'vector' && rt === 'vector' && !matching) matching = { on: false, labels: [], card: isSetOp(op) ? 'many-to-many' : 'one-to-one', include: [] };
    return this.built({ type: 'binary', op, lhs, rhs, returnBool, matching, scalar: lt === 'scalar' && rt === 'scalar', span });
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (this.isPunct('+', t) || this.isPunct('-', t)) {
      this.next();
      const operand = this.parseExpr(POW_PREC);
      const ty = typeOf(operand);
      if (ty !== 'scalar' && ty !== 'vector') this.fail(t, 'unary expression only allowed on expressions of type scalar or instant vector');
      const span = { start: t.pos, end: operand.span.end };
      // Prometheus folds a sign into a number literal (`-1` is the number -1).
      if (operand.type === 'number') return { type: 'number', value: t.text === '-' ? -operand.value : operand.value, span };
      return this.built({ type: 'unary', op: t.text as '+' | '-', expr: operand, span });
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePostfix(expr: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (this.isPunct('[', t)) {
        expr = this.parseRange(t, expr);
      } else if (this.isKeyword('offset', t)) {
        expr = this.parseOffset(t, expr);
      } else if (this.isPunct('@', t)) {
        expr = this.parseAt(t, expr);
      } else {
        return expr;
      }
    }
  }

  private parseRange(open: Token, expr: Expr): MatrixSelector | SubqueryExpr {
    this.next();
    const range = this.parseDurationToken('range');
    // The lexer reads `:5m` as an identifier (metric names may hold colons); here it is a subquery step.
    const t = this.peek();
    if (this.isPunct(':', t) || (t.kind === 'ident' && t.text.startsWith(':'))) return this.parseSubquery(open, expr, range);
    const close = this.expectPunct(']', 'in range selector');
    if (expr.type !== 'vector_selector') this.fail(open, 'ranges only allowed for vector selectors');
    if (expr.offset !== 0) this.fail(open, 'no offset modifiers allowed before range');
    if (expr.at !== null) this.fail(open, 'no @ modifiers allowed before range');
    if (range <= 0) this.fail(open, `range must be positive, got ${range}ms`);
    return this.built({ type: 'matrix_selector', selector: expr, range, span: { start: expr.span.start, end: close.end } });
  }

  /** `expr[range:step]` or `expr[range:]`, the `[range` already read. */
  private parseSubquery(open: Token, expr: Expr, range: number): SubqueryExpr {
    const colon = this.next();
    let step = 0;
    if (colon.kind === 'ident' && colon.text.length > 1) {
      const d = colon.text.slice(1);
      const ms = /^\d+$/.test(d) ? Number(d) * 1000 : parseDurationText(d);
      if (ms === null) this.fail(colon, `bad duration syntax: "${d}"`);
      step = ms;
    } else if (!this.isPunct(']')) {
      step = this.parseDurationToken('subquery step');
    }
    const close = this.expectPunct(']', 'in subquery');
    const ty = typeOf(expr);
    if (ty !== 'vector') this.fail(open, `subquery is only allowed on instant vector, got ${typeName(ty)} instead`);
    if (range <= 0) this.fail(open, `range must be positive, got ${range}ms`);
    return this.built({ type: 'subquery', expr, range, step, offset: 0, at: null, span: { start: expr.span.start, end: close.end } });
  }

  /** `@ <time>`, `@ start()`, `@ end()` after a selector or subquery. */
  private parseAt(atTok: Token, expr: Expr): Expr {
    this.next();
    let at: AtModifier;
    const t = this.peek();
    if ((this.isKeyword('start', t) || this.isKeyword('end', t)) && this.isPunct('(', this.peek(1))) {
      this.next();
      this.next();
      this.expectPunct(')', 'in @ modifier');
      at = { kind: t.text.toLowerCase() === 'start' ? 'start' : 'end' };
    } else {
      let sign = 1;
      if (this.isPunct('-') || this.isPunct('+')) sign = this.next().text === '-' ? -1 : 1;
      const n = this.next();
      if (n.kind !== 'number') this.fail(n, `unexpected ${describe(n)} in @, expected timestamp`);
      const seconds = sign * (n.value as number);
      if (!Number.isFinite(seconds) || Math.abs(seconds * 1000) > MAX_AT_MS) this.fail(n, 'timestamp out of bounds for @ modifier');
      at = { kind: 'time', ms: Math.round(seconds * 1000) };
    }
    const end = this.tokens[this.i - 1].end;
    const target = expr.type === 'vector_selector' || expr.type === 'subquery' ? expr : expr.type === 'matrix_selector' ? expr.selector : null;
    if (!target) this.fail(atTok, '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery');
    if (target.at !== null) this.fail(atTok, '@ <timestamp> may not be set multiple times');
    target.at = at;
    return this.built({ ...expr, span: { start: expr.span.start, end } } as Expr);
  }

  private parseOffset(kw: Token, expr: Expr): Expr {
    this.next();
    let sign = 1;
    if (this.isPunct('-')) {
      this.next();
      sign = -1;
    }
    const d = sign * this.parseDurationToken('offset');
    const end = this.tokens[this.i - 1].end;
    const sel = expr.type === 'vector_selector' || expr.type === 'subquery' ? expr : expr.type === 'matrix_selector' ? expr.selector : null;
    if (!sel) this.fail(kw, 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery');
    if (sel.offset !== 0) this.fail(kw, 'offset may not be set multiple times');
    sel.offset = d;
    return this.built({ ...expr, span: { start: expr.span.start, end } } as Expr);
  }

  /** A duration (`5m`); a bare integer is read as seconds (as Prometheus ≥ 3 does). */
  private parseDurationToken(what: string): number {
    const t = this.next();
    if (t.kind === 'duration') return t.value as number;
    if (t.kind === 'number' && Number.isInteger(t.value) && (t.value as number) >= 0) return (t.value as number) * 1000;
    this.fail(t, `unexpected ${describe(t)} in ${what}, expected duration`);
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.next();
        return { type: 'number', value: t.value as number, span: { start: t.pos, end: t.end } };
      case 'string':
        this.next();
        return { type: 'string', value: t.value as string, span: { start: t.pos, end: t.end } };
      case 'duration':
        this.fail(t, `unexpected duration "${t.text}"`);
      // eslint-disable-next-line no-fallthrough
      case 'eof':
        this.fail(t, 'unexpected end of input');
      // eslint-disable-next-line no-fallthrough
      case 'punct':
        if (t.text === '(') {
          this.next();
          const inner = this.parseExpr(0);
          const close = this.expectPunct(')', 'in parenthesized expression');
          return this.built({ type: 'paren', expr: inner, span: { start: t.pos, end: close.end } });
        }
        if (t.text === '{') return this.parseSelector(null, t);
        this.fail(t, `unexpected ${describe(t)}`);
      // eslint-disable-next-line no-fallthrough
      case 'ident':
        return this.parseIdentifierExpr(t);
    }
  }

  private parseIdentifierExpr(t: Token): Expr {
    const lower = t.text.toLowerCase();
    if ((SUPPORTED_AGGREGATIONS as readonly string[]).includes(lower)) return this.parseAggregate(t, lower as AggregateOp);
    if (OTHER_AGGREGATIONS.includes(lower)) this.unsupported(t, `the aggregation "${lower}" (Prometheus 3)`);
    if (this.isPunct('(', this.peek(1))) return this.parseCall(t);
    if (['by', 'without', 'on', 'ignoring', 'bool', 'offset', 'group_left', 'group_right', 'and', 'or', 'unless', 'atan2'].includes(lower)) {
      this.fail(t, `unexpected keyword "${t.text}"`);
    }
    this.next();
    if (this.isPunct('{')) return this.parseSelector(t.text, t);
    return this.finishSelector(t.text, [], t, t.end);
  }

  private parseCall(nameTok: Token): Expr {
    const name = nameTok.text;
    const sig = Object.prototype.hasOwnProperty.call(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
    if (!sig) {
      if (LATER_FUNCTIONS.has(name)) this.unsupported(nameTok, `the function "${name}" (Prometheus 3)`);
      this.fail(nameTok, `unknown function with name "${name}"`);
    }
    this.next();
    this.expectPunct('(', `in call to ${name}`);
    const args: Expr[] = [];
    if (!this.isPunct(')')) {
      for (;;) {
        args.push(this.parseExpr(0));
        if (!this.isPunct(',')) break;
        this.next();
      }
    }
    const close = this.expectPunct(')', `in call to ${name}`);
    const nargs = sig.args.length;
    if (sig.variadic === 0) {
      if (args.length !== nargs) this.fail(nameTok, `expected ${nargs} argument(s) in call to "${name}", got ${args.length}`);
    } else if (nargs - 1 > args.length) {
      this.fail(nameTok, `expected at least ${nargs - 1} argument(s) in call to "${name}", got ${args.length}`);
    } else if (sig.variadic > 0 && nargs - 1 + sig.variadic < args.length) {
      this.fail(nameTok, `expected at most ${nargs - 1 + sig.variadic} argument(s) in call to "${name}", got ${args.length}`);
    }
    args.forEach((arg, i) => {
      const want = sig.args[Math.min(i, nargs - 1)];
      const got = typeOf(arg);
      if (got !== want) this.fail(arg.span.start, `expected type ${typeName(want)} in call to function "${name}", got ${typeName(got)}`);
    });
    return this.built({ type: 'call', func: name, args, returns: sig.returns, span: { start: nameTok.pos, end: close.end } });
  }

  private parseAggregate(opTok: Token, op: AggregateOp): AggregateExpr {
    this.next();
    let grouping: string[] = [];
    let without = false;
    let hasModifier = false;
    const modifier = () => {
      if (this.isKeyword('by') || this.isKeyword('without')) {
        without = this.next().text.toLowerCase() === 'without';
        grouping = this.parseLabelList(without ? 'without' : 'by');
        hasModifier = true;
      }
    };
    modifier();
    this.expectPunct('(', `in aggregation "${op}"`);
    const args: Expr[] = [];
    if (!this.isPunct(')')) {
      for (;;) {
        args.push(this.parseExpr(0));
        if (!this.isPunct(',')) break;
        this.next();
      }
    }
    const close = this.expectPunct(')', `in aggregation "${op}"`);
    let end = close.end;
    if (!hasModifier) {
      modifier();
      if (hasModifier) end = this.tokens[this.i - 1].end;
    }
    if (args.length === 0) this.fail(opTok, 'no arguments for aggregate expression provided');
    const desired = AGGREGATIONS_WITH_PARAM.includes(op) ? 2 : 1;
    if (args.length !== desired) this.fail(opTok, `wrong number of arguments for aggregate expression provided, expected ${desired}, got ${args.length}`);
    const expr = args[desired - 1];
    const ty = typeOf(expr);
    if (ty !== 'vector') this.fail(expr.span.start, `expected type instant vector in aggregation expression, got ${typeName(ty)}`);
    const param = desired === 2 ? args[0] : null;
    if (param) {
      const want: ValueType = op === 'count_values' ? 'string' : 'scalar';
      const got = typeOf(param);
      if (got !== want) this.fail(param.span.start, `expected type ${typeName(want)} in aggregation parameter, got ${typeName(got)}`);
    }
    return this.built({ type: 'aggregate', op, expr, param, grouping, without, span: { start: opTok.pos, end } });
  }

  private parseLabelList(context: string): string[] {
    this.expectPunct('(', `in grouping opts of "${context}"`);
    const labels: string[] = [];
    while (!this.isPunct(')')) {
      const t = this.next();
      if (t.kind !== 'ident' || !LABEL_NAME_RE.test(t.text)) this.fail(t, `unexpected ${describe(t)} in grouping opts, expected label`);
      labels.push(t.text);
      if (this.isPunct(',')) this.next();
      else if (!this.isPunct(')')) this.fail(this.peek(), `unexpected ${describe(this.peek())} in grouping opts, expected "," or ")"`);
    }
    this.next();
    return labels;
  }

  private parseSelector(name: string | null, startTok: Token): VectorSelector {
    this.expectPunct('{', 'in vector selector');
    const matchers: LabelMatcher[] = [];
    while (!this.isPunct('}')) {
      const labelTok = this.next();
      if (labelTok.kind !== 'ident' || !LABEL_NAME_RE.test(labelTok.text)) {
        this.fail(labelTok, `unexpected ${describe(labelTok)} in label matching, expected label`);
      }
      const opTok = this.next();
      if (opTok.kind !== 'punct' || !['=', '!=', '=~', '!~'].includes(opTok.text)) {
        this.fail(opTok, `unexpected ${describe(opTok)} in label matching, expected label matching operator`);
      }
      const valueTok = this.next();
      if (valueTok.kind !== 'string') this.fail(valueTok, `unexpected ${describe(valueTok)} in label matching, expected string`);
      // Prometheus positions a bad regex at the matcher's label name.
      matchers.push(this.makeMatcher(labelTok.text, opTok.text as MatchOp, valueTok.value as string, labelTok));
      if (this.isPunct(',')) this.next();
      else if (!this.isPunct('}')) this.fail(this.peek(), `unexpected ${describe(this.peek())} in label matching, expected "," or "}"`);
    }
    const close = this.next();
    return this.finishSelector(name, matchers, startTok, close.end);
  }

  private makeMatcher(name: string, op: MatchOp, value: string, at: Token): LabelMatcher {
    if (op === '=~' || op === '!~') {
      try {
        return { name, op, value, regex: compileAnchoredRegex(value) };
      } catch (e) {
        if (e instanceof RegexSyntaxError) this.fail(at, e.message);
        throw e;
      }
    }
    return { name, op, value };
  }

  private finishSelector(name: string | null, matchers: LabelMatcher[], startTok: Token, end: number): VectorSelector {
    if (name !== null) {
      const dup = matchers.find((m) => m.name === '__name__');
      if (dup) this.fail(startTok, `metric name must not be set twice: "${name}" or "${dup.value}"`);
      matchers = [{ name: '__name__', op: '=', value: name }, ...matchers];
    }
    if (!matchers.some((m) => !matchesValue(m, ''))) this.fail(startTok, 'vector selector must contain at least one non-empty matcher');
    return { type: 'vector_selector', name, matchers, offset: 0, at: null, span: { start: startTok.pos, end } };
  }
}

/** Whether a label value (empty string = label absent) satisfies a matcher. */
export function matchesValue(m: LabelMatcher, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return m.regex!.test(value);
    case '!~':
      return !m.regex!.test(value);
  }
}

function typeName(t: ValueType): string {
  return t === 'vector' ? 'instant vector' : t === 'matrix' ? 'range vector' : t;
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of input';
    case 'ident':
      return `identifier "${t.text}"`;
    case 'number':
      return `number "${t.text}"`;
    case 'duration':
      return `duration "${t.text}"`;
    case 'string':
      return `string ${t.text}`;
    default:
      return `"${t.text}"`;
  }
}
