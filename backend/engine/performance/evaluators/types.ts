/**
 * One performance metric, fitted on the reference: its series (components), limits, realized value,
 * CBPE estimate and sampling error. PerformanceCalculator and CBPE compose these.
 */
import { Limits } from '../../thresholds';
import { Dataset } from '../data';

export interface Evaluator<D> {
  metric: string;
  /** series names: the metric id, or one name per confusion-matrix cell */
  components: string[];
  /** threshold limits (also the confidence-band limits) */
  limits: Limits;
  /** a NaN band becomes the limit (NannyML's multiclass CBPE confusion matrix: see SeriesSpec) */
  nanBandsAtLimits?: boolean;
  /** rows a realized value uses: target and the needed prediction column(s) present */
  realizedRows(d: D): number;
  /** rows a CBPE estimate uses: the needed prediction column(s) present */
  estimateRows(d: D): number;
  realized(d: D): number[];
  samplingError(n: number): number[];
  /** CBPE estimate; realized-only evaluators (regression) do not have one */
  estimate?(d: D): number[];
}

/** PerformanceCalculator and CBPE compute a few realized values slightly differently (edge cases). */
export type Flavor = 'calculator' | 'cbpe';

export const RATE_LIMITS: Limits = { lower: 0, upper: 1 };
export const NO_LIMITS: Limits = { lower: null, upper: null };
export const NON_NEGATIVE: Limits = { lower: 0, upper: null };

export interface ChunkBase {
  dataset: Dataset;
}

export function countPresent(...columns: (ArrayLike<number> | null)[]): number {
  const cols = columns.filter((c): c is ArrayLike<number> => c !== null);
  if (cols.length !== columns.length || cols.length === 0) return 0;
  let n = 0;
  outer: for (let i = 0; i < cols[0].length; i++) {
    for (const c of cols) if (Number.isNaN(c[i]) || (c instanceof Int32Array && c[i] < 0)) continue outer;
    n++;
  }
  return n;
}

const memos = new WeakMap<object, Map<string, unknown>>();

/** Computes once per chunk what several metrics share (confusion counts, ranking curves). */
export function memo<T>(chunk: object, key: string, compute: () => T): T {
  let m = memos.get(chunk);
  if (!m) memos.set(chunk, (m = new Map()));
  if (!m.has(key)) m.set(key, compute());
  return m.get(key) as T;
}

/**
 * What evaluators learn from the reference (their sampling-error components: plain data), in the order
 * they learn it: recorded when a calculator is fitted and saved with the fit; replayed, in the same order
 * (the params fix it), when the fit is restored, so the reference is not read again.
 */
export interface ReferenceFits {
  readonly values: unknown[];
  readonly replay: boolean;
  next: number;
}

export const recordFits = (): ReferenceFits => ({ values: [], replay: false, next: 0 });
export const replayFits = (values: unknown[]): ReferenceFits => ({ values, replay: true, next: 0 });

/** `learn()`'s result when fitting (recorded), the saved one when restoring (`learn` is not called). */
export function fitOnce<T>(fits: ReferenceFits, learn: () => T): T {
  if (!fits.replay) {
    const v = learn();
    fits.values.push(v);
    return v;
  }
  if (fits.next >= fits.values.length) throw new Error('saved fit: fewer evaluator fits than the metrics need');
  return fits.values[fits.next++] as T;
}
