/**
 * @jest-environment node
 */
// The plugin as Grafana receives it: `npm run build`'s webpack config (create-plugin's base in
// .config/webpack/webpack.config.ts, extended by webpack.config.js) builds to a temporary folder,
// plugin.json there validates against Grafana's plugin schema, module.js is an AMD module that leaves
// Grafana's shared modules external, and the packaging script zips it under `<id>/`. The plugin
// validator's rules over `npm run package:plugin`'s zip: validator-rules.test.ts.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const ROOT = path.resolve(__dirname, '../..');
/** Grafana's plugin.json schema (a copy of grafana/plugin-validator's, draft-07; origin in the folder's README). */
const SCHEMA_PATH = path.join(ROOT, 'test/fixtures/grafana/plugin.schema.json');
const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

let outDir: string;
/** UTC dates at the start and end of the build: `updated` is one of them (the build may cross midnight). */
const buildDates: string[] = [];
const today = () => new Date().toISOString().slice(0, 10);

function validator() {
  // unicodeRegExp off: the schema's id pattern escapes '-' (`\-`), which is invalid with the 'u' flag
  const ajv = new Ajv({ strict: false, unicodeRegExp: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')));
}

beforeAll(() => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-plugin-build-'));
  buildDates.push(today());
  execFileSync(process.execPath, [require.resolve('webpack-cli/bin/cli.js'), '-c', 'webpack.config.js', '--env', 'production', '--env', `outDir=${outDir}`], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  buildDates.push(today());
}, 120_000);

afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

describe('the built plugin', () => {
  it('has a plugin.json that validates against Grafana’s schema, with version and date filled in', () => {
    const pluginJson = JSON.parse(fs.readFileSync(path.join(outDir, 'plugin.json'), 'utf8'));
    const validate = validator();
    expect(validate.errors ?? null).toBeNull();
    expect(validate(pluginJson)).toBe(true);
    expect(pluginJson.id).toBe('vigil-mlmonitor-datasource');
    expect(pluginJson.info.version).toBe(packageJson.version);
    expect(pluginJson.buildMode).toBe('production'); // create-plugin's BuildModeWebpackPlugin
    expect(buildDates).toContain(pluginJson.info.updated);
    expect(fs.existsSync(path.join(outDir, pluginJson.info.logos.small))).toBe(true);
    // the key reaches Vigil only through the data proxy route
    expect(pluginJson.routes).toEqual([{ path: 'api', headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiKey }}' }] }]);
  });

  it('is checked by the schema validator for real (a broken plugin.json fails)', () => {
    const validate = validator();
    const broken = { type: 'datasource', id: 'Vigil_Monitor', name: 'x', info: { version: '1', updated: 'today', keywords: [] }, dependencies: {} };
    expect(validate(broken)).toBe(false);
    const paths = (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    expect(paths).toEqual(expect.arrayContaining([expect.stringMatching(/^\/id must match pattern/), expect.stringMatching(/^\/dependencies must have required property 'grafanaDependency'/)]));
  });

  it('bundles module.js as an AMD module with Grafana’s modules external and the README filled in', () => {
    const moduleJs = fs.readFileSync(path.join(outDir, 'module.js'), 'utf8');
    const amd = /^define\((\[[^\]]*\])/.exec(moduleJs);
    expect(amd).not.toBeNull();
    const externals: string[] = JSON.parse(amd![1]);
    expect(externals).toEqual(expect.arrayContaining(['@grafana/data', '@grafana/runtime', '@grafana/ui', 'react', 'rxjs']));
    // catalog names are compiled in (one source), React is not
    expect(moduleJs).toContain('vigil_univariate_drift');
    expect(moduleJs).not.toContain('react-dom.production');
    const readme = fs.readFileSync(path.join(outDir, 'README.md'), 'utf8');
    expect(readme).toContain(`Version ${packageJson.version}`);
    expect(readme).not.toContain('%VERSION%');
  });

  it('packs into a zip with every file under the plugin id', () => {
    const zipPath = path.join(outDir, 'plugin.zip');
    execFileSync(process.execPath, ['scripts/package-plugin.js', '--dist', outDir, '--out', zipPath], { cwd: ROOT });
    // read back with Python's zipfile: an independent reader that checks every CRC
    const listing = execFileSync('python3', ['-c', 'import sys,zipfile,json; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; print(json.dumps(z.namelist()))', zipPath], {
      encoding: 'utf8',
    });
    const names: string[] = JSON.parse(listing);
    // plugin.zip is written into the packed folder after the listing, so it is not inside itself
    const expected = [
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'dashboards/vigil-model.json',
      'dashboards/vigil-overview.json',
      'img/logo.svg',
      'img/screenshot-query-editor.png',
      'module.js',
      'module.js.map',
      'plugin.json',
    ].map((f) => `vigil-mlmonitor-datasource/${f}`);
    expect(names.sort()).toEqual(expected);
  });

  it('refuses to pack a folder without a built plugin.json', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-empty-'));
    try {
      expect(() => execFileSync(process.execPath, ['scripts/package-plugin.js', '--dist', empty], { cwd: ROOT, stdio: 'pipe' })).toThrow(/run `npm run build` first/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

it("the plugin's screenshot is the docs' query-editor picture (VIGIL_UPDATE_SCREENSHOTS=1 writes both)", () => {
  const docs = fs.readFileSync(path.join(ROOT, 'docs/img/query-editor.png'));
  const plugin = fs.readFileSync(path.join(ROOT, 'src/img/screenshot-query-editor.png'));
  expect(plugin.equals(docs)).toBe(true);
});
