/**
 * Vigil's drift methods against Evidently 0.7 where both define the same number (issue 16), on the
 * differential generator's data sets (test/peers/generator.ts), per continuous column and analysis chunk:
 * - Kolmogorov-Smirnov: Vigil's value is the D statistic of scipy's ks_2samp, the call Evidently's `ks`
 *   test takes its p-value from (exact mode: references below 10,000 rows);
 * - Wasserstein: Evidently's `wasserstein` is W1 / max(std(ref), 0.001); Vigil's value is W1 (NannyML),
 *   so Vigil / max(std, 0.001) must equal Evidently's (exact mode).
 * Evidently's jensenshannon, hellinger and chisquare share a name with NannyML's methods but not the
 * definition (docs/nannyml-differences.md, "Evidently"); Evidently's own methods that Vigil adds (PSI, KL,
 * TVD, Anderson-Darling, ...) are compared in backend/engine/drift/univariate/peers-parity.test.ts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { peersPython } from '../../bench/peers/env';
import { executeRun, toOutputRow } from '../../backend/cli/run';
import { OutputRow, tempDir } from '../run/helpers';
import { generateCase, PeerCase } from './generator';

const SEEDS = Number(process.env.VIGIL_PEERS_SEEDS ?? 30);
const DRIVER = path.join(__dirname, '..', '..', 'bench', 'peers', 'evidently_driver.py');
const REL = 1e-9;
const EXACT_BELOW = 10_000; // KS and Wasserstein 'auto': exact below 10,000 reference rows

interface EvidentlyValues {
  name: string;
  values: Record<string, { ks: number; wasserstein_norm: number; ref_std: number }>;
}

let dir: string;
const sets: { c: PeerCase; rows: OutputRow[] }[] = [];
let evidently: Map<string, EvidentlyValues['values']>;

beforeAll(() => {
  const python = peersPython();
  dir = tempDir('vigil-evidently-');
  for (let s = 0; s < SEEDS; s++) {
    const c = generateCase(s, dir);
    if (c.referenceRows >= EXACT_BELOW) continue;
    // only the drift calculator matters here
    const config = JSON.parse(fs.readFileSync(c.config, 'utf8'));
    config.calculators = config.calculators.filter((k: { id: string }) => k.id === 'drift');
    fs.writeFileSync(c.config, JSON.stringify(config));
    sets.push({ c, rows: (executeRun(c.config, () => {}) as OutputRow[]).map((r) => toOutputRow(r as never) as OutputRow) });
  }
  const job = {
    sets: sets.map(({ c, rows }) => {
      const config = JSON.parse(fs.readFileSync(c.config, 'utf8'));
      const chunks = rows.filter((r) => r.period === 'analysis' && r.metric === 'kolmogorov_smirnov' && r.column === c.continuous[0]).map((r) => [r.chunk.start_index, r.chunk.end_index]);
      return {
        name: c.name,
        reference: path.join(dir, `${c.name}.reference.csv`),
        analysis: path.join(dir, `${c.name}.analysis.csv`),
        timestamp: config.calculators[0].params.timestamp_column_name ?? null,
        columns: c.continuous,
        chunks,
      };
    }),
  };
  fs.writeFileSync(path.join(dir, 'job.json'), JSON.stringify(job));
  execFileSync(python, [DRIVER, '--compare', path.join(dir, 'job.json'), '--out', path.join(dir, 'evidently.json')], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 20 * 60_000 });
  const out: EvidentlyValues[] = JSON.parse(fs.readFileSync(path.join(dir, 'evidently.json'), 'utf8'));
  evidently = new Map(out.map((o) => [o.name, o.values]));
}, 30 * 60_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const close = (a: number, b: number) => Math.abs(a - b) <= Math.max(1e-12, REL * Math.abs(b));

describe("Vigil's KS and Wasserstein against Evidently 0.7's numbers", () => {
  it('agree on every continuous column and analysis chunk of the generated sets', () => {
    const differences: string[] = [];
    let compared = 0;
    for (const { c, rows } of sets) {
      const theirs = evidently.get(c.name)!;
      for (const r of rows) {
        if (r.period !== 'analysis' || !c.continuous.includes(r.column!) || r.value === null) continue;
        const e = theirs[`${r.column}|${r.chunk.start_index}:${r.chunk.end_index}`];
        if (!e) {
          differences.push(`${c.name} ${r.column} ${r.chunk.key}: no Evidently value for a chunk with a Vigil value`);
          continue;
        }
        if (r.metric === 'kolmogorov_smirnov') {
          compared++;
          if (!close(r.value, e.ks)) differences.push(`${c.name} ${r.column} ${r.chunk.key} KS: vigil ${r.value}, ks_2samp ${e.ks}`);
        } else if (r.metric === 'wasserstein') {
          compared++;
          const normed = r.value / Math.max(e.ref_std, 0.001);
          if (!close(normed, e.wasserstein_norm)) differences.push(`${c.name} ${r.column} ${r.chunk.key} Wasserstein/std: vigil ${normed}, Evidently ${e.wasserstein_norm}`);
        }
      }
    }
    process.stderr.write(`evidently: ${compared} KS and Wasserstein values compared on ${sets.length} sets\n`);
    expect(differences.slice(0, 20)).toEqual([]);
    // 30 seeds give a few hundred chunk-columns per method
    expect(compared).toBeGreaterThan(SEEDS * 10);
  });
});
