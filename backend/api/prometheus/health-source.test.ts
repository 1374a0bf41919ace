import { zeroPerStage } from '../../store/types';
import type { VectorSelector } from './ast';
import { evaluateInstant, evaluateRange, Lookback } from './evaluator';
import { HealthSeries, mayReadHealth, ModelHealth } from './health-source';
import { parseQuery } from './parser';
import type { SeriesSource, TimeHint } from './source';

test('an expression reads the health series only when one of its selectors may select one', () => {
  const reads = (q: string) => mayReadHealth(parseQuery(q));
  // The provisioned rules: only the two on health series read them.
  expect(reads('max by (model, column, method) (vigil_univariate_drift_alert)')).toBe(false);
  expect(reads('vigil_model_ingest_age_seconds > bool 21600')).toBe(true);
  expect(reads('max by (model) (vigil_model_unresolved_errors) > bool 0')).toBe(true);
  // Without a name, or a name regex that accepts one, or deep inside functions, subqueries and binary operators.
  expect(reads('{model="a"}')).toBe(true);
  expect(reads('{__name__=~"vigil_model_.+"}')).toBe(true);
  expect(reads('{__name__=~"vigil_univariate.+"}')).toBe(false);
  expect(reads('1 + max_over_time((-rate(vigil_model_unresolved_errors[5m]))[1h:1m])')).toBe(true);
  expect(reads('sum(vigil_outlier_rate) / count(vigil_outlier_rate_alert)')).toBe(false);
  expect(reads('1 + 1')).toBe(false);
  expect(reads('topk(scalar(vigil_model_ingest_age_seconds), vigil_outlier_rate)')).toBe(true);
  // Nesting as deep as the parser allows is walked without recursion.
  expect(reads(`${'('.repeat(900)}vigil_model_ingest_age_seconds${')'.repeat(900)}`)).toBe(true);
});

describe('health series read at one time', () => {
  const HOUR = 3_600_000;
  const T = Date.UTC(2026, 11, 6, 12, 0, 30);
  const models: ModelHealth[] = [
    { model: 'a', lastIngestAt: T - 30 * HOUR, unresolved: { ...zeroPerStage(), recompute: 2 } },
    { model: 'b', lastIngestAt: T - 90_500, unresolved: zeroPerStage() },
    { model: 'c', lastIngestAt: null, unresolved: zeroPerStage() },
    { model: 'd', lastIngestAt: T + 60_000, unresolved: zeroPerStage() },
  ];
  /** The same series, every sample made whatever the hint says (what select did before `atEndOnly`). */
  const everySample = (src: HealthSeries): SeriesSource => ({
    select: (m, hint) => src.select(m, hint && { start: hint.start, end: hint.end }),
  });
  const LOOKBACKS: Lookback[] = [
    { kind: 'chunk', ms: 5 * 60_000 },
    { kind: 'window', ms: 5 * 60_000 },
    { kind: 'window', ms: 36_500 * 24 * HOUR },
  ];

  test.each(LOOKBACKS)('an instant query gives the same answer as with every sample (%o)', async (lookback) => {
    const src = new HealthSeries(models, () => T);
    const queries = [
      'vigil_model_ingest_age_seconds > bool 21600',
      'max by (model) (vigil_model_unresolved_errors) > bool 0',
      'vigil_model_ingest_age_seconds',
      'vigil_model_ingest_age_seconds @ 1796558400',
      'max_over_time(vigil_model_ingest_age_seconds[2h])',
      'vigil_model_ingest_age_seconds offset 1h',
    ];
    for (const q of queries) {
      for (const t of [T, T - 29 * HOUR, T + 45_000]) {
        const fast = await evaluateInstant(parseQuery(q), src, t, { lookback });
        const slow = await evaluateInstant(parseQuery(q), everySample(src), t, { lookback });
        expect({ q, t, v: fast }).toEqual({ q, t, v: slow });
      }
    }
    // Not vacuous: the age rule sees model a (30 h) above 6 h, b below, and d's rows not yet stored at T.
    const rule = await evaluateInstant(parseQuery('vigil_model_ingest_age_seconds > bool 21600'), src, T, { lookback });
    expect(rule.kind === 'vector' && rule.samples.map((s) => [s.labels.model, s.value])).toEqual([['a', 1], ['b', 0]]);
  });

  test('the evaluator asks for the time alone only where it reads one time, and then one sample is made per series', async () => {
    const seen: (TimeHint | undefined)[] = [];
    const src = new HealthSeries(models, () => T);
    const spy: SeriesSource = { select: (m, hint) => (seen.push(hint), src.select(m, hint)) };
    const lookback: Lookback = { kind: 'chunk', ms: 5 * 60_000 };
    await evaluateInstant(parseQuery('vigil_model_ingest_age_seconds'), spy, T, { lookback });
    await evaluateInstant(parseQuery('max_over_time(vigil_model_ingest_age_seconds[1h])'), spy, T, { lookback });
    await evaluateRange(parseQuery('vigil_model_ingest_age_seconds'), spy, T - HOUR, T, 60_000, { lookback });
    expect(seen.map((h) => h?.atEndOnly === true)).toEqual([true, false, false]);
    const byName = (parseQuery('vigil_model_ingest_age_seconds') as VectorSelector).matchers;
    const one = src.select(byName, { start: -Infinity, end: T, atEndOnly: true });
    expect(one.map((s) => [s.labels.model, [...s.timestamps]])).toEqual([['a', [T]], ['b', [T]]]);
    const every = src.select(byName, { start: -Infinity, end: T });
    expect(every.map((s) => s.timestamps.length)).toEqual([1441, 3]);
  });
});
