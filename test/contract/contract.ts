/**
 * The `vigil run` contract (shared/specs/run-contract.md) as an independent checker: what every output row
 * must hold, whatever the calculator. Expected chunks are rebuilt here from the CSV files with NannyML's
 * chunker rules (nannyml/chunk.py: SizeBasedChunker, CountBasedChunker, DefaultChunker, PeriodBasedChunker
 * with pandas Period keys), written without the engine's code, so a disagreement is a finding.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { OutputRow } from '../run/helpers';
import { ensureBackendBuilt } from '../server/helpers';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'vigil.js');
export const DATA = path.join(ROOT, 'examples', 'data', 'nannyml');
export const CONTRACT_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'contract');

// ---------------------------------------------------------------------------------------------------
// Running the CLI

export interface RunOutcome {
  status: number | null;
  stdout: string;
  stderr: string;
  /** the text written to --out (null when the file does not exist) */
  outText: string | null;
  /** files left in the output folder besides the config and data (temporary files count) */
  leftovers: string[];
}

let built = false;
export function vigil(args: string[], cwd = ROOT) {
  if (!built) {
    ensureBackendBuilt();
    built = true;
  }
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
}

/** Runs many `vigil run` invocations, a few at a time (the machine is shared), each with its own --out. */
export async function runMany(jobs: { config: string; cwd?: string }[], concurrency = 3): Promise<RunOutcome[]> {
  if (!built) {
    ensureBackendBuilt();
    built = true;
  }
  const results: RunOutcome[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      const outDir = tempDir('vigil-contract-out-');
      const out = path.join(outDir, 'results.json');
      const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'run', jobs[i].config, '--out', out], { cwd: jobs[i].cwd ?? ROOT });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
      const outText = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : null;
      const leftovers = fs.readdirSync(outDir).filter((f) => f !== 'results.json');
      fs.rmSync(outDir, { recursive: true, force: true });
      results[i] = { ...r, outText, leftovers };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

export function tempDir(prefix = 'vigil-contract-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes a config (object → YAML or JSON by extension; string as is) into `dir`. */
export function writeConfig(dir: string, name: string, config: unknown): string {
  const file = path.join(dir, name);
  const text = typeof config === 'string' ? config : name.endsWith('.json') ? JSON.stringify(config, null, 1) : YAML.stringify(config);
  fs.writeFileSync(file, text);
  return file;
}

/** Runs `vigil run CONFIG --out OUT` with OUT in a fresh folder of its own; reports what was written there. */
export function runToFile(configFile: string, cwd = ROOT): RunOutcome {
  const outDir = tempDir('vigil-contract-out-');
  try {
    const out = path.join(outDir, 'results.json');
    const r = vigil(['run', configFile, '--out', out], cwd);
    const outText = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : null;
    const leftovers = fs.readdirSync(outDir).filter((f) => f !== 'results.json');
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, outText, leftovers };
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// Output rows

/** The run-contract row, as the e2e tests of test/run spell it. */
export type Row = OutputRow;

export const ROW_FIELDS = [
  'calculator', 'id', 'column', 'metric', 'period', 'chunk', 'value', 'upper_threshold', 'lower_threshold', 'alert',
  'sampling_error', 'upper_confidence_boundary', 'lower_confidence_boundary', 'realized', 'targets_missing_rate',
] as const;
export const CHUNK_FIELDS = ['key', 'index', 'start_index', 'end_index', 'start_date', 'end_date'] as const;
const NUMBER_FIELDS = [
  'value', 'upper_threshold', 'lower_threshold', 'sampling_error', 'upper_confidence_boundary', 'lower_confidence_boundary',
  'realized', 'targets_missing_rate',
] as const;

/** ISO 8601 UTC with milliseconds, ending in Z. */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Parses the output text as the contract requires: plain JSON (JSON.parse accepts no NaN/Infinity, and we
 * also look for them spelled as bare words, which some writers emit), `{"results": [...]}`.
 */
export function parseOutput(text: string): { rows: Row[]; problems: string[]; doc: Record<string, unknown> } {
  const problems: string[] = [];
  if (/(?<!")\b(NaN|-?Infinity)\b(?!")/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) problems.push('bare NaN/Infinity in the JSON text');
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { rows: [], problems: [...problems, `not JSON: ${(e as Error).message}`], doc: {} };
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.results)) return { rows: [], problems: [...problems, 'no results array'], doc: {} };
  return { rows: doc.results as Row[], problems, doc };
}

/** Shape of every row: all fields present, right types, nothing extra. */
export function shapeProblems(rows: Row[]): string[] {
  const out: string[] = [];
  const push = (i: number, m: string) => {
    if (out.length < 30) out.push(`row ${i}: ${m}`);
  };
  rows.forEach((r, i) => {
    for (const f of ROW_FIELDS) if (!(f in r)) push(i, `field ${f} missing`);
    for (const f of Object.keys(r)) if (!(ROW_FIELDS as readonly string[]).includes(f)) push(i, `unexpected field ${f}`);
    if (typeof r.calculator !== 'string' || typeof r.id !== 'string' || r.id === '') push(i, 'calculator/id must be strings');
    if (r.column !== null && typeof r.column !== 'string') push(i, `column ${JSON.stringify(r.column)}`);
    if (typeof r.metric !== 'string' || r.metric === '') push(i, `metric ${JSON.stringify(r.metric)}`);
    if (r.period !== 'reference' && r.period !== 'analysis') push(i, `period ${JSON.stringify(r.period)}`);
    for (const f of NUMBER_FIELDS) {
      const v = r[f];
      if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) push(i, `${f} = ${JSON.stringify(v)}`);
    }
    if (r.alert !== null && typeof r.alert !== 'boolean') push(i, `alert = ${JSON.stringify(r.alert)}`);
    const c = r.chunk;
    if (typeof c !== 'object' || c === null) {
      push(i, 'chunk is not an object');
      return;
    }
    for (const f of CHUNK_FIELDS) if (!(f in c)) push(i, `chunk.${f} missing`);
    for (const f of Object.keys(c)) if (!(CHUNK_FIELDS as readonly string[]).includes(f)) push(i, `unexpected chunk.${f}`);
    if (typeof c.key !== 'string') push(i, 'chunk.key must be a string');
    for (const f of ['index', 'start_index', 'end_index'] as const) if (!Number.isInteger(c[f]) || c[f] < 0) push(i, `chunk.${f} = ${c[f]}`);
    for (const f of ['start_date', 'end_date'] as const) {
      if (c[f] !== null && (typeof c[f] !== 'string' || !ISO_MS.test(c[f]!))) push(i, `chunk.${f} = ${JSON.stringify(c[f])}`);
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Expected chunks (NannyML's chunkers, rebuilt from the data files)

/** One CSV record per line is not safe (quoted fields); this reads fields with quotes. */
export function readCsvColumns(file: string): { header: string[]; rows: string[][] } {
  const text = fs.readFileSync(file, 'utf8');
  const records: string[][] = [];
  let field = '';
  let rec: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      rec.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      rec.push(field);
      field = '';
      if (!(rec.length === 1 && rec[0] === '')) records.push(rec);
      rec = [];
    } else field += ch;
  }
  if (field !== '' || rec.length > 0) {
    rec.push(field);
    records.push(rec);
  }
  return { header: records[0], rows: records.slice(1) };
}

export interface DataFile {
  n: number;
  /** epoch ms per row, file order (only when a timestamp column was asked for) */
  timestamps: Map<string, number[]>;
}

const fileCache = new Map<string, { header: string[]; rows: string[][] }>();
function csv(file: string) {
  let c = fileCache.get(file);
  if (!c) fileCache.set(file, (c = readCsvColumns(file)));
  return c;
}

export function rowCount(file: string): number {
  return csv(file).rows.length;
}

/** Timestamps `YYYY-MM-DD HH:MM:SS[.fff]` read as UTC, as epoch ms (fractional digits beyond ms dropped). */
export function parseTs(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?$/.exec(s.trim());
  if (!m) throw new Error(`test data: unparsable timestamp ${s}`);
  const ms = m[7] ? Number((m[7] + '000').slice(0, 3)) : 0;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), ms);
}

export function timestampsOf(file: string, column: string): number[] {
  const { header, rows } = csv(file);
  const j = header.indexOf(column);
  if (j < 0) throw new Error(`test data: ${file} has no column ${column}`);
  return rows.map((r) => parseTs(r[j]));
}

export interface ExpectedChunk {
  key: string;
  index: number;
  start_index: number;
  end_index: number;
  start_date: string | null;
  end_date: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** SizeBasedChunker(chunk_size, incomplete) on n rows sorted by time (nannyml/chunk.py). */
function sizeChunks(n: number, size: number, incomplete: string, ts: number[] | null): ExpectedChunk[] {
  const ranges: [number, number][] = [];
  for (let i = 0; i < n; i += size) if (i + size - 1 < n) ranges.push([i, i + size - 1]);
  if (n % size !== 0) {
    const tail: [number, number] = [size * Math.floor(n / size), n - 1];
    if (incomplete === 'keep') ranges.push(tail);
    else if (incomplete === 'append') ranges[ranges.length - 1] = [ranges[ranges.length - 1][0], tail[1]];
  }
  return ranges.map(([s, e], index) => {
    let lo = Infinity;
    let hi = -Infinity;
    if (ts) for (let i = s; i <= e; i++) (lo = Math.min(lo, ts[i])), (hi = Math.max(hi, ts[i]));
    return { key: `[${s}:${e}]`, index, start_index: s, end_index: e, start_date: ts ? iso(lo) : null, end_date: ts ? iso(hi) : null };
  });
}

const p2 = (v: number) => String(v).padStart(2, '0');

/** pandas Period of a timestamp: its string, start, and the next period's start (epoch ms). */
export function pandasPeriod(ms: number, alias: string): { key: string; start: number; next: number } {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const mo = d.getUTCMonth();
  const day = d.getUTCDate();
  const ymd = (t: number) => {
    const x = new Date(t);
    return `${x.getUTCFullYear()}-${p2(x.getUTCMonth() + 1)}-${p2(x.getUTCDate())}`;
  };
  switch (alias) {
    case 'Y':
    case 'A':
      return { key: `${y}`, start: Date.UTC(y, 0, 1), next: Date.UTC(y + 1, 0, 1) };
    case 'Q': {
      const q = Math.floor(mo / 3);
      return { key: `${y}Q${q + 1}`, start: Date.UTC(y, 3 * q, 1), next: Date.UTC(y, 3 * q + 3, 1) };
    }
    case 'M':
      return { key: `${y}-${p2(mo + 1)}`, start: Date.UTC(y, mo, 1), next: Date.UTC(y, mo + 1, 1) };
    case 'W': {
      // W = W-SUN: the period ends on a Sunday, so it starts on the Monday before.
      const back = (d.getUTCDay() + 6) % 7;
      const start = Date.UTC(y, mo, day - back);
      return { key: `${ymd(start)}/${ymd(start + 6 * 864e5)}`, start, next: start + 7 * 864e5 };
    }
    case 'D': {
      const start = Date.UTC(y, mo, day);
      return { key: ymd(start), start, next: start + 864e5 };
    }
    case 'h':
    case 'H': {
      const start = Date.UTC(y, mo, day, d.getUTCHours());
      return { key: `${ymd(start)} ${p2(d.getUTCHours())}:00`, start, next: start + 36e5 };
    }
    default:
      throw new Error(`test: no expectation for period alias ${alias}`);
  }
}

/** PeriodBasedChunker: groups in period order, period start/end as dates (end = next start − 1 ns → .999 Z). */
function periodChunks(ts: number[], alias: string): ExpectedChunk[] {
  const groups = new Map<number, { key: string; start: number; next: number; lo: number; hi: number }>();
  ts.forEach((t, i) => {
    const p = pandasPeriod(t, alias);
    const g = groups.get(p.start);
    if (g) (g.lo = Math.min(g.lo, i)), (g.hi = Math.max(g.hi, i));
    else groups.set(p.start, { ...p, lo: i, hi: i });
  });
  return [...groups.values()]
    .sort((a, b) => a.start - b.start)
    .map((g, index) => ({ key: g.key, index, start_index: g.lo, end_index: g.hi, start_date: iso(g.start), end_date: iso(g.next - 1) }));
}

/** The chunks NannyML makes of a file for a calculator's params (chunk_size > chunk_number > chunk_period > default). */
const chunkCache = new Map<string, ExpectedChunk[]>();
export function expectedChunks(file: string, params: Record<string, unknown>): ExpectedChunk[] {
  const keys = ['timestamp_column_name', 'chunk_size', 'chunk_number', 'chunk_period', 'incomplete'];
  const cacheKey = JSON.stringify([file, ...keys.map((k) => params[k] ?? null)]);
  let chunks = chunkCache.get(cacheKey);
  if (!chunks) chunkCache.set(cacheKey, (chunks = nannymlChunks(file, params)));
  return chunks;
}

function nannymlChunks(file: string, params: Record<string, unknown>): ExpectedChunk[] {
  const tsCol = (params.timestamp_column_name as string | undefined) ?? null;
  let ts = tsCol ? timestampsOf(file, tsCol) : null;
  // sorted by time first (stable); the shipped files are already in time order
  if (ts) ts = [...ts].sort((a, b) => a - b);
  const n = rowCount(file);
  const incomplete = (params.incomplete as string | undefined) ?? 'keep';
  if (params.chunk_size) return sizeChunks(n, params.chunk_size as number, incomplete, ts);
  if (params.chunk_number) return sizeChunks(n, Math.floor(n / (params.chunk_number as number)), incomplete, ts);
  if (params.chunk_period) return periodChunks(ts!, params.chunk_period as string);
  return sizeChunks(n, Math.floor(n / 10), 'keep', ts);
}

// ---------------------------------------------------------------------------------------------------
// Per-calculator rules from the contract and the algorithm spec

export type AlertRule = 'strict' | 'open' | 'chi2';

/** The alert rule a row follows (spec §0.1): strict, open interval, or chi2's own p-value rule. */
export function alertRuleOf(cls: string, metric: string): AlertRule {
  if (cls === 'UnivariateDriftCalculator' && metric === 'chi2') return 'chi2';
  if (cls.startsWith('SummaryStats') || cls === 'DataReconstructionDriftCalculator') return 'open';
  return 'strict';
}

export function expectedAlert(rule: AlertRule, r: Row): boolean | null {
  const lo = r.lower_threshold;
  const hi = r.upper_threshold;
  if (rule === 'strict') return r.value === null ? false : (lo !== null && r.value < lo) || (hi !== null && r.value > hi);
  if (rule === 'open') {
    if (r.value === null) return true;
    return !((lo === null || lo < r.value) && (hi === null || r.value < hi));
  }
  return null;
}

export interface CalculatorExpectation {
  id: string;
  className: string;
  params: Record<string, unknown>;
  /** expected (column, metric) series, any order */
  series: [string | null, string][];
  /** CBPE/DLE: realized known on the analysis chunks (analysis targets joined) */
  analysisTargets?: boolean;
}

export interface RunExpectation {
  reference: string;
  analysis: string;
  calculators: CalculatorExpectation[];
}

const seriesKey = (column: string | null, metric: string) => `${column ?? '∅'} / ${metric}`;

/** Every contract violation of a run's rows (empty = conforms). */
export function contractProblems(rows: Row[], exp: RunExpectation): string[] {
  const out = shapeProblems(rows);
  if (out.length > 0) return out;
  const say = (m: string) => {
    if (out.length < 40) out.push(m);
  };
  const ids = new Set(exp.calculators.map((c) => c.id));
  for (const r of rows) if (!ids.has(r.id)) say(`row of unexpected id ${r.id}`);

  // One row per (id, column, metric, period, chunk); a series' rows are contiguous: reference chunks, then analysis.
  const seen = new Set<string>();
  let lastSeries = '';
  const closed = new Set<string>();
  for (const r of rows) {
    const s = `${r.id} | ${seriesKey(r.column, r.metric)}`;
    const k = `${s} | ${r.period} | ${r.chunk.key}`;
    if (seen.has(k)) say(`duplicate row ${k}`);
    seen.add(k);
    if (s !== lastSeries) {
      if (closed.has(s)) say(`series ${s} is not contiguous`);
      if (lastSeries) closed.add(lastSeries);
      lastSeries = s;
    }
  }

  for (const c of exp.calculators) {
    const mine = rows.filter((r) => r.id === c.id);
    if (mine.length === 0) {
      say(`${c.id}: no rows`);
      continue;
    }
    for (const r of mine) if (r.calculator !== c.className) say(`${c.id}: calculator ${r.calculator}, expected ${c.className}`);
    const bySeries = new Map<string, Row[]>();
    for (const r of mine) {
      const k = seriesKey(r.column, r.metric);
      if (!bySeries.has(k)) bySeries.set(k, []);
      bySeries.get(k)!.push(r);
    }
    const want = new Set(c.series.map(([col, m]) => seriesKey(col, m)));
    const got = new Set(bySeries.keys());
    for (const k of want) if (!got.has(k)) say(`${c.id}: series ${k} missing`);
    for (const k of got) if (!want.has(k)) say(`${c.id}: unexpected series ${k}`);

    const refChunks = expectedChunks(exp.reference, c.params);
    const anaChunks = expectedChunks(exp.analysis, c.params);
    const wantChunks = [...refChunks.map((x) => ({ period: 'reference', ...x })), ...anaChunks.map((x) => ({ period: 'analysis', ...x }))];
    for (const [k, list] of bySeries) {
      const where = `${c.id} ${k}`;
      const gotChunks = list.map((r) => ({ period: r.period, ...r.chunk }));
      if (gotChunks.length !== wantChunks.length) say(`${where}: ${gotChunks.length} rows, expected ${wantChunks.length} (${refChunks.length} reference + ${anaChunks.length} analysis)`);
      for (let i = 0; i < Math.min(gotChunks.length, wantChunks.length); i++) {
        const g = gotChunks[i];
        const w = wantChunks[i];
        if (JSON.stringify(g) !== JSON.stringify(w)) {
          say(`${where}: row ${i} chunk ${JSON.stringify(g)}, expected ${JSON.stringify(w)}`);
          break;
        }
      }
      // Thresholds are one pair per series, the same on every row.
      const t = JSON.stringify([list[0].lower_threshold, list[0].upper_threshold]);
      if (list.some((r) => JSON.stringify([r.lower_threshold, r.upper_threshold]) !== t)) say(`${where}: thresholds differ between rows`);
      for (const r of list) {
        const at = `${where} ${r.period} ${r.chunk.key}`;
        const rule = alertRuleOf(c.className, r.metric);
        const a = expectedAlert(rule, r);
        if (rule === 'chi2') {
          if (typeof r.alert !== 'boolean') say(`${at}: chi2 alert ${r.alert}, expected a boolean (p < 0.05)`);
          if (r.upper_threshold !== null || r.lower_threshold !== null) say(`${at}: chi2 thresholds must be null`);
        } else if (r.alert !== a) say(`${at}: alert ${r.alert}, expected ${a} (${rule} rule, value ${r.value}, thresholds [${r.lower_threshold}, ${r.upper_threshold}])`);
        // Confidence band: present exactly when the sampling error and value are, and around the value.
        if (c.className === 'PerformanceCalculator') {
          // NannyML's realized-performance rows carry a sampling error but no confidence band (spec §6).
          if (r.upper_confidence_boundary !== null || r.lower_confidence_boundary !== null) say(`${at}: PerformanceCalculator has no confidence band`);
        } else if (r.sampling_error === null || r.value === null) {
          if (r.upper_confidence_boundary !== null || r.lower_confidence_boundary !== null) say(`${at}: band without a sampling error or value`);
        } else {
          const u = r.upper_confidence_boundary;
          const l = r.lower_confidence_boundary;
          const eps = 1e-9 * Math.max(1, Math.abs(r.value));
          if (u === null || l === null) say(`${at}: sampling error ${r.sampling_error} but no band`);
          else if (!(l <= r.value + eps && r.value <= u + eps && u - r.value <= 3 * r.sampling_error + eps && r.value - l <= 3 * r.sampling_error + eps)) {
            say(`${at}: band [${l}, ${u}] is not value ${r.value} ± 3·${r.sampling_error} (clipped)`);
          }
        }
        // realized / targets_missing_rate only where the contract says.
        const estimator = c.className === 'CBPE' || c.className === 'DLE';
        if (c.className === 'PerformanceCalculator') {
          if (r.realized !== null) say(`${at}: PerformanceCalculator realized must be null`);
          if (r.targets_missing_rate === null || r.targets_missing_rate < 0 || r.targets_missing_rate > 1) say(`${at}: targets_missing_rate ${r.targets_missing_rate}`);
        } else {
          if (r.targets_missing_rate !== null) say(`${at}: targets_missing_rate must be null for ${c.className}`);
          if (!estimator && r.realized !== null) say(`${at}: realized must be null for ${c.className}`);
          if (estimator && r.period === 'analysis' && !c.analysisTargets && r.realized !== null) say(`${at}: realized without analysis targets`);
        }
        if (c.className === 'UnivariateDriftCalculator' && r.sampling_error !== null) say(`${at}: univariate drift has no sampling error`);
      }
    }
  }
  return out;
}

/** Rows of one series, in output order. */
export function series(rows: Row[], id: string, column: string | null, metric: string): Row[] {
  return rows.filter((r) => r.id === id && r.column === column && r.metric === metric);
}

/** mean ± k·std₀ of the non-null values (NannyML's StandardDeviationThreshold on reference chunk values). */
export function stdBounds(values: (number | null)[], lowerMult: number | null = 3, upperMult: number | null = 3): [number | null, number | null] {
  const v = values.filter((x): x is number => x !== null);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return [lowerMult === null ? null : mean - lowerMult * std, upperMult === null ? null : mean + upperMult * std];
}

/** NannyML's calculate_threshold_values clipping (inclusive) to (lowerLimit, upperLimit). */
export function clipBounds(
  [lo, hi]: [number | null, number | null],
  limits: [number | null, number | null],
  overrideUsingNone = false,
): [number | null, number | null] {
  if (lo !== null && limits[0] !== null && lo <= limits[0]) lo = overrideUsingNone ? null : limits[0];
  if (hi !== null && limits[1] !== null && hi >= limits[1]) hi = overrideUsingNone ? null : limits[1];
  return [lo, hi];
}

export function closeTo(a: number | null, b: number | null, rel = 1e-9): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(a - b) <= Math.max(1e-12, rel * Math.abs(b));
}
