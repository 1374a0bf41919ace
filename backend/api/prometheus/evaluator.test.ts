/**
 * The evaluator's own rules. Prometheus semantics are checked against a real Prometheus in
 * test/prometheus/oracle.test.ts; here: the chunk lookback (Vigil's), left-open windows, Go's pow edge
 * cases, and errors.
 */
import { evaluateInstant, evaluateRange, InstantValue, Lookback } from './evaluator';
import { QueryBudget } from './limits';
import { formatValue, formatTimestamp } from './format';
import { parseQuery } from './parser';
import { MemorySeriesSource, Series } from './source';

const DAY = 86_400_000;

function series(labels: Record<string, string>, points: [number, number][], currentUntil?: number): Series {
  return { labels, timestamps: Float64Array.from(points, (p) => p[0]), values: Float64Array.from(points, (p) => p[1]), currentUntil };
}

// Weekly chunks starting on days 0, 7, 14; the last ends on day 21.
const drift = series({ __name__: 'vigil_univariate_drift', model: 'demo', column: 'age', method: 'jensen_shannon' }, [
  [0, 0.1],
  [7 * DAY, 0.2],
  [14 * DAY, 0.3],
]);
const driftWithEnd = { ...drift, currentUntil: 21 * DAY + 7 * DAY };
const CHUNK: Lookback = { kind: 'chunk', ms: 7 * DAY };

const values = (v: InstantValue) => (v.kind === 'vector' ? v.samples.map((s) => s.value) : v.kind === 'scalar' ? [v.value] : []);
const at = (q: string, t: number, src = new MemorySeriesSource([drift]), lookback: Lookback = CHUNK) => evaluateInstant(parseQuery(q), src, t, { lookback });

describe('chunk lookback', () => {
  it('keeps a chunk value current until the next chunk starts, however long', async () => {
    expect(values(await at('vigil_univariate_drift', 0))).toEqual([0.1]);
    expect(values(await at('vigil_univariate_drift', 7 * DAY - 1))).toEqual([0.1]);
    expect(values(await at('vigil_univariate_drift', 7 * DAY))).toEqual([0.2]);
    expect(values(await at('vigil_univariate_drift', -1))).toEqual([]);
  });

  it('keeps the last chunk current for the lookback window, or until currentUntil', async () => {
    expect(values(await at('vigil_univariate_drift', 21 * DAY - 1))).toEqual([0.3]);
    expect(values(await at('vigil_univariate_drift', 21 * DAY))).toEqual([]);
    const src = new MemorySeriesSource([driftWithEnd]);
    expect(values(await at('vigil_univariate_drift', 27 * DAY, src))).toEqual([0.3]);
    expect(values(await at('vigil_univariate_drift', 28 * DAY, src))).toEqual([]);
  });

  it('differs from the Prometheus window, which forgets a value after the lookback delta', async () => {
    const window: Lookback = { kind: 'window', ms: 5 * 60_000 };
    expect(values(await at('vigil_univariate_drift', 3 * DAY, undefined, window))).toEqual([]);
    expect(values(await at('vigil_univariate_drift', 7 * DAY + 60_000, undefined, window))).toEqual([0.2]);
  });

  it('applies to offset and range queries', async () => {
    expect(values(await at('vigil_univariate_drift offset 7d', 8 * DAY))).toEqual([0.1]);
    const m = await evaluateRange(parseQuery('vigil_univariate_drift > 0.15'), new MemorySeriesSource([drift]), 0, 21 * DAY, DAY, { lookback: CHUNK });
    expect(m).toHaveLength(1);
    expect(m[0].timestamps[0]).toBe(7 * DAY);
    expect(m[0].values).toHaveLength(14);
  });
});

describe('the chunk lookback under functions, @ and subqueries', () => {
  it('reads chunk values at @ times and at the query start or end', async () => {
    // `@ 691200` is day 8 in seconds: chunk of day 7.
    expect(values(await at('vigil_univariate_drift @ 691200', 20 * DAY))).toEqual([0.2]);
    const m = await evaluateRange(parseQuery('vigil_univariate_drift @ end() - vigil_univariate_drift'), new MemorySeriesSource([drift]), 0, 15 * DAY, DAY, { lookback: CHUNK });
    expect(Array.from(m[0].values).map((v) => Math.round(v * 10) / 10)).toEqual([...Array(7).fill(0.2), ...Array(7).fill(0.1), 0, 0]);
    const start = await evaluateRange(parseQuery('timestamp(vigil_univariate_drift @ start())'), new MemorySeriesSource([drift]), 8 * DAY, 15 * DAY, DAY, { lookback: CHUNK });
    expect(Array.from(start[0].values)).toEqual(Array(8).fill((7 * DAY) / 1000));
  });

  it('gives functions of range vectors the chunks that start in the window', async () => {
    expect(values(await at('count_over_time(vigil_univariate_drift[8d])', 14 * DAY))).toEqual([2]);
    expect(values(await at('changes(vigil_univariate_drift[15d])', 14 * DAY))).toEqual([2]);
    expect(values(await at('deriv(vigil_univariate_drift[15d])', 14 * DAY)).map((v) => v * DAY / 1000)).toEqual([expect.closeTo(0.1 / 7, 12)]);
    // A subquery samples the chunk rule's current value at each step: 8 daily points, 0.1 then 0.2.
    expect(values(await at('sum_over_time(vigil_univariate_drift[7d:1d])', 10 * DAY))).toEqual([expect.closeTo(4 * 0.1 + 4 * 0.2, 12)]);
  });
});

describe('subquery points kept across steps', () => {
  it('give every step of a range query the answer of an instant query at that time (kept, extended, compacted, reset)', async () => {
    const HOUR = 3_600_000;
    const hourly = series({ __name__: 'x', k: 'a' }, Array.from({ length: 24 * 60 }, (_, i) => [i * HOUR + 17_000, Math.sin(i / 7) + (i % 13)] as [number, number]));
    const src = new MemorySeriesSource([hourly, series({ __name__: 'x', k: 'b' }, [[5 * DAY, 1], [30 * DAY, 2]])]);
    const window: Lookback = { kind: 'window', ms: 2 * HOUR };
    for (const q of ['max_over_time(x[1d:1m])', 'min_over_time(x[3h:1m])', 'sum_over_time(rate(x[3h])[2d:10m])', 'max_over_time(x[2h:1m] @ 864000)', 'count_over_time(max_over_time(x[1h:5m])[1d:1h])']) {
      const [start, end, step] = [2 * DAY, 12 * DAY, 7 * HOUR];
      const m = await evaluateRange(parseQuery(q), src, start, end, step, { lookback: window });
      expect(m.length).toBeGreaterThan(0);
      for (const s of m) {
        for (let i = 0; i < s.timestamps.length; i++) {
          const v = await evaluateInstant(parseQuery(q), src, s.timestamps[i], { lookback: window });
          const one = v.kind === 'vector' ? v.samples.find((x) => JSON.stringify(x.labels) === JSON.stringify(s.labels)) : undefined;
          expect({ q, t: s.timestamps[i], v: one?.value }).toEqual({ q, t: s.timestamps[i], v: s.values[i] });
        }
      }
    }
  });
});

describe('bounds of subqueries', () => {
  it('refuses a subquery with more points than the samples limit before computing any', async () => {
    const budget = new QueryBudget(60_000, 1000);
    const t0 = performance.now();
    await expect(evaluateInstant(parseQuery('max_over_time(vigil_univariate_drift[1y:1s])'), new MemorySeriesSource([drift]), 14 * DAY, { lookback: CHUNK }, budget)).rejects.toMatchObject({
      errorType: 'execution',
      message: expect.stringContaining('too many samples'),
    });
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('stops nested subqueries at the deadline, yielding meanwhile', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const t0 = performance.now();
    await expect(
      evaluateRange(parseQuery('max_over_time(max_over_time(vigil_univariate_drift[1d:1m])[1d:1m])'), new MemorySeriesSource([drift]), 0, 20 * DAY, 600_000, { lookback: CHUNK }, new QueryBudget(300)),
    ).rejects.toMatchObject({ errorType: 'timeout' });
    clearInterval(timer);
    expect(performance.now() - t0).toBeLessThan(1500);
    // The event loop ran during the query (the timer fired).
    expect(ticks).toBeGreaterThan(5);
  });
});

describe('range windows', () => {
  it('are left-open: a sample exactly at t - range is outside', async () => {
    expect(values(await at('max_over_time(vigil_univariate_drift[7d])', 14 * DAY))).toEqual([0.3]);
    expect(values(await at('max_over_time(vigil_univariate_drift[7d])', 14 * DAY - 1))).toEqual([0.2]);
    const [avg] = values(await at('avg_over_time(vigil_univariate_drift[15d])', 14 * DAY));
    expect(avg).toBeCloseTo(0.2, 15);
  });

  it('return raw samples for a top-level range selector', async () => {
    const v = await at('vigil_univariate_drift[8d]', 14 * DAY);
    expect(v.kind).toBe('matrix');
    expect(v.kind === 'matrix' && v.series[0].timestamps).toEqual([7 * DAY, 14 * DAY]);
  });
});

describe('arithmetic', () => {
  it("follows Go's math.Pow on 1^NaN, 1^Inf and (-1)^Inf", async () => {
    expect(values(await at('1 ^ NaN', 0))).toEqual([1]);
    expect(values(await at('(-1) ^ Inf', 0))).toEqual([1]);
    expect(values(await at('NaN ^ 0', 0))).toEqual([1]);
    expect(values(await at('2 ^ -1', 0))).toEqual([0.5]);
  });

  it('refuses strings and range vectors in range queries as bad_data, as Prometheus does', async () => {
    for (const q of ['"x"', 'vigil_univariate_drift[1d]', 'vigil_univariate_drift[1d:1h]']) {
      await expect(evaluateRange(parseQuery(q), new MemorySeriesSource([]), 0, 10, 1, { lookback: CHUNK })).rejects.toMatchObject({ errorType: 'bad_data' });
    }
  });
});

describe('format', () => {
  it('writes values as Prometheus does', () => {
    expect([0.1, 1, -2.5, 1e21, 1.5e-7, 123456789012, NaN, Infinity, -Infinity, -0].map(formatValue)).toEqual([
      '0.1',
      '1',
      '-2.5',
      '1e+21',
      '1.5e-07',
      '123456789012',
      'NaN',
      '+Inf',
      '-Inf',
      '-0',
    ]);
  });

  it('writes times as seconds with at most 3 decimals, from integer ms', () => {
    expect([1700000000000, 1700000000123, 1700000000500, 4000, -1500].map(formatTimestamp)).toEqual([
      '1700000000',
      '1700000000.123',
      '1700000000.500',
      '4',
      '-1.500',
    ]);
  });
});
