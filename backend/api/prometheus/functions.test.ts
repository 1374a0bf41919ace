import { DATE_FUNCTIONS, expandTemplate, formatFloatF, goLog10, goLog2 } from './functions';

/**
 * Answers of the real Prometheus 2.42 (`year(vector(v))` & co. at any time), recorded once: Go's civil
 * date arithmetic, including int64(v) of NaN, infinities and values out of range.
 */
const PROMETHEUS_DATES: [number, Record<string, number>][] = [
  [NaN, { dow: 0, doy: 339, dim: 31, h: 15, mi: 30, mo: 12, y: 292277026596, d: 4 }],
  [Infinity, { dow: 0, doy: 339, dim: 31, h: 15, mi: 30, mo: 12, y: 292277026596, d: 4 }],
  [-Infinity, { dow: 0, doy: 339, dim: 31, h: 15, mi: 30, mo: 12, y: 292277026596, d: 4 }],
  [1e20, { dow: 0, doy: 339, dim: 31, h: 15, mi: 30, mo: 12, y: 292277026596, d: 4 }],
  [1e15, { dow: 0, doy: 187, dim: 31, h: 1, mi: 46, mo: 7, y: 31690708, d: 5 }],
  [-1e15, { dow: 0, doy: 180, dim: 30, h: 22, mi: 13, mo: 6, y: -31686769, d: 29 }],
  [1700000000, { dow: 2, doy: 318, dim: 30, h: 22, mi: 13, mo: 11, y: 2023, d: 14 }],
  [0, { dow: 4, doy: 1, dim: 31, h: 0, mi: 0, mo: 1, y: 1970, d: 1 }],
  [-86401.5, { dow: 2, doy: 364, dim: 31, h: 23, mi: 59, mo: 12, y: 1969, d: 30 }],
  [951782400, { dow: 2, doy: 60, dim: 29, h: 0, mi: 0, mo: 2, y: 2000, d: 29 }],
  [1709251199, { dow: 4, doy: 60, dim: 29, h: 23, mi: 59, mo: 2, y: 2024, d: 29 }],
  [4102444799, { dow: 4, doy: 365, dim: 31, h: 23, mi: 59, mo: 12, y: 2099, d: 31 }],
  [-62135596801, { dow: 0, doy: 366, dim: 31, h: 23, mi: 59, mo: 12, y: 0, d: 31 }],
  [253402300800, { dow: 6, doy: 1, dim: 31, h: 0, mi: 0, mo: 1, y: 10000, d: 1 }],
  [9.2e18, { dow: 5, doy: 244, dim: 31, h: 11, mi: 33, mo: 8, y: 291536396232, d: 31 }],
];
const NAMES: Record<string, string> = {
  dow: 'day_of_week',
  doy: 'day_of_year',
  dim: 'days_in_month',
  h: 'hour',
  mi: 'minute',
  mo: 'month',
  y: 'year',
  d: 'day_of_month',
};

describe('functions computed as Go computes them', () => {
  it.each(PROMETHEUS_DATES)('date functions of %p give Prometheus 2.42 answers', (v, expected) => {
    const got = Object.fromEntries(Object.keys(expected).map((k) => [k, DATE_FUNCTIONS[NAMES[k]](v)]));
    expect(got).toEqual(expected);
  });

  it("log2 and log10 follow Go's definitions (exact at powers of two)", () => {
    expect(goLog2(8)).toBe(3);
    expect(goLog2(0.125)).toBe(-3);
    expect(goLog2(0)).toBe(-Infinity);
    expect(goLog2(-1)).toBeNaN();
    expect(goLog10(1000)).toBeCloseTo(3, 14);
    expect(goLog2(Infinity)).toBe(Infinity);
  });

  it("formats floats as Go's FormatFloat(v, 'f', -1, 64) (count_values labels)", () => {
    expect(formatFloatF(1e21)).toBe('1000000000000000000000');
    expect(formatFloatF(1.5e-7)).toBe('0.00000015');
    expect(formatFloatF(0.1)).toBe('0.1');
    expect(formatFloatF(-2.5e-10)).toBe('-0.00000000025');
    expect(formatFloatF(NaN)).toBe('NaN');
    expect(formatFloatF(-Infinity)).toBe('-Inf');
  });

  it("expands label_replace templates as Go's regexp.Expand", () => {
    const groups = ['m1', 'm', '1'];
    expect(expandTemplate('$2$1', groups, {})).toBe('1m');
    expect(expandTemplate('${1}x $1x $01 $$ $', groups, {})).toBe('mx   $ $');
    expect(expandTemplate('${name}-$name', groups, { name: 2 })).toBe('1-1');
    expect(expandTemplate('${bad', groups, {})).toBe('${bad');
  });
});
