/**
 * `vigil run --out FILE` must not name one of the run's inputs: the results would replace the config or
 * a data file (written to a temporary file, then renamed over it). Checked before any data is read, so
 * the refusal writes nothing.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { RunConfig } from './run';

/**
 * The same file: same device and inode (so through symlinks and hard links alike), or, where stat
 * cannot tell, the same resolved real path.
 */
function sameFile(a: string, b: string): boolean {
  let sa: fs.Stats;
  let sb: fs.Stats;
  try {
    sa = fs.statSync(a);
    sb = fs.statSync(b);
  } catch {
    return false; // one of them does not exist: a missing input is reported when it is read
  }
  if (sa.ino !== 0 && sa.dev === sb.dev && sa.ino === sb.ino) return true;
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

/** What is wrong when `out` is the config or one of the data files it names (null: nothing). */
export function outputNamesAnInput(out: string, configPath: string, config: RunConfig): string | null {
  const inputs: [string, string | null][] = [
    ['config', configPath],
    ['reference', config.reference],
    ['analysis', config.analysis],
    ['analysis_targets', config.analysisTargets],
  ];
  for (const [key, file] of inputs) {
    if (file !== null && sameFile(out, file)) {
      const shown = path.relative(process.cwd(), file) || file;
      return `--out ${out}: is the ${key} file ${shown} of this run; write the results to another file`;
    }
  }
  return null;
}
