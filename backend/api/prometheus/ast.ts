/**
 * The AST of Vigil's PromQL subset. Node shapes follow Prometheus's own (promql/parser/ast.go) so that the
 * evaluator's semantics can be read against Prometheus's documentation node by node.
 */
import type { AnchoredRegex } from './regex';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
  /** Compiled, fully anchored RE2 regex for `=~` / `!~`. */
  regex?: AnchoredRegex;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^' | 'atan2';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

export type AggregateOp = 'sum' | 'avg' | 'min' | 'max' | 'count' | 'group' | 'stddev' | 'stdvar' | 'topk' | 'bottomk' | 'quantile' | 'count_values';

/** The `@` modifier: a fixed time (ms), or the query's start or end (resolved when evaluating). */
export type AtModifier = { kind: 'time'; ms: number } | { kind: 'start' } | { kind: 'end' };

/** Character offset range of a node in the query (0-based, end exclusive), for error messages. */
export interface Span {
  start: number;
  end: number;
}

export interface NumberLiteral {
  type: 'number';
  value: number;
  span: Span;
}

export interface StringLiteral {
  type: 'string';
  value: string;
  span: Span;
}

export interface VectorSelector {
  type: 'vector_selector';
  /** Metric name if given before the braces (also present as a `__name__` matcher). */
  name: string | null;
  matchers: LabelMatcher[];
  /** ms */
  offset: number;
  at: AtModifier | null;
  span: Span;
}

export interface MatrixSelector {
  type: 'matrix_selector';
  selector: VectorSelector;
  /** ms */
  range: number;
  span: Span;
}

export type Cardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  /** `on(...)`: match on exactly these labels; otherwise `ignoring(...)` (empty = all but the name). */
  on: boolean;
  labels: string[];
  /** many-to-one for `group_left`, one-to-many for `group_right`, many-to-many for set operators. */
  card: Cardinality;
  /** The labels of `group_left(...)` / `group_right(...)`, copied from the "one" side. */
  include: string[];
}

export interface BinaryExpr {
  type: 'binary';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  returnBool: boolean;
  /** Present only when both sides are instant vectors. */
  matching: VectorMatching | null;
  /** Both sides are scalars, so is the result: kept on the node, so typeOf() of a chain is not a walk. */
  scalar: boolean;
  span: Span;
}

export interface UnaryExpr {
  type: 'unary';
  op: '+' | '-';
  expr: Expr;
  span: Span;
}

export interface AggregateExpr {
  type: 'aggregate';
  op: AggregateOp;
  expr: Expr;
  /** topk/bottomk/quantile's scalar, count_values's string; null for the others. */
  param: Expr | null;
  grouping: string[];
  without: boolean;
  span: Span;
}

export interface Call {
  type: 'call';
  /** A Prometheus 2.42 function name (functions.ts). */
  func: string;
  args: Expr[];
  /** The function's return type, kept so typeOf() is a look-up. */
  returns: ValueType;
  span: Span;
}

/** `expr[range:step]`: the inner expression evaluated at every multiple of step in the window. */
export interface SubqueryExpr {
  type: 'subquery';
  expr: Expr;
  /** ms */
  range: number;
  /** ms; 0 = the default evaluation interval */
  step: number;
  /** ms */
  offset: number;
  at: AtModifier | null;
  span: Span;
}

export interface ParenExpr {
  type: 'paren';
  expr: Expr;
  span: Span;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | BinaryExpr
  | UnaryExpr
  | AggregateExpr
  | Call
  | SubqueryExpr
  | ParenExpr;

/** The value type an expression evaluates to (Prometheus's `Expr.Type()`). */
export function typeOf(e: Expr): ValueType {
  switch (e.type) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vector_selector':
    case 'aggregate':
      return 'vector';
    case 'call':
      return e.returns;
    case 'matrix_selector':
    case 'subquery':
      return 'matrix';
    case 'paren':
    case 'unary':
      return typeOf(e.expr);
    case 'binary':
      return e.scalar ? 'scalar' : 'vector';
  }
}

export const COMPARISON_OPS: readonly string[] = ['==', '!=', '>', '<', '>=', '<='];
export const isComparison = (op: BinaryOp): op is ComparisonOp => COMPARISON_OPS.includes(op);
export const SET_OPS: readonly string[] = ['and', 'or', 'unless'];
export const isSetOp = (op: BinaryOp): op is SetOp => SET_OPS.includes(op);

/** The direct sub-expressions of a node. */
export function childrenOf(e: Expr): Expr[] {
  switch (e.type) {
    case 'binary':
      return [e.lhs, e.rhs];
    case 'unary':
    case 'paren':
    case 'subquery':
      return [e.expr];
    case 'aggregate':
      return e.param ? [e.param, e.expr] : [e.expr];
    case 'call':
      return e.args;
    case 'matrix_selector':
      return [e.selector];
    default:
      return [];
  }
}

/**
 * Every vector selector in an expression, in source order, each with the range of the matrix selector
 * around it (0 for an instant selector): for series look-ups and structural checks. Iterative, so any
 * depth the parser accepts is walked without recursion.
 */
export function selectorsWithRange(e: Expr): { selector: VectorSelector; range: number }[] {
  const out: { selector: VectorSelector; range: number }[] = [];
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'vector_selector') out.push({ selector: n, range: 0 });
    else if (n.type === 'matrix_selector') out.push({ selector: n.selector, range: n.range });
    else {
      const kids = childrenOf(n);
      for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]);
    }
  }
  return out;
}

export function selectorsOf(e: Expr): VectorSelector[] {
  return selectorsWithRange(e).map((s) => s.selector);
}
