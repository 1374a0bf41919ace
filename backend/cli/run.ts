/**
 * `vigil run CONFIG [--out FILE]` (shared/specs/run-contract.md): calculators from a YAML/JSON config on
 * CSV files, long-format JSON out. Bad input: exit 2, one line on stderr naming file, key or column, and
 * nothing written.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, DataError, ResultRow } from '../engine/calculator';
import { keyIn } from '../engine/params';
import { ChunkingError } from '../engine/chunking';
import { computeRankings, parseRankings, RankingConfig, RankingOutput } from '../engine/ranking/config';
import { Frame } from '../engine/frame';
import { RunPool, runThreads } from '../batch/pool';
import type { CalculatorConfig } from '../engine/run';
import { parseSegmentSpec, SegmentSpec } from '../engine/segment-spec';
import { formatIsoMs } from '../engine/timestamps';
import { CsvError } from '../io/csv';
import { AnalysisFiles, JoinError, readAnalysis, readCsvFile } from '../io/frames';
import { assertProbabilities, ProbabilityColumn } from '../io/probabilities';
import { outputNamesAnInput } from './run-output';

/** Bad input: printed as the one line `vigil: <message>` with exit code 2 (main.ts). */
export class UsageError extends Error {
  constructor(message: string) {
    // One line whatever a message quotes from the input (a key, a value, a file name with a newline).
    super(message.replace(/[\r\n\u2028\u2029]/g, (c) => JSON.stringify(c).slice(1, -1)));
  }
}

const TOP_LEVEL_KEYS = ['reference', 'analysis', 'analysis_targets', 'join_on', 'segment_by', 'segment_top_k', 'calculators', 'rankings'];

export interface RunConfig {
  reference: string;
  analysis: string;
  analysisTargets: string | null;
  joinOn: string | null;
  calculators: CalculatorConfig[];
  /** optional drift rankers over the results (engine/ranking/config.ts) */
  rankings: RankingConfig[];
  /** `segment_by` / `segment_top_k` (engine/segments.ts); null: no segments */
  segments: SegmentSpec | null;
}

export function loadRunConfig(configPath: string): RunConfig {
  const ext = path.extname(configPath).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(ext)) {
    throw new UsageError(`${configPath}: config must be a .yaml, .yml or .json file`);
  }
  let text: string;
  try {
    text = fs.readFileSync(configPath, 'utf8');
  } catch (e) {
    throw new UsageError(`${configPath}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new UsageError(`${configPath}: not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`);
  }
  const fail = (where: string, msg: string): never => {
    throw new UsageError(`${configPath}: ${where}: ${msg}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('(top level)', 'must be a mapping');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!TOP_LEVEL_KEYS.includes(k)) fail(keyIn('', k), `unknown key (expected ${TOP_LEVEL_KEYS.join(', ')})`);
  const dir = path.dirname(path.resolve(configPath));
  const file = (k: string, required: boolean): string | null => {
    const v = o[k];
    if (v === undefined || v === null) return required ? fail(k, 'is required') : null;
    if (typeof v !== 'string' || v === '') return fail(k, 'must be a file path');
    return path.resolve(dir, v);
  };
  const reference = file('reference', true)!;
  const analysis = file('analysis', true)!;
  const analysisTargets = file('analysis_targets', false);
  let joinOn: string | null = null;
  if (o.join_on !== undefined && o.join_on !== null) {
    if (typeof o.join_on !== 'string' || o.join_on === '') fail('join_on', 'must be a column name');
    joinOn = o.join_on as string;
  }
  if (!Array.isArray(o.calculators) || o.calculators.length === 0) fail('calculators', 'must be a list of one or more calculators');
  const ids = new Set<string>();
  const calculators = (o.calculators as unknown[]).map((c, i): CalculatorConfig => {
    const where = `calculators[${i}]`;
    if (typeof c !== 'object' || c === null || Array.isArray(c)) fail(where, 'must be a mapping with class and params');
    const e = c as Record<string, unknown>;
    for (const k of Object.keys(e)) if (!['class', 'id', 'params'].includes(k)) fail(keyIn(where, k), 'unknown key (expected class, id, params)');
    if (typeof e.class !== 'string' || e.class === '') fail(`${where}.class`, 'is required');
    if (e.id !== undefined && (typeof e.id !== 'string' || e.id === '')) fail(`${where}.id`, 'must be a non-empty string');
    const id = (e.id as string | undefined) ?? (e.class as string);
    if (ids.has(id)) fail(`${where}.id`, `'${id}' is already used by another calculator; give each an id`);
    ids.add(id);
    const params = e.params ?? {};
    if (typeof params !== 'object' || params === null || Array.isArray(params)) fail(`${where}.params`, 'must be a mapping');
    return { className: e.class as string, id, params: params as Record<string, unknown>, where };
  });
  let rankings: RankingConfig[];
  let segments: SegmentSpec | null;
  try {
    rankings = parseRankings(o.rankings, calculators);
    segments = parseSegmentSpec(o.segment_by, o.segment_top_k);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`${configPath}: ${e.message}`);
    throw e;
  }
  return { reference, analysis, analysisTargets, joinOn, calculators, rankings, segments };
}

/**
 * The config as `vigil run` checks it before reading any data: keys and files (loadRunConfig), then each
 * calculator's class and parameters. Every problem is a UsageError naming the config and the key.
 */
export function validateRunConfig(configPath: string): RunConfig {
  const config = loadRunConfig(configPath);
  try {
    config.calculators.forEach(engine().prepareCalculator);
  } catch (e) {
    throw asUsageError(e, configPath, fileLabels(config));
  }
  assertInputFilesExist(configPath, config);
  return config;
}

/**
 * A missing input file, named by its key and its resolved path: relative paths are read from the config
 * file's folder, not the working folder, which a newcomer running a config from elsewhere gets wrong.
 */
function assertInputFilesExist(configPath: string, config: RunConfig): void {
  for (const [key, resolved] of [['reference', config.reference], ['analysis', config.analysis], ['analysis_targets', config.analysisTargets]] as const) {
    if (resolved === null || fs.existsSync(resolved)) continue;
    throw new UsageError(`${configPath}: ${key}: ${resolved}: file not found (relative paths are read from the config file's folder, ${path.dirname(path.resolve(configPath))})`);
  }
}

/**
 * YAML's warnings are errors here: `parse` would print them on stderr (breaking the one-line rule) and
 * carry on, e.g. with an unknown tag's value read as plain text.
 */
function parseYaml(text: string): unknown {
  // yaml is loaded only for YAML configs: it is ~15 ms of a JSON-configured run's start-up.
  // logLevel 'error': toJS would also print (a collection used as a key is made a string key, which
  // the key checks then name).
  const doc = (require('yaml') as typeof import('yaml')).parseDocument(text, { logLevel: 'error' });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw problem;
  return doc.toJS();
}

/** Replaces epoch-ms chunk dates with ISO strings (run contract). */
export function toOutputRow(r: ResultRow) {
  return { ...r, chunk: { ...r.chunk, start_date: formatIsoMs(r.chunk.start_date), end_date: formatIsoMs(r.chunk.end_date) } };
}

/**
 * The engine (every calculator module) is loaded only once the worker threads are starting: their start-up
 * then overlaps with this thread's loading.
 */
const engine = () => require('../engine/run') as typeof import('../engine/run');
const segmentsEngine = () => require('../engine/segments') as typeof import('../engine/segments');

/**
 * `out`: the --out file (null: standard output), refused when it names an input file. Checked once the
 * config is read, before any data file is.
 */
export function executeRun(configPath: string, warn: (line: string) => void, out: string | null = null): ResultRow[] {
  const config = validateRunConfig(configPath);
  refuseInputAsOutput(out, configPath, config);
  const files = fileLabels(config);
  try {
    const timestamps = timestampColumns(config);
    const probabilities = probabilityColumns(config);
    const reference = readCsvFile(config.reference, files.reference, timestamps);
    assertProbabilities(reference, probabilities, files.reference);
    const analysis = readAnalysis(analysisFiles(config, files, timestamps));
    if (analysis.join && analysis.join.unmatched > 0) warn(unmatchedWarning(files, analysis.join));
    if (config.segments) return segmentsEngine().runSegmented(reference, analysis.frame, config.calculators, config.segments, warn);
    return engine().runCalculators(reference, analysis.frame, config.calculators);
  } catch (e) {
    throw asUsageError(e, configPath, files);
  }
}

/**
 * executeRun on worker threads (engine/parallel): the CSV files read concurrently, the calculators run
 * concurrently; the same rows in the same order and the same errors. Sequential when `threads` < 2.
 */
export async function executeRunParallel(configPath: string, warn: (line: string) => void, threads: number, out: string | null = null): Promise<ResultRow[]> {
  // Started first: the workers start up while the config is read and validated.
  const pool = RunPool.open(threads);
  if (!pool) return executeRun(configPath, warn, out);
  try {
    const config = validateRunConfig(configPath);
    // Segmented runs are sequential: the pool runs whole calculators, not a calculator per segment.
    if (config.segments) return executeRun(configPath, warn, out);
    refuseInputAsOutput(out, configPath, config);
    const files = fileLabels(config);
    try {
      const timestamps = timestampColumns(config);
      const { rows, join } = pool.run(
        {
          reference: config.reference,
          referenceLabel: files.reference,
          timestampColumns: timestamps,
          probabilityColumns: probabilityColumns(config),
          read: analysisFiles(config, files, timestamps),
        },
        config.calculators,
      );
      if (join && join.unmatched > 0) warn(unmatchedWarning(files, join));
      return rows;
    } catch (e) {
      throw asUsageError(e, configPath, files);
    }
  } finally {
    await pool.close();
  }
}

type FileLabels = Record<string, string>;

/** File names as messages show them: relative to the working folder. */
function fileLabels(config: RunConfig): FileLabels {
  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  return {
    reference: rel(config.reference),
    analysis: rel(config.analysis),
    analysis_targets: config.analysisTargets ? rel(config.analysisTargets) : 'analysis_targets',
  };
}

function analysisFiles(config: RunConfig, files: FileLabels, timestampColumns: ReadonlySet<string>): AnalysisFiles {
  return {
    analysis: config.analysis,
    targets: config.analysisTargets,
    joinOn: config.joinOn,
    labels: { analysis: files.analysis, analysis_targets: files.analysis_targets },
    timestampColumns,
    probabilityColumns: probabilityColumns(config),
  };
}

/**
 * The y_pred_proba columns of the CBPE calculators (a column for binary, `{class: column}` for
 * multiclass), checked as each file is read (io/probabilities.ts). Called on validated configs.
 */
export function probabilityColumns(config: RunConfig): ProbabilityColumn[] {
  const out: ProbabilityColumn[] = [];
  for (const c of config.calculators) {
    if (c.className !== 'CBPE') continue;
    const proba = c.params.y_pred_proba;
    const role = `CBPE '${c.id}', ${c.where}.params.y_pred_proba`;
    if (typeof proba === 'string') out.push({ column: proba, role });
    else if (proba !== null && typeof proba === 'object') {
      for (const [label, column] of Object.entries(proba)) if (typeof column === 'string') out.push({ column, role: `${role}.${label}` });
    }
  }
  return out;
}

/**
 * Columns the CSV reader may read straight to epoch ms (ReadCsvOptions.timestampColumns): each
 * calculator's timestamp_column_name that no other parameter and no join_on names. A timestamp column
 * also used as a feature stays the text column pandas would read.
 */
export function timestampColumns(config: RunConfig): Set<string> {
  const timestamps = new Set<string>();
  const named = new Set<string>(config.joinOn ? [config.joinOn] : []);
  const visit = (v: unknown, key: string | null): void => {
    if (typeof v === 'string') (key === 'timestamp_column_name' ? timestamps : named).add(v);
    else if (Array.isArray(v)) v.forEach((x) => visit(x, null));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, k);
  };
  for (const c of config.calculators) visit(c.params, null);
  return new Set([...timestamps].filter((c) => !named.has(c)));
}

function unmatchedWarning(files: FileLabels, join: { unmatched: number; on: string }): string {
  return `${files.analysis_targets}: ${join.unmatched} target row(s) have no matching '${join.on}' in ${files.analysis}; ignored`;
}

function asUsageError(e: unknown, configPath: string, files: FileLabels): unknown {
  if (e instanceof ConfigError) return new UsageError(`${configPath}: ${e.message}`);
  if (e instanceof DataError) return new UsageError(`${files[e.dataset] ?? e.dataset}: ${e.message}`);
  if (e instanceof CsvError || e instanceof ChunkingError) return new UsageError(e.message);
  if (e instanceof JoinError) return new UsageError(`${files[e.dataset]}: ${e.message}`);
  return e;
}

/** The config's `rankings` over the run's results (none configured: an empty list, no output section). */
export function runRankings(configPath: string, rows: ResultRow[]): (RankingOutput | SegmentRanking)[] {
  try {
    const config = loadRunConfig(configPath);
    if (!config.segments) return computeRankings(config.rankings, rows);
    // Segmented: each ranker ranks the columns of the whole data, then of each segment (`segment` set).
    const bySegment = new Map<string | null, ResultRow[]>();
    for (const r of rows) {
      const key = r.segment ?? null;
      const list = bySegment.get(key);
      if (list) list.push(r);
      else bySegment.set(key, [r]);
    }
    const out: RankingOutput[] = [];
    for (const [segment, segmentRows] of bySegment) {
      let rankings: RankingOutput[];
      try {
        rankings = computeRankings(config.rankings, segmentRows);
      } catch (e) {
        // A segment whose calculator was skipped (its warning says why) has nothing to rank.
        if (segment !== null && e instanceof ConfigError) continue;
        throw e;
      }
      for (const ranking of rankings) out.push({ class: ranking.class, id: ranking.id, segment, rows: ranking.rows });
    }
    return [...out, ...rankSegments(out)];
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`${configPath}: ${e.message}`);
    throw e;
  }
}

/**
 * "Which segment drifts most": per AlertCountRanker, the segments (not the whole data) by their columns'
 * alerts summed, most first, ties by name; rank 1, 2, ... (entry `segments: true`, rows
 * `{segment, number_of_alerts, rank}`).
 */
function rankSegments(rankings: RankingOutput[]): SegmentRanking[] {
  const ids = [...new Set(rankings.filter((r) => r.class === 'AlertCountRanker').map((r) => r.id))];
  return ids.map((id) => {
    const totals = rankings
      .filter((r) => r.id === id && r.segment !== null && r.segment !== undefined)
      .map((r) => ({ segment: r.segment as string, number_of_alerts: (r.rows as { number_of_alerts: number }[]).reduce((a, x) => a + x.number_of_alerts, 0) }));
    totals.sort((a, b) => b.number_of_alerts - a.number_of_alerts || (a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0));
    return { class: 'AlertCountRanker' as const, id, segments: true as const, rows: totals.map((t, i) => ({ ...t, rank: i + 1 })) };
  });
}

type SegmentRanking = { class: 'AlertCountRanker'; id: string; segments: true; rows: { segment: string; number_of_alerts: number; rank: number }[] };

export async function runCommand(args: string[]): Promise<number> {
  let configPath: string | null = null;
  let out: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--out' || a === '-o') {
      out = args[++i] ?? null;
      if (out === null) throw new UsageError('--out needs a file name (or - for standard output)');
    } else if (a.startsWith('--out=')) out = a.slice(6);
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}' (usage: vigil run CONFIG [--out FILE])`);
    else if (configPath === null) configPath = a;
    else throw new UsageError(`unexpected argument '${a}' (usage: vigil run CONFIG [--out FILE])`);
  }
  if (!configPath) throw new UsageError('usage: vigil run CONFIG [--out FILE]');
  if (out !== null && out !== '-') checkOutputFolder(out);
  // Warnings are printed only once the run has succeeded: bad input gets exactly one line on stderr.
  const warnings: string[] = [];
  let threads: number;
  try {
    threads = runThreads();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const rows = await executeRunParallel(configPath, (line) => warnings.push(line), threads, out === '-' ? null : out);
  const rankings = runRankings(configPath, rows);
  const json = JSON.stringify({ results: rows.map(toOutputRow), ...(rankings.length > 0 ? { rankings } : {}) });
  if (out === null || out === '-') {
    process.stdout.write(json + '\n');
  } else {
    // Written whole or not at all: a temporary file renamed into place.
    const tmp = `${out}.tmp-${process.pid}`;
    try {
      fs.writeFileSync(tmp, json + '\n');
      fs.renameSync(tmp, out);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw new UsageError(`${out}: cannot write the results: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  for (const line of warnings) process.stderr.write(`warning: ${line}\n`);
  return 0;
}

/** --out naming the config or a data file of the run: exit 2 before any data is read (run-output.ts). */
function refuseInputAsOutput(out: string | null, configPath: string, config: RunConfig): void {
  const problem = out === null ? null : outputNamesAnInput(out, configPath, config);
  if (problem !== null) throw new UsageError(problem);
}

/** Fails before any computation when --out cannot be written to (one line, exit 2: run contract). */
function checkOutputFolder(out: string): void {
  const folder = path.dirname(path.resolve(out));
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch {
    throw new UsageError(`--out ${out}: folder ${folder} does not exist`);
  }
  if (!stat.isDirectory()) throw new UsageError(`--out ${out}: ${folder} is not a folder`);
  if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw new UsageError(`--out ${out}: is a folder, not a file`);
}
