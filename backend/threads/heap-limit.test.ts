/**
 * The query thread's heap cap (heap-limit.ts): read strictly from VIGIL_QUERY_HEAP_MB, and a real worker
 * thread started with such a cap through Thread stops at it (out of memory, reported once as a failure)
 * instead of growing past it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_QUERY_HEAP_MB, queryHeapFromEnv, queryThreadLimits } from './heap-limit';
import { Thread } from './thread';

test('VIGIL_QUERY_HEAP_MB: default, a cap in MiB, 0 for none, and bad values refused naming the setting', () => {
  expect(queryHeapFromEnv({})).toBe(DEFAULT_QUERY_HEAP_MB);
  expect(queryThreadLimits({})).toEqual({ maxOldGenerationSizeMb: DEFAULT_QUERY_HEAP_MB });
  expect(queryHeapFromEnv({ VIGIL_QUERY_HEAP_MB: '1024' })).toBe(1024);
  expect(queryHeapFromEnv({ VIGIL_QUERY_HEAP_MB: '0' })).toBeNull();
  expect(queryThreadLimits({ VIGIL_QUERY_HEAP_MB: '0' })).toBeUndefined();
  for (const bad of ['-1', '12', '100.5', 'big']) expect(() => queryHeapFromEnv({ VIGIL_QUERY_HEAP_MB: bad })).toThrow(new RegExp(`VIGIL_QUERY_HEAP_MB must be 0 \\(no cap\\) or a whole number of MiB from 64, not '${bad.replace('.', '\\.')}'`));
});

test('a thread started with a heap cap stops at it, reported once as a failure', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-heap-'));
  try {
    const file = path.join(dir, 'hog.js');
    // Keeps every array it makes: without a cap it would grow to V8's own limit (GBs).
    fs.writeFileSync(file, `const keep = []; setInterval(() => { for (let i = 0; i < 200; i++) keep.push(new Array(10000).fill(i)); }, 1);`);
    const failures: Error[] = [];
    const t = new Thread(file, { name: 'hog', workerData: null, resourceLimits: { maxOldGenerationSizeMb: 64 }, onFailure: (e) => failures.push(e) });
    const code = await new Promise<number>((resolve) => t.worker.on('exit', resolve));
    expect(code).not.toBe(0);
    expect(failures).toHaveLength(1);
    expect(`${(failures[0] as NodeJS.ErrnoException).code} ${failures[0].message}`).toMatch(/ERR_WORKER_OUT_OF_MEMORY|out of memory/i);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
