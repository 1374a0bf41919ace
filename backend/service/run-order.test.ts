/**
 * The server orders stored results as `vigil run` orders its rows: the records the compute path stores
 * (toRecords, one chunk at a time, in any order) come back from inRunOrder in exactly assembleRows's
 * order, even when chunks return different series or the same series in a different order (where the
 * stored per-chunk position alone would order them differently).
 */
import fc from 'fast-check';
import { MetricRow } from '../engine/calculator';
import { Chunk } from '../engine/chunking';
import { assembleRows, chunkRecord } from '../engine/run';
import { ResultRecord } from '../store/types';
import { toRecords } from './frames';
import { inRunOrder } from './read';

const SERIES = [
  { column: 'a', metric: 'jensen_shannon' },
  { column: 'b', metric: 'jensen_shannon' },
  { column: null, metric: 'rmse' },
  { column: 'a', metric: 'mean' },
];

const metricRow = (s: { column: string | null; metric: string }, v: number): MetricRow => ({
  ...s,
  value: v,
  upper_threshold: null,
  lower_threshold: null,
  alert: null,
  sampling_error: null,
  upper_confidence_boundary: null,
  lower_confidence_boundary: null,
  realized: null,
  targets_missing_rate: null,
});

/** A chunk's rows: some of the series, in some order (a permutation prefix). */
const chunkRows = fc.uniqueArray(fc.integer({ min: 0, max: SERIES.length - 1 }), { minLength: 0, maxLength: SERIES.length });
const calculatorRuns = fc.array(fc.record({ reference: fc.array(chunkRows, { maxLength: 4 }), analysis: fc.array(chunkRows, { maxLength: 5 }) }), {
  minLength: 1,
  maxLength: 3,
});

const chunk = (index: number): Chunk => ({ key: `[${index}]`, index, start: index * 10, end: index * 10 + 9, startDate: index * 1000, endDate: index * 1000 + 999 });
const identity = (r: { calculator: string; id: string; period: string; chunk: { index: number }; column: string | null; metric: string; value: number | null }) =>
  `${r.calculator}/${r.id} ${r.period}#${r.chunk.index} ${r.column ?? ''}:${r.metric}=${r.value}`;

test('stored records come back in vigil run order', () => {
  fc.assert(
    fc.property(calculatorRuns, fc.nat(1_000_000), (runs, seed) => {
      let v = 0;
      const expected: string[] = [];
      const stored: ResultRecord[] = [];
      runs.forEach((run, order) => {
        const config = { className: `Calc${order}`, id: `c${order}`, params: {}, where: `calculators[${order}]` };
        const calc = { className: config.className, id: config.id, family: 'test', order };
        const results = (chunks: number[][]) => chunks.map((series, i) => ({ chunk: chunk(i), rows: series.map((s) => metricRow(SERIES[s], v++)) }));
        const reference = results(run.reference);
        const analysis = results(run.analysis);
        for (const r of assembleRows(config, reference, analysis)) expected.push(identity(r));
        for (const r of reference) stored.push(...toRecords(calc, 'reference', r.chunk.index, chunkRecord(r.chunk), r.rows, false));
        for (const r of analysis) stored.push(...toRecords(calc, 'analysis', r.chunk.index, chunkRecord(r.chunk), r.rows, false));
      });
      // The store returns them in its own order: any order will do.
      const shuffled = stored.map((r, i) => ({ r, k: (i * 7919 + seed) % (stored.length + 13) })).sort((a, b) => a.k - b.k).map((x) => x.r);
      expect(inRunOrder(shuffled).map(identity)).toEqual(expected);
    }),
    { numRuns: 300 },
  );
});
