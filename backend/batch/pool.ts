/**
 * `vigil run` on worker threads, the main thread's side (plan in work.ts): the same rows in the same
 * order as the sequential run, and the same error when something fails — the first failing read in
 * reading order (reference, analysis, targets, join), else the first configured calculator's error.
 */
import * as os from 'os';
import * as v8 from 'v8';
import type { ResultRow } from '../engine/calculator';
import type { CalculatorConfig, FitOutcome, PreparedCalculator } from '../engine/run';
import { SortedFrames } from '../engine/sorted-frames';
import { AnalysisFiles, readCsvFile } from '../io/frames';
import { assertProbabilities, ProbabilityColumn } from '../io/probabilities';
import { counter, Link, linkPair } from '../threads/link';
import { compiledWorker, Thread } from '../threads/thread';
import { reviveRunError as reviveError } from './errors';
import { CalculatorOutcome, claim, FromWorker, installDataset, outcomeOf, RunSpec, shareDataset, ToWorker } from './work';
import type { WorkerOptions } from './worker';

/**
 * Relative cost of a calculator class, for longest-first scheduling and for the main thread's share of
 * fitting while the analysis is read: milliseconds of a class's first use in a fresh process on the
 * car-loan suite (bench scenario `carloan`, 50,000 + 50,000 rows, 2026-11-27). DLE, the domain
 * classifier, outliers and concept drift are not in that suite: rough figures that keep them first (they
 * train boosted trees or a forest). Unlisted classes count as DEFAULT_COST.
 */
const COST: Record<string, number> = {
  DLE: 150,
  DomainClassifierCalculator: 150,
  OutlierDetectionCalculator: 120,
  ConceptDriftCalculator: 60,
  CBPE: 58,
  UnivariateDriftCalculator: 52,
  DataReconstructionDriftCalculator: 49,
  SummaryStatsMedianCalculator: 34,
  PerformanceCalculator: 32,
};
const DEFAULT_COST = 16;

/** Default thread cap: one file per reading thread and a dozen calculators leave more threads idle. */
const MAX_DEFAULT_THREADS = 4;

/**
 * Threads for `vigil run`: VIGIL_THREADS (1 = sequential, on the main thread), else one per CPU, at
 * most MAX_DEFAULT_THREADS. Not fewer on a busy machine: the scheduler shares the CPUs per thread, so
 * two threads keep their share better (bench `carloan` on 2 CPUs, 6 alternating runs each: 2 threads vs
 * 1 with no other load 0.39 vs 0.44 s wall, beside one busy process 0.56 vs 0.55 s, beside two 0.81 vs
 * 1.00 s). Throws on a value that is not a positive integer.
 */
export function runThreads(env: NodeJS.ProcessEnv = process.env, cpus = os.availableParallelism()): number {
  const raw = env.VIGIL_THREADS?.trim();
  if (!raw) return Math.max(1, Math.min(cpus, MAX_DEFAULT_THREADS));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`VIGIL_THREADS: '${raw}' is not a positive whole number of threads`);
  return n;
}

export interface RunFiles {
  reference: string;
  referenceLabel: string;
  /** ReadCsvOptions.timestampColumns for the reference */
  timestampColumns: ReadonlySet<string>;
  /** reference columns that must hold probabilities (io/probabilities.ts) */
  probabilityColumns?: readonly ProbabilityColumn[];
  /** what worker 0 reads */
  read: AnalysisFiles;
}

export interface ParallelRunResult {
  rows: ResultRow[];
  /** the targets join (null without a targets file) */
  join: { unmatched: number; on: string } | null;
}

interface PoolWorker {
  thread: Thread;
  link: Link<FromWorker, ToWorker>;
}

type Engine = typeof import('../engine/run');
const engine = (): Engine => require('../engine/run') as Engine;

export class RunPool {
  /**
   * `threads` - 1 workers (the main thread is the last: it calculates too), or null when fewer than two
   * threads or no compiled worker. Opened first thing, so the workers start while the config is read.
   */
  static open(threads: number): RunPool | null {
    // The compiled worker is absent when running from TypeScript sources: then runs are sequential.
    const file = compiledWorker(__dirname);
    if (threads < 2 || !file) return null;
    if (threads >= os.availableParallelism()) compileOnTheRunningThread();
    return new RunPool(file, threads - 1);
  }

  private readonly workers: PoolWorker[] = [];

  private constructor(file: string, size: number) {
    for (let i = 0; i < size; i++) {
      const [mine, theirs] = linkPair();
      const workerData: WorkerOptions = { role: 'vigil-run', end: theirs };
      // A crash is seen by Link.take (the worker marks itself exited), so no failure callback.
      const thread = new Thread(file, { name: `vigil run worker ${i}`, workerData, transferList: [theirs.port] });
      this.workers.push({ thread, link: new Link(mine, 'vigil run: a worker thread stopped unexpectedly') });
    }
  }

  /**
   * Runs validated calculator configs on the files; worker 0 reads the analysis side. Synchronous on
   * this thread: it only waits (Atomics.wait) for what it needs from the workers.
   */
  run(files: RunFiles, configs: CalculatorConfig[]): ParallelRunResult {
    const { prepareCalculator, fitPrepared, finishPrepared, runPrepared } = engine();
    const prepared = configs.map(prepareCalculator);
    const timestampColumns = new Set(prepared.map((p) => p.params.chunking.timestampColumn));
    const spec: RunSpec = {
      configs,
      order: configs.map((_, i) => i).sort((a, b) => cost(prepared[b]) - cost(prepared[a]) || a - b),
      next: counter(),
      presortBy: timestampColumns.size === 1 ? [...timestampColumns][0] : undefined,
      read: null,
    };
    this.workers.forEach((w, i) => w.link.send({ type: 'run', spec: { ...spec, read: i === 0 ? files.read : null } }));
    const reader = this.workers[0];
    const sorted = new SortedFrames(null, null);

    let reference;
    try {
      reference = readCsvFile(files.reference, files.referenceLabel, files.timestampColumns);
      assertProbabilities(reference, files.probabilityColumns, files.referenceLabel);
    } catch (e) {
      this.stop();
      throw e;
    }
    const sharedReference = shareDataset(reference, 'reference', spec.presortBy, sorted);
    for (const w of this.workers) w.link.send({ type: 'dataset', dataset: 'reference', shared: sharedReference });

    // Fit on the reference while the analysis is read, up to half of the work.
    const total = prepared.reduce((s, p) => s + cost(p), 0);
    const fits = new Map<number, FitOutcome>();
    let fittedCost = 0;
    let analysis = reader.link.poll();
    while (analysis === undefined && fittedCost * 2 < total) {
      const index = claim(spec);
      if (index < 0) break;
      fittedCost += cost(prepared[index]);
      fits.set(index, fitPrepared(prepared[index], sorted));
      analysis = reader.link.poll();
    }
    analysis ??= reader.link.take();
    if (analysis.type === 'read-error') {
      this.stop();
      throw reviveError(analysis.error);
    }
    if (analysis.type !== 'analysis') throw new Error(`vigil run: unexpected '${analysis.type}' from the reading worker`);
    installDataset('analysis', analysis.shared, spec.presortBy, sorted);
    for (const w of this.workers.slice(1)) w.link.send({ type: 'dataset', dataset: 'analysis', shared: analysis.shared });

    const outcomes: (CalculatorOutcome | undefined)[] = new Array(configs.length);
    for (const [index, fit] of fits) outcomes[index] = outcomeOf(index, () => finishPrepared(prepared[index], fit, sorted));
    for (let index = claim(spec); index >= 0; index = claim(spec)) {
      outcomes[index] = outcomeOf(index, () => runPrepared(prepared[index], sorted));
    }
    for (const w of this.workers) {
      for (let m = w.link.take(); m.type !== 'done'; m = w.link.take()) {
        if (m.type === 'outcome') outcomes[m.outcome.index] = m.outcome;
      }
    }
    const rows: ResultRow[] = [];
    for (const o of outcomes) {
      if (!o) throw new Error('vigil run: a calculator was not run');
      if (!o.ok) throw reviveError(o.error);
      for (const row of o.rows) rows.push(row);
    }
    return { rows, join: analysis.join };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.thread.stop()));
  }

  /** Tells the workers the run failed, so none waits for a frame that will not come. */
  private stop(): void {
    for (const w of this.workers) w.link.send({ type: 'stop' });
  }
}

/**
 * With a JavaScript thread per CPU, V8's background compiler threads only compete with them for the
 * cores: optimizing each hot function on the thread that runs it is faster. Bench `carloan` on 2 CPUs,
 * 8 alternating runs each at load ~1.7: 2 threads 0.43 s wall, 0.66 s CPU; with this 0.37–0.39 s wall,
 * 0.57 s CPU (the same flag on one thread, where the second core is idle, makes it slower: 0.54 s). Set
 * before the workers start, so their isolates are created with it; the process ends with the run.
 */
function compileOnTheRunningThread(): void {
  v8.setFlagsFromString('--no-concurrent-recompilation');
}

function cost(p: PreparedCalculator): number {
  return COST[p.config.className] ?? DEFAULT_COST;
}
