// Bundles the dev-only harness page: everything included (React, Grafana's UI), since no Grafana
// provides them here. Production-mode tree shaking (Grafana's packages declare sideEffects: false)
// keeps the bundle to what the editors use; no minification, to build fast.
const path = require('path');
const swc = require('../../../.config/webpack/swc');

module.exports = (env = {}) => ({
  mode: 'production',
  context: __dirname,
  entry: { harness: './index.tsx' },
  devtool: false,
  module: {
    rules: [
      { test: /\.[tj]sx?$/, exclude: /node_modules/, use: swc('es2020') },
      // some Grafana dependencies ship .mjs that import without extensions
      { test: /\.m?js$/, resolve: { fullySpecified: false } },
    ],
  },
  optimization: { minimize: false, sideEffects: true, usedExports: true, concatenateModules: true },
  output: { path: env.outDir ? path.resolve(env.outDir) : path.join(__dirname, 'dist'), filename: '[name].js', clean: true },
  resolve: { extensions: ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.json'] },
  performance: { hints: false },
  stats: 'errors-warnings',
});
