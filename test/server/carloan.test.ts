/**
 * The server's results equal `vigil run`'s on NannyML's car-loan data for the same configuration.
 *
 * The model is registered with its columns only, so it gets every default calculator the engine
 * registry holds; the reference, the analysis rows (CSV, 10,000-row batches) and the late targets go
 * through the API; the calculators the server resolved (GET /api/models/{name}) become the `vigil run`
 * config, run by the CLI on the same CSV files. Every row must be identical, in the same order.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { call, CAR_LOAN_MODEL, ROOT, startVigil, tempDir, Vigil, waitComputed } from './helpers';

const DATA = path.join(ROOT, 'examples', 'data', 'nannyml');
const FILES = {
  reference: path.join(DATA, 'synthetic_car_loan_reference.csv'),
  analysis: path.join(DATA, 'synthetic_car_loan_analysis.csv'),
  targets: path.join(DATA, 'synthetic_car_loan_analysis_target.csv'),
};
const BATCH_ROWS = 10_000;
/** The server's own calculators (they read what ingestion flags); `vigil run` has none. */
const SERVER_CALCULATORS = ['TypeInconsistencyCalculator', 'InvalidValuesCalculator'];

let vigil: Vigil;
let dir: string;

beforeAll(async () => {
  dir = tempDir();
  vigil = await startVigil({ db: path.join(dir, 'vigil.db') });
}, 240_000);

afterAll(async () => {
  await vigil?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('server results equal vigil run results on the car-loan data', async () => {
  const model = CAR_LOAN_MODEL;
  expect((await call(vigil.url, 'POST', '/api/models', { body: model })).status).toBe(201);
  const ref = await call(vigil.url, 'PUT', '/api/models/carloan/reference', { body: fs.readFileSync(FILES.reference, 'utf8'), contentType: 'text/csv' });
  expect(ref.status).toBe(200);

  const [header, ...lines] = fs.readFileSync(FILES.analysis, 'utf8').trimEnd().split('\n');
  for (let i = 0; i < lines.length; i += BATCH_ROWS) {
    const r = await call(vigil.url, 'POST', '/api/models/carloan/rows', { body: [header, ...lines.slice(i, i + BATCH_ROWS)].join('\n'), contentType: 'text/csv' });
    expect(r.body).toMatchObject({ inserted: Math.min(BATCH_ROWS, lines.length - i), type_inconsistent: {} });
  }
  const t = await call(vigil.url, 'POST', '/api/models/carloan/targets', { body: fs.readFileSync(FILES.targets, 'utf8'), contentType: 'text/csv' });
  expect(t.body).toMatchObject({ attached: 50_000, unknown_ids_count: 0 });
  const m = await waitComputed(vigil.url, 'carloan', undefined, 120_000);
  expect(m.status.errors).toEqual([]);

  // The same calculators, as `vigil run` takes them (the type-consistency one is the server's own).
  const calculators = m.calculators.filter((c: any) => !SERVER_CALCULATORS.includes(c.class)).map((c: any) => ({ class: c.class, id: c.id, params: c.params }));
  const classes = calculators.map((c: any) => c.class);
  expect(classes).toEqual(expect.arrayContaining(['MissingValuesCalculator', 'UnseenValuesCalculator', 'NumericalRangeCalculator']));
  const config = path.join(dir, 'carloan.json');
  fs.writeFileSync(config, JSON.stringify({ reference: FILES.reference, analysis: FILES.analysis, analysis_targets: FILES.targets, calculators }));
  const out = path.join(dir, 'run.json');
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'vigil.js'), 'run', config, '--out', out], { encoding: 'utf8', timeout: 120_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const expected = JSON.parse(fs.readFileSync(out, 'utf8')).results;

  const served = (await call(vigil.url, 'GET', '/api/models/carloan/results')).body.results
    .filter((r: any) => !SERVER_CALCULATORS.includes(r.calculator))
    .map(({ partial, ...r }: any) => {
      expect(partial).toBe(false);
      return r;
    });
  expect(served.length).toBe(expected.length);
  expect(new Set(served.map((r: any) => r.calculator))).toEqual(new Set(classes));
  for (let i = 0; i < expected.length; i++) {
    if (JSON.stringify(served[i]) !== JSON.stringify(expected[i])) {
      expect({ row: i, served: served[i] }).toEqual({ row: i, served: expected[i] });
    }
  }
  expect(served).toEqual(expected);
}, 240_000);
