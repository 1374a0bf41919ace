/**
 * Calculator sets on NannyML's data sets for the contract tests: every registered class with only its
 * required parameters (NannyML's defaults otherwise), plus the series each must produce (contract table).
 */
import * as path from 'path';
import { CalculatorExpectation, DATA } from './contract';

export interface Dataset {
  reference: string;
  analysis: string;
  targets: string;
  timestamp: string | null;
}

export const CAR_LOAN: Dataset = {
  reference: path.join(DATA, 'synthetic_car_loan_reference.csv'),
  analysis: path.join(DATA, 'synthetic_car_loan_analysis.csv'),
  targets: path.join(DATA, 'synthetic_car_loan_analysis_target.csv'),
  timestamp: 'timestamp',
};
export const MULTICLASS: Dataset = {
  reference: path.join(DATA, 'mc_reference.csv'),
  analysis: path.join(DATA, 'mc_analysis.csv'),
  targets: path.join(DATA, 'mc_analysis_gt.csv'),
  timestamp: 'timestamp',
};
export const CAR_PRICE: Dataset = {
  reference: path.join(DATA, 'regression_synthetic_reference.csv'),
  analysis: path.join(DATA, 'regression_synthetic_analysis.csv'),
  targets: path.join(DATA, 'regression_synthetic_analysis_targets.csv'),
  timestamp: 'timestamp',
};
export const TITANIC: Dataset = {
  reference: path.join(DATA, 'titanic_reference.csv'),
  analysis: path.join(DATA, 'titanic_analysis.csv'),
  targets: path.join(DATA, 'titanic_target.csv'),
  timestamp: null,
};

export const BINARY_CM = ['true_positive', 'true_negative', 'false_positive', 'false_negative'];
export const CLASSIFICATION_METRICS = ['roc_auc', 'f1', 'precision', 'recall', 'specificity', 'accuracy', 'average_precision'];
export const REGRESSION_METRICS = ['mae', 'mape', 'mse', 'msle', 'rmse', 'rmsle'];
export const MC_CLASSES = ['highstreet_card', 'prepaid_card', 'upmarket_card'];

const perModel = (metrics: string[]): [string | null, string][] => metrics.map((m) => [null, m]);
const perColumn = (columns: string[], metric: string): [string | null, string][] => columns.map((c) => [c, metric]);

export const CAR_FEATURES = ['car_value', 'salary_range', 'debt_to_income_ratio', 'loan_length', 'repaid_loan_on_prev_car', 'size_of_downpayment', 'driver_tenure'];

export const CALIFORNIA: Dataset = {
  reference: path.join(DATA, 'california_housing_reference.csv'),
  analysis: path.join(DATA, 'california_housing_analysis.csv'),
  targets: path.join(DATA, 'california_housing_analysis_gt.csv'),
  timestamp: 'timestamp',
};

/** Which columns of a binary-classification data set play which part. */
export interface BinaryRoles {
  /** numeric columns (≥ 2) */
  continuous: string[];
  /** categorical columns by dtype (may be empty) */
  categorical: string[];
  /** categorical or integer columns for UnseenValuesCalculator */
  unseen: string[];
  /** features for the PCA and the isolation forest */
  features: string[];
  y_true: string;
}

export const CAR_LOAN_ROLES: BinaryRoles = {
  continuous: ['car_value', 'debt_to_income_ratio', 'driver_tenure', 'loan_length'],
  categorical: ['repaid_loan_on_prev_car', 'salary_range', 'size_of_downpayment'],
  unseen: ['salary_range', 'size_of_downpayment'],
  features: CAR_FEATURES,
  y_true: 'repaid',
};

export const CALIFORNIA_ROLES: BinaryRoles = {
  continuous: ['AveRooms', 'HouseAge', 'Latitude', 'MedInc'],
  categorical: [],
  // integer columns are categorical for the unseen-values calculator (spec §7.2)
  unseen: ['y_pred'],
  features: ['MedInc', 'HouseAge', 'AveRooms', 'AveBedrms', 'Population', 'AveOccup', 'Latitude', 'Longitude'],
  y_true: 'clf_target',
};

/**
 * Binary classification: every class but the two GBDT-based ones (DLE, domain classifier), with only the
 * required parameters plus `chunking`. `withPerformance` false leaves out PerformanceCalculator (it needs
 * analysis targets).
 */
export function binaryCalculators(roles: BinaryRoles, chunking: Record<string, unknown>, withPerformance = true): CalculatorExpectation[] {
  const c = (id: string, className: string, params: Record<string, unknown>, series: [string | null, string][]): CalculatorExpectation => ({
    id,
    className,
    params: { ...params, ...chunking },
    series,
  });
  const binary = { problem_type: 'classification_binary', y_true: roles.y_true, y_pred: 'y_pred', y_pred_proba: 'y_pred_proba' };
  const metrics = [...CLASSIFICATION_METRICS, 'confusion_matrix', 'business_value'];
  const expanded = [...CLASSIFICATION_METRICS, ...BINARY_CM, 'business_value'];
  const bvm = { business_value_matrix: [[0, -10], [-50, 50]] };
  const [c0, c1, c2, c3] = roles.continuous;
  const driftColumns = [c0, ...roles.categorical.slice(0, 2), 'y_pred'];
  const allCategorical = roles.categorical.length > 0 ? roles.categorical[roles.categorical.length - 1] : 'y_pred';
  const methods = {
    continuous_methods: ['kolmogorov_smirnov', 'jensen_shannon', 'wasserstein', 'hellinger'],
    categorical_methods: ['chi2', 'jensen_shannon', 'hellinger', 'l_infinity'],
  };
  const out = [
    c('UnivariateDriftCalculator', 'UnivariateDriftCalculator', { column_names: driftColumns }, perColumn(driftColumns, 'jensen_shannon')),
    c(
      'drift_all_methods',
      'UnivariateDriftCalculator',
      // y_pred is an integer column: treat_as_categorical makes it categorical (California has no string column)
      { column_names: [c1, allCategorical], ...methods, ...(allCategorical === 'y_pred' ? { treat_as_categorical: ['y_pred'] } : {}) },
      [
        ...methods.continuous_methods.map((m): [string, string] => [c1, m]),
        ...methods.categorical_methods.map((m): [string, string] => [allCategorical, m]),
      ],
    ),
    c('MissingValuesCalculator', 'MissingValuesCalculator', { column_names: [c0, roles.unseen[0]] }, perColumn([c0, roles.unseen[0]], 'missing_values')),
    c('UnseenValuesCalculator', 'UnseenValuesCalculator', { column_names: roles.unseen }, perColumn(roles.unseen, 'unseen_values')),
    c('NumericalRangeCalculator', 'NumericalRangeCalculator', { column_names: [c0, c2] }, perColumn([c0, c2], 'numerical_range')),
    c('SummaryStatsAvgCalculator', 'SummaryStatsAvgCalculator', { column_names: [c0] }, perColumn([c0], 'avg')),
    c('SummaryStatsSumCalculator', 'SummaryStatsSumCalculator', { column_names: [c0] }, perColumn([c0], 'sum')),
    c('SummaryStatsStdCalculator', 'SummaryStatsStdCalculator', { column_names: [c2] }, perColumn([c2], 'std')),
    c('SummaryStatsMedianCalculator', 'SummaryStatsMedianCalculator', { column_names: [c3] }, perColumn([c3], 'median')),
    c('SummaryStatsRowCountCalculator', 'SummaryStatsRowCountCalculator', {}, [[null, 'rows_count']]),
    c('DataReconstructionDriftCalculator', 'DataReconstructionDriftCalculator', { column_names: roles.features }, [[null, 'reconstruction_error']]),
    c('PerformanceCalculator', 'PerformanceCalculator', { ...binary, metrics, ...bvm }, perModel(expanded)),
    c('CBPE', 'CBPE', { ...binary, metrics, ...bvm }, perModel(expanded)),
    c('OutlierDetectionCalculator', 'OutlierDetectionCalculator', { column_names: roles.features.slice(0, 3) }, [[null, 'outlier_rate']]),
    c('ConceptDriftCalculator', 'ConceptDriftCalculator', { ...binary, metrics: ['roc_auc', 'f1'] }, perModel(['roc_auc', 'f1'])),
  ];
  return withPerformance ? out : out.filter((x) => x.className !== 'PerformanceCalculator');
}

/** The contract's calculator list plus Vigil's own: every class must appear in some scenario. */
export const ALL_CLASSES = [
  'UnivariateDriftCalculator', 'DataReconstructionDriftCalculator', 'DomainClassifierCalculator', 'CBPE', 'DLE',
  'PerformanceCalculator', 'MissingValuesCalculator', 'UnseenValuesCalculator', 'NumericalRangeCalculator',
  'SummaryStatsAvgCalculator', 'SummaryStatsSumCalculator', 'SummaryStatsStdCalculator', 'SummaryStatsMedianCalculator',
  'SummaryStatsRowCountCalculator', 'OutlierDetectionCalculator', 'ConceptDriftCalculator',
];

/** A config file's body for calculator expectations (ids given explicitly unless they equal the class name). */
export function configOf(ds: Dataset, calcs: CalculatorExpectation[], withTargets: boolean, extra: Record<string, unknown> = {}) {
  return {
    reference: ds.reference,
    analysis: ds.analysis,
    ...(withTargets ? { analysis_targets: ds.targets } : {}),
    ...extra,
    calculators: calcs.map((c) => ({
      class: c.className,
      ...(c.id === c.className ? {} : { id: c.id }),
      ...(Object.keys(c.params).length > 0 ? { params: c.params } : {}),
    })),
  };
}
