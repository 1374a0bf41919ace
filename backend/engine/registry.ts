/**
 * Calculator classes by name. `vigil run` and the server look classes up here; each entry's metrics
 * are described in catalog.ts. A class's modules are loaded when it is first looked up: a run that
 * uses five calculators does not load the GBDT, the isolation forest and the rest (module loading is
 * a visible part of a short `vigil run`, and each worker thread loads the engine again).
 */
import { CalculatorDefinition } from './calculator';

type Definition = CalculatorDefinition<any>;

/* eslint-disable @typescript-eslint/no-require-imports */
const LOADERS: Record<string, () => Definition> = {
  MissingValuesCalculator: () => (require('./quality/calculators') as typeof import('./quality/calculators')).missingValuesCalculator,
  UnseenValuesCalculator: () => (require('./quality/calculators') as typeof import('./quality/calculators')).unseenValuesCalculator,
  NumericalRangeCalculator: () => (require('./quality/calculators') as typeof import('./quality/calculators')).numericalRangeCalculator,
  DataReconstructionDriftCalculator: () =>
    (require('./multivariate/reconstruction') as typeof import('./multivariate/reconstruction')).dataReconstructionDriftCalculator,
  DomainClassifierCalculator: () =>
    (require('./multivariate/domain-classifier') as typeof import('./multivariate/domain-classifier')).domainClassifierCalculator,
  OutlierDetectionCalculator: () => (require('./outliers/calculator') as typeof import('./outliers/calculator')).outlierDetectionCalculator,
  ConceptDriftCalculator: () => (require('./concept/calculator') as typeof import('./concept/calculator')).conceptDriftCalculator,
  UnivariateDriftCalculator: () => (require('./drift/univariate/calculator') as typeof import('./drift/univariate/calculator')).univariateDriftCalculator,
  SummaryStatsAvgCalculator: () => (require('./stats/calculators') as typeof import('./stats/calculators')).summaryStatsAvgCalculator,
  SummaryStatsSumCalculator: () => (require('./stats/calculators') as typeof import('./stats/calculators')).summaryStatsSumCalculator,
  SummaryStatsStdCalculator: () => (require('./stats/calculators') as typeof import('./stats/calculators')).summaryStatsStdCalculator,
  SummaryStatsMedianCalculator: () => (require('./stats/calculators') as typeof import('./stats/calculators')).summaryStatsMedianCalculator,
  SummaryStatsRowCountCalculator: () => (require('./stats/calculators') as typeof import('./stats/calculators')).summaryStatsRowCountCalculator,
  PerformanceCalculator: () => (require('./performance/realized-calculator') as typeof import('./performance/realized-calculator')).performanceCalculator,
  CBPE: () => (require('./performance/cbpe-calculator') as typeof import('./performance/cbpe-calculator')).cbpeCalculator,
  DLE: () => (require('./performance/dle/calculator') as typeof import('./performance/dle/calculator')).dleCalculator,
};

const loaded = new Map<string, Definition>();

/** The definition of a class, or undefined for an unknown name. */
export function calculatorDefinition(className: string): Definition | undefined {
  let def = loaded.get(className);
  if (!def && Object.prototype.hasOwnProperty.call(LOADERS, className)) {
    def = LOADERS[className]();
    loaded.set(className, def);
  }
  return def;
}

export function calculatorNames(): string[] {
  return Object.keys(LOADERS).sort();
}
