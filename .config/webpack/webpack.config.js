// Builds the Grafana plugin into dist/: module.js (AMD, Grafana's shared modules external), plugin.json
// with %VERSION% and %TODAY% filled in, the logo and the README. `npm run build`.
const path = require('path');
const CopyWebpackPlugin = require('copy-webpack-plugin');
const externals = require('./externals');
const swc = require('./swc');

const ROOT = path.resolve(__dirname, '../..');
const SOURCE_DIR = path.join(ROOT, 'src');
const DEFAULT_DIST_DIR = path.join(ROOT, 'dist');
const packageJson = require(path.join(ROOT, 'package.json'));
const pluginJson = require(path.join(SOURCE_DIR, 'plugin.json'));

/** %VERSION% → package version, %TODAY% → build date (YYYY-MM-DD), as create-plugin builds do. */
function fillTemplate(content) {
  return content
    .toString()
    .replace(/%VERSION%/g, packageJson.version)
    .replace(/%TODAY%/g, new Date().toISOString().substring(0, 10))
    .replace(/%PLUGIN_ID%/g, pluginJson.id);
}

module.exports = (env = {}) => ({
  mode: env.production ? 'production' : 'development',
  context: SOURCE_DIR,
  devtool: env.production ? false : 'eval-source-map',
  entry: { module: './module.ts' },
  externals,
  module: {
    rules: [
      // the catalog is compiled in from backend/engine so that metric names are never spelled twice
      { test: /\.[tj]sx?$/, exclude: /node_modules/, use: swc('es2020') },
    ],
  },
  output: {
    clean: true,
    filename: '[name].js',
    library: { type: 'amd' },
    // --env outDir=... builds elsewhere (the build test does, to leave dist/ alone)
    path: env.outDir ? path.resolve(env.outDir) : DEFAULT_DIST_DIR,
    publicPath: `public/plugins/${pluginJson.id}/`,
    uniqueName: pluginJson.id,
  },
  plugins: [
    new CopyWebpackPlugin({
      patterns: [
        { from: 'plugin.json', to: '.', transform: fillTemplate },
        { from: 'README.md', to: '.', transform: fillTemplate },
        { from: 'img/**/*', to: '.' },
      ],
    }),
  ],
  resolve: { extensions: ['.ts', '.tsx', '.js', '.jsx', '.json'] },
  performance: { hints: false },
});
