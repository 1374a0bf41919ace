/** The plugin's version (the package's, as %VERSION% in plugin.json) and the server versions it speaks to. */
import packageJson from '../package.json';

export const PLUGIN_VERSION: string = packageJson.version;

function parse(v: string): [number, number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Orders two x.y.z versions (-1, 0, 1); a version that does not parse sorts first. */
export function compareVersions(a: string, b: string): number {
  const x = parse(a) ?? [-1, 0, 0];
  const y = parse(b) ?? [-1, 0, 0];
  for (let i = 0; i < 3; i++) {
    if (x[i] !== y[i]) {
      return x[i] < y[i] ? -1 : 1;
    }
  }
  return 0;
}

/**
 * Same major version; while the major is 0 the minor must match too (semver: 0.x minors may break the
 * API). Patch levels never matter.
 */
export function isCompatibleVersion(server: string, plugin: string): boolean {
  const s = parse(server);
  const p = parse(plugin);
  if (!s || !p) {
    return false;
  }
  return s[0] === p[0] && (p[0] !== 0 || s[1] === p[1]);
}
