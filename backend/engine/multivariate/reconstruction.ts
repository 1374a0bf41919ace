/**
 * DataReconstructionDriftCalculator: PCA data-reconstruction error, NannyML-exact (spec §3.1).
 *
 * Fit on the reference: impute (mean / most frequent), frequency-encode categoricals, standard-scale, PCA
 * keeping the components that explain more than `n_components` (0.65) of the variance. Per chunk: the mean
 * of the rows' Euclidean reconstruction errors, SE = std₁/√n, thresholds mean ± 3·std₀ of the reference
 * chunks with lower limit 0 (a bound ≤ 0 becomes none), open-interval alert.
 */
import { CalculatorDefinition, ChunkingParams, DataError, fitSeriesCalculator, SeriesModel, seriesRestorer, SeriesSpec } from '../calculator';
import { metricDef } from '../catalog';
import { Frame } from '../frame';
import { ParamReader } from '../params';
import { DEFAULT_STD_THRESHOLD, Threshold } from '../thresholds';
import {
  bindEncoder,
  CategoricalImputer,
  ColumnEncoder,
  ContinuousImputer,
  fitEncoder,
  parseCategoricalImputer,
  parseContinuousImputer,
} from './encoding';
import { ComponentCount, fitScaledPca, PcaFit, reconstructionErrors, ScalerFit } from './pca';

/** NannyML's default `n_components` (share of variance the kept components must explain). */
export const DEFAULT_N_COMPONENTS = 0.65;

const METRIC = metricDef('multivariate_drift', 'reconstruction_error');
if (!METRIC) throw new Error('catalog lacks multivariate_drift/reconstruction_error');

export interface ReconstructionParams {
  columnNames: string[];
  nComponents: ComponentCount;
  imputerContinuous: ContinuousImputer;
  imputerCategorical: CategoricalImputer;
  threshold: Threshold;
  chunking: ChunkingParams;
}

/** The fitted preprocessing and PCA (plain data). */
export interface ReconstructionModel {
  encoders: ColumnEncoder[];
  scaler: ScalerFit;
  pca: PcaFit;
}

export function parseReconstructionParams(raw: Record<string, unknown>, where: string): ReconstructionParams {
  const r = new ParamReader(raw, where);
  const columnNames = r.requiredStringList('column_names');
  const n = r.number('n_components', DEFAULT_N_COMPONENTS, { min: 0, exclusiveMin: true });
  let nComponents: ComponentCount;
  if (Number.isInteger(n)) {
    if (n! > columnNames.length) r.fail('n_components', `must not exceed the number of columns (${columnNames.length}), got ${n}`);
    nComponents = { type: 'count', value: n! };
  } else {
    if (n! > 1) r.fail('n_components', `must be a share of variance in (0, 1) or a whole number of components, got ${n}`);
    nComponents = { type: 'ratio', value: n! };
  }
  const p: ReconstructionParams = {
    columnNames,
    nComponents,
    imputerContinuous: parseContinuousImputer(r.raw_('imputer_continuous'), `${where}.imputer_continuous`),
    imputerCategorical: parseCategoricalImputer(r.raw_('imputer_categorical'), `${where}.imputer_categorical`),
    threshold: r.threshold('threshold', DEFAULT_STD_THRESHOLD),
    chunking: r.chunking(),
  };
  r.done();
  return p;
}

/** Fits encoders, scaler and PCA on the whole reference (spec §3.1 "Fit"). */
export function fitReconstructionModel(reference: Frame, p: ReconstructionParams): ReconstructionModel {
  const n = reference.length;
  if (n < 2) throw new DataError('reference', 'DataReconstructionDriftCalculator needs at least 2 reference rows');
  const encoders = p.columnNames.map((name) => fitEncoder(reference, name, p.imputerContinuous, p.imputerCategorical));
  if (p.nComponents.type === 'count' && p.nComponents.value > n) {
    throw new DataError('reference', `n_components ${p.nComponents.value} exceeds the number of reference rows (${n})`);
  }
  const { scaler, pca } = fitScaledPca(
    encoders.map((e) => bindEncoder(e, reference)),
    n,
    p.nComponents,
  );
  return { encoders, scaler, pca };
}

export function rowReconstructionErrors(model: ReconstructionModel, frame: Frame): Float64Array {
  return reconstructionErrors(
    model.encoders.map((e) => bindEncoder(e, frame)),
    frame.length,
    model.scaler,
    model.pca,
  );
}

export const dataReconstructionDriftCalculator: CalculatorDefinition<ReconstructionParams> = {
  className: 'DataReconstructionDriftCalculator',
  parseParams: parseReconstructionParams,
  fit(reference, p) {
    const model = fitReconstructionModel(reference, p);
    return fitSeriesCalculator(reference, p.chunking, reconstructionSeriesModel(model, p), model);
  },
  restore: seriesRestorer(reconstructionSeriesModel),
};

function reconstructionSeriesModel(model: ReconstructionModel, p: ReconstructionParams): SeriesModel {
  const series: SeriesSpec[] = [
    {
      column: null,
      metric: METRIC!.id,
      threshold: p.threshold,
      limits: { lower: METRIC!.limits.lower, upper: null },
      overrideUsingNone: true,
      alertRule: 'open_interval',
    },
  ];
  return {
    series,
    compute(chunk) {
      const e = rowReconstructionErrors(model, chunk);
      const n = e.length;
      let s = 0;
      for (let i = 0; i < n; i++) s += e[i];
      const value = s / n;
      let ss = 0;
      for (let i = 0; i < n; i++) ss += (e[i] - value) * (e[i] - value);
      // std₁ of the chunk's row errors (NaN for a one-row chunk, as numpy) over √n
      const samplingError = Math.sqrt(ss / (n - 1)) / Math.sqrt(n);
      return [{ value, sampling_error: samplingError }];
    },
  };
}
