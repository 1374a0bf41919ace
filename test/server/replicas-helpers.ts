/**
 * What the replica tests share: the car-loan files, polling, the served results without the server's
 * own calculators, and the same results computed by `vigil run` (as test/server/carloan.test.ts
 * compares them for the single SQLite server).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { call, ROOT, Vigil } from './helpers';

const DATA = path.join(ROOT, 'examples', 'data', 'nannyml');
export const CAR_LOAN_FILES = {
  reference: path.join(DATA, 'synthetic_car_loan_reference.csv'),
  analysis: path.join(DATA, 'synthetic_car_loan_analysis.csv'),
  targets: path.join(DATA, 'synthetic_car_loan_analysis_target.csv'),
};
/** The server's own calculators (they read what ingestion flags); `vigil run` has none. */
export const SERVER_CALCULATORS = ['TypeInconsistencyCalculator', 'InvalidValuesCalculator'];

/** A CSV file as its header and data lines. */
export function csvLines(file: string): { header: string; lines: string[] } {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  return { header, lines };
}

export async function until<T>(what: string, f: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, pollMs = 100): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The model's stored results as the replica serves them, without the server's own calculators (`partial` last, as carLoanRunResults puts it). */
export async function servedResults(v: Vigil, model = 'carloan'): Promise<any[]> {
  return (await call(v.url, 'GET', `/api/models/${model}/results`)).body.results
    .filter((r: any) => !SERVER_CALCULATORS.includes(r.calculator))
    .map(({ partial, ...r }: any) => ({ ...r, partial }));
}

/** `vigil run` on the car-loan files with the calculators the server resolved (GET /api/models/{name}). */
export function carLoanRunResults(dir: string, served: { calculators: any[] }): any[] {
  const calculators = served.calculators.filter((c: any) => !SERVER_CALCULATORS.includes(c.class)).map((c: any) => ({ class: c.class, id: c.id, params: c.params }));
  const f = CAR_LOAN_FILES;
  const config = path.join(dir, 'carloan.json');
  fs.writeFileSync(config, JSON.stringify({ reference: f.reference, analysis: f.analysis, analysis_targets: f.targets, calculators }));
  const out = path.join(dir, 'run.json');
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'vigil.js'), 'run', config, '--out', out], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0 || run.stderr !== '') throw new Error(`vigil run failed (${run.status}): ${run.stderr}`);
  // The server adds `partial` (every chunk of the file is complete).
  return JSON.parse(fs.readFileSync(out, 'utf8')).results.map((r: any) => ({ ...r, partial: false }));
}

/** Equal row for row; the first differing row is named. */
export function expectSameRows(served: any[], expected: any[]): void {
  expect(served.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (JSON.stringify(served[i]) !== JSON.stringify(expected[i])) expect({ row: i, served: served[i] }).toEqual({ row: i, served: expected[i] });
  }
}
