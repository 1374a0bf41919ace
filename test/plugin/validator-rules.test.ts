/**
 * @jest-environment node
 */
// Grafana's plugin-validator rules (support/validator-rules.ts, analyzer by analyzer) over the zip that
// `npm run package:plugin` writes: the real script, built into a temporary folder (VIGIL_PLUGIN_DIST)
// so dist/ is left alone, unpacked by an independent reader (Python's zipfile).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { validatorFindings, type Context } from './support/validator-rules';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { toPluginDashboard } = require('../../scripts/plugin-dashboards');

const ROOT = path.resolve(__dirname, '../..');
const ID = 'vigil-mlmonitor-datasource';
const ctx: Context = { sourceRoot: ROOT, schemaPath: path.join(ROOT, 'test/fixtures/grafana/plugin.schema.json') };

let tmp: string;
let unpacked: string;
let names: string[];

function unzip(zipPath: string, into: string): string[] {
  const script = 'import sys,zipfile,json; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; z.extractall(sys.argv[2]); print(json.dumps(z.namelist()))';
  return JSON.parse(execFileSync('python3', ['-c', script, zipPath, into], { encoding: 'utf8' }));
}

const rulesOf = (dir: string) => [...new Set(validatorFindings(dir, ctx).map((f) => f.rule))].sort();

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-validator-'));
  const zipPath = path.join(tmp, 'plugin.zip');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['run', '--silent', 'package:plugin', '--', '--out', zipPath], {
    cwd: ROOT,
    env: { ...process.env, VIGIL_PLUGIN_DIST: path.join(tmp, 'dist') },
    stdio: 'pipe',
  });
  unpacked = path.join(tmp, 'unpacked');
  names = unzip(zipPath, unpacked);
}, 180_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('npm run package:plugin’s zip against the plugin validator’s rules', () => {
  it('passes every rule', () => {
    expect(validatorFindings(unpacked, ctx)).toEqual([]);
  });

  it('holds LICENSE, CHANGELOG, source map, screenshot, logo and bundled dashboards under the plugin id', () => {
    expect(names.every((n) => n.startsWith(`${ID}/`))).toBe(true);
    for (const f of ['LICENSE', 'CHANGELOG.md', 'README.md', 'module.js', 'module.js.map', 'plugin.json', 'img/logo.svg', 'img/screenshot-query-editor.png']) {
      expect(names).toContain(`${ID}/${f}`);
    }
    // the root LICENSE and CHANGELOG.md, unchanged
    for (const f of ['LICENSE', 'CHANGELOG.md']) {
      expect(fs.readFileSync(path.join(unpacked, ID, f), 'utf8')).toBe(fs.readFileSync(path.join(ROOT, f), 'utf8'));
    }
  });

  it('ships exactly the bundled form of each provisioned dashboard, as plugin.json includes them', () => {
    const pluginJson = JSON.parse(fs.readFileSync(path.join(unpacked, ID, 'plugin.json'), 'utf8'));
    const includes = pluginJson.includes.filter((i: any) => i.type === 'dashboard');
    expect(includes.length).toBeGreaterThan(0);
    for (const inc of includes) {
      const shipped = JSON.parse(fs.readFileSync(path.join(unpacked, ID, inc.path), 'utf8'));
      const provisioned = JSON.parse(fs.readFileSync(path.join(ROOT, inc.path), 'utf8'));
      expect(shipped).toEqual(toPluginDashboard(provisioned, pluginJson, inc.path));
    }
  });
});

describe('the rules are real checks', () => {
  /** A copy of the unpacked zip, changed by `change(pluginDir)`, with the top folder named `top`. */
  function broken(change: (dir: string) => void, top = ID): string {
    const dir = fs.mkdtempSync(path.join(tmp, 'broken-'));
    fs.cpSync(path.join(unpacked, ID), path.join(dir, top), { recursive: true });
    change(path.join(dir, top));
    return dir;
  }

  it('reports each broken part of a package under the validator’s analyzer and rule names', () => {
    const dir = broken((p) => {
      fs.rmSync(path.join(p, 'LICENSE'));
      fs.rmSync(path.join(p, 'CHANGELOG.md'));
      fs.appendFileSync(path.join(p, 'README.md'), '\n<!-- todo -->\nInstall with yarn.\n\n<div>raw html</div>\n');
      fs.writeFileSync(path.join(p, 'img/screenshot-query-editor.png'), 'not a png');
      fs.writeFileSync(path.join(p, 'img/logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>');
      const map = JSON.parse(fs.readFileSync(path.join(p, 'module.js.map'), 'utf8'));
      map.sourcesContent[map.sources.findIndex((s: string) => s.endsWith('/module.ts'))] = '// edited after the build\n';
      fs.writeFileSync(path.join(p, 'module.js.map'), JSON.stringify(map));
      const pluginJson = JSON.parse(fs.readFileSync(path.join(p, 'plugin.json'), 'utf8'));
      pluginJson.info.version = '0.0.9';
      pluginJson.info.logos.large = './img/logo.svg';
      pluginJson.includes.push({ type: 'dashboard', name: 'gone', path: 'dashboards/gone.json' });
      fs.writeFileSync(path.join(p, 'plugin.json'), JSON.stringify(pluginJson));
    }, 'vigil');
    expect(rulesOf(dir)).toEqual([
      'archivename/no-ident-root-dir',
      'changelog/missing-changelog',
      'includes/dashboard-not-found',
      'jargon/developer-jargon',
      'jsMap/js-map-no-match',
      'license/license-not-provided',
      'metadatapaths/invalid-relative-path',
      'packagejson/packagecode-version-mismatch',
      'readme/html-in-readme',
      'readme/readme-comment',
      'screenshots/screenshots-image-type',
      'unsafesvg/unsafe-svg-file',
    ]);
  });

  it('reports a missing source map, module.js, a bad id suffix and schema errors', () => {
    const dir = broken((p) => {
      fs.rmSync(path.join(p, 'module.js.map'));
      const pluginJson = JSON.parse(fs.readFileSync(path.join(p, 'plugin.json'), 'utf8'));
      pluginJson.type = 'panel';
      pluginJson.info.screenshots = [];
      pluginJson.sourceMaps = true; // the schema allows no unknown field
      fs.writeFileSync(path.join(p, 'plugin.json'), JSON.stringify(pluginJson));
    });
    expect(rulesOf(dir)).toEqual(['jsMap/js-map-not-found', 'metadatavalid/invalid-metadata', 'screenshots/screenshots', 'typesuffix/plugin-type-suffix']);
    const noModule = broken((p) => fs.renameSync(path.join(p, 'module.js'), path.join(p, 'main.js')));
    expect(rulesOf(noModule)).toEqual(['modulejs/missing-modulejs']);
  });

  it('reports an archive with two folders at the top, or the plugin inside dist/', () => {
    const two = broken(() => undefined);
    fs.mkdirSync(path.join(two, 'extra'));
    expect(rulesOf(two)).toEqual(['archive/more-than-one-dir']);
    const nested = fs.mkdtempSync(path.join(tmp, 'nested-'));
    fs.cpSync(path.join(unpacked, ID), path.join(nested, ID, 'dist'), { recursive: true });
    expect(rulesOf(nested)).toEqual(['archive/dist']);
  });
});
