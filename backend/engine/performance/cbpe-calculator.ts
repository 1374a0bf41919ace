/**
 * CBPE: confidence-based performance estimation (spec §4). Fit: sampling-error components and
 * thresholds from the REALIZED metric on the reference chunks (uncalibrated scores), then the
 * calibrator(s): isotonic, when `needs_calibration` says so (`calibration: auto`, the default) or always
 * (`true`) or never (`false`). Per chunk: the estimate from calibrated probabilities, its SE and
 * ±3·SE band clipped to the metric limits, strict alert on the estimate, and the realized value when
 * the chunk carries targets.
 */
import { CalculatorDefinition, DataError, FittedCalculator, fitSeriesCalculator, SeriesValue } from '../calculator';
import { Frame } from '../frame';
import { CALIBRATION_SEED, calibrateMulticlass, fitIsotonic, IsotonicFit, needsCalibration, predictIsotonic } from './calibration';
import { RankedLabels, tallyRanked } from './tally';
import { assertAllClassesInReference, loadBinaryChunk, loadMulticlassChunk, Targets } from './chunks';
import { Dataset } from './data';
import { BinaryChunk, binaryEvaluators } from './evaluators/binary';
import { MulticlassChunk, multiclassEvaluators } from './evaluators/multiclass';
import { Evaluator } from './evaluators/types';
import { Calibration, parsePerformanceParams, PerformanceParams } from './params';
import { seededRandom } from '../random';
import { AP_BOOTSTRAP_SEED, evaluatorSeries } from './realized-calculator';

const WHO = 'CBPE';

/** NannyML's needs_calibration refuses missing reference targets or scores; so do we, with the column. */
function assertComplete(values: Float64Array | Int32Array, column: string, role: string): void {
  const i = values instanceof Int32Array ? firstNegative(values) : firstNaN(values);
  if (i >= 0) {
    throw new DataError('reference', `column '${column}' (${role}) has a missing value in row ${i + 1}; CBPE needs complete reference targets and scores`);
  }
}

function firstNaN(values: Float64Array): number {
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) return i;
  return -1;
}

/** class indices: -1 = missing */
function firstNegative(values: Int32Array): number {
  for (let i = 0; i < values.length; i++) if (values[i] < 0) return i;
  return -1;
}

/** `ranked`: the scores ranked with their labels counted, when the caller has them. */
function calibratorFor(labels: Float64Array, scores: Float64Array, mode: Calibration, ranked?: RankedLabels): IsotonicFit | null {
  if (mode === 'never') return null;
  ranked ??= tallyRanked(labels, null, scores);
  const calibrateIt = mode === 'always' || needsCalibration(labels, scores, CALIBRATION_SEED, ranked);
  return calibrateIt ? fitIsotonic(scores, labels, ranked) : null;
}

interface Model<D> {
  evaluators: Evaluator<D>[];
  load(frame: Frame, dataset: Dataset): D;
  /** 'calibrated' per class (binary: one) — reported for transparency and tests */
  calibrators: (IsotonicFit | null)[];
}

function binaryModel(reference: Frame, p: PerformanceParams): Model<BinaryChunk> {
  const read = (f: Frame, ds: Dataset, t: Targets) => loadBinaryChunk(f, p, ds, t, WHO, true);
  const ref = read(reference, 'reference', 'required');
  assertComplete(ref.yTrue!, p.yTrue, 'y_true');
  assertComplete(ref.proba!, p.yPredProba!, 'y_pred_proba');
  const refTally = tallyRanked(ref.yTrue!, ref.yPred, ref.proba!); // read by the sampling-error fits and the calibration
  const evaluators = binaryEvaluators(p, ref, 'cbpe', seededRandom(AP_BOOTSTRAP_SEED), refTally);
  const fit = calibratorFor(ref.yTrue!, ref.proba!, p.calibration, refTally);
  const calibrateScore = fit ? (s: number) => predictIsotonic(fit, s) : (s: number) => s;
  const load = (f: Frame, ds: Dataset): BinaryChunk => ({ ...read(f, ds, 'optional'), calibrate: calibrateScore });
  return { evaluators, load, calibrators: [fit] };
}

function multiclassModel(reference: Frame, p: PerformanceParams): Model<MulticlassChunk> {
  const read = (f: Frame, ds: Dataset, t: Targets) => loadMulticlassChunk(f, p, ds, t, WHO, true);
  const ref = read(reference, 'reference', 'required');
  assertComplete(ref.yTrue!, p.yTrue, 'y_true');
  ref.probas.forEach((s, c) => assertComplete(s, p.classColumns[c], `y_pred_proba of class '${p.classes[c]}'`));
  assertAllClassesInReference(ref.yTrue!, p);
  const evaluators = multiclassEvaluators(p, ref, 'cbpe', seededRandom(AP_BOOTSTRAP_SEED));
  const fits = ref.probas.map((scores, c) => {
    const labels = Float64Array.from(ref.yTrue!, (y) => (y === c ? 1 : 0));
    return calibratorFor(labels, scores, p.calibration);
  });
  const load = (f: Frame, ds: Dataset): MulticlassChunk => {
    const d = read(f, ds, 'optional');
    return { ...d, calibrated: calibrateMulticlass(fits, d.probas) };
  };
  return { evaluators, load, calibrators: fits };
}

export interface FittedCbpe extends FittedCalculator {
  /** per class (binary: one entry): the isotonic calibrator, or null when uncalibrated */
  readonly calibrators: (IsotonicFit | null)[];
}

export const cbpeCalculator: CalculatorDefinition<PerformanceParams> = {
  className: 'CBPE',
  parseParams: (raw, where) => parsePerformanceParams(raw, where, 'CBPE'),
  fit(reference, p): FittedCbpe {
    const model = (p.problemType === 'classification_binary' ? binaryModel(reference, p) : multiclassModel(reference, p)) as Model<unknown>;
    const fitted = fitSeriesCalculator(reference, p.chunking, {
      series: evaluatorSeries(p, model.evaluators, 'realized'),
      compute(chunk, period) {
        const d = model.load(chunk, period) as BinaryChunk | MulticlassChunk;
        const hasTargets = d.yTrue !== null;
        const out: SeriesValue[] = [];
        for (const e of model.evaluators as Evaluator<typeof d>[]) {
          const estimates = e.estimate!(d);
          const errors = e.samplingError(e.estimateRows(d));
          const realized = hasTargets ? e.realized(d) : null;
          estimates.forEach((value, j) => out.push({ value, sampling_error: errors[j], realized: realized ? realized[j] : null }));
        }
        return out;
      },
    });
    return { ...fitted, calibrators: model.calibrators };
  },
};
