/**
 * A model registered with segment_by (service/segment-models.ts) in-process, compute inline: each
 * segment's stored results equal `vigil run` on that segment's rows alone, the model's own results are
 * those of an unsegmented model, drift planted in one region alerts there only, the segments' series
 * carry `model` and `segment` labels, and the segments are not listed as models and go with their model.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { rowLabels } from '../api/prometheus/series';
import { executeRun, toOutputRow } from '../cli/run';
import { openStore } from '../store';
import { csvOf, DataRow, plantedRegions, writeCsv } from '../../test/segments/planted';
import { resultRows, runQuery } from './read';
import { segmentModelName, segmentQueryModel } from './segment-models';
import { VigilService } from './service';

const data = plantedRegions();
const CALCULATORS = [
  {
    class: 'UnivariateDriftCalculator',
    id: 'drift',
    params: { column_names: ['x', 'colour'], continuous_methods: ['jensen_shannon'], categorical_methods: ['jensen_shannon'], thresholds: { jensen_shannon: { type: 'constant', lower: null, upper: 0.1 } } },
  },
  { class: 'SummaryStatsRowCountCalculator', id: 'rows', params: {} },
];
/** Daily chunks: ~1 440 rows of the whole data, ~145 of APAC's. */
const CHUNKING = { chunk_period: 'D' };

let dir: string;
let service: VigilService;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-service-segments-'));
  service = new VigilService({ store: openStore(path.join(dir, 'v.db'), { synchronous: 'normal' }), compute: 'inline' });
  await service.start();
  await service.registerModel({
    name: 'shop',
    columns: { features: ['region', 'x', 'colour'], timestamp: 'timestamp', id: 'id' },
    chunking: CHUNKING,
    calculators: CALCULATORS,
    segment_by: 'region',
    segment_top_k: 3,
  });
  await service.putReference('shop', csvOf(data.reference), 'text/csv');
  const rows = data.analysis;
  for (let i = 0; i < rows.length; i += 3000) await service.ingestRows('shop', csvOf(rows.slice(i, i + 3000)), 'text/csv');
  await service.idle();
}, 120_000);
afterAll(async () => {
  await service.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** `vigil run` rows on the planted files filtered by `keep`, chunked as the model chunks. */
function runAlone(name: string, keep: (r: DataRow) => boolean) {
  const ref = path.join(dir, `${name}-reference.csv`);
  const ana = path.join(dir, `${name}-analysis.csv`);
  writeCsv(ref, data.reference.filter(keep));
  writeCsv(ana, data.analysis.filter(keep));
  const config = path.join(dir, `${name}.json`);
  const calculators = CALCULATORS.map((c) => ({ ...c, params: { ...c.params, timestamp_column_name: 'timestamp', ...CHUNKING } }));
  fs.writeFileSync(config, JSON.stringify({ reference: ref, analysis: ana, calculators }));
  return executeRun(config, () => undefined).map(toOutputRow);
}

const served = async (name: string) => (await resultRows(service, name, {})).filter((r) => r.calculator !== 'TypeInconsistencyCalculator');

test('segments are the top 3 regions by reference rows and __other__, not listed as models', () => {
  expect(service.listModels().map((m) => m.name)).toEqual(['shop']);
  expect(service.modelNames().filter((n) => n.startsWith('shop~')).sort()).toEqual(['shop~APAC', 'shop~EU', 'shop~US', 'shop~__other__']);
});

test.each([
  ['APAC', (r: DataRow) => r.region === 'APAC'],
  ['__other__', (r: DataRow) => r.region === 'LATAM' || r.region === 'AFR'],
  [null, () => true],
])("segment %s: the stored results equal vigil run on the segment's rows alone", async (segment, keep) => {
  const rows = await served(segment === null ? 'shop' : segmentModelName('shop', segment));
  const expected = runAlone(String(segment), keep);
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.map(({ partial: _p, ...r }) => r)).toEqual(expected);
});

test('the drift planted in APAC alerts in its segment, not in the model as a whole', async () => {
  const x = (rows: Awaited<ReturnType<typeof served>>) => rows.filter((r) => r.column === 'x' && r.period === 'analysis' && r.chunk.end_index - r.chunk.start_index >= 100);
  const apac = x(await served('shop~APAC'));
  const whole = x(await served('shop'));
  expect(apac.length).toBeGreaterThanOrEqual(3);
  expect(apac.every((r) => r.alert === true)).toBe(true);
  expect(whole.filter((r) => r.alert)).toEqual([]);
});

test("a segment's series carry model and segment labels; the model's own carry no segment", async () => {
  const row = (await served('shop~APAC'))[0];
  expect(rowLabels('shop~APAC', row)).toMatchObject({ model: 'shop', segment: 'APAC' });
  expect(rowLabels('shop', row)).not.toHaveProperty('segment');
  expect(rowLabels(segmentModelName('shop', 'a b/c'), row)).toMatchObject({ model: 'shop', segment: 'a b/c' });
});

test('/api/query with segment: the segment model, frames labelled model and segment; unknown segments are 400s', async () => {
  const model = segmentQueryModel(service.modelNames(), 'shop', 'APAC', 'queries[0].segment');
  const q = { refId: 'A', model, family: 'univariate_drift', metrics: ['jensen_shannon'], columns: ['x'], fields: ['value' as const], period: 'analysis' as const, format: 'time_series' as const, calculatorId: null, hide: false };
  const frames = await runQuery(service, q, { from: null, to: null }, 'queries[0]');
  expect(frames.length).toBe(1);
  expect(frames[0].fields.find((f) => f.labels)?.labels).toMatchObject({ model: 'shop', segment: 'APAC', column: 'x' });
  expect(() => segmentQueryModel(service.modelNames(), 'shop', 'MARS', 'queries[0].segment')).toThrow(/model 'shop' has no segment 'MARS' \(it has: .*APAC/);
});

test('bad segment definitions are 400s naming the key', async () => {
  const base = { name: 'bad', columns: { features: ['region', 'x'] } };
  await expect(service.registerModel({ ...base, segment_by: 'country' })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/'country' is not one of the features/) });
  await expect(service.registerModel({ ...base, segment_top_k: 3 })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/segment_top_k needs segment_by/) });
  await expect(service.registerModel({ ...base, segment_by: 'region', segment_top_k: 0 })).rejects.toMatchObject({ status: 400 });
});

test('after a restart the segments are there, with their results, and new rows still reach them', async () => {
  const before = await served('shop~APAC');
  await service.close();
  service = new VigilService({ store: openStore(path.join(dir, 'v.db'), { synchronous: 'normal' }), compute: 'inline' });
  await service.start();
  expect(service.segmentsOf('shop')).toEqual(['APAC', 'EU', 'US', '__other__']);
  expect(service.listModels().map((m) => m.name)).toEqual(['shop']);
  expect(await served('shop~APAC')).toEqual(before);
  const late = data.analysis.slice(-50).map((r, i) => ({ ...r, id: 100_000 + i, timestamp: r.timestamp.replace(/^2024-/, '2025-') }));
  const apacLate = late.filter((r) => r.region === 'APAC').length;
  await service.ingestRows('shop', csvOf(late), 'text/csv');
  await service.idle();
  const rowsOf = async (name: string) => (await served(name)).filter((r) => r.id === 'rows' && r.period === 'analysis').reduce((a, r) => a + r.value!, 0);
  expect(await rowsOf('shop~APAC')).toBe(data.analysis.filter((r) => r.region === 'APAC').length + apacLate);
});

test('deleting the model deletes its segments', async () => {
  await service.deleteModel('shop');
  expect(service.modelNames().filter((n) => n.startsWith('shop'))).toEqual([]);
});
