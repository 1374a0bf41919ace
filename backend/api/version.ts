/**
 * Vigil's version, from package.json (two levels up from both backend/api and build/api).
 */
import * as fs from 'fs';
import * as path from 'path';

export const VERSION: string = (() => {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version as string;
  } catch {
    return 'unknown';
  }
})();
