/**
 * A `vigil run` worker thread (pool.ts): reads CSV files into shared frames, then runs calculators on the
 * shared reference and analysis frames, each sorted once per timestamp column in this thread.
 */
import { isMainThread, parentPort, workerData } from 'worker_threads';
import { readCsvFile } from '../../io/frames';
import type { CalculatorConfig, SortedFrames } from '../run';
import type { ResultRow } from '../calculator';
import { SerializedError, serializeError } from './errors';
import { frameOf, shareFrame, SharedFrame } from './shared-frame';

export type ToWorker =
  | { type: 'read'; id: number; path: string; label: string }
  | { type: 'calculate'; id: number; work: SharedWork };

/**
 * The calculators of a run, shared by the main thread and every worker: each takes the next index of
 * `order` (longest first) from `next` until none is left, and posts each calculator's rows or error.
 */
export interface SharedWork {
  reference: SharedFrame;
  analysis: SharedFrame;
  configs: CalculatorConfig[];
  order: number[];
  /** Int32Array(1) on a SharedArrayBuffer: the next position in `order` to claim. */
  next: Int32Array;
}

export type CalculatorOutcome = { index: number; ok: true; rows: ResultRow[] } | { index: number; ok: false; error: SerializedError };

export interface WorkerOptions {
  role: 'vigil-run';
  /** Load the engine at once (a worker given a file to read first loads it after the read). */
  preloadEngine: boolean;
}

/** This module is also imported by the main thread (runShared): only a pool's worker listens. */
const options = (isMainThread ? null : workerData) as WorkerOptions | null;

// The engine (every calculator module) is loaded when this thread has nothing else to do: a worker that
// reads a CSV file first reads it, and meanwhile another thread compiles the calculators.
type Engine = typeof import('../run');
let engineModule: Engine | null = null;
const engine = (): Engine => (engineModule ??= require('../run') as Engine);
if (options?.role === 'vigil-run' && options.preloadEngine) engine();

/** Claims and runs calculators of `work` until none is left; `sorted` are this thread's sorted frames. */
export function runShared(work: SharedWork, sorted: SortedFrames, post: (o: CalculatorOutcome) => void): void {
  const { prepareCalculator, runPrepared } = engine();
  for (let k = Atomics.add(work.next, 0, 1); k < work.order.length; k = Atomics.add(work.next, 0, 1)) {
    const index = work.order[k];
    try {
      post({ index, ok: true, rows: runPrepared(prepareCalculator(work.configs[index]), sorted) });
    } catch (e) {
      post({ index, ok: false, error: serializeError(e) });
    }
  }
}

if (options?.role === 'vigil-run') parentPort!.on('message', (m: ToWorker) => {
  try {
    if (m.type === 'read') {
      parentPort!.postMessage({ id: m.id, ok: true, value: shareFrame(readCsvFile(m.path, m.label)) });
      setImmediate(engine);
    } else {
      const sorted = new (engine().SortedFrames)(frameOf(m.work.reference), frameOf(m.work.analysis));
      runShared(m.work, sorted, (outcome) => parentPort!.postMessage({ id: m.id, outcome }));
      parentPort!.postMessage({ id: m.id, ok: true, value: null });
    }
  } catch (e) {
    parentPort!.postMessage({ id: m.id, ok: false, error: serializeError(e) });
  }
});
