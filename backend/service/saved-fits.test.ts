/**
 * Saved fits: a fit restored from its stored blob calculates byte-identical results to a fresh fit, and a
 * stored fit is refused when its code version, inputs or checksum do not match.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import { sliceFrame } from '../engine/frame';
import { FittedCbpe } from '../engine/performance/cbpe-calculator';
import { decodeFrame } from '../store/frame-codec';
import { openStore } from '../store';
import { calculatorDefinition } from './calculators';
import { specsOf } from './compute';
import { ModelDefinition } from './definition';
import { ModelLayout } from './layout';
import { fitModel } from './runtime';
import { encodeFit, FIT_CODE_VERSION, fitBytes, restoreFit, staleReason } from './saved-fits';
import { VigilService } from './service';
import { CAR_LOAN_MODEL } from '../../test/server/helpers';

const DATA = path.join(__dirname, '..', '..', 'examples', 'data', 'nannyml');
const REFERENCE = path.join(DATA, 'synthetic_car_loan_reference.csv');

/** Classes restored from the blob; the others are refitted on the reference when the model loads. */
const RESTORED = [
  'MissingValuesCalculator',
  'UnseenValuesCalculator',
  'NumericalRangeCalculator',
  'UnivariateDriftCalculator',
  'DataReconstructionDriftCalculator',
  'OutlierDetectionCalculator',
  'SummaryStatsAvgCalculator',
  'SummaryStatsSumCalculator',
  'SummaryStatsStdCalculator',
  'SummaryStatsMedianCalculator',
  'SummaryStatsRowCountCalculator',
  // the server's own flag calculators (service/flag-share.ts)
  'TypeInconsistencyCalculator',
  'InvalidValuesCalculator',
  // performance: the evaluators' sampling-error fits (and CBPE's calibrators) are saved
  'PerformanceCalculator',
  'CBPE',
  'ConceptDriftCalculator',
];

let dir: string;
let service: VigilService;
let def: ModelDefinition;
let layout: ModelLayout;
let referenceBlob: Buffer;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-fits-'));
  service = new VigilService({ store: openStore(path.join(dir, 'v.db'), { synchronous: 'normal' }), compute: 'inline' });
  await service.start();
  await service.registerModel(CAR_LOAN_MODEL);
  await service.putReference('carloan', fs.readFileSync(REFERENCE, 'utf8'), 'text/csv');
  const record = (await service.store.getModel('carloan'))!;
  def = record.definition as ModelDefinition;
  layout = record.layout as ModelLayout;
  referenceBlob = (await service.store.loadReference(record.id))!;
}, 120_000);

afterAll(async () => {
  await service.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a restored fit calculates byte-identical results to a fresh fit', () => {
  const reference = decodeFrame(referenceBlob);
  const fresh = fitModel(def, specsOf(layout), reference);
  const stored = encodeFit(fresh.entries, 'inputs');
  const { entries, refitted } = restoreFit(stored, layout, () => decodeFrame(referenceBlob));

  const classes = fresh.entries.map((e) => e.className);
  for (const c of RESTORED) expect(classes).toContain(c);
  expect(refitted).toBe(classes.filter((c) => !calculatorDefinition(c)!.restore).length);
  for (const c of RESTORED) expect([c, !!calculatorDefinition(c)!.restore]).toEqual([c, true]);
  expect(entries.map((e) => [e.id, e.order, e.family, e.usesFlags])).toEqual(fresh.entries.map((e) => [e.id, e.order, e.family, e.usesFlags]));

  // CBPE's calibrators come back from the blob as they were fitted (the other metrics and problem types:
  // engine/performance/restore.test.ts).
  // (As plain arrays: a deserialised Float64Array belongs to the main realm, not the test sandbox's.)
  const calibrators = (list: typeof entries) =>
    (list.find((e) => e.className === 'CBPE')!.fitted as FittedCbpe).calibrators.map((c) => c && [Array.from(c.x), Array.from(c.y)]);
  expect(calibrators(entries)).toStrictEqual(calibrators(fresh.entries));
  expect(calibrators(fresh.entries)[0]).not.toBeNull(); // car loan's scores need calibration

  // Chunks of 1,000 rows at odd offsets: none is a reference chunk the fit has seen as such.
  const chunks = [0, 7_311, 23_456, 44_000].map((start) => sliceFrame(reference, start, start + 1000));
  entries.forEach((restored, i) => {
    const original = fresh.entries[i];
    // toEqual compares numbers with Object.is: NaN matches NaN, -0 does not match 0, every bit counts.
    // (Not v8.serialize bytes: V8 may write the same double as a small integer or as a heap number.)
    expect([restored.id, restored.fitted.reference]).toEqual([original.id, original.fitted.reference]);
    for (const chunk of chunks) {
      expect([restored.id, restored.fitted.calculate(chunk)]).toStrictEqual([original.id, original.fitted.calculate(chunk)]);
    }
  });
}, 120_000);

test('a stored fit is used only with the same code version, the same inputs and an intact blob', () => {
  const fresh = fitModel(def, specsOf(layout), decodeFrame(referenceBlob));
  const stored = encodeFit(fresh.entries, 'inputs-a');
  expect(staleReason(stored, 'inputs-a')).toBeNull();
  expect(staleReason(stored, 'inputs-b')).toMatch(/reference, definition or calculators changed/);
  expect(staleReason({ ...stored, codeVersion: '0/0.0.0' }, 'inputs-a')).toMatch(/another code version .*0\/0\.0\.0/);
  expect(stored.codeVersion).toBe(FIT_CODE_VERSION);

  const corrupt = Buffer.from(stored.blob);
  corrupt[corrupt.length >> 1] ^= 0xff;
  expect(staleReason({ ...stored, blob: corrupt }, 'inputs-a')).toMatch(/checksum/);

  // A blob that passes its checksum but is not a saved fit is refused when read, never half-used.
  const alien = encodeFit([], 'inputs-a');
  const notAFit = { ...alien, blob: v8.serialize({ something: 'else' }) };
  notAFit.checksum = encodeFit([], 'x').checksum; // wrong on purpose: staleReason catches it
  expect(staleReason(notAFit, 'inputs-a')).toMatch(/checksum/);
  expect(() => restoreFit({ ...notAFit }, layout, () => decodeFrame(referenceBlob))).toThrow(/unexpected content/);
}, 120_000);

test("a fit's estimated size (the fit cache's byte budget) follows what it holds, shared data counted once", () => {
  const fresh = fitModel(def, specsOf(layout), decodeFrame(referenceBlob));
  const stored = encodeFit(fresh.entries, 'inputs');
  const { entries } = restoreFit(stored, layout, () => decodeFrame(referenceBlob));
  const bytes = fitBytes(entries);
  // A restored fit holds at least its saved data: of the order of the serialised blob.
  expect(bytes).toBeGreaterThan(stored.blob.length / 2);
  expect(bytes).toBeLessThan(stored.blob.length * 4);
  expect(fitBytes([...entries, ...entries])).toBe(bytes);
  // One calculator's fit is a part of the whole.
  expect(fitBytes(entries.slice(0, 1))).toBeLessThan(bytes);
  expect(fitBytes([])).toBe(0);
});
