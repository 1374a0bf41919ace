/*
 * The base webpack config in the layout `@grafana/create-plugin` scaffolds
 * (plugin-tools packages/create-plugin/templates/common/.config/webpack/webpack.config.ts, with its helpers
 * in ../bundler/). Extend it in the project's root webpack.config.js, not here
 * (https://grafana.com/developers/plugin-tools/how-to-guides/extend-configurations#extend-the-webpack-config).
 *
 * Differences from the template, all because this project adds no build-only npm dependencies
 * (.config/README.md lists them): no ESLint/type-check/live-reload plugins in development (`npm run
 * typecheck` runs tsc), %VERSION%/%TODAY% filled by a copy transform instead of replace-in-file, no
 * subresource-integrity plugin, no imports-loader public-path module (the static publicPath below is
 * the one the template falls back to), no CSS/SASS/asset loaders (the plugin imports none), webpack's
 * default minimizer (terser) instead of a configured TerserPlugin, and so no `[create-plugin]` banner
 * comment (the default minimizer would move it to a module.js.LICENSE.txt).
 */
import CopyWebpackPlugin from 'copy-webpack-plugin';
import path from 'path';
import type { Configuration } from 'webpack';

import { BuildModeWebpackPlugin } from './BuildModeWebpackPlugin.ts';
import { DIST_DIR, SOURCE_DIR } from '../bundler/constants.ts';
import { getEntries, getPluginJson } from '../bundler/utils.ts';
import { externals } from '../bundler/externals.ts';
import { copyFilePatterns } from '../bundler/copyFiles.ts';

const pluginJson = getPluginJson();

export type Env = {
  [key: string]: true | string | Env;
};

const config = async (env: Env): Promise<Configuration> => ({
  context: path.join(process.cwd(), SOURCE_DIR),

  // source maps in production too: the plugin validator requires module.js.map next to module.js
  devtool: env.production ? 'source-map' : 'eval-source-map',

  entry: getEntries(),

  externals,

  mode: env.production ? 'production' : 'development',

  module: {
    rules: [
      {
        exclude: /(node_modules)/,
        test: /\.[tj]sx?$/,
        use: {
          loader: 'swc-loader',
          options: {
            jsc: {
              baseUrl: path.resolve(process.cwd(), SOURCE_DIR),
              target: 'es2015',
              loose: false,
              parser: { syntax: 'typescript', tsx: true, decorators: false, dynamicImport: true },
              // the project's components use the automatic JSX runtime (tsconfig "jsx": "react-jsx")
              transform: { react: { runtime: 'automatic' } },
            },
          },
        },
      },
    ],
  },

  optimization: {
    minimize: Boolean(env.production),
  },

  output: {
    clean: true,
    filename: '[name].js',
    chunkFilename: env.production ? '[name].js?_cache=[contenthash]' : '[name].js',
    library: { type: 'amd' },
    path: path.resolve(process.cwd(), DIST_DIR),
    publicPath: `public/plugins/${pluginJson.id}/`,
    uniqueName: pluginJson.id,
    crossOriginLoading: 'anonymous',
  },

  plugins: [
    new BuildModeWebpackPlugin(),
    new CopyWebpackPlugin({ patterns: copyFilePatterns }),
  ],

  resolve: {
    extensions: ['.js', '.jsx', '.ts', '.tsx'],
    modules: [path.resolve(process.cwd(), 'src'), 'node_modules'],
    unsafeCache: true,
  },

  performance: { hints: false },
});

export default config;
