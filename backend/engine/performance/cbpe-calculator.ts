/**
 * CBPE: confidence-based performance estimation (spec §4). Fit: sampling-error components and
 * thresholds from the REALIZED metric on the reference chunks (uncalibrated scores), then the
 * calibrator(s): isotonic, when `needs_calibration` says so (`calibration: auto`, the default) or always
 * (`true`) or never (`false`). Per chunk: the estimate from calibrated probabilities, its SE and
 * ±3·SE band clipped to the metric limits, strict alert on the estimate, and the realized value when
 * the chunk carries targets.
 */
import { CalculatorDefinition, DataError, FittedCalculator, fitSeriesCalculator, SeriesModel, seriesRestorer, SeriesValue } from '../calculator';
import { Frame } from '../frame';
import { CALIBRATION_SEED, calibrateMulticlass, fitIsotonic, IsotonicFit, needsCalibration, predictIsotonic } from './calibration';
import { RankedLabels, tallyRanked } from './tally';
import { assertAllClassesInReference, loadBinaryChunk, loadMulticlassChunk, Targets } from './chunks';
import { Dataset } from './data';
import { BinaryChunk, binaryEvaluators } from './evaluators/binary';
import { MulticlassChunk, multiclassEvaluators } from './evaluators/multiclass';
import { Evaluator, recordFits, ReferenceFits, replayFits } from './evaluators/types';
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

/** What a CBPE fit saves (plain data): the evaluators' reference fits and the calibrators. */
interface CbpeState {
  fits: unknown[];
  calibrators: (IsotonicFit | null)[];
}

/** Fitted on `reference`, or (reference null) rebuilt from a saved state without reading it. */
type CbpeSource = { reference: Frame; fits: ReferenceFits } | { reference: null; saved: CbpeState };

function binaryModel(source: CbpeSource, p: PerformanceParams): Model<BinaryChunk> {
  const read = (f: Frame, ds: Dataset, t: Targets) => loadBinaryChunk(f, p, ds, t, WHO, true);
  let evaluators: Evaluator<BinaryChunk>[];
  let fit: IsotonicFit | null;
  if (source.reference) {
    const ref = read(source.reference, 'reference', 'required');
    assertComplete(ref.yTrue!, p.yTrue, 'y_true');
    assertComplete(ref.proba!, p.yPredProba!, 'y_pred_proba');
    const refTally = tallyRanked(ref.yTrue!, ref.yPred, ref.proba!); // read by the sampling-error fits and the calibration
    evaluators = binaryEvaluators(p, ref, 'cbpe', seededRandom(AP_BOOTSTRAP_SEED), source.fits, refTally);
    fit = calibratorFor(ref.yTrue!, ref.proba!, p.calibration, refTally);
  } else {
    evaluators = binaryEvaluators(p, null, 'cbpe', seededRandom(AP_BOOTSTRAP_SEED), replayFits(source.saved.fits));
    fit = source.saved.calibrators[0];
  }
  const calibrateScore = fit ? (s: number) => predictIsotonic(fit, s) : (s: number) => s;
  const load = (f: Frame, ds: Dataset): BinaryChunk => ({ ...read(f, ds, 'optional'), calibrate: calibrateScore });
  return { evaluators, load, calibrators: [fit] };
}

function multiclassModel(source: CbpeSource, p: PerformanceParams): Model<MulticlassChunk> {
  const read = (f: Frame, ds: Dataset, t: Targets) => loadMulticlassChunk(f, p, ds, t, WHO, true);
  let evaluators: Evaluator<MulticlassChunk>[];
  let fits: (IsotonicFit | null)[];
  if (source.reference) {
    const ref = read(source.reference, 'reference', 'required');
    assertComplete(ref.yTrue!, p.yTrue, 'y_true');
    ref.probas.forEach((s, c) => assertComplete(s, p.classColumns[c], `y_pred_proba of class '${p.classes[c]}'`));
    assertAllClassesInReference(ref.yTrue!, p);
    evaluators = multiclassEvaluators(p, ref, 'cbpe', seededRandom(AP_BOOTSTRAP_SEED), source.fits);
    fits = ref.probas.map((scores, c) => {
      const labels = Float64Array.from(ref.yTrue!, (y) => (y === c ? 1 : 0));
      return calibratorFor(labels, scores, p.calibration);
    });
  } else {
    evaluators = multiclassEvaluators(p, null, 'cbpe', seededRandom(AP_BOOTSTRAP_SEED), replayFits(source.saved.fits));
    fits = source.saved.calibrators;
  }
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

function cbpeModel(source: CbpeSource, p: PerformanceParams): Model<unknown> {
  return (p.problemType === 'classification_binary' ? binaryModel(source, p) : multiclassModel(source, p)) as Model<unknown>;
}

/** The series of a CBPE model: per chunk, each evaluator's estimate, its SE, and the realized value when targets are there. */
function cbpeSeries(p: PerformanceParams, model: Model<unknown>): SeriesModel {
  return {
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
  };
}

const restoreCbpeSeries = seriesRestorer((saved: CbpeState, p: PerformanceParams) => cbpeSeries(p, cbpeModel({ reference: null, saved }, p)));

export const cbpeCalculator: CalculatorDefinition<PerformanceParams> = {
  className: 'CBPE',
  parseParams: (raw, where) => parsePerformanceParams(raw, where, 'CBPE'),
  fit(reference, p): FittedCbpe {
    const fits = recordFits();
    const model = cbpeModel({ reference, fits }, p);
    const state: CbpeState = { fits: fits.values, calibrators: model.calibrators };
    return { ...fitSeriesCalculator(reference, p.chunking, cbpeSeries(p, model), state), calibrators: model.calibrators };
  },
  restore(saved, p): FittedCbpe {
    return { ...restoreCbpeSeries(saved, p), calibrators: (saved as { state: CbpeState }).state.calibrators };
  },
};
