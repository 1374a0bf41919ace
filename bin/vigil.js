#!/usr/bin/env node
'use strict';
// The CLI is compiled from backend/cli by `npm run build:backend` (run by `npm ci` through `prepare`).
const path = require('path');
const fs = require('fs');
const entry = path.join(__dirname, '..', 'build', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('vigil: not built yet; run `npm ci` (or `npm run build:backend`) first\n');
  process.exit(2);
}
require(entry).main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { process.stderr.write(`vigil: ${err && err.stack ? err.stack : err}\n`); process.exitCode = 1; },
);
