/**
 * PerformanceCalculator: realized performance from the targets (spec §6), binary, multiclass and
 * regression, with NannyML's parameters. Thresholds: mean ± 3·std₀ of the reference chunk values,
 * clipped to the metric limits; strict alerts; SE from reference components with n = labelled rows.
 * NannyML's realized results have no confidence band, so the band fields stay null.
 */
import { CalculatorDefinition, FittedCalculator, fitSeriesCalculator, MetricRow, SeriesModel, seriesRestorer, SeriesSpec, SeriesValue } from '../calculator';
import { Frame } from '../frame';
import { DEFAULT_STD_THRESHOLD } from '../thresholds';
import { assertAllClassesInReference, loadBinaryChunk, loadMulticlassChunk, loadRegressionChunk, Targets } from './chunks';
import { Dataset, missingRate } from './data';
import { binaryEvaluators } from './evaluators/binary';
import { multiclassEvaluators } from './evaluators/multiclass';
import { regressionEvaluators } from './evaluators/regression';
import { Evaluator, recordFits, ReferenceFits, replayFits } from './evaluators/types';
import { parsePerformanceParams, PerformanceParams } from './params';
import { seededRandom } from '../random';

const WHO = 'PerformanceCalculator';
/** Seed of the average-precision bootstrap (NannyML's is unseeded, spec §9.3). */
export const AP_BOOTSTRAP_SEED = 13;

/** Series specs for a list of evaluators: one per component, thresholds from the metric's key. */
export function evaluatorSeries(p: PerformanceParams, evaluators: Evaluator<unknown>[], thresholdFrom: 'value' | 'realized'): SeriesSpec[] {
  return evaluators.flatMap((e) =>
    e.components.map((metric) => ({
      column: null,
      metric,
      threshold: p.thresholds.get(e.metric) ?? DEFAULT_STD_THRESHOLD,
      limits: e.limits,
      alertRule: 'strict' as const,
      thresholdFrom,
      nanBandsAtLimits: e.nanBandsAtLimits,
    })),
  );
}

interface Model<D> {
  evaluators: Evaluator<D>[];
  load(frame: Frame, dataset: Dataset, targets: Targets): D;
}

/** Fitted on `reference` while `fits` records; from the saved fits alone (reference null) when they replay. */
function realizedModel(reference: Frame | null, p: PerformanceParams, fits: ReferenceFits): Model<unknown> {
  const rng = seededRandom(AP_BOOTSTRAP_SEED);
  switch (p.problemType) {
    case 'classification_binary': {
      const load = (f: Frame, ds: Dataset, t: Targets) => loadBinaryChunk(f, p, ds, t, WHO, false);
      const ref = reference && load(reference, 'reference', 'required');
      return { evaluators: binaryEvaluators(p, ref, 'calculator', rng, fits), load } as Model<unknown>;
    }
    case 'classification_multiclass': {
      const load = (f: Frame, ds: Dataset, t: Targets) => loadMulticlassChunk(f, p, ds, t, WHO, false);
      const ref = reference && load(reference, 'reference', 'required');
      if (ref) assertAllClassesInReference(ref.yTrue!, p);
      return { evaluators: multiclassEvaluators(p, ref, 'calculator', rng, fits), load } as Model<unknown>;
    }
    case 'regression': {
      const load = (f: Frame, ds: Dataset, t: Targets) => loadRegressionChunk(f, p, ds, t, WHO);
      const ref = reference && load(reference, 'reference', 'required');
      return { evaluators: regressionEvaluators(p, ref, fits), load } as Model<unknown>;
    }
  }
}

/** The series of a realized model: per chunk, each evaluator's realized values and SE. */
function realizedSeries(p: PerformanceParams, model: Model<unknown>): SeriesModel {
  return {
    series: evaluatorSeries(p, model.evaluators, 'value'),
    compute(chunk, period) {
      const d = model.load(chunk, period, 'required');
      const targetsMissingRate = missingRate(chunk, p.yTrue);
      const out: SeriesValue[] = [];
      for (const e of model.evaluators) {
        const values = e.realized(d);
        const errors = e.samplingError(e.realizedRows(d));
        values.forEach((value, j) => out.push({ value, sampling_error: errors[j], targets_missing_rate: targetsMissingRate }));
      }
      return out;
    },
  };
}

function withoutBands(rows: MetricRow[]): MetricRow[] {
  return rows.map((r) => ({ ...r, upper_confidence_boundary: null, lower_confidence_boundary: null }));
}

function withoutBandsFit(fitted: FittedCalculator): FittedCalculator {
  return {
    chunking: fitted.chunking,
    reference: fitted.reference.map((r) => ({ ...r, rows: withoutBands(r.rows) })),
    calculate: (chunk) => withoutBands(fitted.calculate(chunk)),
    saved: fitted.saved,
  };
}

const restoreRealized = seriesRestorer((values: unknown[], p: PerformanceParams) => realizedSeries(p, realizedModel(null, p, replayFits(values))));

export const performanceCalculator: CalculatorDefinition<PerformanceParams> = {
  className: 'PerformanceCalculator',
  parseParams: (raw, where) => parsePerformanceParams(raw, where, 'PerformanceCalculator'),
  // Saved state: the evaluators' reference fits (sampling-error components), replayed on restore.
  fit(reference, p): FittedCalculator {
    const fits = recordFits();
    const model = realizedModel(reference, p, fits);
    return withoutBandsFit(fitSeriesCalculator(reference, p.chunking, realizedSeries(p, model), fits.values));
  },
  restore: (saved, p) => withoutBandsFit(restoreRealized(saved, p)),
};
