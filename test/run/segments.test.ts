/**
 * `vigil run` with `segment_by` (engine/segments.ts, docs/segments.md) on planted data: a region column,
 * drift planted in the analysis rows of one small region only. The segmented drift alerts in that region
 * while the unsegmented value does not; each segment's rows equal an unsegmented run on that segment's
 * rows alone (the input files filtered); without segment_by the rows carry no `segment` field.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DataRow, plantedRegions, writeCsv } from '../segments/planted';
import { OutputRow, tempDir, vigil } from './helpers';

type Row = OutputRow & { segment?: string | null };

let dir: string;
const rowsOf = plantedRegions();
beforeAll(() => (dir = tempDir('vigil-segments-')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const CALCULATORS = [
  {
    class: 'UnivariateDriftCalculator',
    id: 'drift',
    params: {
      column_names: ['x', 'colour'],
      timestamp_column_name: 'timestamp',
      chunk_number: 4,
      continuous_methods: ['jensen_shannon', 'kolmogorov_smirnov'],
      categorical_methods: ['jensen_shannon', 'chi2'],
      thresholds: { jensen_shannon: { type: 'constant', lower: null, upper: 0.1 } },
    },
  },
  {
    class: 'PerformanceCalculator',
    id: 'perf',
    params: { problem_type: 'classification_binary', y_true: 'y_true', y_pred: 'y_pred', y_pred_proba: 'y_pred_proba', metrics: ['roc_auc'], timestamp_column_name: 'timestamp', chunk_number: 4 },
  },
  { class: 'SummaryStatsRowCountCalculator', id: 'rows', params: { timestamp_column_name: 'timestamp', chunk_number: 4 } },
];
const RANKINGS = [{ class: 'AlertCountRanker', id: 'alerts', calculator: 'drift', methods: ['jensen_shannon'], period: 'analysis' }];

/** Writes the data (filtered by `keep` when given) and a config; returns the config path. */
function config(name: string, extra: object, keep?: (r: DataRow) => boolean): string {
  const ref = path.join(dir, `${name}-reference.csv`);
  const ana = path.join(dir, `${name}-analysis.csv`);
  writeCsv(ref, keep ? rowsOf.reference.filter(keep) : rowsOf.reference);
  writeCsv(ana, keep ? rowsOf.analysis.filter(keep) : rowsOf.analysis);
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ reference: ref, analysis: ana, calculators: CALCULATORS, rankings: RANKINGS, ...extra }));
  return file;
}

function run(file: string, env: Record<string, string> = {}) {
  const r = vigil(['run', file], undefined, env);
  if (r.status !== 0) throw new Error(`vigil run exited ${r.status}: ${r.stderr}`);
  return { ...(JSON.parse(r.stdout) as { results: Row[]; rankings: { id: string; segment?: string | null; segments?: true; rows: { column_name: string; segment: string; number_of_alerts: number; rank: number }[] }[] }), stderr: r.stderr };
}

/** x's jensen_shannon analysis rows of a segment, without NannyML's leftover chunk of a few rows (chunk_number). */
const analysisAlerts = (rows: Row[], segment: string | null | undefined) =>
  rows.filter(
    (r) => r.segment === segment && r.id === 'drift' && r.column === 'x' && r.metric === 'jensen_shannon' && r.period === 'analysis' && r.chunk.end_index - r.chunk.start_index >= 100,
  );

describe('vigil run segment_by', () => {
  let segmented: ReturnType<typeof run>;
  let plain: ReturnType<typeof run>;
  beforeAll(() => {
    segmented = run(config('segmented', { segment_by: 'region', segment_top_k: 3 }));
    plain = run(config('plain', {}));
  });

  test('without segment_by: no segment field, no segment rankings', () => {
    expect(plain.results.length).toBeGreaterThan(0);
    for (const r of plain.results) expect(Object.keys(r)).not.toContain('segment');
    expect(plain.rankings.map((r) => Object.keys(r))).toEqual([['class', 'id', 'rows']]);
  });

  test('the whole data comes first, byte for byte the unsegmented run, with segment null', () => {
    const whole = segmented.results.filter((r) => r.segment === null);
    expect(whole.map(({ segment, ...rest }) => rest)).toEqual(plain.results);
    expect(segmented.results.slice(0, whole.length)).toEqual(whole);
    expect(Object.keys(segmented.results[0]).slice(0, 3)).toEqual(['calculator', 'id', 'segment']);
  });

  test('segments: top 3 regions by reference volume, then __other__', () => {
    const order = [...new Set(segmented.results.map((r) => r.segment))];
    expect(order).toEqual([null, 'EU', 'US', 'APAC', '__other__']);
  });

  test('the drift planted in APAC alerts there and not in the unsegmented value', () => {
    const apac = analysisAlerts(segmented.results, 'APAC');
    const whole = analysisAlerts(segmented.results, null);
    expect(apac).toHaveLength(4);
    expect(whole).toHaveLength(4);
    expect(apac.every((r) => r.alert === true)).toBe(true);
    expect(whole.every((r) => r.alert === false)).toBe(true);
    for (const s of ['EU', 'US']) expect(analysisAlerts(segmented.results, s).filter((r) => r.alert)).toEqual([]);
    // __other__ (~800 rows, ~200 per chunk) is undrifted but noisy: its JS estimate can touch 0.1
    const apacLow = Math.min(...apac.map((r) => r.value!));
    expect(apacLow).toBeGreaterThan(0.4);
    expect(Math.max(...analysisAlerts(segmented.results, '__other__').map((r) => r.value!))).toBeLessThan(apacLow / 2);
  });

  test('rankers rank the columns of the whole data and of each segment', () => {
    const bySegment = new Map(segmented.rankings.filter((r) => !r.segments).map((r) => [r.segment, r.rows]));
    expect([...bySegment.keys()]).toEqual([null, 'EU', 'US', 'APAC', '__other__']);
    // the four chunks and NannyML's leftover chunk of one row (chunk_number 4 on 813 rows)
    const apacAlerts = segmented.results.filter((r) => r.segment === 'APAC' && r.id === 'drift' && r.column === 'x' && r.metric === 'jensen_shannon' && r.period === 'analysis' && r.alert).length;
    expect(apacAlerts).toBe(5);
    expect(bySegment.get('APAC')![0]).toEqual({ column_name: 'x', number_of_alerts: apacAlerts, rank: 1 });
    expect(bySegment.get(null)!.every((r) => r.number_of_alerts === 0)).toBe(true);
  });

  test('an alert-count ranker also ranks the segments: APAC drifts most', () => {
    const ranking = segmented.rankings.filter((r) => r.segments);
    expect(ranking).toHaveLength(1);
    const rows = ranking[0].rows;
    expect(rows.map((r) => r.segment).sort()).toEqual(['APAC', 'EU', 'US', '__other__']);
    expect(rows[0]).toMatchObject({ segment: 'APAC', rank: 1 });
    expect(rows[0].number_of_alerts).toBe(segmented.rankings.find((r) => r.segment === 'APAC')!.rows.reduce((a, r) => a + r.number_of_alerts, 0));
    expect(rows.map((r) => r.rank)).toEqual([1, 2, 3, 4]);
  });

  test.each([
    ['EU', (r: DataRow) => r.region === 'EU'],
    ['APAC', (r: DataRow) => r.region === 'APAC'],
    ['__other__', (r: DataRow) => r.region === 'LATAM' || r.region === 'AFR'],
  ])("segment %s equals an unsegmented run on that segment's rows alone", (segment, keep) => {
    const alone = run(config(`alone-${segment}`, {}, keep));
    const rows = segmented.results.filter((r) => r.segment === segment).map(({ segment: _, ...rest }) => rest);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toEqual(alone.results);
  });

  test('a segment a calculator cannot run on is skipped with one warning, the rest is computed', () => {
    // top_k 5 makes AFR a segment; chunk_number 400 exceeds its ~330 reference rows.
    const file = path.join(dir, 'tiny.json');
    const base = JSON.parse(fs.readFileSync(path.join(dir, 'segmented.json'), 'utf8'));
    base.calculators = [{ class: 'SummaryStatsRowCountCalculator', id: 'rows', params: { chunk_number: 400 } }];
    base.rankings = [];
    base.segment_top_k = 5;
    fs.writeFileSync(file, JSON.stringify(base));
    const r = run(file);
    expect(r.stderr).toMatch(/warning: segment 'AFR': SummaryStatsRowCountCalculator 'rows' skipped: reference: /);
    expect(new Set(r.results.map((x) => x.segment))).toEqual(new Set([null, 'EU', 'US', 'APAC', 'LATAM']));
  });
});

describe('vigil run segment_by: bad input is exit 2 with one line', () => {
  test.each([
    [{ segment_by: 5 }, /segment_by: must be a column name or a non-empty list/],
    [{ segment_by: ['region', 'region'] }, /segment_by: names a column twice/],
    [{ segment_by: 'region', segment_top_k: 0 }, /segment_top_k: must be a whole number from 1 to 1000/],
    [{ segment_top_k: 3 }, /segment_top_k: needs segment_by/],
    [{ segment_by: 'country' }, /reference\.csv: column 'country' not found \(segment_by\)/],
  ])('%j', (extra, message) => {
    const r = vigil(['run', config(`bad-${Math.random().toString(36).slice(2)}`, extra)]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
