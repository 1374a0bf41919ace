/**
 * The memory settings (docs/server.md) are checked when `vigil serve` starts: a bad VIGIL_FIT_CACHE_MB
 * (the fits' byte budget, read by the compute threads) or VIGIL_QUERY_HEAP_MB (the query thread's heap
 * cap, read when it starts) stops the start with exit 2 and a message naming the setting and the value,
 * instead of failing later in a thread.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { ROOT, tempDir } from './helpers';

const BAD: [string, string][] = [
  ['VIGIL_FIT_CACHE_MB', '0'],
  ['VIGIL_FIT_CACHE_MB', 'lots'],
  ['VIGIL_QUERY_HEAP_MB', '32'],
  ['VIGIL_QUERY_HEAP_MB', '-1'],
];

it.each(BAD)('%s=%s stops the start with exit 2 naming it', (name, bad) => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'vigil.js'), 'serve', '--port', '0', '--db', path.join(tempDir(), 'bad.db')], {
    cwd: ROOT,
    env: { ...process.env, [name]: bad },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain(name);
  expect(r.stderr).toContain(`'${bad}'`);
}, 40_000);
