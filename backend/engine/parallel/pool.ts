/**
 * Worker threads for `vigil run`: CSV files read concurrently, calculators run concurrently on frames
 * shared through SharedArrayBuffers (not re-parsed, not copied per worker), the longest calculators first.
 * Rows come back in the configured calculator order, so the output is byte-identical to the sequential
 * run; of several failures the first calculator's error is reported, as the sequential run would.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { ResultRow } from '../calculator';
import { Frame } from '../frame';
import { CalculatorConfig, SortedFrames } from '../run';
import { reviveError, SerializedError } from './errors';
import { frameOf, shareFrame, SharedFrame } from './shared-frame';
import { CalculatorOutcome, runShared, SharedWork, ToWorker, WorkerOptions } from './worker';

/** The compiled worker entry (absent when running from TypeScript sources: then runs are sequential). */
export const RUN_WORKER_FILE = path.join(__dirname, 'worker.js');

/**
 * Relative cost of a calculator class, for longest-first scheduling: milliseconds per class on the
 * car-loan suite (bench scenario `carloan`, 50,000 + 50,000 rows, 2026-11-27). Unlisted classes count
 * as DEFAULT_COST; only the order matters.
 */
const COST: Record<string, number> = {
  CBPE: 150,
  DLE: 150,
  DomainClassifierCalculator: 150,
  OutlierDetectionCalculator: 120,
  UnivariateDriftCalculator: 75,
  DataReconstructionDriftCalculator: 70,
  PerformanceCalculator: 60,
  ConceptDriftCalculator: 60,
};
const DEFAULT_COST = 20;

/**
 * Threads for `vigil run`: VIGIL_THREADS (1 = sequential, on the main thread), else one per idle CPU:
 * the available CPUs less the 1-minute load average, rounded, at least 1. A second thread on a core that
 * other work already uses costs more than it saves (bench `carloan` at load 3.5 on 2 CPUs: 1.05-1.14 s
 * wall on one thread, 1.37-1.50 s on two; the worker's cold JIT and second copy of the sorted frames are
 * ~0.3 s of CPU). Throws on a value that is not a positive integer.
 */
export function runThreads(env: NodeJS.ProcessEnv = process.env, load = os.loadavg()[0]): number {
  const raw = env.VIGIL_THREADS?.trim();
  if (!raw) return Math.max(1, Math.min(os.availableParallelism(), Math.round(os.availableParallelism() - load)));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`VIGIL_THREADS: '${raw}' is not a positive whole number of threads`);
  return n;
}

type FromWorker =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: SerializedError }
  /** One calculator's outcome, while a `calculate` task runs. */
  | { id: number; outcome: CalculatorOutcome };

interface Task {
  message: ToWorker & { id: number };
  /** Only this worker may run it. */
  worker?: Worker;
  progress?: (o: CalculatorOutcome) => void;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

export class RunPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Task[] = [];
  private readonly running = new Map<Worker, Task>();
  private nextId = 0;
  private failure: Error | null = null;
  private closing = false;

  /**
   * A pool of `threads` - 1 workers (the main thread is the last: it calculates too), or null when fewer
   * than two threads or no compiled worker. The first `readers` workers are meant to read a file first
   * (read() hands them out in that order) and load the engine after; the others load it at once.
   */
  static open(threads: number, readers = 0): RunPool | null {
    if (threads < 2 || !fs.existsSync(RUN_WORKER_FILE)) return null;
    return new RunPool(threads - 1, readers);
  }

  private constructor(size: number, readers: number) {
    for (let i = 0; i < size; i++) {
      const workerData: WorkerOptions = { role: 'vigil-run', preloadEngine: i >= readers };
      const w = new Worker(RUN_WORKER_FILE, { workerData });
      w.on('message', (m: FromWorker) => this.done(w, m));
      w.on('error', (e) => this.crashed(e));
      w.on('exit', (code) => {
        if (!this.closing) this.crashed(new Error(`vigil run worker exited with code ${code}`));
      });
      this.workers.push(w);
    }
    this.idle.push(...this.workers);
  }

  /** Reads a CSV file on a worker (errors as readCsvFile's). */
  read(file: string, label: string): Promise<Frame> {
    return this.submit({ type: 'read', id: 0, path: file, label }).then((s) => frameOf(s as SharedFrame));
  }

  /**
   * runCalculators on the workers and this thread: same rows in the same order, and of several failures
   * the first configured calculator's error, as the sequential run. Configs must have been validated.
   */
  async calculate(reference: Frame, analysis: Frame, configs: CalculatorConfig[]): Promise<ResultRow[]> {
    const order = configs.map((_, i) => i).sort((a, b) => cost(configs[b]) - cost(configs[a]) || a - b);
    const work: SharedWork = {
      reference: shareFrame(reference),
      analysis: shareFrame(analysis),
      configs,
      order,
      next: new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)),
    };
    const outcomes: (CalculatorOutcome | undefined)[] = new Array(configs.length);
    const tasks = this.workers.map((w) => this.submit({ type: 'calculate', id: 0, work }, w, (o) => (outcomes[o.index] = o)));
    // This thread takes its share too, on the unshared frames (the same values).
    runShared(work, new SortedFrames(reference, analysis), (o) => (outcomes[o.index] = o));
    await Promise.all(tasks);
    const out: ResultRow[] = [];
    for (const o of outcomes) {
      if (!o) throw new Error('vigil run: a calculator was not run');
      if (!o.ok) throw reviveError(o.error);
      for (const row of o.rows) out.push(row);
    }
    return out;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private submit(message: ToWorker & { id: number }, worker?: Worker, progress?: (o: CalculatorOutcome) => void): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ message: { ...message, id: this.nextId++ }, worker, progress, resolve, reject });
      this.dispatch();
    });
  }

  /** Hands queued tasks to idle workers, in order (the first idle worker first: readers before others). */
  private dispatch(): void {
    for (let q = 0; q < this.queue.length && this.idle.length > 0; ) {
      const task = this.queue[q];
      const at = task.worker ? this.idle.indexOf(task.worker) : 0;
      if (at < 0) {
        q++;
        continue;
      }
      const [w] = this.idle.splice(at, 1);
      this.queue.splice(q, 1);
      this.running.set(w, task);
      w.postMessage(task.message);
    }
  }

  private done(w: Worker, m: FromWorker): void {
    const task = this.running.get(w);
    if (!task || task.message.id !== m.id) return;
    if ('outcome' in m) {
      task.progress?.(m.outcome);
      return;
    }
    this.running.delete(w);
    this.idle.push(w);
    if (m.ok) task.resolve(m.value);
    else task.reject(reviveError(m.error));
    this.dispatch();
  }

  private crashed(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const t of [...this.running.values(), ...this.queue]) t.reject(e);
    this.running.clear();
    this.queue.length = 0;
  }
}

function cost(c: CalculatorConfig): number {
  return COST[c.className] ?? DEFAULT_COST;
}
