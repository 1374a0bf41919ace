// Builds the harness bundle with webpack's Node API (test/browser/harness/webpack.config.js).
const path = require('path');
const webpack = require('webpack');
const makeConfig = require('./webpack.config');

/** Resolves with the folder holding harness.js. */
function buildHarness(outDir = path.join(__dirname, 'dist')) {
  return new Promise((resolve, reject) => {
    webpack(makeConfig({ outDir }), (err, stats) => {
      if (err) return reject(err);
      if (stats.hasErrors()) return reject(new Error(stats.toString('errors-only')));
      resolve(outDir);
    });
  });
}

module.exports = { buildHarness };

if (require.main === module) {
  buildHarness().then((dir) => console.log(`harness built in ${dir}`), (e) => {
    console.error(e.message);
    process.exit(1);
  });
}
