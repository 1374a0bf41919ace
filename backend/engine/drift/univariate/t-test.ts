/**
 * Student's two-sample t-test with pooled variance (Evidently `t_test`: scipy `ttest_ind(reference, chunk)`,
 * two-sided). Value: t; p-value: 2·P(T_df > |t|), df = n₁ + n₂ − 2. Evidently's level: 0.05.
 */
import { mean, std } from '../../stats/moments';
import { ContinuousMethod, MethodScore } from './methods';
import { studentTSurvival } from './special';

export interface TTestFit {
  n: number;
  mean: number;
  variance: number;
}

export function tTest(a: TTestFit, b: TTestFit): MethodScore {
  const df = a.n + b.n - 2;
  if (df <= 0) return { value: NaN, pValue: NaN };
  const pooled = ((a.n - 1) * a.variance + (b.n - 1) * b.variance) / df;
  const t = (a.mean - b.mean) / Math.sqrt(pooled * (1 / a.n + 1 / b.n));
  return { value: t, pValue: Number.isNaN(t) ? NaN : Math.min(1, 2 * studentTSurvival(Math.abs(t), df)) };
}

function moments(values: Float64Array): TTestFit {
  const s = std(values, 1);
  return { n: values.length, mean: mean(values), variance: s * s };
}

export const tTestMethod: ContinuousMethod<TTestFit, MethodScore> = {
  id: 't_test',
  limits: { lower: null, upper: null },
  test: { alpha: 0.05 },
  fit: moments,
  score: (fit, chunk) => tTest(fit, moments(chunk.values)),
};
