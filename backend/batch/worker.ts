/**
 * A `vigil run` worker thread (plan in work.ts). Everything runs synchronously on this thread: it takes
 * its messages from the main thread through its Link as it needs them.
 */
import { isMainThread, workerData } from 'worker_threads';
import { SortedFrames } from '../engine/sorted-frames';
import { readAnalysis } from '../io/frames';
import { announceExit, Link, LinkEnd } from '../threads/link';
import { serializeError } from './errors';
import { claim, FromWorker, installDataset, outcomeOf, RunSpec, shareDataset, ToWorker } from './work';

export interface WorkerOptions {
  role: 'vigil-run';
  end: LinkEnd;
}

type Engine = typeof import('../engine/run');
const engine = (): Engine => require('../engine/run') as Engine;

function runWorker(options: WorkerOptions): void {
  // Wakes the main thread if it waits for this one and this one stops (see Link.take).
  announceExit(options.end);
  const link = new Link<ToWorker, FromWorker>(options.end, null);
  const first = link.take();
  if (first.type !== 'run') return;
  const spec: RunSpec = first.spec;
  const sorted = new SortedFrames(null, null);
  let need = 2; // datasets still to come: the reference, and the analysis unless this thread reads it
  if (spec.read) {
    try {
      const { frame, join } = readAnalysis(spec.read);
      link.send({ type: 'analysis', shared: shareDataset(frame, 'analysis', spec.presortBy, sorted), join });
      need--;
    } catch (e) {
      link.send({ type: 'read-error', error: serializeError(e) });
      return;
    }
  } else {
    engine(); // compiled while the files are read
  }
  while (need > 0) {
    const m = link.take();
    if (m.type === 'stop') return;
    if (m.type === 'dataset') {
      installDataset(m.dataset, m.shared, spec.presortBy, sorted);
      need--;
    }
  }
  const { prepareCalculator, runPrepared } = engine();
  for (let index = claim(spec); index >= 0; index = claim(spec)) {
    link.send({ type: 'outcome', outcome: outcomeOf(index, () => runPrepared(prepareCalculator(spec.configs[index]), sorted)) });
  }
  link.send({ type: 'done' });
}

/** This module is only a worker's entry: the main thread never loads it. */
const options = (isMainThread ? null : workerData) as WorkerOptions | null;
if (options?.role === 'vigil-run') runWorker(options);
