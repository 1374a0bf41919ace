/**
 * The engine is pure computation (shared/ARCHITECTURE.md: "columnar frames in, result rows out; no I/O"):
 * every engine source imports only other engine files and the pure-computation packages below. Files,
 * threads, the network, SQL and the CLI live above it (io/, batch/, threads/, store/, service/, cli/).
 * Tests are exempt: they read fixtures.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ENGINE = __dirname;
/** Packages the engine may use: computation only. */
const ALLOWED_PACKAGES = new Set(['ml-matrix']);

/** The imports, re-exports, require() and import() of one source, with what each breaks (empty when none). */
function violations(file: string, source: string): string[] {
  const { importedFiles } = ts.preProcessFile(source, true, true);
  const out: string[] = [];
  for (const { fileName: spec } of importedFiles) {
    if (spec.startsWith('.')) {
      const target = path.resolve(path.dirname(file), spec);
      if (path.relative(ENGINE, target).startsWith('..')) out.push(`${spec} (outside backend/engine)`);
    } else if (!ALLOWED_PACKAGES.has(spec)) out.push(`${spec} (not a pure-computation package)`);
  }
  return out;
}

function engineSources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return engineSources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

test('no engine source imports io/, files, threads or anything outside the engine', () => {
  const files = engineSources(ENGINE);
  expect(files.length).toBeGreaterThan(50);
  const found = files.flatMap((f) => violations(f, fs.readFileSync(f, 'utf8')).map((v) => `${path.relative(ENGINE, f)}: ${v}`));
  expect(found).toEqual([]);
});

test('the scan sees every form of import', () => {
  const file = path.join(ENGINE, 'drift', 'x.ts');
  const source = [
    "import { readCsvFile } from '../../io/frames';",
    "import * as fs from 'node:fs';",
    "import { Worker } from 'worker_threads';",
    "export { claim } from '../../batch/work';",
    "const s = require('../../store');",
    "type E = typeof import('../../service/engine');",
    "import { Matrix } from 'ml-matrix';",
    "import { Frame } from '../frame';",
  ].join('\n');
  expect(violations(file, source)).toEqual([
    '../../io/frames (outside backend/engine)',
    'node:fs (not a pure-computation package)',
    'worker_threads (not a pure-computation package)',
    '../../batch/work (outside backend/engine)',
    '../../store (outside backend/engine)',
    '../../service/engine (outside backend/engine)',
  ]);
});
