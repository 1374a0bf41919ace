/**
 * Frame-level I/O helpers shared by the CLI and the server: reading a CSV file, left-joining targets.
 */
import * as fs from 'fs';
import { Column, Frame, makeFrame, MISSING_CODE } from '../engine/frame';
import { CsvError, parseCsvBytes } from './csv';
import { assertProbabilities, ProbabilityColumn } from './probabilities';
import { findInvalidUtf8 } from './utf8';

export interface AnalysisFiles {
  analysis: string;
  targets: string | null;
  joinOn: string | null;
  labels: { analysis: string; analysis_targets: string };
  /** ReadCsvOptions.timestampColumns for the analysis file */
  timestampColumns?: ReadonlySet<string>;
  /** columns that must hold probabilities (io/probabilities.ts), checked in the file that has them */
  probabilityColumns?: readonly ProbabilityColumn[];
}

export interface AnalysisData {
  frame: Frame;
  /** the targets join (null without a targets file) */
  join: { unmatched: number; on: string } | null;
}

/**
 * The analysis file with its targets joined: errors in reading order (analysis, targets, join). A
 * timestamp column read as epoch ms that the targets file also has could be the join key, which must
 * match as text: the analysis is then read again without timestamp columns.
 */
export function readAnalysis(files: AnalysisFiles): AnalysisData {
  let frame = readCsvFile(files.analysis, files.labels.analysis, files.timestampColumns);
  assertProbabilities(frame, files.probabilityColumns, files.labels.analysis);
  if (files.targets === null) return { frame, join: null };
  const targets = readCsvFile(files.targets, files.labels.analysis_targets);
  // The join keeps the analysis's own column where both files have one.
  assertProbabilities(targets, files.probabilityColumns?.filter((p) => !frame.columns.has(p.column)), files.labels.analysis_targets);
  const readAsTimestamp = (name: string) => {
    const c = frame.columns.get(name);
    return c?.kind === 'numeric' && c.epochMs === true;
  };
  if (targets.names.some(readAsTimestamp)) {
    frame = readCsvFile(files.analysis, files.labels.analysis);
  }
  const joined = joinAnalysisTargets(frame, targets, files.joinOn);
  return { frame: joined.frame, join: { unmatched: joined.unmatched, on: joined.on } };
}

export function readCsvFile(path: string, label = path, timestampColumns?: ReadonlySet<string>): Frame {
  let bytes: Buffer;
  try {
    // Bytes, not text: the reader scans UTF-8 itself and decodes only distinct text values.
    bytes = fs.readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CsvError(`${label}: ${code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, not a file' : (e as Error).message}`);
  }
  assertUtf8(bytes, label);
  return parseCsvBytes(bytes, { source: label, timestampColumns });
}

/**
 * Refuses a file that is not UTF-8, as pandas does (UnicodeDecodeError), instead of reading the bytes as
 * U+FFFD, which made them a category of their own. A leading BOM is valid UTF-8 and stays accepted.
 */
export function assertUtf8(bytes: Uint8Array, label: string): void {
  const fault = findInvalidUtf8(bytes);
  if (!fault) return;
  const hex = fault.byte.toString(16).padStart(2, '0');
  throw new CsvError(
    `${label}: line ${fault.line}, column ${fault.column} (characters counted from 1; byte ${fault.byteColumn} of the line): ` +
      `invalid UTF-8 byte 0x${hex}, which pandas refuses too; save the file as UTF-8`,
  );
}

/** Text key of a join value: numbers and their text spellings must meet (`5` in one file, `5.0` in the other). */
function keyAt(c: Column, i: number): string | null {
  if (c.kind === 'numeric') return Number.isNaN(c.values[i]) ? null : String(c.values[i]);
  const code = c.codes[i];
  if (code === MISSING_CODE) return null;
  const s = c.levels[code];
  const asNum = Number(s);
  return s.trim() !== '' && Number.isFinite(asNum) ? String(asNum) : s;
}

export interface JoinResult {
  frame: Frame;
  /** target rows whose key is not in the analysis */
  unmatched: number;
}

export class JoinError extends Error {
  constructor(
    message: string,
    /** the file at fault: the targets unless the analysis lacks the join column */
    readonly dataset: 'analysis' | 'analysis_targets' = 'analysis_targets',
  ) {
    super(message);
    this.name = 'JoinError';
  }
}

/** Picks the join column: the one column both frames share besides the target columns (run contract). */
export function defaultJoinColumn(analysis: Frame, targets: Frame): string {
  const shared = targets.names.filter((n) => analysis.columns.has(n));
  if (shared.length === 1) return shared[0];
  if (shared.length === 0) throw new JoinError('no column is shared with the analysis data; set join_on');
  throw new JoinError(`several columns are shared with the analysis data (${shared.join(', ')}); set join_on`);
}

interface RowMatch {
  /** per analysis row: its target row, or -1 */
  targetRow: Int32Array;
  unmatched: number;
}

function matchTextKeys(aKey: Column, tKey: Column, analysisRows: number, targetRows: number, on: string): RowMatch {
  const rowOf = new Map<string, number>();
  for (let i = 0; i < analysisRows; i++) {
    const k = keyAt(aKey, i);
    if (k !== null) rowOf.set(k, i);
  }
  const targetRow = new Int32Array(analysisRows).fill(-1);
  let unmatched = 0;
  const seen = new Set<string>();
  for (let j = 0; j < targetRows; j++) {
    const k = keyAt(tKey, j);
    if (k === null) throw new JoinError(`row ${j + 1}: missing '${on}'`);
    if (seen.has(k)) throw new JoinError(`row ${j + 1}: '${on}' value ${k} appears twice`);
    seen.add(k);
    const i = rowOf.get(k);
    if (i === undefined) unmatched++;
    else targetRow[i] = j;
  }
  return { targetRow, unmatched };
}

/**
 * Numeric keys on both sides (the usual integer ids): the same matching as the text keys (String(v) is
 * one-to-one on numbers, and Map keys treat -0 as 0 like String does) without building a string per row,
 * which made the join the slowest step of reading a million-row analysis set (bench/, `npm run bench`).
 */
function matchNumericKeys(a: Float64Array, t: Float64Array, on: string): RowMatch {
  const rowOf = numericKeyIndex(a);
  const targetRow = new Int32Array(a.length).fill(-1);
  let unmatched = 0;
  const seenUnmatched = new Set<number>();
  for (let j = 0; j < t.length; j++) {
    const k = t[j];
    if (Number.isNaN(k)) throw new JoinError(`row ${j + 1}: missing '${on}'`);
    const i = rowOf(k);
    if (i < 0) {
      if (seenUnmatched.has(k)) throw new JoinError(`row ${j + 1}: '${on}' value ${k} appears twice`);
      seenUnmatched.add(k);
      unmatched++;
      continue;
    }
    if (targetRow[i] >= 0) throw new JoinError(`row ${j + 1}: '${on}' value ${k} appears twice`);
    targetRow[i] = j;
  }
  return { targetRow, unmatched };
}

/** Key spans up to this many slots per row get a direct-index table instead of a Map. */
const DENSE_SLOTS_PER_ROW = 4;

/**
 * The analysis row of a numeric key (the last row with it, as Map.set would keep), or -1. Integer ids
 * in a compact range (the usual 0..n-1) index a typed array; anything else goes through a Map.
 */
function numericKeyIndex(a: Float64Array): (k: number) => number {
  let lo = Infinity;
  let hi = -Infinity;
  let integers = true;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) {
      integers = false;
      break;
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (integers && hi - lo < DENSE_SLOTS_PER_ROW * a.length + 1024) {
    const slots = new Int32Array(hi >= lo ? hi - lo + 1 : 0).fill(-1);
    for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i])) slots[a[i] - lo] = i;
    return (k) => (Number.isInteger(k) && k >= lo && k <= hi ? slots[k - lo] : -1);
  }
  const rowOf = new Map<number, number>();
  for (let i = 0; i < a.length; i++) if (!Number.isNaN(a[i])) rowOf.set(a[i], i);
  return (k) => rowOf.get(k) ?? -1;
}

/** Left-joins the target columns onto the analysis rows by `on`; analysis rows without a target keep missing. */
export function leftJoinTargets(analysis: Frame, targets: Frame, on: string): JoinResult {
  const aKey = analysis.columns.get(on);
  const tKey = targets.columns.get(on);
  if (!aKey) throw new JoinError(`column '${on}' (join_on) not found`, 'analysis');
  if (!tKey) throw new JoinError(`column '${on}' (join_on) not found`);
  const { targetRow, unmatched } =
    aKey.kind === 'numeric' && tKey.kind === 'numeric'
      ? matchNumericKeys(aKey.values, tKey.values, on)
      : matchTextKeys(aKey, tKey, analysis.length, targets.length, on);
  const added: Column[] = [];
  for (const name of targets.names) {
    if (name === on || analysis.columns.has(name)) continue;
    const c = targets.columns.get(name)!;
    if (c.kind === 'numeric') {
      const values = new Float64Array(analysis.length);
      for (let i = 0; i < values.length; i++) values[i] = targetRow[i] < 0 ? NaN : c.values[targetRow[i]];
      // A target column with gaps is float in pandas.
      added.push({ ...c, dtype: targetRow.includes(-1) ? 'float' : c.dtype, values });
    } else {
      const codes = new Int32Array(analysis.length);
      for (let i = 0; i < codes.length; i++) codes[i] = targetRow[i] < 0 ? MISSING_CODE : c.codes[targetRow[i]];
      added.push({ ...c, codes });
    }
  }
  const columns = [...analysis.names.map((n) => analysis.columns.get(n)!), ...added];
  return { frame: makeFrame(columns, analysis.length), unmatched };
}

/** The analysis with its targets joined on `joinOn` or the one shared column (defaultJoinColumn). */
export function joinAnalysisTargets(analysis: Frame, targets: Frame, joinOn: string | null): JoinResult & { on: string } {
  const on = joinOn ?? defaultJoinColumn(analysis, targets);
  return { ...leftJoinTargets(analysis, targets, on), on };
}
