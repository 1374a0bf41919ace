/**
 * Calculator classes by name. `vigil run` and the server look classes up here; each entry's metrics
 * are described in catalog.ts.
 */
import { CalculatorDefinition } from './calculator';
import { missingValuesCalculator, unseenValuesCalculator, numericalRangeCalculator } from './quality/calculators';
import { dataReconstructionDriftCalculator } from './multivariate/reconstruction';
import { domainClassifierCalculator } from './multivariate/domain-classifier';
import { outlierDetectionCalculator } from './outliers/calculator';
import { conceptDriftCalculator } from './concept/calculator';
import { univariateDriftCalculator } from './drift/univariate/calculator';
import {
  summaryStatsAvgCalculator,
  summaryStatsMedianCalculator,
  summaryStatsRowCountCalculator,
  summaryStatsStdCalculator,
  summaryStatsSumCalculator,
} from './stats/calculators';
import { performanceCalculator } from './performance/realized-calculator';
import { cbpeCalculator } from './performance/cbpe-calculator';
import { dleCalculator } from './performance/dle/calculator';

const definitions: CalculatorDefinition<any>[] = [
  missingValuesCalculator,
  unseenValuesCalculator,
  numericalRangeCalculator,
  dataReconstructionDriftCalculator,
  domainClassifierCalculator,
  outlierDetectionCalculator,
  conceptDriftCalculator,
  univariateDriftCalculator,
  summaryStatsAvgCalculator,
  summaryStatsSumCalculator,
  summaryStatsStdCalculator,
  summaryStatsMedianCalculator,
  summaryStatsRowCountCalculator,
  performanceCalculator,
  cbpeCalculator,
  dleCalculator,
];

export const CALCULATORS: ReadonlyMap<string, CalculatorDefinition<any>> = new Map(definitions.map((d) => [d.className, d]));

export function calculatorNames(): string[] {
  return [...CALCULATORS.keys()].sort();
}
