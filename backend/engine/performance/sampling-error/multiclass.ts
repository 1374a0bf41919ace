/**
 * Sampling-error components of the multiclass metrics (spec §4.5,
 * nannyml/sampling_error/multiclass_classification.py). Each class contributes a (variance, fraction)
 * pair computed one-vs-rest as in the binary case; SE = sqrt(Σ_c v_c / (n f_c)) / K.
 */
import { BusinessValueNormalization, ConfusionNormalization, Matrix } from '../metrics/binary';
import { MulticlassCounts, predTotals, trueTotals } from '../metrics/multiclass';
import { SeededRandom } from '../../random';
import { aurocComponents, bootstrapAveragePrecisions, populationStd, scaledBernoulliStd } from './binary';

export interface ClassComponent {
  variance: number;
  fraction: number;
}

/** Experiments showed the class-variance formula underestimates the ROC AUC SE by 20 % (NannyML). */
export const MULTICLASS_AUROC_SE_FACTOR = 1.2;

export function combinedSamplingError(components: ClassComponent[], n: number): number {
  if (!(n > 0) || components.length === 0) return NaN;
  let s = 0;
  for (const c of components) s += c.variance / (n * c.fraction);
  return Math.sqrt(s) / components.length;
}

const variance = (ones: number, zeros: number) => scaledBernoulliStd(ones, zeros) ** 2;

function perClass(c: MulticlassCounts, f: (tp: number, fn: number, fp: number, tn: number) => ClassComponent): ClassComponent[] {
  const t = trueTotals(c);
  const p = predTotals(c);
  const out: ClassComponent[] = [];
  for (let i = 0; i < c.k; i++) {
    const tp = c.cm[i * c.k + i];
    const fn = t[i] - tp;
    const fp = p[i] - tp;
    out.push(f(tp, fn, fp, c.n - tp - fn - fp));
  }
  return out;
}

/** f1 per class: [1 per TP, 0 per FN, 0 per FP] (no correcting factor here), fraction (TP+FN+FP)/N. */
export const f1ClassComponents = (c: MulticlassCounts) =>
  perClass(c, (tp, fn, fp) => ({ variance: variance(tp, fn + fp), fraction: (tp + fn + fp) / c.n }));
export const precisionClassComponents = (c: MulticlassCounts) =>
  perClass(c, (tp, _fn, fp) => ({ variance: variance(tp, fp), fraction: (tp + fp) / c.n }));
export const recallClassComponents = (c: MulticlassCounts) =>
  perClass(c, (tp, fn) => ({ variance: variance(tp, fn), fraction: (tp + fn) / c.n }));
export const specificityClassComponents = (c: MulticlassCounts) =>
  perClass(c, (_tp, _fn, fp, tn) => ({ variance: variance(tn, fp), fraction: (tn + fp) / c.n }));

/** accuracy: std₀(1[y = ŷ]); SE = std/√n. */
export function multiclassAccuracyStd(c: MulticlassCounts): number {
  let correct = 0;
  for (let i = 0; i < c.k; i++) correct += c.cm[i * c.k + i];
  return scaledBernoulliStd(correct, c.n - correct);
}

/** ROC AUC per class: the binary Mann-Whitney components of (y = c, score_c), as a variance. */
export function aurocClassComponents(yTrue: Int32Array, probas: Float64Array[]): ClassComponent[] {
  return probas.map((scores, cls) => {
    const labels = new Float64Array(yTrue.length);
    for (let i = 0; i < labels.length; i++) labels[i] = yTrue[i] < 0 ? NaN : yTrue[i] === cls ? 1 : 0;
    const fit = aurocComponents(labels, scores);
    return { variance: fit.std * fit.std, fraction: fit.fraction };
  });
}

export function multiclassAurocSamplingError(components: ClassComponent[], n: number): number {
  return combinedSamplingError(components, n) * MULTICLASS_AUROC_SE_FACTOR;
}

export interface ClassApComponent {
  variance: number;
  sampleSize: number;
}

/** AP per class: the variance of a seeded bootstrap (spec §9.3). */
export function apClassComponents(yTrue: Int32Array, probas: Float64Array[], rng: SeededRandom): ClassApComponent[] {
  return probas.map((scores, cls) => {
    const labels = new Float64Array(yTrue.length);
    for (let i = 0; i < labels.length; i++) labels[i] = yTrue[i] < 0 ? NaN : yTrue[i] === cls ? 1 : 0;
    const { values, sampleSize } = bootstrapAveragePrecisions(labels, scores, rng);
    return { variance: populationStd(values) ** 2, sampleSize };
  });
}

/** SE = sqrt(mean_c(v_c · size_c / n)). */
export function multiclassApSamplingError(components: ClassApComponent[], n: number): number {
  if (!(n > 0) || components.length === 0) return NaN;
  let s = 0;
  for (const c of components) s += (c.variance * c.sampleSize) / n;
  return Math.sqrt(s / components.length);
}

/** Per cell: std of a Bernoulli vector and the relevant proportion of the reference (null = counts). */
export interface MulticlassCellFit {
  k: number;
  stds: Float64Array;
  proportions: Float64Array | null;
  normalize: ConfusionNormalization;
}

export function confusionMatrixComponents(c: MulticlassCounts, normalize: ConfusionNormalization): MulticlassCellFit {
  const k = c.k;
  const t = trueTotals(c);
  const p = predTotals(c);
  const stds = new Float64Array(k * k);
  const proportions = normalize === null ? null : new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const count = c.cm[i * k + j];
      const group = normalize === 'true' ? t[i] : normalize === 'pred' ? p[j] : c.n;
      stds[i * k + j] = scaledBernoulliStd(count, group - count);
      if (proportions) proportions[i * k + j] = normalize === 'all' ? 1 : group / c.n;
    }
  }
  return { k, stds, proportions, normalize };
}

export function confusionMatrixSamplingErrors(fit: MulticlassCellFit, n: number): Float64Array {
  const out = new Float64Array(fit.k * fit.k);
  for (let i = 0; i < out.length; i++) {
    if (!(n > 0)) out[i] = NaN;
    else if (fit.proportions === null) out[i] = (fit.stds[i] / Math.sqrt(n)) * n;
    else out[i] = fit.stds[i] / Math.sqrt(n * fit.proportions[i]);
  }
  return out;
}

export interface MulticlassBusinessValueFit {
  /** std₁: NannyML takes pandas' Series.std here (ddof = 1), unlike the binary case */
  std: number;
  normalize: BusinessValueNormalization;
}

export function multiclassBusinessValueComponents(c: MulticlassCounts, bv: Matrix, normalize: BusinessValueNormalization): MulticlassBusinessValueFit {
  if (c.n < 2) return { std: NaN, normalize };
  let mean = 0;
  for (let i = 0; i < c.k; i++) for (let j = 0; j < c.k; j++) mean += c.cm[i * c.k + j] * bv[i][j];
  mean /= c.n;
  let ss = 0;
  for (let i = 0; i < c.k; i++) for (let j = 0; j < c.k; j++) ss += c.cm[i * c.k + j] * (bv[i][j] - mean) ** 2;
  return { std: Math.sqrt(ss / (c.n - 1)), normalize };
}

export function multiclassBusinessValueSamplingError(fit: MulticlassBusinessValueFit, n: number): number {
  if (!(n > 0)) return NaN;
  return (fit.normalize === null ? fit.std * n : fit.std) / Math.sqrt(n);
}
