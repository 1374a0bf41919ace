// The plugin build (`npm run build`): create-plugin's base config (.config/webpack/webpack.config.ts)
// extended with what is Vigil's own, as create-plugin's "extend the webpack config" guide does:
// - the bundled dashboards: dist/dashboards/*.json made from the provisioned dashboards/*.json
//   (scripts/plugin-dashboards.js), listed in src/plugin.json `includes`;
// - swc compiles to ES2020 instead of the template's ES2015: every browser Grafana 12.3+ supports runs
//   ES2020, and the bundle is a third smaller (no down-levelled ?. and ??) and builds faster;
// - `--env outDir=DIR` (or VIGIL_PLUGIN_DIST=DIR, which scripts/package-plugin.js reads too) builds
//   elsewhere; the build tests do, to leave dist/ alone.
// The base config is TypeScript, as create-plugin scaffolds it; Node 20 cannot load .ts files, so they
// are compiled with swc (a dependency already) when required.
const fs = require('node:fs');
const path = require('node:path');
const { registerTypeScript } = require('./scripts/register-ts');

if (!require.extensions['.ts']) registerTypeScript();

const CopyWebpackPlugin = require('copy-webpack-plugin');
const baseConfig = require('./.config/webpack/webpack.config.ts').default;
const { toPluginDashboard } = require('./scripts/plugin-dashboards');

const ROOT = __dirname;

function pluginJsonAsBuilt() {
  const pluginJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'src/plugin.json'), 'utf8'));
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  return { ...pluginJson, info: { ...pluginJson.info, version } };
}

/** The base config's swc-loader rule with another compile target. */
function withSwcTarget(rules, target) {
  return rules.map((rule) =>
    rule.use?.loader === 'swc-loader' ? { ...rule, use: { ...rule.use, options: { ...rule.use.options, jsc: { ...rule.use.options.jsc, target } } } } : rule,
  );
}

module.exports = async (env = {}) => {
  const config = await baseConfig(env);
  const pluginJson = pluginJsonAsBuilt();
  const outDir = env.outDir ?? process.env.VIGIL_PLUGIN_DIST;
  return {
    ...config,
    module: { ...config.module, rules: withSwcTarget(config.module.rules, 'es2020') },
    output: { ...config.output, ...(outDir ? { path: path.resolve(outDir) } : {}) },
    plugins: [
      ...config.plugins,
      new CopyWebpackPlugin({
        patterns: [
          {
            from: path.join(ROOT, 'dashboards/*.json'),
            to: 'dashboards/[name][ext]',
            transform: (content, absoluteFrom) =>
              `${JSON.stringify(toPluginDashboard(JSON.parse(content.toString()), pluginJson, path.relative(ROOT, absoluteFrom)), null, 2)}\n`,
          },
        ],
      }),
    ],
  };
};
