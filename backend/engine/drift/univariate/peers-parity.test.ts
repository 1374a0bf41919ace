/**
 * Vigil's Evidently-style drift methods against Evidently 0.7 and scipy themselves, on seeded random
 * datasets (issue 17): every statistic and p-value within 1e-9 (relative above 1, absolute below).
 *
 * The peers run in the pinned venv of bench/peers/env.sh (created on first use, ~2-4 min), fed the same
 * datasets as JSON by test/fixtures/scripts/drift_tests_peers.py.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { categoryCountsOf } from '../../../../test/fixtures/univariate/kernels';
import { generateCase } from '../../../../test/peers/generator';
import { readCsvFile } from '../../../io/frames';
import { dropNaN, getColumn, MISSING_CODE } from '../../frame';
import { seededRandom } from '../../random';
import { CATEGORICAL_METHODS, CONTINUOUS_METHODS } from './calculator';
import { MMD_MAX_VALUES } from './empirical-mmd';
import { ContinuousSample, DEFAULT_COMPUTATION_PARAMS, MethodScore } from './methods';

const ROOT = path.resolve(__dirname, '../../../..');
const TOLERANCE = 1e-9;

interface Case<T> {
  reference: T[];
  chunk: T[];
}

/** Seeded datasets: sizes, shapes, ties and shifts vary with the case number. */
function continuousCases(count: number): Case<number>[] {
  const rng = seededRandom(17);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const refSizes = [40, 120, 300, 700, 1500];
  const chunkSizes = [6, 9, 24, 80, 400];
  const shapes: ((shift: number, scale: number) => number)[] = [
    (s, k) => s + k * normal(),
    (s, k) => s + k * -Math.log(1 - rng()), // exponential
    (s, k) => Math.round(s + 3 * k * normal()), // integers: many ties
    (s, k) => Math.round((s + k * normal()) * 10) / 10, // one decimal: some ties
    (s) => Math.floor(rng() * 12) + Math.round(s), // ≤ 20 distinct values (Evidently bins by value)
  ];
  const cases: Case<number>[] = [];
  for (let i = 0; i < count; i++) {
    const shape = shapes[i % shapes.length];
    const shift = [0, 0.1, 0.5, 2][i % 4];
    const scale = [1, 1.5, 0.7][i % 3];
    const n = refSizes[Math.floor(i / 5) % refSizes.length];
    const m = chunkSizes[(i * 3) % chunkSizes.length];
    cases.push({ reference: Array.from({ length: n }, () => shape(0, 1)), chunk: Array.from({ length: m }, () => shape(shift, scale)) });
  }
  // Small samples: scipy's small-sample Epps-Singleton correction and exact Mann-Whitney.
  cases.push({ reference: Array.from({ length: 20 }, normal), chunk: Array.from({ length: 7 }, () => 0.5 + normal()) });
  cases.push({ reference: Array.from({ length: 15 }, normal), chunk: Array.from({ length: 8 }, normal) });
  // Both samples ≤ 20 values: the exact Cramér-von Mises p-value (with ties in the second).
  cases.push({ reference: Array.from({ length: 20 }, normal), chunk: Array.from({ length: 20 }, () => 0.8 + normal()) });
  cases.push({ reference: Array.from({ length: 12 }, () => Math.round(2 * normal())), chunk: Array.from({ length: 9 }, () => Math.round(2 * normal())) });
  return cases;
}

function categoricalCases(count: number): Case<string>[] {
  const rng = seededRandom(1717);
  const letters = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  const draw = (k: number, tilt: number) => {
    const weights = Array.from({ length: k }, (_, j) => Math.exp(tilt * j));
    const total = weights.reduce((a, b) => a + b);
    let u = rng() * total;
    for (let j = 0; j < k; j++) if ((u -= weights[j]) < 0) return letters[j];
    return letters[k - 1];
  };
  const cases: Case<string>[] = [];
  for (let i = 0; i < count; i++) {
    const k = [2, 2, 3, 5, 8][i % 5];
    const n = [50, 200, 1000, 3000][i % 4];
    const m = [10, 40, 150, 600][(i * 3) % 4];
    const tilt = [0, 0.2, -0.4, 1][i % 4];
    const reference = Array.from({ length: n }, () => draw(k, 0));
    const chunk = Array.from({ length: m }, () => draw(k, tilt));
    // Every 7th case brings a category the reference never had ('zz' sorts after the others).
    if (i % 7 === 3) chunk[0] = 'zz';
    cases.push({ reference, chunk });
  }
  return cases;
}

/**
 * The columns of the differential generator's data sets (test/peers/generator.ts: normal and Cauchy floats,
 * small integers, constants, strings with unseen categories, booleans, missing values), the whole analysis
 * file against the reference, missing values dropped as the calculator drops them.
 */
function generatorCases(seeds: number): { continuous: Case<number>[]; categorical: Case<string>[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-drift-peers-'));
  const continuous: Case<number>[] = [];
  const categorical: Case<string>[] = [];
  try {
    for (let seed = 0; seed < seeds; seed++) {
      const c = generateCase(seed, dir);
      const reference = readCsvFile(path.join(dir, `${c.name}.reference.csv`));
      const analysis = readCsvFile(path.join(dir, `${c.name}.analysis.csv`));
      for (const name of c.continuous) {
        const [r, a] = [getColumn(reference, name), getColumn(analysis, name)];
        if (r.kind === 'numeric' && a.kind === 'numeric') continuous.push({ reference: Array.from(dropNaN(r.values)), chunk: Array.from(dropNaN(a.values)) });
      }
      for (const name of c.categorical) {
        const text = (col: ReturnType<typeof getColumn>) =>
          col.kind === 'numeric' ? Array.from(dropNaN(col.values), String) : Array.from(col.codes).filter((k) => k !== MISSING_CODE).map((k) => col.levels[k]);
        const [r, a] = [text(getColumn(reference, name)), text(getColumn(analysis, name))];
        if (r.length > 0 && a.length > 0) categorical.push({ reference: r, chunk: a });
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { continuous, categorical };
}

type Expected = Record<string, number | string | [number | string, number | string]>;

const asNumber = (v: number | string): number => (typeof v === 'number' ? v : v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity);

/** Differences beyond the tolerance, as messages. */
const mismatches: string[] = [];
let compared = 0;

function compare(label: string, actual: number, expectedRaw: number | string): void {
  const expected = asNumber(expectedRaw);
  compared++;
  if (Number.isNaN(expected) && Number.isNaN(actual)) return;
  if (expected === actual) return;
  if (Math.abs(actual - expected) <= TOLERANCE * Math.max(1, Math.abs(expected))) return;
  mismatches.push(`${label}: Vigil ${actual}, peer ${expected}`);
}

function compareScore(label: string, score: number | MethodScore, expected: Expected[string] | undefined): void {
  if (expected === undefined) return;
  if (Array.isArray(expected)) {
    const s = score as MethodScore;
    compare(`${label} statistic`, s.value, expected[0]);
    compare(`${label} p-value`, s.pValue!, expected[1]);
  } else compare(label, typeof score === 'number' ? score : score.value, expected);
}

const CONTINUOUS_COUNT = 40;
const CATEGORICAL_COUNT = 35;
/** Seeds of the differential generator whose columns are compared too. */
const GENERATOR_SEEDS = 30;

describe('Evidently-style drift methods match Evidently 0.7 / scipy 1.17 within 1e-9', () => {
  const generated = generatorCases(GENERATOR_SEEDS);
  const continuous = [...continuousCases(CONTINUOUS_COUNT), ...generated.continuous];
  const categorical = [...categoricalCases(CATEGORICAL_COUNT), ...generated.categorical];
  let peers: { continuous: Expected[]; categorical: Expected[] };

  beforeAll(() => {
    const python = execFileSync('bash', [path.join(ROOT, 'bench/peers/env.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 }).trim();
    const script = path.join(ROOT, 'test/fixtures/scripts/drift_tests_peers.py');
    const out = execFileSync(python, [script], { input: JSON.stringify({ continuous, categorical }), encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300_000 });
    peers = JSON.parse(out);
  }, 1_200_000);

  it(`continuous methods on ${CONTINUOUS_COUNT + 4} datasets and the generator's continuous columns`, () => {
    continuous.forEach((c, i) => {
      const expected = peers.continuous[i];
      const reference = Float64Array.from(c.reference);
      for (const id of ['population_stability_index', 'kullback_leibler', 'anderson_darling', 'cramer_von_mises', 'energy_distance', 'epps_singleton', 'mann_whitney', 't_test', 'empirical_mmd'] as const) {
        // MMD beyond its cap runs on a subsample (documented): compared where the statistic is Evidently's.
        if (id === 'empirical_mmd' && (c.reference.length > MMD_MAX_VALUES || c.chunk.length > MMD_MAX_VALUES)) continue;
        const method = CONTINUOUS_METHODS[id];
        const score = method.score(method.fit(reference, DEFAULT_COMPUTATION_PARAMS), new ContinuousSample(Float64Array.from(c.chunk)));
        // Evidently's copy of the exact Cramér-von Mises p-value (both samples ≤ 20) counts arrangements in
        // np.min_scalar_type of a float, i.e. float32 (~1e-8 off); there scipy's, checked below, is the peer.
        const exactCvm = id === 'cramer_von_mises' && Math.max(c.reference.length, c.chunk.length) <= 20;
        compareScore(`continuous #${i} ${id}`, id === 'empirical_mmd' || exactCvm ? (score as MethodScore).value : score, exactCvm ? (expected[id] as [number, number])[0] : expected[id]);
      }
      // Evidently's Cramér-von Mises is scipy's: check both.
      const cvm = CONTINUOUS_METHODS.cramer_von_mises;
      compareScore(`continuous #${i} cramer_von_mises (scipy)`, cvm.score(cvm.fit(reference, DEFAULT_COMPUTATION_PARAMS), new ContinuousSample(Float64Array.from(c.chunk))), expected.cramer_von_mises_scipy);
    });
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(30 * 9);
  });

  it(`categorical methods on ${CATEGORICAL_COUNT} datasets and the generator's categorical columns`, () => {
    const before = compared;
    const seen = new Set<string>();
    categorical.forEach((c, i) => {
      const expected = peers.categorical[i];
      const reference = categoryCountsOf(c.reference);
      const chunk = categoryCountsOf(c.chunk, c.reference);
      for (const id of ['population_stability_index', 'kullback_leibler', 'total_variation', 'z_test', 'g_test', 'fisher_exact'] as const) {
        if (expected[id] === undefined) continue;
        seen.add(id);
        const method = CATEGORICAL_METHODS[id];
        compareScore(`categorical #${i} ${id}`, method.score(method.fit(reference), chunk), expected[id]);
      }
    });
    expect(mismatches).toEqual([]);
    expect(seen.size).toBe(6);
    expect(compared - before).toBeGreaterThan(30 * 4);
  });
});
