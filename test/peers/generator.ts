/**
 * Seeded random data sets for the differential tests against NannyML (and Evidently): each seed gives a
 * reference CSV, an analysis CSV (with targets, some missing) and a `vigil run` config (run contract, JSON)
 * with every calculator both tools have. The config is what both sides read: Vigil through `vigil run`,
 * NannyML through bench/peers/nannyml_driver.py.
 *
 * What the seeds cover, cycling so that 30 consecutive seeds see every case several times:
 * - columns: normal and heavy-tailed (Cauchy) floats, small integers (ties; sometimes treated as
 *   categorical), a constant, strings with an unseen category in the analysis, booleans; missing values
 *   at per-column rates up to 40 % (tiny chunks can then be all missing);
 * - rows: 30 to 1,550 per set, and 12,000 reference rows every tenth seed (KS and Wasserstein switch to
 *   their binned `estimated` mode at 10,000);
 * - chunking by size (down to 3 rows), by number, by period (D, W, M), NannyML's default; with a timestamp
 *   column (unique times, the analysis file sometimes in reverse time order) or without;
 * - problems: binary (scores rounded to 3 decimals: ties), multiclass (3 string classes), regression.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Random, seededRandom } from '../../backend/engine/random';

export type Problem = 'classification_binary' | 'classification_multiclass' | 'regression';
const PROBLEMS: Problem[] = ['classification_binary', 'classification_multiclass', 'regression'];

export interface PeerCase {
  seed: number;
  name: string;
  config: string;
  problem: Problem;
  chunking: string;
  referenceRows: number;
  analysisRows: number;
  /** the boolean column has missing values (NannyML's DLE fails on it: test/peers/known.ts) */
  boolMissing: boolean;
  /** classes of the drift methods: which columns are continuous and which categorical */
  continuous: string[];
  categorical: string[];
}

const CLASSES = ['a', 'b', 'c'];
const COLORS = ['amber', 'blue', 'green', 'red'];
const DAY_MS = 86_400_000;

function normal(rng: Random): number {
  // Box-Muller; 1 - u keeps log away from 0
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}
const pick = <T>(rng: Random, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** 7 significant digits: short decimals that every CSV reader parses to the same double. */
const num = (x: number) => String(Number(x.toPrecision(7)));

interface Cell {
  (row: number, analysis: boolean): string;
}

/** A timestamp as `YYYY-MM-DD HH:MM:SS` (UTC). */
function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function generateCase(seed: number, dir: string): PeerCase {
  const rng = seededRandom(seed * 7919 + 17);
  const problem = PROBLEMS[seed % 3];
  const big = seed % 10 === 9;
  const size = () => pick(rng, [30, 80, 200, 600, 1500]) + Math.floor(rng() * 50);
  const nRef = big ? 12_000 : size();
  const nAna = size();
  const withTs = seed % 4 !== 0;
  const missingRate = () => (rng() < 0.5 ? 0 : pick(rng, [0.01, 0.1, 0.4]));
  const drift = rng() * 1.5;

  // Columns: name → cell generator. Categorical missing values are empty fields (pandas NaN).
  const miss = { f_normal: missingRate(), f_heavy: missingRate(), f_int: missingRate(), f_cat: missingRate(), f_bool: rng() < 0.3 ? 0.05 : 0 };
  const gap = (rate: number, cell: Cell): Cell => (row, a) => (rng() < rate ? '' : cell(row, a));
  const catWeights = COLORS.map(() => 0.2 + rng());
  const unseenRate = rng() < 0.5 ? 0.05 : 0;
  const cols: Record<string, Cell> = {
    f_normal: gap(miss.f_normal, (_r, a) => num(normal(rng) * 3 + 10 + (a ? drift : 0))),
    f_heavy: gap(miss.f_heavy, (_r, a) => num(Math.tan(Math.PI * (rng() - 0.5)) * (a ? 1 + drift : 1))),
    f_int: gap(miss.f_int, (_r, a) => String(Math.min(6, Math.floor(-Math.log(1 - rng()) * (a ? 1.5 + drift : 1.5))))),
    f_const: () => '7.5',
    f_cat: gap(miss.f_cat, (_r, a) => {
      if (a && rng() < unseenRate) return 'violet';
      let u = rng() * catWeights.reduce((s, w) => s + w, 0);
      for (let i = 0; i < COLORS.length; i++) if ((u -= catWeights[i]) < 0) return COLORS[i];
      return COLORS[COLORS.length - 1];
    }),
    f_bool: gap(miss.f_bool, (_r, a) => (rng() < (a ? 0.3 + drift / 4 : 0.3) ? 'True' : 'False')),
  };
  const continuous = ['f_const', 'f_heavy', 'f_normal'];
  const categorical = ['f_bool', 'f_cat'];
  const intAsCategory = rng() < 0.3;
  (intAsCategory ? categorical : continuous).push('f_int');
  const features = Object.keys(cols);

  // Model outputs and targets
  const header = ['id', ...(withTs ? ['timestamp'] : []), ...features];
  let outputs: string[];
  let outputCells: (x: number) => string[];
  if (problem === 'classification_binary') {
    outputs = ['y_pred_proba', 'y_pred', 'y_true'];
    outputCells = (x) => {
      const p = Number(sigmoid(x + normal(rng) * 0.7).toFixed(3));
      return [String(p), p >= 0.5 ? '1' : '0', rng() < sigmoid(x) ? '1' : '0'];
    };
  } else if (problem === 'classification_multiclass') {
    outputs = ['p_a', 'p_b', 'p_c', 'y_pred', 'y_true'];
    outputCells = (x) => {
      const logits = [x, -x, normal(rng) * 0.5].map((l) => Math.exp(l + normal(rng) * 0.5));
      const total = logits.reduce((s, l) => s + l, 0);
      const p = logits.map((l) => Number((l / total).toFixed(3)));
      p[2] = Number((1 - p[0] - p[1]).toFixed(3));
      const best = p.indexOf(Math.max(...p));
      const truth = logits.map((l) => l / total);
      let u = rng();
      let y = 2;
      for (let i = 0; i < 3; i++) if ((u -= truth[i]) < 0) { y = i; break; }
      return [...p.map(String), CLASSES[best], CLASSES[y]];
    };
  } else {
    outputs = ['y_pred', 'y_true'];
    outputCells = (x) => {
      const y = Math.exp(1 + 0.3 * x + normal(rng) * 0.3);
      return [num(y * Math.exp(normal(rng) * 0.2)), num(y)];
    };
  }
  const targetMissing = rng() < 0.5 ? 0 : pick(rng, [0.1, 0.5]);
  let t = Date.UTC(2020, 0, 1) + Math.floor(rng() * DAY_MS);
  const meanGapMs = pick(rng, [DAY_MS / 24, DAY_MS / 3, 2 * DAY_MS]);
  const writeSet = (file: string, n: number, analysis: boolean, startId: number) => {
    const lines: string[][] = [];
    for (let i = 0; i < n; i++) {
      const row = [String(startId + i)];
      if (withTs) {
        t += 1000 + Math.floor(-Math.log(1 - rng()) * meanGapMs / 1000) * 1000;
        row.push(stamp(t));
      }
      const cells = features.map((f) => cols[f](i, analysis));
      const xv = cells[0] === '' ? 10 : Number(cells[0]);
      const out = outputCells((xv - 10) / 3 + (cells[4] === 'red' ? 0.8 : 0));
      if (analysis && rng() < targetMissing) out[out.length - 1] = '';
      lines.push([...row, ...cells, ...out]);
    }
    // Timestamps are unique, so NannyML's unstable sort and Vigil's stable one agree on any file order.
    // Only the analysis file is shuffled: NannyML's needs_calibration sees the reference in file order,
    // Vigil's in time order (docs/nannyml-differences.md, "reference file not in time order").
    if (withTs && analysis && seed % 5 === 1) lines.reverse();
    fs.writeFileSync(file, [[...header, ...outputs].join(','), ...lines.map((l) => l.join(','))].join('\n') + '\n');
  };
  const name = `seed${seed}`;
  writeSet(path.join(dir, `${name}.reference.csv`), nRef, false, 0);
  writeSet(path.join(dir, `${name}.analysis.csv`), nAna, true, nRef);

  // Chunking, the same for every calculator of the set
  const chunkModes = withTs ? ['size', 'number', 'period', 'default'] : ['size', 'number', 'default'];
  const mode = chunkModes[Math.floor(seed / 3) % chunkModes.length];
  const chunk: Record<string, unknown> = {};
  // At most ~14 chunks per set: NannyML's per-chunk cost (pandas per chunk and metric, the domain
  // classifier's 5 LightGBM fits) bounds the suite's time; tiny chunks therefore come with small sets.
  const longest = Math.max(nRef, nAna);
  if (mode === 'size') chunk.chunk_size = Math.max(pick(rng, [3, 7, 25, 100, 500]), Math.ceil(longest / 12));
  else if (mode === 'number') chunk.chunk_number = pick(rng, [2, 5, 9, 13]);
  else if (mode === 'period') {
    const spanDays = (longest * meanGapMs) / DAY_MS;
    const fits = (['D', 'W', 'M', 'Q', 'Y'] as const).filter((p, i) => spanDays / [1, 7, 30, 91, 365][i] <= 12);
    chunk.chunk_period = fits.length ? fits[Math.floor(rng() * Math.min(2, fits.length))] : 'Y';
  }
  if (withTs) chunk.timestamp_column_name = 'timestamp';
  const chunking = mode === 'default' ? 'default (10)' : `${Object.entries(chunk).filter(([k]) => k !== 'timestamp_column_name').map(([k, v]) => `${k}=${v}`).join('')}`;

  const numeric = ['f_const', 'f_heavy', 'f_int', 'f_normal'];
  const calculators: Record<string, unknown>[] = [
    {
      class: 'UnivariateDriftCalculator',
      id: 'drift',
      params: {
        column_names: features,
        ...(intAsCategory ? { treat_as_categorical: ['f_int'] } : {}),
        continuous_methods: ['kolmogorov_smirnov', 'jensen_shannon', 'wasserstein', 'hellinger'],
        categorical_methods: ['chi2', 'jensen_shannon', 'hellinger', 'l_infinity'],
        ...chunk,
      },
    },
    { class: 'MissingValuesCalculator', id: 'missing', params: { column_names: features, normalize: rng() < 0.7, ...chunk } },
    { class: 'UnseenValuesCalculator', id: 'unseen', params: { column_names: ['f_bool', 'f_cat'], ...chunk } },
    { class: 'NumericalRangeCalculator', id: 'range', params: { column_names: numeric, ...chunk } },
    { class: 'SummaryStatsAvgCalculator', id: 'avg', params: { column_names: numeric, ...chunk } },
    { class: 'SummaryStatsSumCalculator', id: 'sum', params: { column_names: numeric, ...chunk } },
    { class: 'SummaryStatsStdCalculator', id: 'std', params: { column_names: numeric, ...chunk } },
    { class: 'SummaryStatsMedianCalculator', id: 'median', params: { column_names: numeric, ...chunk } },
    { class: 'SummaryStatsRowCountCalculator', id: 'rows', params: { ...chunk } },
    { class: 'DataReconstructionDriftCalculator', id: 'pca', params: { column_names: features, ...chunk } },
  ];
  // The 12,000-row sets exist for KS and Wasserstein's binned mode: NannyML's performance calculators take
  // minutes there (multiclass CBPE 64 s, realized 45 s on a busy machine), so they stop here.
  if (big) return finish();
  // LightGBM with 5-fold CV per chunk, on the whole reference: NannyML's slowest calculator by far (about
  // a minute on 100 rows in 16 chunks on a busy 2-core machine), so on small sets, one seed in six
  if (seed % 6 === 1 && nRef + nAna <= 800) calculators.push({ class: 'DomainClassifierCalculator', id: 'domain', params: { feature_column_names: features, ...chunk } });
  if (problem === 'classification_binary') {
    const metrics = ['roc_auc', 'f1', 'precision', 'recall', 'specificity', 'accuracy', 'average_precision', 'confusion_matrix', 'business_value'];
    const shared = {
      y_pred_proba: 'y_pred_proba',
      y_pred: 'y_pred',
      y_true: 'y_true',
      problem_type: problem,
      metrics,
      business_value_matrix: [[2, -1], [-3, 5]],
      normalize_business_value: pick(rng, [null, 'per_prediction']),
      normalize_confusion_matrix: pick(rng, [null, 'all', 'true', 'pred']),
      ...chunk,
    };
    calculators.push({ class: 'CBPE', id: 'cbpe', params: shared }, { class: 'PerformanceCalculator', id: 'realized', params: shared });
  } else if (problem === 'classification_multiclass') {
    const metrics = ['roc_auc', 'f1', 'precision', 'recall', 'specificity', 'accuracy', 'confusion_matrix', 'business_value'];
    const shared = {
      y_pred_proba: { a: 'p_a', b: 'p_b', c: 'p_c' },
      y_pred: 'y_pred',
      y_true: 'y_true',
      problem_type: problem,
      metrics,
      business_value_matrix: [[3, -1, -1], [-1, 2, 0], [-2, 0, 4]],
      normalize_business_value: pick(rng, [null, 'per_prediction']),
      normalize_confusion_matrix: pick(rng, [null, 'all', 'true', 'pred']),
      ...chunk,
    };
    calculators.push({ class: 'CBPE', id: 'cbpe', params: shared }, { class: 'PerformanceCalculator', id: 'realized', params: shared });
  } else {
    const metrics = ['mae', 'mape', 'mse', 'msle', 'rmse', 'rmsle'];
    calculators.push(
      { class: 'DLE', id: 'dle', params: { feature_column_names: features, y_pred: 'y_pred', y_true: 'y_true', metrics, ...chunk } },
      { class: 'PerformanceCalculator', id: 'realized', params: { y_pred: 'y_pred', y_true: 'y_true', problem_type: problem, metrics, ...chunk } },
    );
  }
  return finish();

  function finish(): PeerCase {
    const config = path.join(dir, `${name}.json`);
    fs.writeFileSync(config, JSON.stringify({ reference: `${name}.reference.csv`, analysis: `${name}.analysis.csv`, calculators }, null, 1));
    return { seed, name, config, problem, chunking, referenceRows: nRef, analysisRows: nAna, boolMissing: miss.f_bool > 0, continuous, categorical };
  }
}
