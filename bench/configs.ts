/**
 * `vigil run` configs (run contract, JSON form) for the bench's data sets. The same file drives Vigil
 * and the Python baseline, so both compute exactly the same calculators with the same parameters.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface RunData {
  name: string;
  reference: string;
  analysis: string;
  targets: string | null;
  numeric: string[];
  categorical: string[];
  timestamp: string;
  yTrue: string;
  yPred: string;
  yPredProba: string;
  chunkSize: number;
  analysisRows: number;
  referenceRows: number;
}

/** Pieces a scenario is made of; each maps to one or more calculator entries. */
export type Part = 'drift_all' | 'drift_js_ks_wasserstein' | 'quality' | 'stats' | 'pca' | 'cbpe' | 'realized' | 'outliers';

/** Every binary-classification metric whose numbers are portable (business value needs a matrix: left out). */
const CLASSIFICATION_METRICS = ['roc_auc', 'f1', 'precision', 'recall', 'specificity', 'accuracy', 'average_precision', 'confusion_matrix'];

export interface CalculatorEntry {
  class: string;
  id: string;
  params: Record<string, unknown>;
}

export function calculatorsFor(data: RunData, parts: Part[]): CalculatorEntry[] {
  const features = [...data.numeric, ...data.categorical];
  const chunking = { timestamp_column_name: data.timestamp, chunk_size: data.chunkSize };
  const prediction = { problem_type: 'classification_binary', y_pred_proba: data.yPredProba, y_pred: data.yPred, y_true: data.yTrue };
  const out: CalculatorEntry[] = [];
  for (const part of parts) {
    switch (part) {
      case 'drift_all':
        out.push({
          class: 'UnivariateDriftCalculator',
          id: 'drift',
          params: {
            column_names: features,
            ...chunking,
            continuous_methods: ['jensen_shannon', 'kolmogorov_smirnov', 'wasserstein', 'hellinger'],
            categorical_methods: ['jensen_shannon', 'chi2', 'hellinger', 'l_infinity'],
          },
        });
        break;
      case 'drift_js_ks_wasserstein':
        out.push({
          class: 'UnivariateDriftCalculator',
          id: 'drift',
          params: {
            column_names: features,
            ...chunking,
            continuous_methods: ['jensen_shannon', 'kolmogorov_smirnov', 'wasserstein'],
            categorical_methods: ['jensen_shannon'],
          },
        });
        break;
      case 'quality':
        out.push({ class: 'MissingValuesCalculator', id: 'missing', params: { column_names: features, ...chunking } });
        out.push({ class: 'UnseenValuesCalculator', id: 'unseen', params: { column_names: data.categorical, ...chunking } });
        out.push({ class: 'NumericalRangeCalculator', id: 'range', params: { column_names: data.numeric, ...chunking } });
        break;
      case 'stats':
        for (const [cls, id] of [
          ['SummaryStatsAvgCalculator', 'avg'],
          ['SummaryStatsSumCalculator', 'sum'],
          ['SummaryStatsStdCalculator', 'std'],
          ['SummaryStatsMedianCalculator', 'median'],
        ]) {
          out.push({ class: cls, id, params: { column_names: data.numeric, ...chunking } });
        }
        out.push({ class: 'SummaryStatsRowCountCalculator', id: 'rows', params: { ...chunking } });
        break;
      case 'pca':
        out.push({ class: 'DataReconstructionDriftCalculator', id: 'pca', params: { column_names: features, ...chunking } });
        break;
      case 'cbpe':
        out.push({ class: 'CBPE', id: 'cbpe', params: { ...prediction, metrics: CLASSIFICATION_METRICS, ...chunking } });
        break;
      case 'realized':
        out.push({ class: 'PerformanceCalculator', id: 'realized', params: { ...prediction, metrics: CLASSIFICATION_METRICS, ...chunking } });
        break;
      case 'outliers':
        out.push({ class: 'OutlierDetectionCalculator', id: 'outliers', params: { column_names: features, ...chunking } });
        break;
    }
  }
  return out;
}

export interface BuiltConfig {
  path: string;
  calculators: CalculatorEntry[];
  /** classes the scenario wants that Vigil does not register yet */
  missing: string[];
}

/** Writes the config for the calculators Vigil has; names the ones it lacks. */
export function writeConfig(data: RunData, parts: Part[], registered: ReadonlySet<string>, file: string): BuiltConfig {
  const wanted = calculatorsFor(data, parts);
  const calculators = wanted.filter((c) => registered.has(c.class));
  const missing = [...new Set(wanted.filter((c) => !registered.has(c.class)).map((c) => c.class))];
  const config: Record<string, unknown> = { reference: data.reference, analysis: data.analysis };
  if (data.targets) config.analysis_targets = data.targets;
  config.calculators = calculators;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(config, null, 1));
  return { path: file, calculators, missing };
}
