// The rules of Grafana's plugin validator (github.com/grafana/plugin-validator, pkg/analysis/passes/*)
// that apply to a frontend data-source plugin, re-implemented over an unpacked plugin zip. The validator
// itself downloads a Go binary from GitHub at run time, which cannot run here. Each finding names the
// analyzer and rule as the validator reports them ("archive/more-than-one-dir"), so a finding reads the
// same as the validator's output. Not re-implemented, and why:
//   manifest, signature: the package is unsigned until `npm run sign`;
//   org, published, version (against grafana.com), brokenlinks, safelinks, legacyplatform's pattern list,
//   osvscanner, virusscan, llmreview, provenance: they call network services (the version rule's local
//   half — a valid semver equal to package.json's — is checked);
//   coderules, gosec, govulncheck, backend*, gomanifest, sdkusage: semgrep or Go tooling, or a Go
//   backend, which this plugin does not have.
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

export interface Finding {
  rule: string; // "<analyzer>/<rule>"
  message: string;
}

export interface Context {
  /** the project root: package.json, src/ (the source maps are compared with it), .config/ */
  sourceRoot: string;
  /** Grafana's plugin.json schema (draft-07) */
  schemaPath: string;
}

// licensedb's accepted SPDX ids (license analyzer, validLicensesRegex)
const VALID_LICENSES = [/^0BSD$/, /^BSD-.*$/, /^MIT.*$/, /^Apache-2.0$/, /^LGPL-3.*$/, /^GPL-3.0.*$/, /^AGPL-3.0.*$/];
// the section titles of the Apache License 2.0 text (what licensedb matches it by, with confidence >= 0.9)
const APACHE_2_SECTIONS = [
  'Apache License',
  'Version 2.0, January 2004',
  'TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION',
  '1. Definitions.',
  '2. Grant of Copyright License.',
  '3. Grant of Patent License.',
  '4. Redistribution.',
  '5. Submission of Contributions.',
  '6. Trademarks.',
  '7. Disclaimer of Warranty.',
  '8. Limitation of Liability.',
  '9. Accepting Warranty or Additional Liability.',
  'END OF TERMS AND CONDITIONS',
];
// jargon analyzer's word list
const JARGON = ['yarn', 'nodejs'];
// screenshots analyzer: accepted types, sniffed as Go's http.DetectContentType does, and the type
// Go's mime.TypeByExtension gives the file's extension (they must agree)
const IMAGE_BY_EXTENSION: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml' };
// unsafesvg: the validator checks SVGs against an allow-list of elements and attributes; this is a
// conservative allow-list of static drawing elements, and no event handlers, scripts or external links
const SAFE_SVG_ELEMENTS = new Set(
  'svg g title desc defs path circle ellipse line polyline polygon rect text tspan linearGradient radialGradient stop clipPath mask symbol use pattern'.split(' '),
);
// hosts module.js may name: Vigil's examples (the config editor's placeholders), and example.com (IANA's
// documentation domain), the default URL placeholder of the bundled @grafana/plugin-ui's
// ConnectionSettings. The trackingscripts analyzer blocks known tracking hosts; allowing only these is stricter.
const ALLOWED_URL_HOSTS = new Set(['127.0.0.1:8700', 'vigil:8700', 'www.w3.org', 'example.com:8080']);

function sniffImage(bytes: Buffer): string | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return 'image/jpeg';
  if (/^GIF8[79]a/.test(bytes.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (bytes.subarray(0, 512).toString('utf8').includes('<svg')) return 'image/svg+xml';
  return undefined;
}

function listFiles(dir: string, base = dir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name)).split(path.sep).join('/')]));
}

function svgProblems(svg: string): string[] {
  const problems: string[] = [];
  if (/<!ENTITY|<!DOCTYPE/i.test(svg)) problems.push('declares a DOCTYPE or entities');
  for (const [, name, attrs] of svg.matchAll(/<([A-Za-z][\w:-]*)([^>]*)>/g)) {
    if (!SAFE_SVG_ELEMENTS.has(name)) problems.push(`element <${name}>`);
    for (const [, attr, value] of attrs.matchAll(/([\w:-]+)\s*=\s*("[^"]*"|'[^']*')/g)) {
      if (/^on/i.test(attr)) problems.push(`event handler ${attr} on <${name}>`);
      if (/href$/i.test(attr) && !/^["']#/.test(value)) problems.push(`external link ${attr}=${value} on <${name}>`);
      if (/javascript:/i.test(value)) problems.push(`javascript: in ${attr} on <${name}>`);
    }
  }
  return problems;
}

/** A semver range as Grafana reads grafanaDependency (hashicorp go-version constraints, `||` allowed). */
function isVersionConstraint(s: string): boolean {
  const part = /^(>=|<=|>|<|=|~>|~|\^)?\s*v?\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?$/;
  return s.trim() !== '' && s.split('||').every((alt) => alt.trim().split(/\s*,\s*|\s+(?=[<>=~^])/).every((c) => part.test(c.trim())));
}

const isSemver = (v: string) => /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(v);

/**
 * Findings of the validator's rules on an unpacked plugin zip (`unpacked` holds what the zip holds).
 * Returns [] when the package passes.
 */
export function validatorFindings(unpacked: string, ctx: Context): Finding[] {
  const findings: Finding[] = [];
  const report = (rule: string, message: string) => findings.push({ rule, message });

  // archive: one folder at the top, holding the plugin (not a dist/ folder)
  const top = fs.readdirSync(unpacked, { withFileTypes: true });
  if (top.length === 0) return [{ rule: 'archive/empty-archive', message: 'Archive is empty' }];
  if (top.length !== 1) return [{ rule: 'archive/more-than-one-dir', message: `Archive contains ${top.length} entries at the top, not one folder` }];
  if (!top[0].isDirectory()) return [{ rule: 'archive/no-root-dir', message: 'Archive has no folder at the top' }];
  let root = path.join(unpacked, top[0].name);
  if (fs.existsSync(path.join(root, 'dist'))) {
    report('archive/dist', 'the plugin sits in a dist/ folder inside the top folder');
    root = path.join(root, 'dist');
  }
  const files = listFiles(root);
  const read = (rel: string) => fs.readFileSync(path.join(root, rel));

  // metadata: plugin.json at the top of the plugin folder
  if (!files.includes('plugin.json')) return [...findings, { rule: 'metadata/missing-metadata', message: 'missing plugin.json' }];
  let meta: any;
  try {
    meta = JSON.parse(read('plugin.json').toString('utf8'));
  } catch (err) {
    return [...findings, { rule: 'metadata/invalid-metadata', message: `plugin.json: ${(err as Error).message}` }];
  }
  const info = meta.info ?? {};

  // archivename: the top folder is named by the plugin id
  if (top[0].name !== meta.id) report('archivename/no-ident-root-dir', `Archive should contain a directory named ${meta.id}, not ${top[0].name}`);

  // metadatavalid (metadataschema): plugin.json against Grafana's plugin.json schema
  const ajv = new Ajv({ strict: false, unicodeRegExp: false, allErrors: true }); // the schema's id pattern escapes '-'
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(ctx.schemaPath, 'utf8')));
  if (!validate(meta)) for (const e of validate.errors ?? []) report('metadatavalid/invalid-metadata', `plugin.json${e.instancePath} ${e.message}`);

  // includesnested: a data source holds no nested plugin
  for (const nested of files.filter((f) => f !== 'plugin.json' && f.endsWith('/plugin.json'))) {
    report('includesnested/nested-plugin-id-in-non-app', `Nested plugins are not allowed on plugins type ${meta.type}: ${nested}`);
  }

  // typesuffix, pluginname: <org>-<name>-<type>, a human name
  const idParts = String(meta.id).split('-');
  if (idParts[idParts.length - 1] !== meta.type) report('typesuffix/plugin-type-suffix', `plugin id ${meta.id} should end with -${meta.type}`);
  if (idParts.length < 3) report('pluginname/invalid-id-format', 'plugin.json: plugin id should follow the format org-name-type');
  if (meta.name === meta.id) report('pluginname/human-friendly-name', 'plugin.json: plugin name should be human-friendly');

  // discoverability
  if (!info.description) report('discoverability/empty-description', 'plugin.json: description is empty');
  if (!info.keywords?.length) report('discoverability/empty-keywords', 'plugin.json: keywords are empty');

  // grafanadependency
  if (!isVersionConstraint(meta.dependencies?.grafanaDependency ?? '')) {
    report('grafanadependency/invalid-grafana-dependency', `plugin.json: dependencies.grafanaDependency field has invalid or empty version constraint: "${meta.dependencies?.grafanaDependency ?? ''}"`);
  }

  // version (its local half) and packagejson: a semver, the same as package.json's
  const packageJson = JSON.parse(fs.readFileSync(path.join(ctx.sourceRoot, 'package.json'), 'utf8'));
  if (!isSemver(String(info.version))) report('version/wrong-plugin-version', `Plugin version "${info.version}" is invalid.`);
  if (packageJson.version !== info.version) {
    report('packagejson/packagecode-version-mismatch', `The version in package.json (${packageJson.version}) doesn't match the version in plugin.json (${info.version})`);
  }

  // modulejs, jsMap: module.js and its source map, whose sources are the project's files
  const modules = files.filter((f) => f === 'module.js' || f.endsWith('/module.js'));
  if (modules.length === 0) report('modulejs/missing-modulejs', 'missing module.js');
  for (const mod of modules) {
    const mapFile = `${mod}.map`;
    if (!files.includes(mapFile)) {
      report('jsMap/js-map-not-found', `missing ${mapFile} in archive`);
      continue;
    }
    let map: any;
    try {
      map = JSON.parse(read(mapFile).toString('utf8'));
    } catch {
      report('jsMap/js-map-invalid', `the sourcemap file ${mapFile} could not be validated`);
      continue;
    }
    if (map.version !== 3 || !Array.isArray(map.sources) || !Array.isArray(map.sourcesContent)) {
      report('jsMap/js-map-invalid', `the sourcemap file ${mapFile} is not a version-3 map with sources and their contents`);
      continue;
    }
    // webpack names the project's files webpack://<id>/./<path from src> (or ../<path> outside src)
    const projectSources = map.sources
      .map((s: string, i: number) => ({ rel: /^webpack:\/\/[^/]+\/(\.{1,2}\/.*)$/.exec(s)?.[1], content: map.sourcesContent[i] }))
      .filter((s: { rel?: string }) => s.rel && !s.rel.includes('node_modules/'));
    if (!projectSources.some((s: { rel: string }) => /^\.\/module\.tsx?$/.test(s.rel))) report('jsMap/js-map-no-match', `${mapFile} does not map module.ts`);
    for (const s of projectSources) {
      const file = path.resolve(ctx.sourceRoot, 'src', s.rel);
      if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== s.content) report('jsMap/js-map-no-match', `${mapFile}: ${s.rel} differs from the source code`);
    }
  }

  // license: LICENSE, a license licensedb accepts, its placeholders filled
  if (!files.includes('LICENSE')) {
    report('license/license-not-provided', 'LICENSE file not found');
  } else {
    const text = read('LICENSE').toString('utf8');
    const apache = APACHE_2_SECTIONS.every((s) => text.includes(s));
    if (!apache || !VALID_LICENSES.some((re) => re.test(packageJson.license ?? ''))) {
      report('license/license-not-valid', `LICENSE is not the Apache-2.0 text package.json declares (${packageJson.license})`);
    }
    if (text.includes('{name of copyright owner}') || text.includes('{yyyy}')) report('license/license-with-generic-text', 'LICENSE holds template placeholders');
  }

  // changelog
  if (!files.includes('CHANGELOG.md')) report('changelog/missing-changelog', 'missing CHANGELOG.md');
  else if (!read('CHANGELOG.md').toString('utf8').trim()) report('changelog/missing-changelog', 'CHANGELOG.md is empty');

  // readme, templatereadme, jargon; and no HTML (the catalog renders the README as markdown)
  if (!files.includes('README.md') || !read('README.md').toString('utf8').trim()) {
    report('readme/missing-readme', 'missing or empty README.md');
  } else {
    const readme = read('README.md').toString('utf8');
    if (/<!--(.*?)-->/s.test(readme)) report('readme/readme-comment', 'README.md contains comment(s).');
    if (/Grafana (Panel|Data Source|Datasource|App|Data Source Backend) Plugin Template/i.test(readme)) report('templatereadme/template-readme', 'README.md: uses README from template');
    const jargon = JARGON.filter((w) => readme.includes(w));
    if (jargon.length) report('jargon/developer-jargon', `README.md contains developer jargon: (${jargon.join(', ')})`);
    const prose = readme.replace(/```[\s\S]*?```/g, '').replace(/`[^`]*`/g, '');
    const tag = /<\/?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?\/?>/.exec(prose);
    if (tag) report('readme/html-in-readme', `README.md contains HTML outside code: ${tag[0]}`);
  }

  // logos, screenshots, metadatapaths: paths relative to plugin.json, existing, images of their type
  if (!String(info.logos?.small ?? '').trim()) report('logos/logos', 'plugin.json: invalid empty small logo path');
  if (!String(info.logos?.large ?? '').trim()) report('logos/logos', 'plugin.json: invalid empty large logo path');
  const screenshots: { name?: string; path?: string }[] = info.screenshots ?? [];
  if (screenshots.length === 0) report('screenshots/screenshots', 'Please add at least one screenshot to your plugin.json.');
  const paths = [
    ...screenshots.map((s) => ({ kind: 'screenshot', p: s.path ?? '' })),
    { kind: 'small logo', p: info.logos?.small ?? '' },
    { kind: 'large logo', p: info.logos?.large ?? '' },
  ];
  for (const { kind, p } of paths) {
    if (!p.trim()) continue; // reported above
    if (/^[a-z][a-z0-9+.-]*:/i.test(p)) report('metadatapaths/path-relative-to-metadata', `plugin.json: ${kind} path should be relative to plugin.json: ${p}`);
    else if (p.startsWith('.') || p.startsWith('/')) report('metadatapaths/invalid-relative-path', `plugin.json: relative ${kind} path should not start with '.' or '/': ${p}`);
    else if (!files.includes(p)) report('metadatapaths/path-not-exists', `plugin.json: ${kind} path doesn't exists: ${p}`);
    else if (kind === 'screenshot') {
      const sniffed = sniffImage(read(p));
      const expected = IMAGE_BY_EXTENSION[path.extname(p).toLowerCase()];
      if (!sniffed || sniffed !== expected) report('screenshots/screenshots-image-type', `${p}: content is ${sniffed ?? 'not an accepted image'}, extension says ${expected ?? 'unknown'}`);
    }
  }

  // unsafesvg
  for (const svg of files.filter((f) => f.endsWith('.svg'))) {
    const problems = svgProblems(read(svg).toString('utf8'));
    if (problems.length) report('unsafesvg/unsafe-svg-file', `SVG file ${svg} is unsafe: ${problems.join('; ')}`);
  }

  // binarypermissions / backendbinary: a frontend plugin declares no executable and ships none
  if (meta.executable || meta.backend) report('backendbinary/backend-found', 'plugin.json declares a backend, which this package does not build');
  for (const binary of files.filter((f) => /(^|\/)gpx_/.test(f))) report('backendbinary/binary-found', `backend binary ${binary} in a frontend plugin`);

  // trackingscripts, legacyplatform (local part): no tracking hosts, no Angular
  for (const mod of modules) {
    const js = read(mod).toString('utf8');
    for (const [, host] of js.matchAll(/https?:\/\/([^\s"'`/)]+)/g)) {
      const bare = host.replace(/\.$/, '');
      if (!ALLOWED_URL_HOSTS.has(bare)) report('trackingscripts/tracking-scripts', `${mod} names a host outside the allowed list: ${bare}`);
    }
    const amdDeps = /^define\((\[[^\]]*\])/.exec(js)?.[1];
    if (amdDeps && JSON.parse(amdDeps).includes('angular')) report('legacyplatform/legacy-platform', `${mod} loads angular`);
    if (/\b(PanelCtrl|MetricsPanelCtrl|QueryCtrl)\b/.test(js)) report('legacyplatform/legacy-platform', `${mod} uses Angular plugin classes`);
  }

  // buildtools (over the source code): create-plugin's webpack config
  const webpackConfig = path.join(ctx.sourceRoot, '.config/webpack/webpack.config.ts');
  if (!fs.existsSync(webpackConfig) || !fs.readFileSync(webpackConfig, 'utf8').includes('@grafana/create-plugin')) {
    report('buildtools/non-standard-frontend-build-tooling', 'no .config/webpack/webpack.config.ts from @grafana/create-plugin');
  }

  // Grafana's plugin dashboards (pkg/plugins: includes of type dashboard are read from their path):
  // each is in the archive and is a dashboard
  for (const inc of (meta.includes ?? []).filter((i: any) => i.type === 'dashboard')) {
    if (!files.includes(inc.path)) {
      report('includes/dashboard-not-found', `plugin.json includes ${inc.path}, which is not in the archive`);
      continue;
    }
    try {
      const d = JSON.parse(read(inc.path).toString('utf8'));
      if (typeof d.title !== 'string' || !Array.isArray(d.panels)) report('includes/dashboard-invalid', `${inc.path} has no title or panels`);
    } catch (err) {
      report('includes/dashboard-invalid', `${inc.path}: ${(err as Error).message}`);
    }
  }

  // links (brokenlinks without the network): each named, http(s)
  for (const link of info.links ?? []) {
    if (!link.name || !/^https?:\/\/[^/\s]+/.test(link.url ?? '')) report('brokenlinks/malformed-link', `plugin.json link ${JSON.stringify(link)}`);
  }
  return findings;
}
