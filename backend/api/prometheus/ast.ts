/**
 * The AST of Vigil's PromQL subset. Node shapes follow Prometheus's own (promql/parser/ast.go) so that the
 * evaluator's semantics can be read against Prometheus's documentation node by node.
 */

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  name: string;
  op: MatchOp;
  value: string;
  /** Compiled, fully anchored regex for `=~` / `!~`. */
  regex?: RegExp;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';
export type BinaryOp = ArithmeticOp | ComparisonOp;

export type AggregateOp = 'sum' | 'avg' | 'min' | 'max' | 'count';
export type RangeFunction = 'last_over_time' | 'avg_over_time' | 'min_over_time' | 'max_over_time';

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
  span: Span;
}

export interface MatrixSelector {
  type: 'matrix_selector';
  selector: VectorSelector;
  /** ms */
  range: number;
  span: Span;
}

export interface VectorMatching {
  /** `on(...)`: match on exactly these labels; otherwise `ignoring(...)` (empty = all but the name). */
  on: boolean;
  labels: string[];
}

export interface BinaryExpr {
  type: 'binary';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  returnBool: boolean;
  /** Present only when both sides are instant vectors. */
  matching: VectorMatching | null;
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
  grouping: string[];
  without: boolean;
  span: Span;
}

export interface Call {
  type: 'call';
  func: RangeFunction;
  arg: MatrixSelector;
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
    case 'call':
      return 'vector';
    case 'matrix_selector':
      return 'matrix';
    case 'paren':
    case 'unary':
      return typeOf(e.expr);
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
  }
}

export const COMPARISON_OPS: readonly string[] = ['==', '!=', '>', '<', '>=', '<='];
export const isComparison = (op: BinaryOp): op is ComparisonOp => COMPARISON_OPS.includes(op);

/** Every vector selector in an expression, in source order (for series look-ups and structural checks). */
export function selectorsOf(e: Expr): VectorSelector[] {
  switch (e.type) {
    case 'vector_selector':
      return [e];
    case 'matrix_selector':
      return [e.selector];
    case 'binary':
      return [...selectorsOf(e.lhs), ...selectorsOf(e.rhs)];
    case 'unary':
    case 'paren':
    case 'aggregate':
      return selectorsOf(e.expr);
    case 'call':
      return [e.arg.selector];
    default:
      return [];
  }
}
