/**
 * What the threads of a parallel `vigil run` say to each other, and the steps both kinds of thread take
 * (pool.ts is the main thread's side, worker.ts a worker's).
 *
 * Plan (threads = main + workers): worker 0 reads the analysis file (and the targets, and joins them)
 * while the main thread reads the reference; each sorts its frame by the run's timestamp column and
 * shares it (shared memory, not copied). Calculators are claimed longest first from a shared counter.
 * The main thread fits the calculators it claims on the reference while the analysis is still being
 * read (up to half of the work), then finishes them; every thread then claims the rest whole.
 */
import type { Period, ResultRow } from '../engine/calculator';
import type { Frame } from '../engine/frame';
import type { CalculatorConfig } from '../engine/run';
import { prepareFrame, SortedFrames } from '../engine/sorted-frames';
import type { AnalysisFiles } from '../io/frames';
import { SerializedError, serializeError } from './errors';
import { frameOf, shareFrame, SharedFrame } from './shared-frame';

export interface RunSpec {
  configs: CalculatorConfig[];
  /** config indexes, longest first */
  order: number[];
  /** Int32Array(1) on shared memory: the next position in `order` to claim */
  next: Int32Array;
  /** the one timestamp column every calculator chunks by (null: none), or undefined when they differ */
  presortBy: string | null | undefined;
  /** set for the worker that reads the analysis */
  read: AnalysisFiles | null;
}

/** A dataset's frame as shared between threads; `presorted` when prepared for `presortBy`. */
export interface SharedDataset {
  frame: SharedFrame;
  presorted: boolean;
}

export type CalculatorOutcome = { index: number; ok: true; rows: ResultRow[] } | { index: number; ok: false; error: SerializedError };

export type ToWorker =
  | { type: 'run'; spec: RunSpec }
  | { type: 'dataset'; dataset: Period; shared: SharedDataset }
  /** the run failed elsewhere: stop */
  | { type: 'stop' };

export type FromWorker =
  | { type: 'analysis'; shared: SharedDataset; join: { unmatched: number; on: string } | null }
  | { type: 'read-error'; error: SerializedError }
  | { type: 'outcome'; outcome: CalculatorOutcome }
  | { type: 'done' };

/**
 * Prepares `frame` for the run's timestamp column and shares it. A frame that cannot be prepared (no
 * rows, a bad timestamp) is shared as read: each calculator then meets the error itself, as in the
 * sequential run, where it is that calculator's error.
 */
export function shareDataset(frame: Frame, dataset: Period, presortBy: string | null | undefined, sorted: SortedFrames): SharedDataset {
  sorted.set(dataset, frame);
  if (presortBy === undefined) return { frame: shareFrame(frame), presorted: false };
  let prepared: Frame;
  try {
    prepared = prepareFrame(frame, dataset, presortBy);
  } catch {
    return { frame: shareFrame(frame), presorted: false };
  }
  const shared = shareFrame(prepared);
  sorted.presorted(dataset, presortBy, frameOf(shared));
  return { frame: shared, presorted: true };
}

/** Installs a dataset another thread shared. */
export function installDataset(dataset: Period, shared: SharedDataset, presortBy: string | null | undefined, sorted: SortedFrames): void {
  const frame = frameOf(shared.frame);
  sorted.set(dataset, frame);
  if (shared.presorted && presortBy !== undefined) sorted.presorted(dataset, presortBy, frame);
}

/** Claims the next calculator (its config index), or returns -1 when none is left. */
export function claim(spec: RunSpec): number {
  const k = Atomics.add(spec.next, 0, 1);
  return k < spec.order.length ? spec.order[k] : -1;
}

/** A calculator's rows or its error, as data that crosses threads. */
export function outcomeOf(index: number, rows: () => ResultRow[]): CalculatorOutcome {
  try {
    return { index, ok: true, rows: rows() };
  } catch (e) {
    return { index, ok: false, error: serializeError(e) };
  }
}
