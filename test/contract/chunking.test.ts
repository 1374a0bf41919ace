/**
 * `vigil run` contract on car loan for every fast class (all but DLE and the domain classifier, which
 * run in lightgbm-classes.test.ts) under each chunking mode, with and without a timestamp column:
 * fields, types, no NaN, ISO dates, NannyML chunk keys/indices/dates, row order per series,
 * column/metric naming, realized/targets_missing_rate placement, alert rules, and thresholds derived from
 * the reference chunks of that same chunking.
 */
import * as fs from 'fs';
import {
  clipBounds,
  closeTo,
  contractProblems,
  parseOutput,
  Row,
  runToFile,
  series,
  stdBounds,
  tempDir,
  writeConfig,
} from './contract';
import { BinaryRoles, binaryCalculators, CALIFORNIA, CALIFORNIA_ROLES, CAR_LOAN, CAR_LOAN_ROLES, BINARY_CM, CLASSIFICATION_METRICS, configOf, Dataset } from './scenarios';

interface Mode {
  name: string;
  ds: Dataset;
  roles: BinaryRoles;
  chunking: Record<string, unknown>;
  targets: boolean;
}

const TS = { timestamp_column_name: 'timestamp' };
const CAR = { ds: CAR_LOAN, roles: CAR_LOAN_ROLES };
const CAL = { ds: CALIFORNIA, roles: CALIFORNIA_ROLES };
// car loan (50 000 + 50 000 rows) for the main modes, California (5 832 + 8 232 hourly rows) for the rest
const MODES: Mode[] = [
  { name: 'car loan, default chunker, no timestamp, no targets', ...CAR, chunking: {}, targets: false },
  { name: 'car loan, chunk_size 7000 (incomplete keep) with timestamp', ...CAR, chunking: { ...TS, chunk_size: 7000 }, targets: true },
  { name: 'car loan, chunk_number 7, incomplete append, with timestamp', ...CAR, chunking: { ...TS, chunk_number: 7, incomplete: 'append' }, targets: true },
  { name: "car loan, chunk_period 'M'", ...CAR, chunking: { ...TS, chunk_period: 'M' }, targets: true },
  { name: 'California, default chunker with timestamp', ...CAL, chunking: { ...TS }, targets: true },
  { name: 'California, chunk_size 700, incomplete append, no timestamp', ...CAL, chunking: { chunk_size: 700, incomplete: 'append' }, targets: true },
  { name: 'California, chunk_size 700, incomplete drop, with timestamp, no targets', ...CAL, chunking: { ...TS, chunk_size: 700, incomplete: 'drop' }, targets: false },
  { name: 'California, chunk_number 9 (a remainder chunk) with timestamp', ...CAL, chunking: { ...TS, chunk_number: 9 }, targets: true },
  { name: "California, chunk_period 'Q'", ...CAL, chunking: { ...TS, chunk_period: 'Q' }, targets: true },
  { name: "California, chunk_period 'W'", ...CAL, chunking: { ...TS, chunk_period: 'W' }, targets: true },
  { name: "California, chunk_period 'Y'", ...CAL, chunking: { ...TS, chunk_period: 'Y' }, targets: true },
  { name: "California, chunk_period 'D'", ...CAL, chunking: { ...TS, chunk_period: 'D' }, targets: true },
];

let dir: string;
beforeAll(() => (dir = tempDir()));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.each(MODES)('$name', (mode) => {
  const calcs = binaryCalculators(mode.roles, mode.chunking, mode.targets);
  for (const c of calcs) if (c.className === 'CBPE') c.analysisTargets = mode.targets;
  const [c0, c1, c2] = mode.roles.continuous;
  const cat = mode.roles.categorical.length > 0 ? mode.roles.categorical[mode.roles.categorical.length - 1] : 'y_pred';
  let rows: Row[] = [];
  let status: number | null = null;
  let stderr = '';
  let parseProblems: string[] = [];

  beforeAll(() => {
    const file = writeConfig(dir, `${mode.name.replace(/\W+/g, '_')}.yaml`, configOf(mode.ds, calcs, mode.targets));
    const r = runToFile(file);
    status = r.status;
    stderr = r.stderr;
    const parsed = parseOutput(r.outText ?? '');
    rows = parsed.rows;
    parseProblems = parsed.problems;
  });

  it('exits 0 and writes plain JSON (no bare NaN/Infinity)', () => {
    expect({ status, stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    expect(parseProblems).toEqual([]);
  });

  it('every row holds every field; chunks, order, naming, alerts, bands and realized follow the contract', () => {
    expect(contractProblems(rows, { reference: mode.ds.reference, analysis: mode.ds.analysis, calculators: calcs })).toEqual([]);
  });

  it('dates: null without a timestamp column, ISO with ms and Z with one', () => {
    const dates = rows.flatMap((r) => [r.chunk.start_date, r.chunk.end_date]);
    if (mode.chunking.timestamp_column_name) expect(dates.every((d) => typeof d === 'string' && d.endsWith('Z'))).toBe(true);
    else expect(dates.every((d) => d === null)).toBe(true);
  });

  it('default thresholds come from the reference chunks of this chunking (NannyML StandardDeviationThreshold)', () => {
    const problems: string[] = [];
    const check = (id: string, column: string | null, metric: string, expected: (ref: Row[]) => [number | null, number | null]) => {
      const s = series(rows, id, column, metric);
      const ref = s.filter((r) => r.period === 'reference');
      const [lo, hi] = expected(ref);
      if (!closeTo(s[0].lower_threshold, lo) || !closeTo(s[0].upper_threshold, hi)) {
        problems.push(`${id} ${column} ${metric}: thresholds [${s[0].lower_threshold}, ${s[0].upper_threshold}], expected [${lo}, ${hi}]`);
      }
    };
    const values = (ref: Row[]) => ref.map((r) => r.value);
    // univariate: std_lower_multiplier=None → only mean + 3·std₀, lower limit 0
    check('UnivariateDriftCalculator', c0, 'jensen_shannon', (ref) => clipBounds(stdBounds(values(ref), null, 3), [0, null]));
    check('drift_all_methods', c1, 'kolmogorov_smirnov', (ref) => clipBounds(stdBounds(values(ref), null, 3), [0, 1]));
    check('drift_all_methods', cat, 'chi2', () => [null, null]);
    // summary stats: ±3·std₀ with override_using_none
    check('SummaryStatsAvgCalculator', c0, 'avg', (ref) => stdBounds(values(ref)));
    check('SummaryStatsRowCountCalculator', null, 'rows_count', (ref) => clipBounds(stdBounds(values(ref)), [0, null], true));
    check('SummaryStatsStdCalculator', c2, 'std', (ref) => clipBounds(stdBounds(values(ref)), [0, null], true));
    // missing values: clipped to [0, 1]; unseen / range: ConstantThreshold(upper=0)
    check('MissingValuesCalculator', c0, 'missing_values', (ref) => clipBounds(stdBounds(values(ref)), [0, 1]));
    check('UnseenValuesCalculator', mode.roles.unseen[0], 'unseen_values', () => [null, 0]);
    check('NumericalRangeCalculator', c0, 'numerical_range', () => [null, 0]);
    // PCA: lower limit 0 with override_using_none
    check('DataReconstructionDriftCalculator', null, 'reconstruction_error', (ref) => clipBounds(stdBounds(values(ref)), [0, null], true));
    // realized performance from its values; CBPE from the REALIZED reference values (spec §4)
    for (const m of CLASSIFICATION_METRICS) {
      if (mode.targets) check('PerformanceCalculator', null, m, (ref) => clipBounds(stdBounds(values(ref)), [0, 1]));
      check('CBPE', null, m, (ref) => clipBounds(stdBounds(ref.map((r) => r.realized)), [0, 1]));
    }
    check('CBPE', null, 'false_negative', (ref) => clipBounds(stdBounds(ref.map((r) => r.realized)), [0, null]));
    check('CBPE', null, 'business_value', (ref) => stdBounds(ref.map((r) => r.realized)));
    if (mode.targets) {
      check('PerformanceCalculator', null, 'true_positive', (ref) => clipBounds(stdBounds(values(ref)), [0, null]));
      check('PerformanceCalculator', null, 'business_value', (ref) => stdBounds(values(ref)));
    }
    expect(problems).toEqual([]);
  });

  it("CBPE's realized equals PerformanceCalculator's value on the same chunks; concept drift = realized − estimated", () => {
    const problems: string[] = [];
    const cells = BINARY_CM.map((m) => series(rows, 'PerformanceCalculator', null, m));
    for (const m of mode.targets ? ['roc_auc', 'f1', 'accuracy', 'true_positive', 'business_value'] : []) {
      const est = series(rows, 'CBPE', null, m);
      const real = series(rows, 'PerformanceCalculator', null, m);
      est.forEach((e, i) => {
        const p = real[i];
        if (e.period === 'analysis' && !mode.targets) return;
        // NannyML's own split: PerformanceCalculator's business value calls confusion_matrix without labels, so a
        // chunk whose rows all share one (y, ŷ) gets numpy's 1×1 broadcast; CBPE's realized passes labels=[0, 1].
        if (m === 'business_value' && cells.filter((c) => (c[i].value ?? 0) !== 0).length === 1) return;
        if (!closeTo(e.realized, p.value, 1e-9)) problems.push(`${m} ${e.period} ${e.chunk.key}: CBPE realized ${e.realized}, PerformanceCalculator ${p.value}`);
      });
    }
    for (const m of ['roc_auc', 'f1']) {
      const est = series(rows, 'CBPE', null, m);
      series(rows, 'ConceptDriftCalculator', null, m).forEach((d, i) => {
        const e = est[i];
        const want = e.realized === null || e.value === null ? null : e.realized - e.value;
        if (!closeTo(d.value, want, 1e-9)) problems.push(`concept ${m} ${d.period} ${d.chunk.key}: ${d.value}, expected ${want}`);
      });
    }
    expect(problems).toEqual([]);
  });
});
