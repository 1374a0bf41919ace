/**
 * Benjamini-Hochberg across a chunk's drift tests (issue 17): the adjustment itself, its parameters, and
 * the planted-data check: 50 independent undrifted columns alert in almost every chunk at α = 0.05 per
 * column (1 − 0.95⁵⁰ ≈ 0.92), and in about q of the chunks with BH; drift planted in 3 more columns is
 * still found.
 */
import { ConfigError, MetricRow } from '../../calculator';
import { Column, makeFrame, numeric } from '../../frame';
import { seededRandom } from '../../random';
import { parseUnivariateDriftParams, univariateDriftCalculator } from './calculator';
import { benjaminiHochberg } from './multiple-testing';

const WHERE = 'calculators[0].params';

describe('benjaminiHochberg', () => {
  it("gives R's p.adjust(method = 'BH') values, in input order, with NaN left out of m", () => {
    // sorted: .005 .01 .03 .04 .5 → ·5/rank: .025 .025 .05 .05 .5 (already monotone)
    const adjusted = benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.5]);
    [0.025, 0.05, 0.05, 0.025, 0.5].forEach((v, i) => expect(adjusted[i]).toBeCloseTo(v, 15));
    // step-up: a larger p can pull a smaller one's adjusted value down to its own
    const stepUp = benjaminiHochberg([0.02, 0.021, 0.9]);
    expect(stepUp[0]).toBe(stepUp[1]);
    expect(stepUp[1]).toBeCloseTo(0.0315, 15);
    expect(stepUp[2]).toBe(0.9);
    expect(benjaminiHochberg([NaN, 0.01, 0.04])).toEqual([NaN, 0.02, 0.04]);
    expect(benjaminiHochberg([0.8, 0.9])).toEqual([0.9, 0.9]);
  });

  it.each([
    [{ method: 'bonferroni' }, 'multiple_testing.method', "unknown value 'bonferroni'"],
    [{ q: 0 }, 'multiple_testing.q', 'must be'],
    [{ q: 1.5 }, 'multiple_testing.q', 'must be'],
    [{ alpha: 0.1 }, 'multiple_testing.alpha', 'unknown parameter'],
  ])('rejects multiple_testing %j at %s', (mt, key, message) => {
    try {
      parseUnivariateDriftParams({ column_names: ['x'], continuous_methods: ['t_test'], multiple_testing: mt }, WHERE);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).where).toBe(`${WHERE}.${key}`);
      expect((e as Error).message).toContain(message);
    }
  });
});

describe('false-discovery control on planted data', () => {
  const NULL_COLUMNS = 50;
  const DRIFTED_COLUMNS = 3;
  const REFERENCE_ROWS = 5_000;
  const CHUNK = 250;
  const CHUNKS = 200;
  const Q = 0.05;
  const rng = seededRandom(2017);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const names = Array.from({ length: NULL_COLUMNS + DRIFTED_COLUMNS }, (_, j) => (j < NULL_COLUMNS ? `f${String(j).padStart(2, '0')}` : `drift${j - NULL_COLUMNS}`));
  const frame = (rows: number, driftShift: number) =>
    makeFrame(names.map((n): Column => numeric(n, Float64Array.from({ length: rows }, () => normal() + (n.startsWith('drift') ? driftShift : 0)))));
  const reference = frame(REFERENCE_ROWS, 0);
  const analysis = Array.from({ length: CHUNKS }, () => frame(CHUNK, 0.5));

  const alertsPerChunk = (params: Record<string, unknown>, columns: string[]) => {
    const fitted = univariateDriftCalculator.fit(reference, parseUnivariateDriftParams({ column_names: columns, continuous_methods: ['t_test'], chunk_size: CHUNK, ...params }, WHERE));
    return analysis.map((chunk) => fitted.calculate(chunk).filter((r: MetricRow) => r.metric === 't_test' && r.alert).map((r) => r.column!));
  };
  const share = (chunks: string[][], pick: (alerts: string[]) => boolean) => chunks.filter(pick).length / chunks.length;
  const nullColumns = names.slice(0, NULL_COLUMNS);
  const BH = { multiple_testing: { method: 'benjamini_hochberg', q: Q } };
  /** One-sided binomial allowance for CHUNKS chunks: the rate BH guarantees in expectation is q. */
  const noise = 2 * Math.sqrt((Q * (1 - Q)) / CHUNKS);

  it('50 undrifted columns: a false alert in ~1 − 0.95⁵⁰ of the chunks per column, in ≤ q with BH', () => {
    const raw = share(alertsPerChunk({}, nullColumns), (a) => a.length > 0);
    const adjusted = share(alertsPerChunk(BH, nullColumns), (a) => a.length > 0);
    // eslint-disable-next-line no-console
    console.log(`per-chunk false-alert rate, 50 null columns, ${CHUNKS} chunks: raw ${raw}, BH(q=${Q}) ${adjusted}`);
    expect(raw).toBeGreaterThan(0.8); // 1 − 0.95⁵⁰ = 0.923
    expect(adjusted).toBeLessThanOrEqual(Q + noise);
  });

  it('drift planted in 3 of 53 columns is found in every chunk with BH, and false discoveries stay below q', () => {
    const chunks = alertsPerChunk(BH, names);
    const found = share(chunks, (a) => ['drift0', 'drift1', 'drift2'].every((c) => a.includes(c)));
    // False discovery proportion per chunk (0 when nothing alerts), averaged: the FDR BH bounds by q·50/53.
    const proportions = chunks.map((a) => (a.length ? a.filter((c) => !c.startsWith('drift')).length / a.length : 0));
    const fdr = proportions.reduce((s, v) => s + v, 0) / CHUNKS;
    const se = Math.sqrt(proportions.reduce((s, v) => s + (v - fdr) ** 2, 0) / (CHUNKS - 1) / CHUNKS);
    const anyFalse = share(chunks, (a) => a.some((c) => !c.startsWith('drift')));
    // eslint-disable-next-line no-console
    console.log(`planted: all 3 drifted columns found in ${found} of chunks; FDR ${fdr} ± ${se}; chunks with a false alert ${anyFalse}`);
    expect(found).toBe(1);
    // BH guarantees FDR ≤ q·50/53 in expectation; the estimate over 200 chunks is within 2 standard errors.
    expect(fdr).toBeLessThanOrEqual((Q * NULL_COLUMNS) / (NULL_COLUMNS + DRIFTED_COLUMNS) + 2 * se);
  });

  it('raw and adjusted p-values are both in the results; the statistic row carries the BH decision', () => {
    const fitted = univariateDriftCalculator.fit(reference, parseUnivariateDriftParams({ column_names: names, continuous_methods: ['t_test'], chunk_size: CHUNK, ...BH }, WHERE));
    const rows = fitted.calculate(analysis[0]);
    const raw = rows.filter((r) => r.metric === 't_test_p_value').map((r) => r.value!);
    const adjusted = rows.filter((r) => r.metric === 't_test_p_value_adjusted');
    expect(adjusted.map((r) => r.value)).toEqual(benjaminiHochberg(raw));
    expect(adjusted.every((r) => r.lower_threshold === Q)).toBe(true);
    for (const name of names) {
      const alerts = rows.filter((r) => r.column === name).map((r) => [r.metric, r.alert]);
      const decision = rows.find((r) => r.column === name && r.metric === 't_test_p_value_adjusted')!.value! <= Q;
      expect(alerts).toEqual([['t_test', decision], ['t_test_p_value', null], ['t_test_p_value_adjusted', null]]);
    }
    expect(rows.some((r) => r.metric === 't_test' && r.alert)).toBe(true);
  });
});
