/**
 * Differential tests against NannyML 0.13.1 itself (issue 16): seeded random data sets
 * (test/peers/generator.ts), each run through `vigil run` (in process) and through NannyML
 * (bench/peers/nannyml_driver.py, one Python process for all sets), every field of every row compared:
 * 1e-9 relative, except the documented portability gaps and NannyML bugs (test/peers/compare.ts,
 * test/peers/known.ts, docs/nannyml-differences.md).
 *
 * More seeds: `node -r ./bench/register.js test/peers/differential.ts --seeds 200`, or here
 * VIGIL_PEERS_SEEDS=200 (VIGIL_PEERS_FIRST_SEED moves the window). The pinned venv is installed on first
 * use (bench/peers/env.sh, about 2 minutes).
 */
import * as fs from 'fs';
import { checkCase, prepare } from './differential';
import { PeerCase } from './generator';

const SEEDS = Number(process.env.VIGIL_PEERS_SEEDS ?? 30);
const FIRST = Number(process.env.VIGIL_PEERS_FIRST_SEED ?? 0);
const seeds = Array.from({ length: SEEDS }, (_, i) => FIRST + i);

let dir: string;
const cases = new Map<number, PeerCase>();
const tally = { rows: 0, values: 0, cbpe: 0, flipped: 0, gapped: {} as Record<string, number>, calculators: new Set<string>(), methods: new Set<string>() };

beforeAll(() => {
  const prepared = prepare(seeds);
  dir = prepared.dir;
  for (const c of prepared.cases) cases.set(c.seed, c);
}, 60 * 60_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  process.stderr.write(
    `peers: ${seeds.length} data sets, ${tally.rows} rows, ${tally.values} values compared; calculators: ${[...tally.calculators].sort().join(', ')}; ` +
      `drift methods: ${[...tally.methods].sort().join(', ')}; CBPE fits with another calibration decision: ${tally.flipped} of ${tally.cbpe}; ` +
      `rows under documented gaps: ${JSON.stringify(tally.gapped)}\n`,
  );
});

describe.each(seeds)('seed %i: vigil run and NannyML 0.13.1 agree', (seed) => {
  it('on every row and field of every calculator (NannyML errors only the documented ones)', () => {
    const c = cases.get(seed)!;
    const r = checkCase(c, dir);
    tally.rows += r.comparison.rows;
    tally.values += r.comparison.values;
    tally.cbpe += r.cbpe;
    tally.flipped += r.flipped.length;
    for (const [k, v] of Object.entries(r.comparison.gapped)) tally.gapped[k] = (tally.gapped[k] ?? 0) + v;
    for (const row of r.rows) {
      tally.calculators.add(row.calculator);
      if (row.calculator === 'UnivariateDriftCalculator') tally.methods.add(row.metric);
    }
    const what = `${c.name} ${c.problem} ${c.chunking} ref ${c.referenceRows} ana ${c.analysisRows}`;
    expect({ what, unexpectedNannymlErrors: r.unexpectedErrors, differences: r.lines }).toEqual({ what, unexpectedNannymlErrors: [], differences: [] });
    expect(r.comparison.rows).toBeGreaterThan(0);
  });
});
