/**
 * Helpers for end-to-end tests of the compiled `vigil run` (bin/vigil.js → build/; `npm test` builds first).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'vigil.js');
export const DATA = path.join(ROOT, 'examples', 'data', 'nannyml');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'univariate');

export interface OutputRow {
  calculator: string;
  id: string;
  column: string | null;
  metric: string;
  period: 'reference' | 'analysis';
  chunk: { key: string; index: number; start_index: number; end_index: number; start_date: string | null; end_date: string | null };
  value: number | null;
  upper_threshold: number | null;
  lower_threshold: number | null;
  alert: boolean | null;
  sampling_error: number | null;
  upper_confidence_boundary: number | null;
  lower_confidence_boundary: number | null;
  realized: number | null;
  targets_missing_rate: number | null;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `env`: variables added to this process's environment (e.g. VIGIL_THREADS). */
export function vigil(args: string[], cwd = ROOT, env: Record<string, string> = {}): RunResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'vigil-run-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs a config through the CLI into a temp file and returns the rows (fails the test on a non-zero exit). */
export function runConfig(configPath: string): OutputRow[] {
  const dir = tempDir();
  try {
    const out = path.join(dir, 'results.json');
    const r = vigil(['run', configPath, '--out', out]);
    if (r.status !== 0) throw new Error(`vigil run ${configPath} exited ${r.status}: ${r.stderr}`);
    return JSON.parse(fs.readFileSync(out, 'utf8')).results;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const seriesKey = (r: Pick<OutputRow, 'id' | 'column' | 'metric' | 'period' | 'chunk'>) =>
  `${r.id} | ${r.column ?? '-'} | ${r.metric} | ${r.period} | ${r.chunk.key}`;

/** Relative agreement with an absolute floor for values near zero. */
export function close(actual: number | null, expected: number | null, rel = 1e-9, abs = 1e-12): boolean {
  if (expected === null || actual === null) return actual === expected;
  return Math.abs(actual - expected) <= Math.max(abs, rel * Math.abs(expected));
}

const NUMERIC_FIELDS = ['value', 'upper_threshold', 'lower_threshold', 'sampling_error', 'upper_confidence_boundary', 'lower_confidence_boundary'] as const;

/** Every mismatch between `vigil run` rows and expected rows, as readable lines (empty = equal). */
export function differences(actual: OutputRow[], expected: OutputRow[], rel = 1e-9): string[] {
  const out: string[] = [];
  if (actual.length !== expected.length) out.push(`row count ${actual.length}, expected ${expected.length}`);
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n && out.length < 20; i++) {
    const a = actual[i];
    const e = expected[i];
    const where = `row ${i} (${seriesKey(e)})`;
    if (seriesKey(a) !== seriesKey(e)) {
      out.push(`${where}: got ${seriesKey(a)}`);
      continue;
    }
    if (a.calculator !== e.calculator) out.push(`${where}: calculator ${a.calculator}`);
    for (const k of ['index', 'start_index', 'end_index', 'start_date', 'end_date'] as const) {
      if (a.chunk[k] !== e.chunk[k]) out.push(`${where}: chunk.${k} ${a.chunk[k]}, expected ${e.chunk[k]}`);
    }
    for (const k of NUMERIC_FIELDS) {
      if (!close(a[k], e[k], rel)) out.push(`${where}: ${k} ${a[k]}, expected ${e[k]}`);
    }
    if (a.alert !== e.alert) out.push(`${where}: alert ${a.alert}, expected ${e.alert}`);
    if (a.realized !== null || a.targets_missing_rate !== null) out.push(`${where}: realized/targets_missing_rate should be null`);
  }
  return out;
}
