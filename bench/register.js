'use strict';
/**
 * Loader for the bench (`node -r ./bench/register.js bench/run.ts`).
 *
 * - bench's own TypeScript is transpiled on load with @swc/core (already a dev dependency);
 * - imports of `backend/**` resolve to the compiled backend in `build/` (what `vigil` itself runs, so
 *   the numbers are the product's, worker-thread entry points included). `npm run bench` builds first.
 *   With VIGIL_BENCH_SOURCE=1, or when `build/` lacks a file, the TypeScript source is used instead.
 */
const Module = require('module');
const path = require('path');
const fs = require('fs');
const { registerTypeScript } = require('../scripts/register-ts');

const root = path.resolve(__dirname, '..');
const backendDir = path.join(root, 'backend') + path.sep;
const buildDir = path.join(root, 'build');
const useSource = process.env.VIGIL_BENCH_SOURCE === '1';

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveToBuild(request, parent, ...rest) {
  const resolved = originalResolve.call(this, request, parent, ...rest);
  if (!useSource && resolved.startsWith(backendDir) && resolved.endsWith('.ts')) {
    const compiled = path.join(buildDir, resolved.slice(backendDir.length, -3) + '.js');
    if (fs.existsSync(compiled)) return compiled;
  }
  return resolved;
};

registerTypeScript({ sourceMaps: true });
