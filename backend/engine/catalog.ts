/**
 * THE catalog: every metric family, calculator and metric Vigil knows, with labels, units, limits and
 * Prometheus names. The CLI, REST API, plugin pickers (via /api/catalog), Prometheus API and docs read it;
 * nothing else spells these names.
 */

export type FamilyId =
  | 'data_quality'
  | 'outliers'
  | 'univariate_drift'
  | 'multivariate_drift'
  | 'concept_drift'
  | 'estimated_performance'
  | 'realized_performance'
  | 'summary_stats';

export type ProblemType = 'classification_binary' | 'classification_multiclass' | 'regression';
export const PROBLEM_TYPES: readonly ProblemType[] = ['classification_binary', 'classification_multiclass', 'regression'];

export interface FamilyDef {
  id: FamilyId;
  label: string;
  description: string;
  /** Whether series of this family are per column (drift, quality, stats) or per model. */
  perColumn: boolean;
  /** Prometheus metric name of the value series; companions add suffixes (see PROMETHEUS_SUFFIXES). */
  prometheusName: string;
  /** Label that carries the metric id in Prometheus (`method` for drift methods, else `metric`). */
  prometheusMetricLabel: 'method' | 'metric';
  calculators: string[];
}

export interface MetricDef {
  id: string;
  family: FamilyId;
  label: string;
  description: string;
  unit: string;
  limits: { lower: number | null; upper: number | null };
  /** For families with several calculators: the class that produces it. */
  calculators: string[];
  /** Column kinds a per-column metric applies to. */
  appliesTo?: ('continuous' | 'categorical')[];
  problemTypes?: ProblemType[];
  /** When higher is worse (drift, error) vs. lower is worse (performance). */
  direction: 'higher_is_worse' | 'lower_is_worse' | 'neutral';
  /**
   * The metric's own Prometheus name, where its unit differs from the rest of its family (one unit per
   * metric name, as Prometheus's naming guide asks); default the family's `prometheusName`.
   */
  prometheusName?: string;
}

export const FAMILIES: FamilyDef[] = [
  {
    id: 'data_quality',
    label: 'Data quality',
    description: 'Missing values, values unseen in the reference, values outside the reference range',
    perColumn: true,
    prometheusName: 'vigil_data_quality',
    prometheusMetricLabel: 'metric',
    // TypeInconsistencyCalculator and InvalidValuesCalculator are the server's (backend/service/): ingestion
    // stores a value of the wrong type, or a classifier output/target the model cannot have, as missing and
    // counts it; files read by `vigil run` are typed per column.
    calculators: ['MissingValuesCalculator', 'UnseenValuesCalculator', 'NumericalRangeCalculator', 'TypeInconsistencyCalculator', 'InvalidValuesCalculator'],
  },
  {
    id: 'outliers',
    label: 'Outliers',
    description: 'Share of rows an isolation forest fitted on the reference flags as anomalous',
    perColumn: false,
    prometheusName: 'vigil_outlier_rate',
    prometheusMetricLabel: 'metric',
    calculators: ['OutlierDetectionCalculator'],
  },
  {
    id: 'univariate_drift',
    label: 'Univariate drift',
    description: 'Distance between the reference and the chunk distribution of each column',
    perColumn: true,
    prometheusName: 'vigil_univariate_drift',
    prometheusMetricLabel: 'method',
    calculators: ['UnivariateDriftCalculator'],
  },
  {
    id: 'multivariate_drift',
    label: 'Multivariate drift',
    description: 'Drift in how features move together: PCA reconstruction error, domain classifier AUROC',
    perColumn: false,
    prometheusName: 'vigil_multivariate_drift',
    prometheusMetricLabel: 'metric',
    calculators: ['DataReconstructionDriftCalculator', 'DomainClassifierCalculator'],
  },
  {
    id: 'concept_drift',
    label: 'Concept drift',
    description: 'Realized minus estimated performance: change in the input→target relation',
    perColumn: false,
    prometheusName: 'vigil_concept_drift',
    prometheusMetricLabel: 'metric',
    calculators: ['ConceptDriftCalculator'],
  },
  {
    id: 'estimated_performance',
    label: 'Estimated performance',
    description: 'Performance estimated without labels (CBPE for classification, DLE for regression)',
    perColumn: false,
    prometheusName: 'vigil_estimated_performance',
    prometheusMetricLabel: 'metric',
    calculators: ['CBPE', 'DLE'],
  },
  {
    id: 'realized_performance',
    label: 'Realized performance',
    description: 'Performance computed from the targets once they arrive',
    perColumn: false,
    prometheusName: 'vigil_realized_performance',
    prometheusMetricLabel: 'metric',
    calculators: ['PerformanceCalculator'],
  },
  {
    id: 'summary_stats',
    label: 'Summary statistics',
    description: 'Mean, sum, standard deviation, median per column, and row count per chunk',
    perColumn: true,
    // In the column's own units (mean, sum, std, median); the row count, a count, is `vigil_rows` (its
    // MetricDef). Not `_summary_`: promtool's lint reads that as the summary type.
    prometheusName: 'vigil_statistic',
    prometheusMetricLabel: 'metric',
    calculators: [
      'SummaryStatsAvgCalculator',
      'SummaryStatsSumCalculator',
      'SummaryStatsStdCalculator',
      'SummaryStatsMedianCalculator',
      'SummaryStatsRowCountCalculator',
    ],
  },
];

/** Companion series in Prometheus: `<name><suffix>` (e.g. vigil_univariate_drift_upper_threshold). */
export const PROMETHEUS_SUFFIXES = {
  value: '',
  upper_threshold: '_upper_threshold',
  lower_threshold: '_lower_threshold',
  alert: '_alert',
  upper_confidence_boundary: '_upper_confidence_bound',
  lower_confidence_boundary: '_lower_confidence_bound',
  sampling_error: '_sampling_error',
  realized: '_realized',
} as const;
export type ResultField = keyof typeof PROMETHEUS_SUFFIXES;
export const RESULT_FIELDS = Object.keys(PROMETHEUS_SUFFIXES) as ResultField[];

const UNIT_RATIO = 'percentunit';
const UNIT_NONE = 'none';
type MetricLimits = MetricDef['limits'];
const RATE: MetricLimits = { lower: 0, upper: 1 };
const NONNEG: MetricLimits = { lower: 0, upper: null };
const UNBOUNDED: MetricLimits = { lower: null, upper: null };
const CLASSIFICATION: ProblemType[] = ['classification_binary', 'classification_multiclass'];
const REGRESSION: ProblemType[] = ['regression'];
const PERFORMANCE_CALCULATORS = ['CBPE', 'PerformanceCalculator', 'ConceptDriftCalculator'];
const REGRESSION_CALCULATORS = ['DLE', 'PerformanceCalculator', 'ConceptDriftCalculator'];

const drift = (id: string, label: string, description: string, appliesTo: MetricDef['appliesTo'], limits = NONNEG, unit = UNIT_NONE): MetricDef => ({
  id, family: 'univariate_drift', label, description, unit, limits, calculators: ['UnivariateDriftCalculator'], appliesTo, direction: 'higher_is_worse',
});

const classification = (id: string, label: string, description: string, limits = RATE, direction: MetricDef['direction'] = 'lower_is_worse'): MetricDef => ({
  id, family: 'estimated_performance', label, description, unit: limits === RATE ? UNIT_RATIO : UNIT_NONE, limits, calculators: PERFORMANCE_CALCULATORS, problemTypes: CLASSIFICATION, direction,
});

const regression = (id: string, label: string, description: string): MetricDef => ({
  id, family: 'estimated_performance', label, description, unit: UNIT_NONE, limits: NONNEG, calculators: REGRESSION_CALCULATORS, problemTypes: REGRESSION, direction: 'higher_is_worse',
});

/** Performance metrics are shared by estimated, realized and concept-drift families. */
export const CLASSIFICATION_METRICS: MetricDef[] = [
  classification('roc_auc', 'ROC AUC', 'Area under the ROC curve'),
  classification('f1', 'F1', 'Harmonic mean of precision and recall'),
  classification('precision', 'Precision', 'TP / (TP + FP)'),
  classification('recall', 'Recall', 'TP / (TP + FN)'),
  classification('specificity', 'Specificity', 'TN / (TN + FP)'),
  classification('accuracy', 'Accuracy', 'Share of correct predictions'),
  classification('average_precision', 'Average precision', 'Area under the precision-recall curve'),
  classification('confusion_matrix', 'Confusion matrix', 'One series per cell (true_positive, ..., true_<a>_pred_<b>)', NONNEG, 'neutral'),
  classification('business_value', 'Business value', 'Σ business-value matrix ⊙ confusion matrix', UNBOUNDED, 'lower_is_worse'),
];
export const REGRESSION_METRICS: MetricDef[] = [
  regression('mae', 'MAE', 'Mean absolute error'),
  regression('mape', 'MAPE', 'Mean absolute percentage error (a fraction)'),
  regression('mse', 'MSE', 'Mean squared error'),
  regression('msle', 'MSLE', 'Mean squared log error'),
  regression('rmse', 'RMSE', 'Root mean squared error'),
  regression('rmsle', 'RMSLE', 'Root mean squared log error'),
];
export const PERFORMANCE_METRICS = [...CLASSIFICATION_METRICS, ...REGRESSION_METRICS];

/** Binary confusion-matrix cells, as NannyML names them. */
export const BINARY_CONFUSION_CELLS = ['true_positive', 'true_negative', 'false_positive', 'false_negative'] as const;
/** Multiclass confusion-matrix cell name, as NannyML names them. */
export const multiclassCellName = (trueClass: string, predClass: string) => `true_${trueClass}_pred_${predClass}`;

/** Univariate drift methods per column kind: NannyML's, then Evidently's (docs/drift-methods.md). */
export const UNIVARIATE_METHODS = {
  continuous: [
    'jensen_shannon', 'hellinger', 'wasserstein', 'kolmogorov_smirnov',
    'population_stability_index', 'kullback_leibler', 'anderson_darling', 'cramer_von_mises', 'energy_distance',
    'epps_singleton', 'mann_whitney', 't_test', 'empirical_mmd',
  ] as const,
  categorical: [
    'jensen_shannon', 'hellinger', 'chi2', 'l_infinity',
    'population_stability_index', 'kullback_leibler', 'total_variation', 'z_test', 'fisher_exact', 'g_test',
  ] as const,
};

/** Evidently's short names, accepted wherever a drift method is named; results use the long name. */
export const UNIVARIATE_METHOD_ALIASES: Readonly<Record<string, string>> = {
  psi: 'population_stability_index',
  kl_div: 'kullback_leibler',
  TVD: 'total_variation',
  anderson: 'anderson_darling',
  ed: 'energy_distance',
  es: 'epps_singleton',
  mannw: 'mann_whitney',
  z: 'z_test',
};

/** Drift methods that are hypothesis tests: each also reports `<method>_p_value`. */
export const UNIVARIATE_TEST_METHODS = [
  'anderson_darling', 'cramer_von_mises', 'epps_singleton', 'mann_whitney', 't_test', 'empirical_mmd', 'z_test', 'fisher_exact', 'g_test',
] as const;

/** The column kind a drift test applies to (each test applies to one kind). */
const testKinds = (id: string): MetricDef['appliesTo'] => [(UNIVARIATE_METHODS.continuous as readonly string[]).includes(id) ? 'continuous' : 'categorical'];

/** The metric id of a drift test's p-value series. */
export const pValueMetric = (method: string) => `${method}_p_value`;
/** The metric id of a drift test's Benjamini-Hochberg adjusted p-value (with `multiple_testing`). */
export const adjustedPValueMetric = (method: string) => `${method}_p_value_adjusted`;

export const METRICS: MetricDef[] = [
  // data quality
  { id: 'missing_values', family: 'data_quality', label: 'Missing values', description: 'Share (or count) of missing values', unit: UNIT_RATIO, limits: RATE, calculators: ['MissingValuesCalculator'], appliesTo: ['continuous', 'categorical'], direction: 'higher_is_worse' },
  { id: 'unseen_values', family: 'data_quality', label: 'Unseen values', description: 'Share (or count) of categorical values not seen in the reference', unit: UNIT_RATIO, limits: RATE, calculators: ['UnseenValuesCalculator'], appliesTo: ['categorical'], direction: 'higher_is_worse' },
  { id: 'numerical_range', family: 'data_quality', label: 'Out of range', description: 'Share (or count) of values outside the reference [min, max]', unit: UNIT_RATIO, limits: RATE, calculators: ['NumericalRangeCalculator'], appliesTo: ['continuous'], direction: 'higher_is_worse' },
  { id: 'type_inconsistent_values', family: 'data_quality', label: 'Type-inconsistent values', description: 'Share (or count) of values whose type does not fit the column (text in a numeric column, ±Infinity, ...), stored as missing by the server', unit: UNIT_RATIO, limits: RATE, calculators: ['TypeInconsistencyCalculator'], appliesTo: ['continuous', 'categorical'], direction: 'higher_is_worse' },
  { id: 'invalid_values', family: 'data_quality', label: 'Invalid values', description: "Share (or count) of a classifier's predictions, scores or targets the model cannot have (a class it does not have, a probability outside [0, 1]), stored as missing by the server and left out of performance", unit: UNIT_RATIO, limits: RATE, calculators: ['InvalidValuesCalculator'], problemTypes: ['classification_binary', 'classification_multiclass'], direction: 'higher_is_worse' },
  // outliers
  { id: 'outlier_rate', family: 'outliers', label: 'Outlier rate', description: 'Share of rows scored above the reference outlier threshold', unit: UNIT_RATIO, limits: RATE, calculators: ['OutlierDetectionCalculator'], direction: 'higher_is_worse' },
  // univariate drift
  drift('jensen_shannon', 'Jensen-Shannon distance', 'Jensen-Shannon distance (base 2) between binned distributions', ['continuous', 'categorical']),
  drift('hellinger', 'Hellinger distance', 'Hellinger distance between binned distributions', ['continuous', 'categorical']),
  drift('wasserstein', 'Wasserstein distance', 'Earth mover distance (W1), in the data units', ['continuous']),
  drift('kolmogorov_smirnov', 'Kolmogorov-Smirnov D', 'Largest gap between the empirical CDFs', ['continuous'], RATE),
  drift('chi2', 'Chi-squared statistic', 'Chi² contingency statistic; alerts when p < 0.05', ['categorical'], RATE),
  drift('l_infinity', 'L-infinity distance', 'Largest difference of category frequencies', ['categorical']),
  // Evidently's methods (docs/drift-methods.md); tests add a `<id>_p_value` metric below.
  drift('population_stability_index', 'PSI', 'Population stability index on Sturges bins of reference ∪ chunk (numeric, > 20 values) or on values/categories', ['continuous', 'categorical']),
  drift('kullback_leibler', 'Kullback-Leibler divergence', 'KL(reference ‖ chunk) on the same bins as PSI', ['continuous', 'categorical']),
  drift('total_variation', 'Total variation distance', 'Half the L1 distance between category frequencies', ['categorical'], RATE),
  drift('anderson_darling', 'Anderson-Darling statistic', 'k-sample Anderson-Darling (midrank) normalized statistic', ['continuous'], UNBOUNDED),
  drift('cramer_von_mises', 'Cramér-von Mises statistic', 'Two-sample Cramér-von Mises T', ['continuous'], UNBOUNDED),
  drift('energy_distance', 'Energy distance', 'Energy distance between the two samples, in the data units', ['continuous']),
  drift('epps_singleton', 'Epps-Singleton statistic', 'Epps-Singleton W on the empirical characteristic functions', ['continuous']),
  drift('mann_whitney', 'Mann-Whitney U', 'U statistic of the reference (one-sided test, as Evidently)', ['continuous']),
  drift('t_test', "Student's t", 'Two-sample t statistic (equal variances)', ['continuous'], UNBOUNDED),
  drift('empirical_mmd', 'Empirical MMD²', 'Unbiased squared maximum mean discrepancy, RBF kernel with the median heuristic', ['continuous'], UNBOUNDED),
  drift('z_test', 'Z statistic', 'Two-proportion z statistic (first category vs. the rest)', ['categorical'], UNBOUNDED),
  drift('fisher_exact', 'Fisher exact odds ratio', "Odds ratio of the 2×2 table of a binary column (Fisher's exact test)", ['categorical']),
  drift('g_test', 'G statistic', 'Log-likelihood ratio statistic of the chunk counts against the reference shares', ['categorical']),
  ...UNIVARIATE_TEST_METHODS.map((id) => ({
    ...drift(pValueMetric(id), `${id} p-value`, `p-value of the ${id} test; alerts below the significance level`, testKinds(id), RATE),
    direction: 'lower_is_worse' as const,
  })),
  ...UNIVARIATE_TEST_METHODS.map((id) => ({
    ...drift(adjustedPValueMetric(id), `${id} p-value (BH-adjusted)`, `Benjamini-Hochberg adjusted p-value of the ${id} test across the chunk's tests (multiple_testing)`, testKinds(id), RATE),
    direction: 'lower_is_worse' as const,
  })),
  // multivariate drift
  { id: 'reconstruction_error', family: 'multivariate_drift', label: 'PCA reconstruction error', description: 'Mean Euclidean error of reconstructing standardized rows from the reference principal components', unit: UNIT_NONE, limits: NONNEG, calculators: ['DataReconstructionDriftCalculator'], direction: 'higher_is_worse' },
  { id: 'domain_classifier_auroc', family: 'multivariate_drift', label: 'Domain classifier AUROC', description: 'How well a classifier tells the chunk from the reference (0.5 = indistinguishable)', unit: UNIT_NONE, limits: RATE, calculators: ['DomainClassifierCalculator'], direction: 'higher_is_worse' },
  // summary statistics
  { id: 'avg', family: 'summary_stats', label: 'Mean', description: 'Mean of the column', unit: UNIT_NONE, limits: UNBOUNDED, calculators: ['SummaryStatsAvgCalculator'], appliesTo: ['continuous'], direction: 'neutral' },
  { id: 'sum', family: 'summary_stats', label: 'Sum', description: 'Sum of the column', unit: UNIT_NONE, limits: UNBOUNDED, calculators: ['SummaryStatsSumCalculator'], appliesTo: ['continuous'], direction: 'neutral' },
  { id: 'std', family: 'summary_stats', label: 'Standard deviation', description: 'Sample standard deviation of the column', unit: UNIT_NONE, limits: NONNEG, calculators: ['SummaryStatsStdCalculator'], appliesTo: ['continuous'], direction: 'neutral' },
  { id: 'median', family: 'summary_stats', label: 'Median', description: 'Median of the column', unit: UNIT_NONE, limits: UNBOUNDED, calculators: ['SummaryStatsMedianCalculator'], appliesTo: ['continuous'], direction: 'neutral' },
  { id: 'rows_count', family: 'summary_stats', label: 'Row count', description: 'Rows in the chunk (volume)', unit: UNIT_NONE, limits: NONNEG, calculators: ['SummaryStatsRowCountCalculator'], direction: 'neutral', prometheusName: 'vigil_rows' },
  // performance: estimated, realized and concept drift share the metric ids
  ...PERFORMANCE_METRICS,
  ...PERFORMANCE_METRICS.map((m) => ({ ...m, family: 'realized_performance' as const })),
  ...PERFORMANCE_METRICS.map((m) => ({ ...m, family: 'concept_drift' as const, limits: UNBOUNDED, unit: UNIT_NONE, description: `Realized minus estimated ${m.label}` })),
];

/** Metrics with a Prometheus name of their own, per family: metric id → name. */
const OWN_PROMETHEUS_NAMES = new Map<FamilyId, Map<string, string>>();
for (const m of METRICS) {
  if (!m.prometheusName) continue;
  let names = OWN_PROMETHEUS_NAMES.get(m.family);
  if (!names) OWN_PROMETHEUS_NAMES.set(m.family, (names = new Map()));
  names.set(m.id, m.prometheusName);
}

/**
 * The Prometheus name of a family's value series for one metric: the metric's own name where its unit
 * differs from the family's (e.g. `vigil_rows` for the row count), else the family's. Without a metric:
 * the family's name.
 */
export function prometheusNameOf(family: FamilyDef, metric?: string): string {
  return (metric !== undefined && OWN_PROMETHEUS_NAMES.get(family.id)?.get(metric)) || family.prometheusName;
}

/** Every Prometheus value-series name of a family: its own, then those of its metrics that have one. */
export function prometheusNamesOf(family: FamilyDef): string[] {
  return [family.prometheusName, ...new Set(OWN_PROMETHEUS_NAMES.get(family.id)?.values() ?? [])];
}

/**
 * The metrics of a query grouped by the Prometheus name that carries them, in `prometheusNamesOf` order
 * (the alert shortcut writes one selector per name). `metrics` empty means every metric: every name, each
 * without a metric filter.
 */
export function prometheusNamesOfMetrics(family: FamilyDef, metrics: readonly string[]): { name: string; metrics: string[] }[] {
  if (metrics.length === 0) return prometheusNamesOf(family).map((name) => ({ name, metrics: [] }));
  const byName = new Map<string, string[]>();
  for (const m of metrics) {
    const name = prometheusNameOf(family, m);
    let list = byName.get(name);
    if (!list) byName.set(name, (list = []));
    list.push(m);
  }
  return prometheusNamesOf(family).filter((n) => byName.has(n)).map((name) => ({ name, metrics: byName.get(name)! }));
}

/** The family a calculator's results belong to. */
export function familyOfCalculator(className: string): FamilyDef | undefined {
  return FAMILIES.find((f) => f.calculators.includes(className));
}

export function familyById(id: string): FamilyDef | undefined {
  return FAMILIES.find((f) => f.id === id);
}

export function metricsOfFamily(id: FamilyId): MetricDef[] {
  return METRICS.filter((m) => m.family === id);
}

/**
 * The catalog entry for a result metric. Confusion-matrix cells (true_positive, true_a_pred_b) map to
 * `confusion_matrix`.
 */
export function metricDef(family: FamilyId, metric: string): MetricDef | undefined {
  const exact = METRICS.find((m) => m.family === family && m.id === metric);
  if (exact) return exact;
  if ((BINARY_CONFUSION_CELLS as readonly string[]).includes(metric) || /^true_.+_pred_.+$/.test(metric)) {
    return METRICS.find((m) => m.family === family && m.id === 'confusion_matrix');
  }
  return undefined;
}
