'use strict';
/**
 * Lets Node 20 `require()` TypeScript files: each is transpiled on load with @swc/core (a dependency
 * already). Used by the plugin build (create-plugin's .ts webpack config), the bench loader and the
 * browser-test harness. Options: `sourceMaps: true` for inline maps (the bench profiles with them).
 */
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

function registerTypeScript({ sourceMaps = false } = {}) {
  require.extensions['.ts'] = function compileTypeScript(module, filename) {
    const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
      filename,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
      ...(sourceMaps ? { sourceMaps: 'inline' } : {}),
    });
    module._compile(code, filename);
  };
}

module.exports = { registerTypeScript };
