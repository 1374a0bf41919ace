/**
 * The calculator contract (NannyML's calculator/result split, spec §0).
 *
 * A calculator definition parses NannyML-named parameters and fits on a reference frame. The fitted
 * calculator holds everything needed to score one analysis chunk (reference fits, thresholds), so the
 * server fits once and scores chunks as they arrive; `vigil run` scores all analysis chunks in one go.
 *
 * Most calculators are "series calculators": they declare their series (column × metric) with threshold
 * and alert rule, and compute raw values per chunk; `fitSeriesCalculator` does the shared part
 * (reference chunks → thresholds → alerts → confidence bands).
 */
import { Chunk, ChunkerSpec, chunkRows } from './chunking';
import { Frame, sliceFrame } from './frame';
import {
  calculateThresholdValues,
  Limits,
  openIntervalAlert,
  strictAlert,
  Threshold,
  ThresholdValues,
} from './thresholds';
import { SAMPLING_ERROR_RANGE } from './sampling-error';

export type Period = 'reference' | 'analysis';

/** One output value: the run-contract row without the chunk and calculator fields. */
export interface MetricRow {
  column: string | null;
  metric: string;
  value: number | null;
  upper_threshold: number | null;
  lower_threshold: number | null;
  alert: boolean | null;
  sampling_error: number | null;
  upper_confidence_boundary: number | null;
  lower_confidence_boundary: number | null;
  realized: number | null;
  targets_missing_rate: number | null;
}

export interface ChunkRecord {
  key: string;
  index: number;
  start_index: number;
  end_index: number;
  /** epoch ms (formatted to ISO by the output writers) */
  start_date: number | null;
  end_date: number | null;
}

export interface ResultRow extends MetricRow {
  calculator: string;
  id: string;
  /** only in segmented runs (engine/segments.ts): the segment, null for the whole data */
  segment?: string | null;
  period: Period;
  chunk: ChunkRecord;
}

export interface ChunkResult {
  chunk: Chunk;
  period: Period;
  rows: MetricRow[];
}

/** Where the rows come from: chunking and the timestamp column (for sorting before chunking). */
export interface ChunkingParams {
  chunker: ChunkerSpec;
  timestampColumn: string | null;
}

export interface FittedCalculator {
  readonly chunking: ChunkingParams;
  /** The result on the reference chunks (from which the thresholds were derived). */
  readonly reference: ChunkResult[];
  /** Metrics of one analysis chunk; `chunk` holds exactly the chunk's rows. */
  calculate(chunk: Frame): MetricRow[];
  /**
   * The fit as plain data (numbers, strings, arrays, typed arrays, Maps; no functions, no class
   * instances), from which the definition's `restore` rebuilds it without the reference: the server
   * stores it so a restart does not refit. Absent for classes that cannot be restored (they refit).
   */
  readonly saved?: unknown;
}

export interface CalculatorDefinition<P = unknown> {
  /** NannyML's class name (or Vigil's own, same shape). */
  readonly className: string;
  /** Validates the raw params (throws ConfigError naming the key) and fills defaults. */
  parseParams(raw: Record<string, unknown>, where: string): P;
  /** Fits on the reference (already sorted by the timestamp column when there is one). */
  fit(reference: Frame, params: P): FittedCalculator;
  /** Rebuilds a fit from its `saved` data and the same params; it calculates exactly as the original. */
  restore?(saved: unknown, params: P): FittedCalculator;
}

/** A bad configuration value: `where` is the key path (e.g. `calculators[0].params.chunk_size`). */
export class ConfigError extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** Input data that does not fit the configuration (missing column, wrong type, empty data...). */
export class DataError extends Error {
  constructor(
    /** 'reference' | 'analysis' | 'analysis_targets' */
    readonly dataset: string,
    message: string,
  ) {
    super(message);
    this.name = 'DataError';
  }
}

// ---------------------------------------------------------------------------------------------------
// Series calculators

export type AlertRule = 'strict' | 'open_interval' | 'none';

export interface SeriesSpec {
  column: string | null;
  metric: string;
  /** null: no thresholds (e.g. chi2). */
  threshold: Threshold | null;
  limits: Limits;
  /** NannyML's override_using_none: a bound beyond its limit becomes null instead of the limit. */
  overrideUsingNone?: boolean;
  alertRule: AlertRule;
  /** CBPE derives thresholds from the realized metric on the reference chunks. Default 'value'. */
  thresholdFrom?: 'value' | 'realized';
  /** Limits the confidence band is clipped to; default `limits`. */
  bandLimits?: Limits;
  /**
   * A NaN band (NaN value or SE) is reported as the band limit (null without one). NannyML's multiclass
   * CBPE confusion matrix clips with Python's `min(limit, band)`/`max(limit, band)`, which return the
   * limit when the band is NaN; elsewhere NannyML clips with np.minimum, which keeps the NaN.
   */
  nanBandsAtLimits?: boolean;
}

export interface SeriesValue {
  value: number;
  sampling_error?: number | null;
  realized?: number | null;
  targets_missing_rate?: number | null;
  /** Set when the method decides the alert itself (chi2: p < 0.05). */
  alert?: boolean | null;
}

export interface SeriesModel {
  series: SeriesSpec[];
  /** Raw values for one chunk, aligned with `series`. */
  compute(chunk: Frame, period: Period): SeriesValue[];
}

const finiteOrNull = (v: number | null | undefined): number | null =>
  v === null || v === undefined || !Number.isFinite(v) ? null : v;

function clip(v: number, limits: Limits): number {
  if (limits.lower !== null && v < limits.lower) v = limits.lower;
  if (limits.upper !== null && v > limits.upper) v = limits.upper;
  return v;
}

export function toMetricRow(spec: SeriesSpec, sv: SeriesValue, thresholds: ThresholdValues): MetricRow {
  const value = sv.value;
  let alert: boolean | null;
  if (sv.alert !== undefined) alert = sv.alert;
  else if (spec.alertRule === 'strict') alert = strictAlert(value, thresholds);
  else if (spec.alertRule === 'open_interval') alert = openIntervalAlert(value, thresholds);
  else alert = null;
  const se = sv.sampling_error ?? null;
  let upperBand: number | null = null;
  let lowerBand: number | null = null;
  if (se !== null && Number.isFinite(se) && Number.isFinite(value)) {
    const bl = spec.bandLimits ?? spec.limits;
    upperBand = clip(value + SAMPLING_ERROR_RANGE * se, { lower: null, upper: bl.upper });
    lowerBand = clip(value - SAMPLING_ERROR_RANGE * se, { lower: bl.lower, upper: null });
  } else if (spec.nanBandsAtLimits && se !== null) {
    const bl = spec.bandLimits ?? spec.limits;
    upperBand = bl.upper;
    lowerBand = bl.lower;
  }
  return {
    column: spec.column,
    metric: spec.metric,
    value: finiteOrNull(value),
    upper_threshold: thresholds.upper,
    lower_threshold: thresholds.lower,
    alert,
    sampling_error: finiteOrNull(se),
    upper_confidence_boundary: upperBand,
    lower_confidence_boundary: lowerBand,
    realized: finiteOrNull(sv.realized),
    targets_missing_rate: finiteOrNull(sv.targets_missing_rate),
  };
}

export function chunkFrame(frame: Frame, chunking: ChunkingParams): Chunk[] {
  const ts = chunking.timestampColumn ? frame.columns.get(chunking.timestampColumn) : undefined;
  const timestamps = ts && ts.kind === 'numeric' ? ts.values : null;
  return chunkRows(frame.length, chunking.chunker, timestamps);
}

/** What a series calculator saves: its own fitted state, and the reference rows and thresholds. */
export interface SavedSeriesFit<S> {
  state: S;
  reference: ChunkResult[];
  thresholds: ThresholdValues[];
}

/**
 * The shared fit: reference chunks → values → thresholds → reference rows. `state` is the plain data
 * `model` was built from; given, the fit is saved with it (see `restoreSeriesCalculator`).
 */
export function fitSeriesCalculator<S>(reference: Frame, chunking: ChunkingParams, model: SeriesModel, state?: S): FittedCalculator {
  const chunks = chunkFrame(reference, chunking);
  const refValues: SeriesValue[][] = chunks.map((c) => model.compute(sliceFrame(reference, c.start, c.end), 'reference'));
  const thresholds: ThresholdValues[] = model.series.map((spec, j) => {
    if (!spec.threshold) return { lower: null, upper: null };
    const v = refValues.map((vals) => {
      const x = spec.thresholdFrom === 'realized' ? vals[j].realized : vals[j].value;
      return x === null || x === undefined ? NaN : x;
    });
    return calculateThresholdValues(spec.threshold, v, spec.limits, spec.overrideUsingNone ?? false);
  });
  const referenceRows = chunks.map((chunk, i) => ({ chunk, period: 'reference' as const, rows: model.series.map((spec, j) => toMetricRow(spec, refValues[i][j], thresholds[j])) }));
  const saved: SavedSeriesFit<S> | undefined = state === undefined ? undefined : { state, reference: referenceRows, thresholds };
  return { ...seriesFit(chunking, referenceRows, thresholds, model), saved };
}

/** A series calculator from its saved fit and the model rebuilt from `saved.state`: no reference needed. */
export function restoreSeriesCalculator<S>(saved: SavedSeriesFit<S>, chunking: ChunkingParams, model: SeriesModel): FittedCalculator {
  return { ...seriesFit(chunking, saved.reference, saved.thresholds, model), saved };
}

/** The `restore` of a series calculator whose model `modelOf` builds from its saved state and params. */
export function seriesRestorer<S, P extends { chunking: ChunkingParams }>(modelOf: (state: S, p: P) => SeriesModel): (saved: unknown, p: P) => FittedCalculator {
  return (saved, p) => {
    const s = saved as SavedSeriesFit<S>;
    return restoreSeriesCalculator(s, p.chunking, modelOf(s.state, p));
  };
}

function seriesFit(chunking: ChunkingParams, reference: ChunkResult[], thresholds: ThresholdValues[], model: SeriesModel): FittedCalculator {
  return {
    chunking,
    reference,
    calculate: (chunk: Frame) => {
      const values = model.compute(chunk, 'analysis');
      return model.series.map((spec, j) => toMetricRow(spec, values[j], thresholds[j]));
    },
  };
}
