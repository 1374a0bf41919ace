/**
 * DLE, direct loss estimation for regression (spec §5), as a calculator: one series per metric with the
 * estimated value, its sampling error and band (lower bound clipped at 0), the realized value where the
 * chunk has targets, thresholds mean ± 3·std₀ of the REALIZED metric on the reference chunks (lower limit
 * 0), and NannyML's strict alert on the estimate.
 */
import { CalculatorDefinition, fitSeriesCalculator, SeriesSpec } from '../../calculator';
import { metricDef } from '../../catalog';
import { Limits } from '../../thresholds';
import { estimateChunk, fitDleModel } from './model';
import { DleParams, parseDleParams } from './params';

/** Regression errors are ≥ 0 (NannyML's lower_threshold_value_limit = 0, no upper limit). */
const ERROR_LIMITS: Limits = { lower: 0, upper: null };

export const dleCalculator: CalculatorDefinition<DleParams> = {
  className: 'DLE',
  parseParams: parseDleParams,
  fit(reference, p) {
    const model = fitDleModel(reference, p);
    const series: SeriesSpec[] = p.metrics.map((metric) => {
      const def = metricDef('estimated_performance', metric);
      if (!def) throw new Error(`catalog lacks estimated_performance/${metric}`);
      return { column: null, metric: def.id, threshold: p.thresholds.get(metric)!, limits: ERROR_LIMITS, alertRule: 'strict', thresholdFrom: 'realized' };
    });
    return fitSeriesCalculator(reference, p.chunking, {
      series,
      compute: (chunk, period) =>
        estimateChunk(model, chunk, period).map((v) => ({ value: v.estimate, sampling_error: v.samplingError, realized: v.realized })),
    });
  },
};
