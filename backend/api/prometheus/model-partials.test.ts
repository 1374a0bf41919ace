/**
 * Instant aggregations by model answered from per-model parts (model-partials.ts) are byte for byte the
 * whole evaluation's answer (evaluator + format), over random models whose series change between queries
 * (values, samples, series in and out, models in and out, segments' own models beside their segmented
 * model's) at random times around their samples, under the chunk lookback; parts are reused while a model does not change, and warm() makes them ahead.
 */
import * as fc from 'fast-check';
import { evaluateInstant, Lookback } from './evaluator';
import { instantAnswer } from './format';
import { compareLabels, Labels } from './labels';
import { QueryBudget } from './limits';
import { ModelPartials, Partition, PartialSource, partialShape } from './model-partials';
import { parseQuery } from './parser';
import { segmentOfStoredModel } from './series';
import { MemorySeriesSource, Series, seriesMatches } from './source';
import type { LabelMatcher } from './ast';

const LOOKBACK: Lookback = { kind: 'chunk', ms: 50 };
const budget = () => new QueryBudget(10_000, 1_000_000);

/** Models' series held in memory, with a stamp per model that moves whenever its series are replaced. */
class Models implements PartialSource {
  readonly series = new Map<string, Series[]>();
  private readonly versions = new Map<string, number>();

  set(model: string, series: Series[]): void {
    this.series.set(model, [...series].sort((a, b) => compareLabels(a.labels, b.labels)));
    this.versions.set(model, (this.versions.get(model) ?? 0) + 1);
  }
  delete(model: string): void {
    this.series.delete(model);
  }
  async current() {
    return new MemorySeriesSource([...this.series.values()].flat());
  }
  partitions() {
    const out = new Map<string, Partition>();
    for (const name of [...this.series.keys()].sort()) {
      const label = segmentOfStoredModel(name)?.model ?? name;
      const p = out.get(label) ?? { names: [], stamp: '' };
      p.names.push(name);
      p.stamp = p.names.map((n) => `${n}:${this.versions.get(n)}`).join('|');
      out.set(label, p);
    }
    return out;
  }
  modelSelect(model: string, matchers: readonly LabelMatcher[]) {
    return (this.series.get(model) ?? []).filter((s) => seriesMatches(s.labels, matchers));
  }
}

const QUERIES = [
  'max by (model, column, metric) (vigil_data_quality_alert)',
  'max by (model, column) (vigil_data_quality_alert{metric!="b"})',
  'sum by (model) (vigil_data_quality_alert)',
  'count by (metric, model) (vigil_data_quality_alert)',
  'avg by (model, partial) (vigil_data_quality_alert)',
  'stddev by (model, column) (vigil_data_quality_alert)',
  'group by (model) (vigil_univariate_drift_alert)',
  'min by (column, model) ((vigil_univariate_drift_alert))',
];

const seriesArb = (model: string) =>
  fc.uniqueArray(
    fc.record({
      name: fc.constantFrom('vigil_data_quality_alert', 'vigil_univariate_drift_alert'),
      column: fc.constantFrom('a', 'b', 'c', ''),
      metric: fc.constantFrom('a', 'b'),
      partial: fc.boolean(),
      times: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 4 }),
      values: fc.array(fc.constantFrom(0, 1, 0.5, NaN, -1, 1e-7), { minLength: 4, maxLength: 4 }),
      extend: fc.integer({ min: 0, max: 40 }),
    }),
    { maxLength: 6, selector: (s) => `${s.name}|${s.column}|${s.metric}|${s.partial}` },
  ).map((list) =>
    list.map((s): Series => {
      // A segment's own model ('m0~west') carries the segmented model's name and a segment label.
      const segment = segmentOfStoredModel(model);
      const labels: Record<string, string> = { __name__: s.name, model: segment?.model ?? model, metric: s.metric };
      if (segment) labels.segment = segment.segment;
      if (s.column !== '') labels.column = s.column;
      if (s.partial) labels.partial = 'true';
      const times = [...s.times].sort((x, y) => x - y);
      return { labels: labels as Labels, timestamps: Float64Array.from(times), values: Float64Array.from(times.map((_, i) => s.values[i])), currentUntil: times[times.length - 1] + s.extend };
    }),
  );

const MODEL_NAMES = ['m0', 'm1', 'm2', 'm3'];
/** Models of the property: also segments' own models, whose series join their segmented model's part. */
const STORED_MODELS = [...MODEL_NAMES, 'm0~west', 'm0~east', 'm2~west'];
const step = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...STORED_MODELS).chain((m) => seriesArb(m).map((series) => ({ kind: 'set' as const, model: m, series }))) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), model: fc.constantFrom(...STORED_MODELS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('warm' as const), time: fc.integer({ min: -5, max: 90 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('query' as const), query: fc.constantFrom(...QUERIES), time: fc.integer({ min: -5, max: 90 }) }) },
);

async function whole(models: Models, text: string, time: number): Promise<string> {
  const b = budget();
  return (await instantAnswer(await evaluateInstant(parseQuery(text), await models.current(), time, { lookback: LOOKBACK }, b), time, b)).toString();
}

test('every query listed is answered by parts', () => {
  for (const q of QUERIES) expect(partialShape(parseQuery(q))).not.toBeNull();
  for (const q of ['max without (column) (vigil_data_quality_alert)', 'max by (column) (vigil_data_quality_alert)', 'topk by (model) (1, vigil_data_quality_alert)', 'max by (model) (vigil_data_quality_alert offset 1m)', 'max by (model) (vigil_model_unresolved_errors)', 'max by (model) (rate(vigil_data_quality_alert[5m]))']) {
    expect(partialShape(parseQuery(q))).toBeNull();
  }
});

test('answers by parts equal the whole evaluation after random changes, at random times', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
      const models = new Models();
      const partials = new ModelPartials(models, LOOKBACK);
      for (const s of steps) {
        if (s.kind === 'set') models.set(s.model, s.series);
        else if (s.kind === 'delete') models.delete(s.model);
        else if (s.kind === 'warm') await partials.warm(s.time, budget);
        else {
          const parts = await partials.answer(s.query, parseQuery(s.query), s.time, budget());
          expect(parts?.toString()).toBe(await whole(models, s.query, s.time));
        }
      }
    }),
    { numRuns: 300 },
  );
});

test("a model's part is reused while its series and the samples shown stay; warm() makes the changed ones ahead", async () => {
  const models = new Models();
  const series = (model: string, v: number): Series[] => [
    { labels: { __name__: 'vigil_data_quality_alert', model, column: 'a', metric: 'x' }, timestamps: Float64Array.of(10, 20), values: Float64Array.of(0, v), currentUntil: 60 },
  ];
  for (const m of MODEL_NAMES) models.set(m, series(m, 0));
  const partials = new ModelPartials(models, LOOKBACK);
  const q = QUERIES[0];
  const ask = async (t: number) => (await partials.answer(q, parseQuery(q), t, budget()))!.toString();
  expect(await ask(25)).toBe(await whole(models, q, 25));
  expect(partials.counts).toEqual({ made: 4, reused: 0, ordered: 1 });
  // Another time showing the same samples: every part reused, the order kept.
  expect(await ask(59)).toBe(await whole(models, q, 59));
  expect(partials.counts).toEqual({ made: 4, reused: 4, ordered: 1 });
  // One model changes: only its part is made again, in place.
  models.set('m2', series('m2', 1));
  expect(await ask(30)).toContain('"model":"m2"},"value":[0.030,"1"]');
  expect(partials.counts).toEqual({ made: 5, reused: 7, ordered: 1 });
  // After the last sample stops counting (60), every part is made again: nothing to show.
  expect(await ask(60)).toBe('{"status":"success","data":{"resultType":"vector","result":[]}}');
  // warm() makes a changed model's part before the next query, which then makes none.
  models.set('m1', series('m1', 1));
  await partials.warm(30, budget);
  const made = partials.counts.made;
  expect(await ask(31)).toBe(await whole(models, q, 31));
  expect(partials.counts.made).toBe(made);
});
