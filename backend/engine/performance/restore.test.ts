/**
 * PerformanceCalculator, CBPE and concept drift (CBPE's pair) restored from their saved plain data (after a V8 serialise round trip,
 * as the server stores it) calculate exactly what the fresh fit does, for every metric and problem type
 * of the performance fixtures (binary car loan, multiclass, regression car price): reference rows and
 * chunks at odd offsets compared value by value (toStrictEqual: NaN matches NaN, -0 differs from 0).
 */
import * as path from 'path';
import * as v8 from 'v8';
import { readFileSync } from 'fs';
import { readCsvFile } from '../../io/frames';
import { Frame, sliceFrame } from '../frame';
import { calculatorDefinition } from '../registry';
import { FittedCbpe } from './cbpe-calculator';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'performance');
const CASES = ['car_loan', 'mc', 'car_price'];
const RESTORABLE = ['CBPE', 'PerformanceCalculator'];

interface FixtureConfig {
  reference: string;
  analysis: string;
  calculators: { class: string; id: string; params: Record<string, unknown> }[];
}

/** Plain arrays: a deserialised typed array belongs to the main realm, not the test sandbox's. */
const plainCalibrators = (f: FittedCbpe) => f.calibrators.map((c) => c && [Array.from(c.x), Array.from(c.y)]);

describe.each(CASES)('%s', (name) => {
  const configPath = path.join(FIXTURES, `${name}.config.json`);
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as FixtureConfig;
  const at = (file: string) => path.resolve(path.dirname(configPath), file);
  let reference: Frame;
  let analysis: Frame;
  beforeAll(() => {
    reference = readCsvFile(at(config.reference));
    analysis = readCsvFile(at(config.analysis));
  });

  const performance = config.calculators.filter((c) => RESTORABLE.includes(c.class));
  // Concept drift composes CBPE and realized performance with CBPE's params: restored from both halves.
  const concept = performance.filter((c) => c.class === 'CBPE').map((c) => ({ ...c, class: 'ConceptDriftCalculator', id: `concept_${c.id}` }));
  const calculators = [...performance, ...concept];
  test('the fixture has performance calculators', () => expect(calculators.length).toBeGreaterThan(0));

  test.each(calculators.map((c) => [c.id, c] as const))('%s restores to the same results', (_id, c) => {
    const def = calculatorDefinition(c.class)!;
    const params = def.parseParams(c.params, `calculators.${c.id}.params`);
    const fresh = def.fit(reference, params);
    expect(fresh.saved).toBeDefined();
    const restored = def.restore!(v8.deserialize(v8.serialize(fresh.saved)), params);

    // toEqual, not toStrictEqual: the saved rows were deserialised in the main realm (numbers still compare with Object.is).
    expect(restored.reference).toEqual(fresh.reference);
    // Reference slices carry targets (realized values); analysis slices have none (CBPE estimates alone).
    const chunks = [0, 1_234, 17_777].map((start) => sliceFrame(reference, start, Math.min(reference.length, start + 900)));
    if (c.class === 'CBPE') {
      chunks.push(sliceFrame(analysis, 333, 1_500));
      expect(plainCalibrators(restored as FittedCbpe)).toStrictEqual(plainCalibrators(fresh as FittedCbpe));
    }
    for (const chunk of chunks) expect(restored.calculate(chunk)).toStrictEqual(fresh.calculate(chunk));
  });
});

test('a saved performance fit with fewer evaluator fits than its metrics is refused, not half-used', () => {
  const config = JSON.parse(readFileSync(path.join(FIXTURES, 'car_loan.config.json'), 'utf8')) as FixtureConfig;
  const c = config.calculators.find((x) => x.class === 'PerformanceCalculator')!;
  const def = calculatorDefinition(c.class)!;
  const params = def.parseParams(c.params, 'params');
  const fresh = def.fit(readCsvFile(path.resolve(FIXTURES, config.reference)), params);
  const saved = fresh.saved as { state: unknown[] };
  expect(() => def.restore!({ ...saved, state: saved.state.slice(0, -1) }, params)).toThrow(/fewer evaluator fits/);
});

test('concept drift on regression (DLE, not restorable yet) saves nothing, so it is refitted', () => {
  const config = JSON.parse(readFileSync(path.join(FIXTURES, 'car_price.config.json'), 'utf8')) as FixtureConfig;
  const realized = config.calculators.find((x) => x.class === 'PerformanceCalculator')!;
  const { y_pred, y_true, timestamp_column_name, chunk_size } = realized.params;
  const def = calculatorDefinition('ConceptDriftCalculator')!;
  const params = def.parseParams({ problem_type: 'regression', y_pred, y_true, timestamp_column_name, chunk_size, metrics: ['mae'], feature_column_names: ['car_age', 'km_driven'] }, 'params');
  const fresh = def.fit(readCsvFile(path.resolve(FIXTURES, config.reference)), params);
  expect(fresh.reference.length).toBeGreaterThan(0);
  expect(fresh.saved).toBeUndefined();
});
