/**
 * The example configs a newcomer runs (README "Batch"): one per NannyML dataset shipped in
 * examples/data/nannyml, each run as the README says (`vigil run examples/X.yaml --out FILE` from the
 * repository root), and the README's own YAML snippet saved at the repository root.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { DATA, OutputRow, ROOT, tempDir, vigil } from './helpers';

const EXAMPLES = path.join(ROOT, 'examples');
const configs = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort();

let dir: string;
beforeAll(() => (dir = tempDir('vigil-examples-')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs a config as the README does and checks the run contract's output shape; returns the output. */
function runConfig(config: string, cwd = ROOT): { results: OutputRow[]; rankings?: unknown[] } {
  const out = path.join(dir, `${path.basename(config)}.json`);
  const r = vigil(['run', config, '--out', out], cwd);
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  const output = JSON.parse(fs.readFileSync(out, 'utf8'));
  const declared = parseYaml(fs.readFileSync(path.resolve(cwd, config), 'utf8'));
  // {"results": [...]} plus "rankings" exactly when the config asks for rankings.
  expect(Object.keys(output).sort()).toEqual(declared.rankings ? ['rankings', 'results'] : ['results']);
  // Every calculator of the config produced analysis rows with values.
  for (const c of declared.calculators) {
    const id = c.id ?? c.class;
    const rows = (output.results as OutputRow[]).filter((x) => x.id === id && x.period === 'analysis');
    expect({ id, rows: rows.length > 0, valued: rows.some((x) => x.value !== null) }).toEqual({ id, rows: true, valued: true });
  }
  return output;
}

describe('examples/', () => {
  it('has a config for each NannyML dataset shipped in examples/data/nannyml, reading its three files', () => {
    const read = new Set(
      configs.flatMap((c) => {
        const y = parseYaml(fs.readFileSync(path.join(EXAMPLES, c), 'utf8'));
        return [y.reference, y.analysis, y.analysis_targets].map((p: string) => path.resolve(EXAMPLES, p));
      }),
    );
    const csvs = fs.readdirSync(DATA).filter((f) => f.endsWith('.csv'));
    expect(csvs.filter((f) => !read.has(path.join(DATA, f)))).toEqual([]);
    expect(configs).toEqual(expect.arrayContaining(['car-loan.yaml', 'car-price.yaml', 'credit-card.yaml', 'california.yaml', 'titanic.yaml']));
  });

  it.each(configs)('%s runs from the repository root: exit 0, nothing on stderr, every calculator has results', (config) => {
    runConfig(path.join('examples', config));
  }, 180_000);

  it('gives the same output from another working folder (paths are relative to the config file)', () => {
    const fromRoot = runConfig(path.join('examples', 'titanic.yaml'));
    const elsewhere = runConfig(path.join(EXAMPLES, 'titanic.yaml'), dir);
    expect(elsewhere).toEqual(fromRoot);
  }, 60_000);
});

describe('README', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

  it("the Batch section's YAML snippet runs when saved at the repository root, as the README says", () => {
    const batch = readme.slice(readme.indexOf('## Batch'));
    const snippet = /```yaml\n([\s\S]*?)```/.exec(batch)![1];
    const name = /save it as `([^`]+)` in the\s+repository root/.exec(batch)![1];
    const file = path.join(ROOT, name);
    expect(fs.existsSync(file)).toBe(false); // never overwrite a user's file
    fs.writeFileSync(file, snippet);
    try {
      const out = runConfig(name);
      expect(out.rankings).toHaveLength(1);
    } finally {
      fs.rmSync(file);
    }
  }, 60_000);

  it('describes the output as the run contract shapes it', () => {
    expect(readme).toContain('`{"results": [...], "rankings": [...]}`');
  });
});
