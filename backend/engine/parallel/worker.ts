/**
 * A `vigil run` worker thread (pool.ts): reads CSV files into shared frames, then runs calculators on the
 * shared reference and analysis frames, each sorted once per timestamp column in this thread.
 */
import { parentPort, workerData } from 'worker_threads';
import { readCsvFile } from '../../io/frames';
import type { CalculatorConfig, SortedFrames } from '../run';
import { serializeError } from './errors';
import { frameOf, shareFrame, SharedFrame } from './shared-frame';

export type ToWorker =
  | { type: 'read'; id: number; path: string; label: string }
  | { type: 'frames'; reference: SharedFrame; analysis: SharedFrame }
  | { type: 'calculate'; id: number; config: CalculatorConfig };

export interface WorkerOptions {
  /** Load the engine at once (a worker given a file to read first loads it after the read). */
  preloadEngine: boolean;
}

// The engine (every calculator module) is loaded when this thread has nothing else to do: a worker that
// reads a CSV file first reads it, and meanwhile another thread compiles the calculators.
type Engine = typeof import('../run');
let engineModule: Engine | null = null;
const engine = (): Engine => (engineModule ??= require('../run') as Engine);
if ((workerData as WorkerOptions | undefined)?.preloadEngine) engine();

let frames: SortedFrames | null = null;

parentPort!.on('message', (m: ToWorker) => {
  if (m.type === 'frames') {
    frames = new (engine().SortedFrames)(frameOf(m.reference), frameOf(m.analysis));
    return;
  }
  try {
    if (m.type === 'read') {
      parentPort!.postMessage({ id: m.id, ok: true, value: shareFrame(readCsvFile(m.path, m.label)) });
      setImmediate(engine);
    } else {
      if (!frames) throw new Error('calculate before frames');
      const { prepareCalculator, runPrepared } = engine();
      parentPort!.postMessage({ id: m.id, ok: true, value: runPrepared(prepareCalculator(m.config), frames) });
    }
  } catch (e) {
    parentPort!.postMessage({ id: m.id, ok: false, error: serializeError(e) });
  }
});
