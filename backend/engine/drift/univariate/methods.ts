/**
 * The contract of a univariate drift method (spec §2): `fit` learns plain, serialisable data from the whole
 * reference column (NaN removed); `score` turns one chunk into a value. Methods never see missing values
 * or empty chunks: the calculator removes NaN first and reports an empty chunk as NaN itself.
 */
import { UNIVARIATE_METHODS } from '../../catalog';
import { Limits, Threshold } from '../../thresholds';
import { Edges, histogram } from './histogram';

export type ContinuousMethodId = (typeof UNIVARIATE_METHODS.continuous)[number];
export type CategoricalMethodId = (typeof UNIVARIATE_METHODS.categorical)[number];
export type MethodId = ContinuousMethodId | CategoricalMethodId;

/** NannyML's computation_params for KS and Wasserstein (spec §2.5, §2.8). */
export type CalculationMethod = 'auto' | 'exact' | 'estimated';
export interface ComputationParams {
  calculationMethod: CalculationMethod;
  nBins: number;
}

/** NannyML's defaults: `auto` switches to binned estimation from this many reference rows; 10 000 bins. */
export const AUTO_EXACT_BELOW_ROWS = 10_000;
export const DEFAULT_N_BINS = 10_000;
export const DEFAULT_COMPUTATION_PARAMS: ComputationParams = { calculationMethod: 'auto', nBins: DEFAULT_N_BINS };

/** `auto`: exact when the reference (without NaN) has fewer than 10 000 values. */
export function usesExact(params: ComputationParams, referenceSize: number): boolean {
  return params.calculationMethod === 'exact' || (params.calculationMethod === 'auto' && referenceSize < AUTO_EXACT_BELOW_ROWS);
}

export interface HistogramCounts {
  counts: Float64Array;
  inRange: number;
  below: number;
  above: number;
}

/** The NaN-free values of one chunk, with derived forms computed once and shared by the methods. */
export class ContinuousSample {
  private sortedValues: Float64Array | null = null;
  private readonly histograms = new Map<Edges, HistogramCounts>();

  constructor(readonly values: Float64Array) {}

  get size(): number {
    return this.values.length;
  }

  /** Ascending copy. */
  sorted(): Float64Array {
    if (!this.sortedValues) this.sortedValues = Float64Array.from(this.values).sort();
    return this.sortedValues;
  }

  /** Counts on the given edges (numpy semantics), memoised per edges object. */
  histogram(edges: Edges): HistogramCounts {
    let h = this.histograms.get(edges);
    if (!h) {
      h = histogram(this.values, edges);
      this.histograms.set(edges, h);
    }
    return h;
  }
}

/**
 * What a method reports on one chunk: the statistic or distance, and for hypothesis tests the p-value.
 * `alert` is set by methods that decide the alert themselves (chi2: p < 0.05).
 */
export interface MethodScore {
  value: number;
  pValue?: number;
  alert?: boolean;
}

/**
 * Hypothesis tests (Evidently's p-value stattests) report `<id>` (the statistic) and `<id>_p_value`; the
 * alert is `p < alpha` on the p-value series, whose default threshold is a constant lower bound `alpha`.
 */
export interface TestInfo {
  /** Evidently's default significance level for this test. */
  alpha: number;
}

export interface ContinuousMethod<F = unknown, S extends number | MethodScore = number> {
  readonly id: ContinuousMethodId;
  /** Theoretical value limits, applied to thresholds (spec §2 table). */
  readonly limits: Limits;
  /** Present on hypothesis tests. */
  readonly test?: TestInfo;
  /** Default threshold of the value series when the user gives none (default: NannyML's std threshold). */
  readonly defaultThreshold?: Threshold;
  fit(reference: Float64Array, params: ComputationParams): F;
  score(fit: F, chunk: ContinuousSample): S;
}

/** Category counts of a chunk against the reference categories. */
export interface CategoryCounts {
  /** Counts aligned with the reference categories (np.unique order). */
  seen: Float64Array;
  /** Counts of categories absent from the reference, one entry per category (all > 0). */
  unseen: number[];
  /** Non-missing values in the chunk. */
  total: number;
}

export type CategoricalScore = MethodScore;

export interface CategoricalMethod<F = unknown> {
  readonly id: CategoricalMethodId;
  readonly limits: Limits;
  readonly test?: TestInfo;
  readonly defaultThreshold?: Threshold;
  /** `reference.seen` holds the reference counts (all > 0); `unseen` is empty. */
  fit(reference: CategoryCounts): F;
  score(fit: F, chunk: CategoryCounts): CategoricalScore;
}

/** Reference shares `counts / n` (np.unique counts divided by the length). */
export function shares(counts: Float64Array, n: number): number[] {
  return Array.from(counts, (c) => c / n);
}
