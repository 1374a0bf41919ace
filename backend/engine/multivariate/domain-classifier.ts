/**
 * DomainClassifierCalculator (spec §3.2): how well a gradient-boosted classifier tells a chunk's rows from
 * the reference rows, as the cross-validated ROC AUC of its out-of-fold predictions (0.5: indistinguishable).
 *
 * - analysis chunk: X = [whole reference; chunk], y = 0 for reference rows, 1 for chunk rows;
 * - reference chunk: X = the reference alone, y = 1 on the chunk's rows (NannyML ≥ 0.10.6; earlier
 *   versions appended the chunk and dropped duplicates);
 * - categoricals ordinal-encoded on X (categories present in X, in sorted order), numeric columns raw;
 *   columns ordered categorical first, then continuous, as NannyML builds the frame;
 * - StratifiedKFold(cv_folds_num) without shuffling, our GBDT with LightGBM's defaults (random_state 13);
 * - one class only: 0.5. Constant thresholds 0.45 / 0.65 by default, limits [0, 1], strict alert.
 */
import { CalculatorDefinition, ChunkingParams, chunkFrame, DataError, FittedCalculator, MetricRow, SeriesSpec, toMetricRow } from '../calculator';
import { metricDef } from '../catalog';
import { splitByType } from '../columns';
import { asCategorical, CategoricalColumn, Column, Frame, getColumn, recodeTo, sortedLevelOrder } from '../frame';
import { gbdtParams, GbdtParams, predict, trainGbdt, TrainFeature } from '../gbdt';
import { parseHyperparameters, refuseTuning } from '../gbdt/hyperparameters';
import { stratifiedKFold } from '../gbdt/cross-validation';
import { ParamReader } from '../params';
import { rocAuc } from '../performance/metrics/curves';
import { calculateThresholdValues, Limits, Threshold } from '../thresholds';

const METRIC = metricDef('multivariate_drift', 'domain_classifier_auroc');
if (!METRIC) throw new Error('catalog lacks multivariate_drift/domain_classifier_auroc');

/** NannyML's defaults (domain_classifier/calculator.py). */
export const DEFAULT_CV_FOLDS = 5;
export const DEFAULT_DC_THRESHOLD: Threshold = { type: 'constant', lower: 0.45, upper: 0.65 };
/** DEFAULT_LGBM_HYPERPARAMS: LightGBM's defaults with random_state = 13. */
export const DEFAULT_DC_RANDOM_STATE = 13;
/** The value when the classifier has only one class to learn (reference and chunk cannot be told apart). */
const SINGLE_CLASS_AUROC = 0.5;
const AUROC_LIMITS: Limits = { lower: 0, upper: 1 };

export interface DomainClassifierParams {
  featureColumnNames: string[];
  treatAsCategorical: string[];
  cvFoldsNum: number;
  gbdt: GbdtParams;
  threshold: Threshold;
  chunking: ChunkingParams;
}

export function parseDomainClassifierParams(raw: Record<string, unknown>, where: string): DomainClassifierParams {
  const r = new ParamReader(raw, where);
  const featureColumnNames = r.requiredStringList('feature_column_names');
  const treatAsCategorical = r.stringList('treat_as_categorical') ?? [];
  for (const name of treatAsCategorical) {
    if (!featureColumnNames.includes(name)) r.fail('treat_as_categorical', `'${name}' is not in feature_column_names`);
  }
  const cvFoldsNum = r.number('cv_folds_num', DEFAULT_CV_FOLDS, { integer: true, min: 2 })!;
  const gbdt = parseHyperparameters(r, 'hyperparameters', gbdtParams({ objective: 'binary', seed: DEFAULT_DC_RANDOM_STATE }));
  refuseTuning(r);
  const p: DomainClassifierParams = {
    featureColumnNames,
    treatAsCategorical,
    cvFoldsNum,
    gbdt,
    threshold: r.threshold('threshold', DEFAULT_DC_THRESHOLD),
    chunking: r.chunking(),
  };
  r.done();
  return p;
}

// ---------------------------------------------------------------------------------------------------
// Features

/** A feature column of the classifier, as read from the reference; chunks are encoded against it. */
export interface FeatureSource {
  name: string;
  /** continuous: raw values; categorical from text/bool levels; categorical from numbers (treat_as_categorical) */
  kind: 'continuous' | 'categorical' | 'numeric_categorical';
  reference: Float64Array | CategoricalColumn;
}

/** Categorical columns first (dtype order, then treat_as_categorical as listed), then continuous: NannyML's frame. */
function featureSources(reference: Frame, p: DomainClassifierParams): FeatureSource[] {
  const typed = splitByType(reference, p.featureColumnNames);
  const categorical = [...typed.categorical];
  for (const name of p.treatAsCategorical) if (!categorical.includes(name)) categorical.push(name);
  const continuous = typed.continuous.filter((n) => !categorical.includes(n));
  return [
    ...categorical.map((name): FeatureSource => {
      const c = getColumn(reference, name);
      return c.kind === 'numeric'
        ? { name, kind: 'numeric_categorical', reference: c.values }
        : { name, kind: 'categorical', reference: c };
    }),
    ...continuous.map((name): FeatureSource => ({ name, kind: 'continuous', reference: (getColumn(reference, name) as Column & { kind: 'numeric' }).values })),
  ];
}

/**
 * scikit-learn's OrdinalEncoder fitted on X: the categories present in X, sorted (np.unique order), become
 * 0..k-1; missing stays NaN (LightGBM then treats it as missing).
 */
export function ordinalCodes(source: FeatureSource, chunk: Column | null): Float64Array {
  if (source.kind === 'numeric_categorical') {
    const ref = source.reference as Float64Array;
    const chunkValues = chunk ? asNumericValues(chunk) : new Float64Array(0);
    const distinct = new Set<number>();
    for (const v of ref) if (!Number.isNaN(v)) distinct.add(v);
    for (const v of chunkValues) if (!Number.isNaN(v)) distinct.add(v);
    const rank = new Map<number, number>();
    [...distinct].sort((a, b) => a - b).forEach((v, i) => rank.set(v, i));
    const out = new Float64Array(ref.length + chunkValues.length);
    ref.forEach((v, i) => (out[i] = Number.isNaN(v) ? NaN : rank.get(v)!));
    chunkValues.forEach((v, i) => (out[ref.length + i] = Number.isNaN(v) ? NaN : rank.get(v)!));
    return out;
  }
  const ref = source.reference as CategoricalColumn;
  const other = chunk ? recodeTo(asCategorical(chunk), ref) : null;
  const levels = other ? other.levels : ref.levels;
  const present = new Uint8Array(levels.length);
  for (const c of ref.codes) if (c >= 0) present[c] = 1;
  if (other) for (const c of other.codes) if (c >= 0) present[c] = 1;
  const rank = new Float64Array(levels.length).fill(NaN);
  let k = 0;
  for (const level of sortedLevelOrder({ ...ref, levels })) if (present[level]) rank[level] = k++;
  const out = new Float64Array(ref.codes.length + (other ? other.codes.length : 0));
  ref.codes.forEach((c, i) => (out[i] = c < 0 ? NaN : rank[c]));
  if (other) other.codes.forEach((c, i) => (out[ref.codes.length + i] = c < 0 ? NaN : rank[c]));
  return out;
}

function asNumericValues(c: Column): Float64Array {
  if (c.kind === 'numeric') return c.values;
  throw new DataError('analysis', `column '${c.name}' is numeric in the reference but not in the analysis data`);
}

// ---------------------------------------------------------------------------------------------------
// The classifier

/** Out-of-fold ROC AUC of telling y = 1 rows from y = 0 rows (NannyML's `_calculate_chunk`). */
export function crossValidatedAuroc(features: TrainFeature[], y: Uint8Array, folds: number, params: GbdtParams): number {
  const n = y.length;
  let ones = 0;
  for (let i = 0; i < n; i++) ones += y[i];
  if (ones === 0 || ones === n) return SINGLE_CLASS_AUROC;
  const fold = stratifiedKFold(y, folds);
  const oof = new Float64Array(n);
  for (let f = 0; f < folds; f++) {
    let nTest = 0;
    for (let i = 0; i < n; i++) if (fold[i] === f) nTest++;
    if (nTest === 0) continue;
    const train = new Int32Array(n - nTest);
    const test = new Int32Array(nTest);
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      if (fold[i] === f) test[b++] = i;
      else train[a++] = i;
    }
    const take = (values: ArrayLike<number>, rows: Int32Array) => {
      const out = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]];
      return out;
    };
    const model = trainGbdt(
      features.map((x) => ({ ...x, values: take(x.values, train) })),
      take(y, train),
      params,
    );
    const proba = predict(
      model,
      features.map((x) => take(x.values, test)),
    );
    for (let i = 0; i < nTest; i++) oof[test[i]] = proba[i];
  }
  const auc = rocAuc(y, oof);
  return Number.isNaN(auc) ? SINGLE_CLASS_AUROC : auc;
}

export interface DomainClassifier {
  /** AUROC of a reference chunk (rows start..end of the reference, inclusive). */
  referenceChunk(start: number, end: number): number;
  /** AUROC of an analysis chunk against the whole reference. */
  analysisChunk(chunk: Frame): number;
}

export function domainClassifier(reference: Frame, p: DomainClassifierParams): DomainClassifier {
  const sources = featureSources(reference, p);
  const n = reference.length;
  const refFeatures: TrainFeature[] = sources.map((s) => ({
    name: s.name,
    kind: s.kind === 'continuous' ? 'numeric' : 'categorical',
    values: s.kind === 'continuous' ? (s.reference as Float64Array) : ordinalCodes(s, null),
  }));
  return {
    referenceChunk(start, end) {
      const y = new Uint8Array(n);
      y.fill(1, start, end + 1);
      return crossValidatedAuroc(refFeatures, y, p.cvFoldsNum, p.gbdt);
    },
    analysisChunk(chunk) {
      const m = chunk.length;
      const features: TrainFeature[] = sources.map((s) => {
        const col = getColumn(chunk, s.name);
        if (s.kind !== 'continuous') return { name: s.name, kind: 'categorical', values: ordinalCodes(s, col) };
        const values = new Float64Array(n + m);
        values.set(s.reference as Float64Array);
        values.set(asContinuous(col), n);
        return { name: s.name, kind: 'numeric', values };
      });
      const y = new Uint8Array(n + m);
      y.fill(1, n);
      return crossValidatedAuroc(features, y, p.cvFoldsNum, p.gbdt);
    },
  };
}

function asContinuous(c: Column): Float64Array {
  if (c.kind === 'numeric') return c.values;
  throw new DataError('analysis', `column '${c.name}' is numeric in the reference but categorical in the analysis data`);
}

export const domainClassifierCalculator: CalculatorDefinition<DomainClassifierParams> = {
  className: 'DomainClassifierCalculator',
  parseParams: parseDomainClassifierParams,
  fit(reference, p): FittedCalculator {
    const dc = domainClassifier(reference, p);
    const chunks = chunkFrame(reference, p.chunking);
    const refValues = chunks.map((c) => dc.referenceChunk(c.start, c.end));
    const thresholds = calculateThresholdValues(p.threshold, refValues, AUROC_LIMITS);
    const spec: SeriesSpec = { column: null, metric: METRIC.id, threshold: p.threshold, limits: AUROC_LIMITS, alertRule: 'strict' };
    const row = (value: number): MetricRow[] => [toMetricRow(spec, { value }, thresholds)];
    return {
      chunking: p.chunking,
      reference: chunks.map((chunk, i) => ({ chunk, period: 'reference' as const, rows: row(refValues[i]) })),
      calculate: (chunk) => row(dc.analysisChunk(chunk)),
    };
  },
};
