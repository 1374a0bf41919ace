import { fillTemplate, getPluginJson, hasReadme } from './utils.ts';

const pluginJson = getPluginJson();
const logoPaths: string[] = Array.from(new Set<string>([pluginJson.info?.logos?.large, pluginJson.info?.logos?.small])).filter(Boolean);
const screenshotPaths: string[] = pluginJson.info?.screenshots?.map((s: { path: string }) => s.path) || [];

// Paths are relative to the webpack context (src/); `to` is relative to the output folder (dist/).
// create-plugin fills %VERSION%/%TODAY% with replace-in-file-webpack-plugin after the copy; a copy
// transform does the same without that extra dependency.
export const copyFilePatterns = [
  { from: hasReadme() ? 'README.md' : '../README.md', to: '.', force: true, transform: fillTemplate },
  { from: 'plugin.json', to: '.', transform: fillTemplate },
  { from: '../LICENSE', to: '.' },
  { from: '../CHANGELOG.md', to: '.', force: true },
  { from: '**/query_help.md', to: '.', noErrorOnMissing: true },
  ...logoPaths.map((logoPath) => ({ from: logoPath, to: logoPath })),
  ...screenshotPaths.map((screenshotPath) => ({ from: screenshotPath, to: screenshotPath })),
];
