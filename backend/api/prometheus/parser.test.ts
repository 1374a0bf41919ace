import { Expr } from './ast';
import { PromQLParseError, UnsupportedConstructError } from './errors';
import { parseQuery } from './parser';

/** A compact rendering of the AST to assert structure and precedence. */
function show(e: Expr): string {
  switch (e.type) {
    case 'number':
      return String(e.value);
    case 'string':
      return JSON.stringify(e.value);
    case 'vector_selector':
      return `${e.matchers.map((m) => `${m.name}${m.op}${m.value}`).join(',')}${e.offset ? ` offset ${e.offset}` : ''}`;
    case 'matrix_selector':
      return `${show(e.selector)}[${e.range}]`;
    case 'paren':
      return `(${show(e.expr)})`;
    case 'unary':
      return `${e.op}${show(e.expr)}`;
    case 'binary': {
      const m = e.matching && (e.matching.on || e.matching.labels.length) ? ` ${e.matching.on ? 'on' : 'ignoring'}(${e.matching.labels})` : '';
      const g = e.matching && (e.matching.card === 'many-to-one' || e.matching.card === 'one-to-many') ? ` ${e.matching.card}(${e.matching.include})` : '';
      return `[${show(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''}${m}${g} ${show(e.rhs)}]`;
    }
    case 'aggregate':
      return `${e.op}${e.grouping.length || e.without ? ` ${e.without ? 'without' : 'by'}(${e.grouping})` : ''}(${e.param ? `${show(e.param)}, ` : ''}${show(e.expr)})`;
    case 'call':
      return `${e.func}(${e.args.map(show).join(', ')})`;
    case 'subquery':
      return `${show(e.expr)}[${e.range}:${e.step}]${e.offset ? ` offset ${e.offset}` : ''}${e.at ? ` @ ${JSON.stringify(e.at)}` : ''}`;
  }
}

const parse = (q: string) => show(parseQuery(q));

describe('parseQuery', () => {
  it('parses literals and scalar arithmetic with PromQL precedence', () => {
    expect(parse('1+1')).toBe('[1 + 1]');
    expect(parse('1 + 2 * 3')).toBe('[1 + [2 * 3]]');
    expect(parse('2 ^ 3 ^ 2')).toBe('[2 ^ [3 ^ 2]]');
    expect(parse('-2 ^ 2')).toBe('-[2 ^ 2]');
    expect(parse('-2')).toBe('-2');
    expect(parse('1 - 2 - 3')).toBe('[[1 - 2] - 3]');
    expect(parse('0x1F + 1e3 + .5 + Inf')).toBe('[[[31 + 1000] + 0.5] + Infinity]');
    expect(parse('1 > bool 2')).toBe('[1 > bool 2]');
    expect(parse('"text"')).toBe('"text"');
  });

  it('parses selectors with all four matchers, keywords as label names, comments and trailing commas', () => {
    expect(parse('vigil_univariate_drift{model="demo", column!="age", method=~"j.*", by!~"x",}')).toBe(
      '__name__=vigil_univariate_drift,model=demo,column!=age,method=~j.*,by!~x',
    );
    expect(parse('{__name__=~"vigil_.*"} # all of Vigil')).toBe('__name__=~vigil_.*');
    expect(parse(`x{a='single', b=\`raw\\n\`, c="esc\\"aped\\n"}`)).toBe('__name__=x,a=single,b=raw\\n,c=esc"aped\n');
  });

  it('parses range functions, offsets and aggregations in both modifier positions', () => {
    expect(parse('last_over_time(x[5m])')).toBe('last_over_time(__name__=x[300000])');
    expect(parse('avg_over_time(x[1h30m] offset 1d)')).toBe('avg_over_time(__name__=x offset 86400000[5400000])');
    expect(parse('x offset 5m')).toBe('__name__=x offset 300000');
    expect(parse('sum by (model) (x)')).toBe('sum by(model)(__name__=x)');
    expect(parse('SUM(x) BY (model, column)')).toBe('sum by(model,column)(__name__=x)');
    expect(parse('avg without (column) (x)')).toBe('avg without(column)(__name__=x)');
    expect(parse('count(x > 0.1)')).toBe('count([__name__=x > 0.1])');
  });

  it('parses vector matching', () => {
    expect(parse('a > on(model, metric) b')).toBe('[__name__=a > on(model,metric) __name__=b]');
    expect(parse('a >= bool ignoring(column) b')).toBe('[__name__=a >= bool ignoring(column) __name__=b]');
    expect(parse('a / b')).toBe('[__name__=a / __name__=b]');
  });

  it('parses functions of every signature, aggregations with parameters, set operators and group modifiers', () => {
    expect(parse('rate(x[5m])')).toBe('rate(__name__=x[300000])');
    expect(parse('quantile_over_time(0.9, x[1h])')).toBe('quantile_over_time(0.9, __name__=x[3600000])');
    expect(parse('label_join(x, "d", ",", "a", "b")')).toBe('label_join(__name__=x, "d", ",", "a", "b")');
    expect(parse('round(x)')).toBe('round(__name__=x)');
    expect(parse('hour()')).toBe('hour()');
    expect(parse('topk by (m) (3, x)')).toBe('topk by(m)(3, __name__=x)');
    expect(parse('count_values("v", x)')).toBe('count_values("v", __name__=x)');
    expect(parse('a or b and c')).toBe('[__name__=a or [__name__=b and __name__=c]]');
    expect(parse('a * on(m) group_left(c) b')).toBe('[__name__=a * on(m) many-to-one(c) __name__=b]');
    expect(parse('a / ignoring(c) group_right b')).toBe('[__name__=a / ignoring(c) one-to-many() __name__=b]');
    expect(parse('1 atan2 2')).toBe('[1 atan2 2]');
  });

  it('parses subqueries and the @ modifier', () => {
    expect(parse('max_over_time(x[1h:5m])')).toBe('max_over_time(__name__=x[3600000:300000])');
    expect(parse('x[1h:] offset 5m')).toBe('__name__=x[3600000:0] offset 300000');
    expect(parse('rate(x[5m])[30m:1m] @ end()')).toBe('rate(__name__=x[300000])[1800000:60000] @ {"kind":"end"}');
    expect(parseQuery('x @ 1700000000.5')).toMatchObject({ at: { kind: 'time', ms: 1_700_000_000_500 } });
    expect(parseQuery('x[5m] @ start()')).toMatchObject({ selector: { at: { kind: 'start' } } });
  });

  it.each([
    ['limitk(3, x)', 'the aggregation "limitk"'],
    ['mad_over_time(x[5m])', 'the function "mad_over_time"'],
    ['sort_by_label(x, "a")', 'the function "sort_by_label"'],
  ])('rejects the construct of later Prometheus versions %s, naming it', (q, construct) => {
    expect(() => parseQuery(q)).toThrow(UnsupportedConstructError);
    expect(() => parseQuery(q)).toThrow(construct);
  });

  it.each([
    ['', '1:1: parse error: no expression found in input'],
    ['1 +', 'unexpected end of input'],
    ['sum(x', 'unexpected end of input'],
    ['x{a="b"', 'expected "," or "}"'],
    ['x{a~"b"}', "unexpected character: '~'"],
    ['foo(x)', 'unknown function with name "foo"'],
    ['{a=""}', 'vector selector must contain at least one non-empty matcher'],
    ['x{__name__="y"}', 'metric name must not be set twice'],
    ['1 > 2', 'comparisons between scalars must use BOOL modifier'],
    ['x + bool 1', 'bool modifier can only be used on comparison operators'],
    ['1 + on(a) x', 'vector matching only allowed between instant vectors'],
    ['last_over_time(x)', 'expected type range vector in call to function "last_over_time", got instant vector'],
    ['sum(x[5m])', 'expected type instant vector in aggregation expression, got range vector'],
    ['x[5m] + 1', 'binary expression must contain only scalar and instant vector types'],
    ['sum(x)[5m]', 'ranges only allowed for vector selectors'],
    ['(x) offset 5m', 'offset modifier must be preceded by an instant vector selector'],
    ['x offset 5m offset 1m', 'offset may not be set multiple times'],
    ['x{a=~"(b"}', 'error parsing regexp'],
    ['x{a=~"(?=b)"}', 'invalid or unsupported Perl syntax'],
    ['last_over_time(x[5m], 1)', 'expected 1 argument(s)'],
    ['rate(x)', 'expected type range vector in call to function "rate", got instant vector'],
    ['round(x, 1, 2)', 'expected at most 2 argument(s)'],
    ['label_join(x, "a")', 'expected at least 3 argument(s)'],
    ['topk(x)', 'wrong number of arguments for aggregate expression provided, expected 2, got 1'],
    ['count_values(1, x)', 'expected type string in aggregation parameter'],
    ['a and 1', 'set operator "and" not allowed in binary scalar expression'],
    ['a and on(x) group_left b', 'no grouping allowed for "and" operation'],
    ['a * on(x) group_left(x) b', 'must not occur in ON and GROUP clause at once'],
    ['sum(x)[5m:1m][5m:1m]', 'subquery is only allowed on instant vector'],
    ['sum(x) @ 100', '@ modifier must be preceded by'],
    ['x @ 100 @ 200', 'may not be set multiple times'],
    ['sum()', 'no arguments for aggregate expression provided'],
    ['5m', 'unexpected duration "5m"'],
  ])('rejects %j with a positioned Prometheus-style message', (q, message) => {
    let err: unknown;
    try {
      parseQuery(q);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PromQLParseError);
    expect((err as Error).message).toMatch(/^\d+:\d+: parse error: /);
    expect((err as Error).message).toContain(message);
  });

  it('positions errors by line and column', () => {
    expect(() => parseQuery('sum(\n  x +\n)')).toThrow(/^3:1: parse error: /);
  });
});
