import fs from 'fs';
import path from 'path';
import process from 'process';
import { SOURCE_DIR } from './constants.ts';

function loadJson(file: string) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export function getPackageJson() {
  return loadJson(path.resolve(process.cwd(), 'package.json'));
}

export function getPluginJson() {
  return loadJson(path.resolve(process.cwd(), `${SOURCE_DIR}/plugin.json`));
}

export function getCPConfigVersion(): string {
  const cprcJson = path.resolve(process.cwd(), '.config', '.cprc.json');
  return fs.existsSync(cprcJson) ? loadJson(cprcJson).version : 'unknown';
}

export function hasReadme() {
  return fs.existsSync(path.resolve(process.cwd(), SOURCE_DIR, 'README.md'));
}

/**
 * The entry points: `module` for src/module.[jt]sx?. create-plugin globs every src/**\/plugin.json to
 * bundle nested plugins (apps); a data source has exactly one plugin.json, so no glob is needed.
 */
export function getEntries(): Record<string, string> {
  const sourceDir = path.resolve(process.cwd(), SOURCE_DIR);
  const module = ['module.ts', 'module.tsx', 'module.js', 'module.jsx'].find((f) => fs.existsSync(path.join(sourceDir, f)));
  if (!module) throw new Error(`${sourceDir}: no module.ts(x)/module.js(x) entry point`);
  return { module: path.join(sourceDir, module) };
}

/** %VERSION%, %TODAY% and %PLUGIN_ID% filled in, as create-plugin does for plugin.json and README.md. */
export function fillTemplate(content: Buffer | string): string {
  return content
    .toString()
    .replace(/%VERSION%/g, getPackageJson().version)
    .replace(/%TODAY%/g, new Date().toISOString().substring(0, 10))
    .replace(/%PLUGIN_ID%/g, getPluginJson().id);
}
