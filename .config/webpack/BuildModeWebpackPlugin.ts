import webpack from 'webpack';

const PLUGIN_NAME = 'BuildModeWebpack';

/** Writes the build mode (production/development) into dist/plugin.json's `buildMode`, as create-plugin does. */
export class BuildModeWebpackPlugin {
  apply(compiler: webpack.Compiler) {
    compiler.hooks.compilation.tap(PLUGIN_NAME, (compilation) => {
      compilation.hooks.processAssets.tap({ name: PLUGIN_NAME, stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONS }, () => {
        for (const asset of compilation.getAssets()) {
          if (asset.name.endsWith('plugin.json')) {
            const pluginJson = JSON.parse(asset.source.source().toString());
            const withBuildMode = JSON.stringify({ ...pluginJson, buildMode: compilation.options.mode }, null, 4);
            compilation.updateAsset(asset.name, new webpack.sources.RawSource(withBuildMode));
          }
        }
      });
    });
  }
}
