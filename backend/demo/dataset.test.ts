/**
 * The demo generator: full days do not depend on the end time (each day has its own random stream), the
 * planted events hit every day of their window, and with the shipped seed the income drift alerts
 * (univariate drift with the server's default methods, run by the engine as the server runs it) stay
 * inside the planted window at any end time.
 */
import { makeFrame, numeric } from '../engine/frame';
import { runCalculators } from '../engine/run';
import { SERVER_DRIFT_METHODS } from '../service/calculators';
import { DEMO_DEFAULTS, DEMO_EVENTS, DemoRow, generateDemo } from './dataset';

const DAY = 86_400_000;
/** End times on other dates and at other times of day, including the first second of a day. */
const END_TIMES = ['2026-03-15T10:30:00Z', '2026-03-15T23:59:59.999Z', '2026-11-27T00:00:00.200Z', '2027-06-01T05:00:00Z'].map(Date.parse);

/** A row with its time as an offset from the first analysis day, so days of two end times compare. */
const relative = (r: DemoRow, start: number) => ({ ...r, timestamp: Date.parse(r.timestamp) - start });
const fullDays = (rows: DemoRow[], start: number, days: number) => rows.filter((r) => Date.parse(r.timestamp) < start + (days - 1) * DAY).map((r) => relative(r, start));

test('full days are the same whatever the end time; only the last day is cut at it', () => {
  const opts = { rowsPerDay: 150, analysisDays: 60 };
  const [a, ...others] = END_TIMES.map((now) => ({ now, data: generateDemo({ ...opts, now }) }));
  const refA = a.data.reference.map((r) => relative(r, a.data.analysisStart));
  const daysA = fullDays(a.data.analysis, a.data.analysisStart, 60);
  expect(daysA.length).toBeGreaterThan(59 * 100);
  for (const b of others) {
    expect(b.data.reference.map((r) => relative(r, b.data.analysisStart))).toEqual(refA);
    expect(fullDays(b.data.analysis, b.data.analysisStart, 60)).toEqual(daysA);
    const last = b.data.analysis.filter((r) => Date.parse(r.timestamp) >= b.data.analysisStart + 59 * DAY);
    expect(last.length).toBeGreaterThan(0);
    expect(Math.max(...last.map((r) => Date.parse(r.timestamp)))).toBeLessThanOrEqual(Math.max(b.now, b.data.analysisStart + 59 * DAY + 1000));
  }
  // A different seed is different data.
  expect(fullDays(generateDemo({ ...opts, now: a.now, seed: 8 }).analysis, a.data.analysisStart, 60)).not.toEqual(daysA);
});

test('every day of an event carries its planted rows, and no other day does', () => {
  const d = generateDemo({ now: END_TIMES[0], rowsPerDay: 150 });
  const byDay = new Map<number, DemoRow[]>();
  for (const r of d.analysis) {
    const day = Math.floor((Date.parse(r.timestamp) - d.analysisStart) / DAY);
    byDay.set(day, [...(byDay.get(day) ?? []), r]);
  }
  const inRange = (day: number, [a, b]: readonly [number, number]) => day >= a && day <= b;
  for (const [day, rows] of byDay) {
    const n = rows.length;
    const count = (f: (r: DemoRow) => boolean) => rows.filter(f).length;
    const share = (s: number) => Math.max(1, Math.round(s * n));
    const quality = inRange(day, DEMO_EVENTS.dataQuality);
    expect([day, count((r) => r.credit_score === null)]).toEqual([day, quality ? share(0.35) : 0]);
    expect([day, count((r) => typeof r.debt_ratio === 'string')]).toEqual([day, quality ? share(0.06) : 0]);
    expect([day, count((r) => r.channel === 'partner_api')]).toEqual([day, quality ? share(0.2) : 0]);
    expect([day, count((r) => r.age! > 90)]).toEqual([day, inRange(day, DEMO_EVENTS.outliers) ? share(0.04) : 0]);
  }
});

/**
 * Univariate drift of income, chunked by day, with the server's default methods (`auto`: Wasserstein for
 * income, NannyML's std thresholds).
 */
function incomeDriftAlerts(rowsPerDay: number, now: number): { alerting: number[]; days: number } {
  const d = generateDemo({ now, rowsPerDay });
  const frame = (rows: DemoRow[]) =>
    makeFrame([numeric('timestamp', rows.map((r) => Date.parse(r.timestamp))), numeric('income', rows.map((r) => r.income ?? NaN))], rows.length);
  const rows = runCalculators(frame(d.reference), frame(d.analysis), [
    { className: 'UnivariateDriftCalculator', id: 'drift', where: 'calculators[0]', params: { column_names: ['income'], continuous_methods: SERVER_DRIFT_METHODS, timestamp_column_name: 'timestamp', chunk_period: 'D' } },
  ]);
  const analysis = rows.filter((r) => r.period === 'analysis');
  return { alerting: analysis.filter((r) => r.alert).map((r) => r.chunk.index), days: analysis.length };
}

test.each([150, DEMO_DEFAULTS.rowsPerDay])('with the shipped seed at %i rows a day, income drifts on the planted days only, at any end time', (rowsPerDay) => {
  const [c0, c1] = DEMO_EVENTS.covariateDrift;
  const planted = Array.from({ length: c1 - c0 + 1 }, (_, i) => c0 + i);
  for (const now of END_TIMES) {
    const { alerting, days } = incomeDriftAlerts(rowsPerDay, now);
    expect(days).toBe(DEMO_DEFAULTS.analysisDays);
    // The last day is still filling (a few rows after midnight): left out, as the server marks it partial.
    expect([new Date(now).toISOString(), alerting.filter((day) => day < days - 1)]).toEqual([new Date(now).toISOString(), planted]);
  }
});
