/**
 * `vigil run` on bad input (run contract): exit 2, nothing written to --out, and one line on stderr that
 * names the file and the column or key. One test per kind of bad input.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tempDir, vigil } from './helpers';

const REFERENCE = ['ts,x,c', '2020-01-01,1,a', '2020-01-02,2,b', '2020-01-03,3,a', '2020-01-04,4,b', '2020-01-05,5,a', '2020-01-06,6,b'].join('\n');

let dir: string;
beforeEach(() => {
  dir = tempDir('vigil-bad-input-');
  fs.writeFileSync(path.join(dir, 'reference.csv'), REFERENCE + '\n');
  fs.writeFileSync(path.join(dir, 'analysis.csv'), REFERENCE + '\n');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const DRIFT = { class: 'UnivariateDriftCalculator', params: { column_names: ['x', 'c'], chunk_size: 2 } };

function config(overrides: Record<string, unknown> = {}, calculator: Record<string, unknown> = DRIFT) {
  return { reference: 'reference.csv', analysis: 'analysis.csv', calculators: [calculator], ...overrides };
}

/** Runs `vigil run` on a config written into the temp dir; returns exit code, stderr and whether --out exists. */
function run(cfg: unknown, name = 'config.json') {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof cfg === 'string' ? cfg : JSON.stringify(cfg));
  const out = path.join(dir, 'out.json');
  const r = vigil(['run', file, '--out', out]);
  return { status: r.status, stderr: r.stderr, written: fs.existsSync(out) || fs.readdirSync(dir).some((f) => f.startsWith('out.json')) };
}

function expectRejected(r: ReturnType<typeof run>, ...parts: string[]) {
  expect(r.status).toBe(2);
  expect(r.written).toBe(false);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^vigil: /);
  for (const p of parts) expect(lines[0]).toContain(p);
}

const withParams = (params: Record<string, unknown>) => ({ ...DRIFT, params: { ...DRIFT.params, ...params } });

describe('vigil run rejects bad input with exit 2, one line naming what and where, and no output', () => {
  it('a sanity check: the good config runs', () => {
    const r = run(config());
    expect(r.status).toBe(0);
    expect(r.written).toBe(true);
  });

  it('missing data file', () => {
    expectRejected(run(config({ analysis: 'nope.csv' })), 'nope.csv', 'file not found');
  });

  it('missing data file: named by its key and its resolved path, relative to the config file, from any working folder', () => {
    fs.mkdirSync(path.join(dir, 'configs'));
    fs.writeFileSync(path.join(dir, 'configs', 'c.json'), JSON.stringify(config({ reference: '../reference.csv', analysis: 'data/nope.csv' })));
    const r = vigil(['run', path.join(dir, 'configs', 'c.json'), '--out', path.join(dir, 'out.json')]);
    expectRejected(
      { status: r.status, stderr: r.stderr, written: fs.existsSync(path.join(dir, 'out.json')) },
      `c.json: analysis: ${path.join(dir, 'configs', 'data', 'nope.csv')}: file not found`,
      `relative paths are read from the config file's folder, ${path.join(dir, 'configs')})`,
    );
  });

  it('missing config file', () => {
    const r = vigil(['run', path.join(dir, 'absent.yaml'), '--out', path.join(dir, 'out.json')]);
    expectRejected({ status: r.status, stderr: r.stderr, written: fs.existsSync(path.join(dir, 'out.json')) }, 'absent.yaml', 'file not found');
  });

  it('unknown column', () => {
    expectRejected(run(config({}, withParams({ column_names: ['x', 'nope'] }))), 'reference.csv', "column 'nope' not found");
  });

  it('column missing from the analysis file only', () => {
    fs.writeFileSync(path.join(dir, 'analysis.csv'), 'ts,x\n2020-01-01,1\n');
    expectRejected(run(config()), 'analysis.csv', "column 'c' not found");
  });

  it('unknown calculator class', () => {
    expectRejected(run(config({}, { class: 'UnivariateDrift', params: {} })), 'config.json', 'calculators[0].class', "unknown calculator class 'UnivariateDrift'");
  });

  it('unknown parameter', () => {
    expectRejected(run(config({}, withParams({ chunksize: 2 }))), 'config.json', 'calculators[0].params.chunksize', 'unknown parameter');
  });

  it('wrong parameter type', () => {
    expectRejected(run(config({}, withParams({ chunk_size: '2' }))), 'config.json', 'calculators[0].params.chunk_size', 'must be a number');
  });

  it('unknown method', () => {
    expectRejected(run(config({}, withParams({ continuous_methods: ['ks'] }))), 'calculators[0].params.continuous_methods', "unknown method 'ks'");
  });

  it('unparsable timestamp', () => {
    fs.writeFileSync(path.join(dir, 'analysis.csv'), 'ts,x,c\n2020-01-01,1,a\nyesterday,2,b\n');
    expectRejected(run(config({}, withParams({ timestamp_column_name: 'ts' }))), 'analysis.csv', "column 'ts'", 'row 2', "'yesterday'");
  });

  it('empty data (header only)', () => {
    fs.writeFileSync(path.join(dir, 'reference.csv'), 'ts,x,c\n');
    expectRejected(run(config()), 'reference.csv', 'no data rows');
  });

  it('chunk_period without a timestamp column', () => {
    expectRejected(run(config({}, { ...DRIFT, params: { column_names: ['x'], chunk_period: 'M' } })), 'calculators[0].params.chunk_period', 'timestamp_column_name');
  });

  it('malformed CSV (a row with the wrong number of fields)', () => {
    fs.writeFileSync(path.join(dir, 'analysis.csv'), 'ts,x,c\n2020-01-01,1,a\n2020-01-02,2\n');
    expectRejected(run(config()), 'analysis.csv', 'line 3', '2 fields', 'header has 3');
  });

  it('unknown threshold key', () => {
    expectRejected(
      run(config({}, withParams({ thresholds: { ks: { type: 'constant', upper: 1 } } }))),
      'calculators[0].params.thresholds.ks',
      'unknown method or metric',
    );
  });

  it('bad threshold field', () => {
    expectRejected(
      run(config({}, withParams({ thresholds: { jensen_shannon: { type: 'constant', upper: 'high' } } }))),
      'calculators[0].params.thresholds.jensen_shannon.upper',
      'must be a number',
    );
  });

  it('bad YAML', () => {
    const yaml = 'reference: reference.csv\nanalysis: analysis.csv\ncalculators:\n  - class: [UnivariateDriftCalculator\n    params: {column_names: [x]}\n';
    expectRejected(run(yaml, 'config.yaml'), 'config.yaml', 'not valid YAML', 'line');
  });

  it('chunk_number larger than the data', () => {
    expectRejected(run(config({}, withParams({ chunk_size: undefined, chunk_number: 50 }))), 'reference.csv', 'chunk_number 50');
  });

  it('a categorical column for a summary statistic', () => {
    expectRejected(run(config({}, { class: 'SummaryStatsMedianCalculator', params: { column_names: ['c'] } })), 'reference.csv', "column 'c' is categorical");
  });

  it('text in a continuous column of the analysis file', () => {
    fs.writeFileSync(path.join(dir, 'analysis.csv'), 'ts,x,c\n2020-01-01,1,a\n2020-01-02,many,b\n');
    expectRejected(run(config({}, withParams({ treat_as_numerical: ['x'] }))), 'analysis.csv', "column 'x'", "'many'");
  });
});
