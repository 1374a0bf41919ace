/**
 * The differential run against NannyML, shared by the jest test (test/peers/nannyml.test.ts, 30 seeds)
 * and the command line for more seeds:
 *
 *     npm run build:backend && node -r ./bench/register.js test/peers/differential.ts --seeds 200 [--first 1000]
 *
 * (bench/register.js runs the compiled backend in build/; VIGIL_BENCH_SOURCE=1 runs the TypeScript.)
 *
 * Generates the sets, runs NannyML once for all of them (bench/peers/nannyml_driver.py), then `vigil run`
 * in process per set, and compares (./compare.ts) with the documented gaps and NannyML bugs (./known.ts).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { peersPython } from '../../bench/peers/env';
import { executeRun, toOutputRow } from '../../backend/cli/run';
import { needsCalibration } from '../../backend/engine/performance/calibration';
import { OutputRow, tempDir } from '../run/helpers';
import { Comparison, compareRows, describe as describeDiffs, RowQuirk } from './compare';
import { generateCase, PeerCase } from './generator';
import { expectedNannymlError, nannymlRowQuirk } from './known';

const DRIVER = path.join(__dirname, '..', '..', 'bench', 'peers', 'nannyml_driver.py');

export interface NannymlOutput {
  results: OutputRow[];
  errors: Record<string, string>;
  /** needs_calibration's decision per class of each CBPE (sorted classes; binary: one) */
  calibrated: Record<string, boolean[]>;
}

/** Writes the sets of `seeds` into a new temp folder and runs NannyML on all of them in one process. */
export function prepare(seeds: number[]): { dir: string; cases: PeerCase[] } {
  const python = peersPython();
  const dir = tempDir('vigil-peers-');
  const cases = seeds.map((s) => generateCase(s, dir));
  // LightGBM on one thread: the machine's cores are shared with jest's workers
  execFileSync(python, [DRIVER, ...cases.map((c) => c.config), '--out-dir', dir], {
    env: { ...process.env, OMP_NUM_THREADS: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
    timeout: 60 * 60_000,
  });
  return { dir, cases };
}

/**
 * Vigil's needs_calibration decisions on a set's reference (in file order, which is time order here:
 * the generator never shuffles a reference file).
 */
function vigilCalibration(c: PeerCase): boolean[] {
  const [head, ...lines] = fs.readFileSync(c.config.replace(/\.json$/, '.reference.csv'), 'utf8').trim().split('\n');
  const names = head.split(',');
  const rows = lines.map((l) => l.split(','));
  const column = (name: string) => rows.map((r) => r[names.indexOf(name)]);
  const truth = column('y_true');
  const classes = c.problem === 'classification_binary' ? [['1', 'y_pred_proba']] : ['a', 'b', 'c'].map((k) => [k, `p_${k}`]);
  return classes.map(([label, score]) => needsCalibration(Float64Array.from(truth, (y) => (y === label ? 1 : 0)), Float64Array.from(column(score), Number)));
}

export interface CaseResult {
  comparison: Comparison;
  /** NannyML errors that are not the documented ones */
  unexpectedErrors: [string, string][];
  /** CBPE ids whose calibration decision differs from NannyML's */
  flipped: string[];
  cbpe: number;
  /** readable differences (empty = agreement) */
  lines: string[];
  rows: OutputRow[];
}

export function checkCase(c: PeerCase, dir: string): CaseResult {
  const nannyml: NannymlOutput = JSON.parse(fs.readFileSync(path.join(dir, `${c.name}.nannyml.json`), 'utf8'));
  const vigil = executeRun(c.config, () => {}).map(toOutputRow) as OutputRow[];
  const unexpectedErrors = Object.entries(nannyml.errors).filter(([id, message]) => !expectedNannymlError(c, id, message));
  // needs_calibration sorts the isotonic-calibrated held-out scores (steps: many ties) with numpy's
  // unstable argsort; an ECE bin edge that cuts a tie group makes the decision depend on that order.
  // Where the decisions differ, CBPE's estimates (value, bands, alert) are not comparable; its
  // thresholds and sampling errors do not depend on calibration and stay compared.
  const mine = vigilCalibration;
  const flipped = Object.entries(nannyml.calibrated ?? {})
    .filter(([, theirs]) => JSON.stringify(theirs) !== JSON.stringify(mine(c)))
    .map(([id]) => id);
  const quirk: RowQuirk = (v, n) =>
    flipped.includes(v.id)
      ? { fields: ['value', 'upper_confidence_boundary', 'lower_confidence_boundary', 'alert'], why: 'CBPE estimate after another calibration decision (ECE tie order)' }
      : nannymlRowQuirk(v, n);
  const compared = vigil.filter((r) => !(r.id in nannyml.errors));
  const comparison = compareRows(compared, nannyml.results, { multiclass: c.problem === 'classification_multiclass', referenceRows: c.referenceRows }, quirk);
  return { comparison, unexpectedErrors, flipped, cbpe: Object.keys(nannyml.calibrated ?? {}).length, lines: describeDiffs(comparison.differences), rows: compared };
}

function main(argv: string[]): number {
  let seeds = 30;
  let first = 0;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--seeds') seeds = Number(argv[++i]);
    else if (argv[i] === '--first') first = Number(argv[++i]);
    else throw new Error(`unknown option '${argv[i]}' (options: --seeds N, --first S)`);
  }
  const t0 = Date.now();
  const { dir, cases } = prepare(Array.from({ length: seeds }, (_, i) => first + i));
  process.stderr.write(`NannyML on ${cases.length} sets: ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  let failed = 0;
  let flips = 0;
  let cbpe = 0;
  for (const c of cases) {
    const r = checkCase(c, dir);
    flips += r.flipped.length;
    cbpe += r.cbpe;
    const bad = r.lines.length > 0 || r.unexpectedErrors.length > 0;
    if (bad) failed++;
    process.stdout.write(`${c.name} ${c.problem} ${c.chunking}: ${r.comparison.rows} rows, ${bad ? 'DIFFERENT' : 'agree'}${r.flipped.length ? ' (calibration decision differs)' : ''}\n`);
    for (const l of [...r.unexpectedErrors.map(([id, m]) => `NannyML error in ${id}: ${m.slice(0, 300)}`), ...r.lines]) process.stdout.write(`    ${l}\n`);
  }
  process.stdout.write(`${cases.length - failed} of ${cases.length} sets agree; calibration decisions differ on ${flips} of ${cbpe} CBPE fits\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  return failed ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
