/**
 * `vigil run` input checks (issue 12, item 9), through the compiled CLI on real files: invalid UTF-8 in
 * any input file, `--out` naming an input, and CBPE probabilities outside [0, 1]. Each is refused with
 * exit 2, one stderr line naming the file and where, and nothing written; the same line on 1, 2 and 3
 * threads (engine/parallel reads the analysis on a worker). Data: the first rows of NannyML's car-loan
 * and multiclass sets.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DATA, RunResult, tempDir, vigil } from './helpers';

const ROWS = 2000;
let dir: string;

/** The header and first `rows` data lines of a NannyML file. */
function head(file: string, rows = ROWS): string[] {
  return fs.readFileSync(path.join(DATA, file), 'utf8').split('\n').slice(0, rows + 1);
}

const write = (name: string, data: string | Buffer) => fs.writeFileSync(path.join(dir, name), data);
const writeLines = (name: string, lines: string[]) => write(name, lines.join('\n') + '\n');

/** `lines` with the field `column` of data row `row` (1-based) replaced. */
function setField(lines: string[], column: string, row: number, value: string): string[] {
  const j = lines[0].split(',').indexOf(column);
  if (j < 0) throw new Error(`no column ${column}`);
  return lines.map((l, i) => (i === row ? l.split(',').map((f, k) => (k === j ? value : f)).join(',') : l));
}

const COMMON = { timestamp_column_name: 'timestamp', chunk_size: 500 };
const BINARY = { ...COMMON, problem_type: 'classification_binary', y_pred_proba: 'y_pred_proba', y_pred: 'y_pred', y_true: 'repaid' };
const CALCULATORS = [
  { class: 'UnivariateDriftCalculator', id: 'drift', params: { ...COMMON, column_names: ['car_value', 'salary_range'] } },
  { class: 'CBPE', id: 'estimated', params: { ...BINARY, metrics: ['roc_auc', 'f1'] } },
  { class: 'PerformanceCalculator', id: 'realized', params: { ...BINARY, metrics: ['roc_auc', 'f1'] } },
];

function config(name: string, files: Record<string, string> = {}, calculators: object[] = CALCULATORS): string {
  const file = path.join(dir, name);
  const cfg = { reference: 'reference.csv', analysis: 'analysis.csv', analysis_targets: 'targets.csv', ...files, calculators };
  fs.writeFileSync(file, JSON.stringify(cfg));
  return file;
}

/** Runs the config on `threads` threads into `out` (default: a fresh name in the temp dir). */
function run(cfg: string, threads: number, out = path.join(dir, `out-${threads}.json`)): RunResult & { out: string } {
  fs.rmSync(out, { force: true });
  return { ...vigil(['run', cfg, '--out', out], dir, { VIGIL_THREADS: String(threads) }), out };
}

/** Exit 2, one `vigil: ` line holding every part, no output and no temporary file; the same on 1, 2 and 3 threads. */
function expectRefused(cfg: string, ...parts: string[]): string {
  const lines = [1, 2, 3].map((threads) => {
    const r = run(cfg, threads);
    expect({ threads, status: r.status, stdout: r.stdout }).toEqual({ threads, status: 2, stdout: '' });
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('out-'))).toEqual([]);
    const stderr = r.stderr.split('\n').filter((l) => l !== '');
    expect(stderr).toHaveLength(1);
    return stderr[0];
  });
  expect(lines[1]).toBe(lines[0]);
  expect(lines[2]).toBe(lines[0]);
  expect(lines[0]).toMatch(/^vigil: /);
  for (const p of parts) expect(lines[0]).toContain(p);
  return lines[0];
}

beforeAll(() => {
  dir = tempDir('vigil-input-checks-');
  writeLines('reference.csv', head('synthetic_car_loan_reference.csv'));
  writeLines('analysis.csv', head('synthetic_car_loan_analysis.csv'));
  writeLines('targets.csv', head('synthetic_car_loan_analysis_target.csv'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('a sanity check: the good config runs on 1 and 2 threads', () => {
  const cfg = config('good.json');
  for (const threads of [1, 2]) {
    const r = run(cfg, threads);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rows = JSON.parse(fs.readFileSync(r.out, 'utf8')).results as { id: string }[];
    expect(rows.filter((x) => x.id === 'estimated').length).toBeGreaterThan(0);
    fs.rmSync(r.out);
  }
});

describe('invalid UTF-8', () => {
  /** `lines` with a Latin-1 `é` (byte 0xe9) put before the salary_range value of data row `row`. */
  function latin1In(lines: string[], row: number): Buffer {
    const j = lines[0].split(',').indexOf('salary_range');
    const before = lines[row].split(',').slice(0, j).join(',') + ',';
    const text = lines.join('\n') + '\n';
    const at = Buffer.byteLength(lines.slice(0, row).join('\n') + '\n' + before, 'utf8');
    const b = Buffer.from(text, 'utf8');
    return Buffer.concat([b.subarray(0, at), Buffer.from([0xe9]), b.subarray(at)]);
  }

  it.each([
    ['reference', 'reference.csv', 'synthetic_car_loan_reference.csv'],
    ['analysis', 'analysis.csv', 'synthetic_car_loan_analysis.csv'],
  ])('in the %s file: exit 2 naming file, line and column, identical on 1-3 threads', (key, _file, source) => {
    const lines = head(source);
    const row = 1234;
    write(`bad-${key}.csv`, latin1In(lines, row));
    // the salary_range column's position on the line, in characters (the fields before it are ASCII)
    const j = lines[0].split(',').indexOf('salary_range');
    const column = lines[row].split(',').slice(0, j).join(',').length + 2;
    const line = expectRefused(config(`utf8-${key}.json`, { [key]: `bad-${key}.csv` }), `bad-${key}.csv`, `line ${row + 1}, column ${column} `, 'invalid UTF-8 byte 0xe9');
    expect(line).toContain(`byte ${column} of the line`);
  });

  it('in the targets file, after a multi-byte character on the same line (character and byte columns differ)', () => {
    const lines = head('synthetic_car_loan_analysis_target.csv');
    const bytes = Buffer.concat([Buffer.from(lines.slice(0, 8).join('\n') + '\n' + '50007,€', 'utf8'), Buffer.from([0xff]), Buffer.from('\n' + lines.slice(9).join('\n') + '\n')]);
    write('bad-targets.csv', bytes);
    // line 9: `50007,€` is 7 characters and 9 bytes
    expectRefused(config('utf8-targets.json', { analysis_targets: 'bad-targets.csv' }), 'bad-targets.csv', 'line 9, column 8 (characters counted from 1; byte 10 of the line)', '0xff');
  });

  it('the reference error comes first when the analysis is bad too, on every thread count', () => {
    write('bad-both-ref.csv', latin1In(head('synthetic_car_loan_reference.csv'), 1500));
    write('bad-both-ana.csv', latin1In(head('synthetic_car_loan_analysis.csv'), 10));
    const line = expectRefused(config('utf8-both.json', { reference: 'bad-both-ref.csv', analysis: 'bad-both-ana.csv' }), 'bad-both-ref.csv', 'line 1501');
    expect(line).not.toContain('bad-both-ana.csv');
  });

  it('a UTF-8 byte-order mark stays accepted (pandas skips it): same results as without', () => {
    write('bom-reference.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fs.readFileSync(path.join(dir, 'reference.csv'))]));
    const plain = run(config('bom-plain.json'), 1, path.join(dir, 'bom-plain-results.json'));
    const bom = run(config('bom.json', { reference: 'bom-reference.csv' }), 1, path.join(dir, 'bom-results.json'));
    expect(bom.stderr).toBe('');
    expect(bom.status).toBe(0);
    expect(fs.readFileSync(bom.out, 'utf8')).toBe(fs.readFileSync(plain.out, 'utf8'));
  });
});

describe('--out naming an input file', () => {
  const cfgName = 'refuse-out.json';
  /** Runs with --out `out` (relative to the temp dir) and checks the refusal and that `input` is untouched. */
  function expectOutRefused(out: string, input: string, key: string) {
    const cfg = config(cfgName);
    const before = fs.readFileSync(path.join(dir, input));
    for (const threads of [1, 2]) {
      const r = vigil(['run', cfg, '--out', out], dir, { VIGIL_THREADS: String(threads) });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toEqual([`vigil: --out ${out}: is the ${key} file ${path.relative(dir, path.join(dir, input))} of this run; write the results to another file`]);
      expect(fs.readFileSync(path.join(dir, input)).equals(before)).toBe(true);
      expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    }
  }

  it.each([
    ['the config itself', () => cfgName, cfgName, 'config'],
    ['the reference', () => 'reference.csv', 'reference.csv', 'reference'],
    ['the analysis, spelt through another folder', () => './sub/../analysis.csv', 'analysis.csv', 'analysis'],
    ['the targets, spelt from the parent folder', () => path.join('..', path.basename(dir), 'targets.csv'), 'targets.csv', 'analysis_targets'],
  ])('%s', (_name, out, input, key) => {
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    expectOutRefused(out(), input, key);
  });

  it('a symlink to the analysis file, and a path through a symlinked folder', () => {
    fs.rmSync(path.join(dir, 'link.csv'), { force: true });
    fs.symlinkSync(path.join(dir, 'analysis.csv'), path.join(dir, 'link.csv'));
    expectOutRefused('link.csv', 'analysis.csv', 'analysis');
    expect(fs.lstatSync(path.join(dir, 'link.csv')).isSymbolicLink()).toBe(true);
    fs.rmSync(path.join(dir, 'linked-dir'), { force: true });
    fs.symlinkSync(dir, path.join(dir, 'linked-dir'));
    expectOutRefused(path.join('linked-dir', 'reference.csv'), 'reference.csv', 'reference');
  });

  it('a hard link to the reference file', () => {
    fs.rmSync(path.join(dir, 'hard.csv'), { force: true });
    fs.linkSync(path.join(dir, 'reference.csv'), path.join(dir, 'hard.csv'));
    expectOutRefused('hard.csv', 'reference.csv', 'reference');
  });

  it('an output beside the inputs is still written', () => {
    const r = vigil(['run', config(cfgName), '--out', 'results-beside.json'], dir);
    expect(r.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'results-beside.json'), 'utf8')).results.length).toBeGreaterThan(0);
  });
});

describe('CBPE y_pred_proba outside [0, 1]', () => {
  it.each([
    ['above 1 in the reference', 'reference', 'synthetic_car_loan_reference.csv', 17, '1.25', '1.25'],
    ['below 0 in the analysis', 'analysis', 'synthetic_car_loan_analysis.csv', 1999, '-0.01', '-0.01'],
    ['inf in the analysis', 'analysis', 'synthetic_car_loan_analysis.csv', 3, 'inf', 'Infinity'],
    ['-Infinity in the reference', 'reference', 'synthetic_car_loan_reference.csv', 600, '-Infinity', '-Infinity'],
  ])('%s: exit 2 naming file, column, calculator and data row', (name, key, source, row, value, shown) => {
    const file = `proba-${name.replace(/\W+/g, '-')}.csv`;
    writeLines(file, setField(head(source), 'y_pred_proba', row, value));
    expectRefused(
      config(`proba-${name.replace(/\W+/g, '-')}.json`, { [key]: file }),
      `vigil: ${file}: column 'y_pred_proba' (CBPE 'estimated', calculators[1].params.y_pred_proba), data row ${row} (1-based, header not counted): ${shown} is not a probability in [0, 1]`,
    );
  });

  it('the first bad row is named in file order, not in timestamp order', () => {
    // the analysis is read in file order; rows 5 and 900 are both bad, row 900 has the earlier timestamp
    let lines = setField(head('synthetic_car_loan_analysis.csv'), 'y_pred_proba', 5, '7');
    lines = setField(lines, 'y_pred_proba', 900, '8');
    lines = setField(lines, 'timestamp', 900, '2000-01-01 00:00:00');
    writeLines('proba-order.csv', lines);
    expectRefused(config('proba-order.json', { analysis: 'proba-order.csv' }), 'data row 5 ', ': 7 is not a probability');
  });

  it('a multiclass class column, with the class named', () => {
    const mc = (f: string) => head(f, 3000);
    writeLines('mc-reference.csv', mc('mc_reference.csv'));
    writeLines('mc-analysis.csv', setField(mc('mc_analysis.csv'), 'y_pred_proba_highstreet_card', 2500, '1.2'));
    writeLines('mc-targets.csv', mc('mc_analysis_gt.csv'));
    const proba = Object.fromEntries(['prepaid_card', 'highstreet_card', 'upmarket_card'].map((c) => [c, `y_pred_proba_${c}`]));
    const cbpe = { class: 'CBPE', params: { ...COMMON, problem_type: 'classification_multiclass', y_pred_proba: proba, y_pred: 'y_pred', y_true: 'y_true', metrics: ['f1'] } };
    expectRefused(
      config('proba-mc.json', { reference: 'mc-reference.csv', analysis: 'mc-analysis.csv', analysis_targets: 'mc-targets.csv' }, [cbpe]),
      "mc-analysis.csv: column 'y_pred_proba_highstreet_card' (CBPE 'CBPE', calculators[0].params.y_pred_proba.highstreet_card), data row 2500",
      '1.2 is not a probability',
    );
  });

  it('missing scores keep NannyML treatment (dropped in the analysis): the run succeeds with the chunk estimated', () => {
    writeLines('proba-missing.csv', setField(setField(head('synthetic_car_loan_analysis.csv'), 'y_pred_proba', 3, ''), 'y_pred_proba', 4, 'NaN'));
    const outputs = [1, 2].map((threads) => {
      const r = run(config('proba-missing.json', { analysis: 'proba-missing.csv' }), threads);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const text = fs.readFileSync(r.out, 'utf8');
      fs.rmSync(r.out);
      return text;
    });
    expect(outputs[1]).toBe(outputs[0]);
    const rows = JSON.parse(outputs[0]).results as { id: string; period: string; chunk: { index: number }; value: number | null }[];
    const first = rows.filter((r) => r.id === 'estimated' && r.period === 'analysis' && r.chunk.index === 0);
    expect(first.length).toBe(2);
    for (const r of first) expect(r.value).toEqual(expect.any(Number));
  });

  it('is a CBPE check only: PerformanceCalculator alone still runs on the same file', () => {
    writeLines('proba-perf.csv', setField(head('synthetic_car_loan_analysis.csv'), 'y_pred_proba', 3, '1.5'));
    const r = run(config('proba-perf.json', { analysis: 'proba-perf.csv' }, [CALCULATORS[2]]), 1);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
