/**
 * OutlierDetectionCalculator (Vigil's own; NannyML has no outlier detector, spec §8): an isolation forest
 * fitted on the reference features, and per chunk the share of rows it flags (`outlier_rate`).
 *
 * - Features: continuous columns as they are (a missing value takes the reference mean, so missingness is
 *   left to MissingValuesCalculator); categorical columns frequency-encoded as in the PCA calculator (a
 *   category becomes its share of the reference rows, so rare categories sit at one end and are isolated
 *   by the splits as extreme numbers are; a missing value is a category of its own). A category the
 *   reference never had encodes as −∞: beyond every node's range, so the first split on its feature
 *   isolates the row (see the range-extended path length in isolation-forest.ts).
 * - Flag: score above the reference score quantile 1 − contamination, so `contamination` (0.01) of the
 *   reference rows are flagged.
 * - Per chunk: outlier_rate with thresholds mean ± 3·std₀ of the reference chunks (strict alert) and the
 *   binomial sampling error √(p(1−p)/n), p the reference outlier share.
 * - `scoreRows` scores any rows on demand with per-feature contributions (path-length attribution, see
 *   isolation-forest.ts), for the server's scoring endpoint.
 */
import { CalculatorDefinition, ChunkingParams, DataError, FittedCalculator, fitSeriesCalculator, restoreSeriesCalculator, SavedSeriesFit, SeriesModel, SeriesSpec } from '../calculator';
import { metricDef } from '../catalog';
import { ColumnKind, kindOf } from '../columns';
import { Column, Frame, getColumn } from '../frame';
import { bindEncoder, ColumnEncoder, fitEncoder } from '../multivariate/encoding';
import { ParamReader } from '../params';
import { DEFAULT_STD_THRESHOLD, Threshold } from '../thresholds';
import { anomalyScores, fitIsolationForest, IsolationForest, pathAttribution } from './isolation-forest';
import { seededRandom } from './random';

/** Defaults: sklearn IsolationForest's n_estimators and max_samples ('auto' = 256); contamination per issue #4. */
export const DEFAULT_N_ESTIMATORS = 100;
export const DEFAULT_MAX_SAMPLES = 256;
export const DEFAULT_CONTAMINATION = 0.01;
/** sklearn leaves random_state unset (not reproducible); Vigil seeds by default so every run agrees. */
export const DEFAULT_RANDOM_STATE = 0;
/** sklearn's bound on contamination. */
const MAX_CONTAMINATION = 0.5;
/** A missing categorical value is its own category; this label cannot clash with a CSV value. */
const MISSING_CATEGORY = '\u0000missing';
const MEAN_IMPUTER = { strategy: 'mean' as const };
const MISSING_AS_CATEGORY = { strategy: 'constant' as const, fillValue: MISSING_CATEGORY };
/** Encoded value of an unseen category: outside every node's range, isolated with certainty. */
const UNSEEN_CATEGORY_VALUE = -Infinity;

const METRIC = metricDef('outliers', 'outlier_rate');
if (!METRIC) throw new Error('catalog lacks outliers/outlier_rate');

export type MaxSamples = { type: 'count'; value: number } | { type: 'fraction'; value: number };

export interface OutlierParams {
  columnNames: string[];
  treatAsCategorical: string[];
  nEstimators: number;
  maxSamples: MaxSamples;
  contamination: number;
  randomState: number;
  threshold: Threshold;
  chunking: ChunkingParams;
}

/** Everything needed to score rows: plain data (see outlierModelToJSON). */
export interface OutlierModel {
  columns: string[];
  encoders: ColumnEncoder[];
  forest: IsolationForest;
  /** rows scoring above this are outliers */
  scoreThreshold: number;
  contamination: number;
  /** share of reference rows above the threshold (≈ contamination; less with tied scores) */
  referenceOutlierShare: number;
}

export interface FittedOutlierCalculator extends FittedCalculator {
  readonly model: OutlierModel;
}

export function parseOutlierParams(raw: Record<string, unknown>, where: string): OutlierParams {
  const r = new ParamReader(raw, where);
  const columnNames = r.requiredStringList('column_names');
  const treatAsCategorical = r.stringList('treat_as_categorical') ?? [];
  for (const c of treatAsCategorical) if (!columnNames.includes(c)) r.fail('treat_as_categorical', `'${c}' is not in column_names`);
  const nEstimators = r.number('n_estimators', DEFAULT_N_ESTIMATORS, { integer: true, min: 1 })!;
  const maxSamples = parseMaxSamples(r);
  const contamination = r.number('contamination', DEFAULT_CONTAMINATION, { min: 0, exclusiveMin: true, max: MAX_CONTAMINATION })!;
  const randomState = r.number('random_state', DEFAULT_RANDOM_STATE, { integer: true, min: 0, max: 2 ** 32 - 1 })!;
  const p: OutlierParams = {
    columnNames,
    treatAsCategorical,
    nEstimators,
    maxSamples,
    contamination,
    randomState,
    threshold: r.threshold('threshold', DEFAULT_STD_THRESHOLD),
    chunking: r.chunking(),
  };
  r.done();
  return p;
}

/**
 * sklearn's max_samples: 'auto' (256), a whole number of rows (≥ 2), or a fraction of the reference in
 * (0, 1]. YAML cannot tell 1 from 1.0, so 1 means the whole reference.
 */
function parseMaxSamples(r: ParamReader): MaxSamples {
  const raw = r.raw_('max_samples');
  if (raw === undefined || raw === null || raw === 'auto') return { type: 'count', value: DEFAULT_MAX_SAMPLES };
  const v = typeof raw === 'number' && Number.isFinite(raw) ? raw : NaN;
  if (Number.isInteger(v) && v >= 2) return { type: 'count', value: v };
  if (v > 0 && v <= 1) return { type: 'fraction', value: v };
  return r.fail('max_samples', `must be 'auto', a whole number ≥ 2 or a fraction in (0, 1], got ${JSON.stringify(raw)}`);
}

/** numpy's default (linear) percentile of sorted values, q in [0, 1]. */
function quantileSorted(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function bindAll(model: Pick<OutlierModel, 'encoders'>, frame: Frame) {
  return model.encoders.map((e) => bindEncoder(e, frame, UNSEEN_CATEGORY_VALUE));
}

/** Fits encoders and forest on the reference and sets the score threshold; also returns the reference scores. */
export function fitOutlierModel(reference: Frame, p: OutlierParams): { model: OutlierModel; referenceScores: Float64Array } {
  const n = reference.length;
  if (n < 2) throw new DataError('reference', 'OutlierDetectionCalculator needs at least 2 reference rows');
  const encoders = p.columnNames.map((name) => {
    const kind: ColumnKind = p.treatAsCategorical.includes(name) ? 'categorical' : kindOf(getColumn(reference, name));
    return fitEncoder(reference, name, MEAN_IMPUTER, MISSING_AS_CATEGORY, kind);
  });
  const columns = bindAll({ encoders }, reference);
  const sampleSize = p.maxSamples.type === 'count' ? Math.min(p.maxSamples.value, n) : Math.max(2, Math.floor(p.maxSamples.value * n));
  const forest = fitIsolationForest(columns, n, { nTrees: p.nEstimators, sampleSize, random: seededRandom(p.randomState) });
  const referenceScores = anomalyScores(forest, columns, n);
  const sorted = referenceScores.slice().sort();
  const scoreThreshold = quantileSorted(sorted, 1 - p.contamination);
  let flagged = 0;
  for (let i = 0; i < n; i++) if (referenceScores[i] > scoreThreshold) flagged++;
  const model: OutlierModel = {
    columns: p.columnNames.slice(),
    encoders,
    forest,
    scoreThreshold,
    contamination: p.contamination,
    referenceOutlierShare: flagged / n,
  };
  return { model, referenceScores };
}

/** Anomaly scores of every row of a frame. */
export function outlierScores(model: OutlierModel, frame: Frame): Float64Array {
  return anomalyScores(model.forest, bindAll(model, frame), frame.length);
}

export interface RowScores {
  columns: string[];
  /** anomaly score per row, in (0, 1] */
  scores: Float64Array;
  /** 1 where the score is above the model's threshold */
  outliers: Uint8Array;
  /**
   * n × columns.length, row-major: each row's share of isolation per feature (sums to 1 over the
   * features; all 0 when no split separated the row at all).
   */
  contributions: Float64Array;
}

/** Scores rows on demand, with per-feature contributions (the server's POST /api/models/{name}/score). */
export function scoreRows(model: OutlierModel, frame: Frame): RowScores {
  const n = frame.length;
  const d = model.columns.length;
  const columns = bindAll(model, frame);
  const scores = anomalyScores(model.forest, columns, n);
  const outliers = new Uint8Array(n);
  for (let i = 0; i < n; i++) outliers[i] = scores[i] > model.scoreThreshold ? 1 : 0;
  const contributions = new Float64Array(n * d);
  const row = new Float64Array(d);
  const bits = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) columns[j].write(i, 1, row, j);
    pathAttribution(model.forest, row, bits);
    let total = 0;
    for (let j = 0; j < d; j++) total += bits[j];
    if (total > 0) for (let j = 0; j < d; j++) contributions[i * d + j] = bits[j] / total;
  }
  return { columns: model.columns, scores, outliers, contributions };
}

/** The features of row i by decreasing contribution. */
export function rankedContributions(result: RowScores, i: number): { column: string; contribution: number }[] {
  const d = result.columns.length;
  return result.columns
    .map((column, j) => ({ column, contribution: result.contributions[i * d + j] }))
    .sort((a, b) => b.contribution - a.contribution || (a.column < b.column ? -1 : 1));
}

/**
 * Where `chunk` is a row-range view of `reference` (as the reference chunks are), its first row; else −1.
 * Lets the reference chunks reuse the reference scores instead of scoring the reference twice.
 */
function viewStart(chunk: Frame, reference: Frame, names: string[]): number {
  const storage = (c: Column) => (c.kind === 'numeric' ? c.values : c.codes);
  let start = -1;
  for (const name of names) {
    const a = chunk.columns.get(name);
    const b = reference.columns.get(name);
    if (!a || !b) return -1;
    const va = storage(a);
    const vb = storage(b);
    if (va.buffer !== vb.buffer || va.BYTES_PER_ELEMENT !== vb.BYTES_PER_ELEMENT) return -1;
    const s = (va.byteOffset - vb.byteOffset) / va.BYTES_PER_ELEMENT;
    if (s < 0 || s + chunk.length > reference.length || (start >= 0 && s !== start)) return -1;
    start = s;
  }
  return start;
}

export const outlierDetectionCalculator: CalculatorDefinition<OutlierParams> = {
  className: 'OutlierDetectionCalculator',
  parseParams: parseOutlierParams,
  fit(reference, p): FittedOutlierCalculator {
    const { model, referenceScores } = fitOutlierModel(reference, p);
    const fitted = fitSeriesCalculator(reference, p.chunking, outlierSeriesModel(model, p, { reference, referenceScores }), model);
    return { ...fitted, model };
  },
  restore(saved, p): FittedOutlierCalculator {
    const s = saved as SavedSeriesFit<OutlierModel>;
    return { ...restoreSeriesCalculator(s, p.chunking, outlierSeriesModel(s.state, p, null)), model: s.state };
  },
};

/** The outlier share per chunk; reference chunks (at fit time only) reuse the reference's scores. */
function outlierSeriesModel(model: OutlierModel, p: OutlierParams, fitting: { reference: Frame; referenceScores: Float64Array } | null): SeriesModel {
  const share = model.referenceOutlierShare;
  const spread = Math.sqrt(share * (1 - share));
  const series: SeriesSpec[] = [{ column: null, metric: METRIC!.id, threshold: p.threshold, limits: METRIC!.limits, alertRule: 'strict' }];
  const rateOf = (scores: ArrayLike<number>, from: number, to: number) => {
    let k = 0;
    for (let i = from; i < to; i++) if (scores[i] > model.scoreThreshold) k++;
    return k / (to - from);
  };
  return {
    series,
    compute(chunk, period) {
      const n = chunk.length;
      const start = period === 'reference' && fitting ? viewStart(chunk, fitting.reference, p.columnNames) : -1;
      const value = start >= 0 ? rateOf(fitting!.referenceScores, start, start + n) : rateOf(outlierScores(model, chunk), 0, n);
      return [{ value, sampling_error: spread / Math.sqrt(n) }];
    },
  };
}

/** JSON form of a model (typed arrays as plain arrays), for storing a fitted model. */
export function outlierModelToJSON(model: OutlierModel): unknown {
  const f = model.forest;
  return {
    ...model,
    forest: {
      nTrees: f.nTrees,
      sampleSize: f.sampleSize,
      d: f.d,
      roots: Array.from(f.roots),
      feature: Array.from(f.feature),
      threshold: Array.from(f.threshold),
      low: Array.from(f.low),
      high: Array.from(f.high),
      left: Array.from(f.left),
      right: Array.from(f.right),
      size: Array.from(f.size),
    },
  };
}

export function outlierModelFromJSON(json: unknown): OutlierModel {
  const m = json as OutlierModel & { forest: Record<string, number[] | number> };
  const f = m.forest;
  const ints = (k: string) => Int32Array.from(f[k] as number[]);
  const floats = (k: string) => Float64Array.from(f[k] as number[]);
  return {
    ...m,
    forest: {
      nTrees: f.nTrees as number,
      sampleSize: f.sampleSize as number,
      d: f.d as number,
      roots: ints('roots'),
      feature: ints('feature'),
      threshold: floats('threshold'),
      low: floats('low'),
      high: floats('high'),
      left: ints('left'),
      right: ints('right'),
      size: ints('size'),
    },
  };
}
