/**
 * The thread mechanism the server's pools and `vigil run` share, on real worker threads: requests and
 * replies matched by id, a thread's error rebuilt as its class, a crash reported once (pending requests
 * rejected, never an unhandled 'error' event), and a stop on purpose not reported at all. The worker side
 * is the compiled serveRequests (build/threads/thread.js, `npm run build:backend`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError } from '../engine/calculator';
import { reviveError } from './errors';
import { compiledWorker, Thread } from './thread';

const BUILT = path.join(__dirname, '..', '..', 'build', 'threads', 'thread.js');
let dir: string;
let file: string;

beforeAll(() => {
  if (!fs.existsSync(BUILT)) throw new Error('build/threads/thread.js is missing: run `npm run build:backend`');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-threads-'));
  file = path.join(dir, 'worker.js');
  // A worker that echoes, fails on request, crashes, or ends with a request unanswered.
  fs.writeFileSync(
    file,
    `const { serveRequests } = require(${JSON.stringify(BUILT)});
     const { parentPort } = require('worker_threads');
     class ConfigError extends Error { constructor(where, m) { super(where + ': ' + m); this.where = where; } }
     serveRequests((m) => {
       if (m.type === 'echo') { parentPort.postMessage({ type: 'note', before: m.value }); return m.value; }
       if (m.type === 'later') return new Promise((r) => setTimeout(() => r(m.value * 2), 20));
       if (m.type === 'fail') throw new ConfigError('calculators[1]', 'bad');
       if (m.type === 'crash') setTimeout(() => { throw new Error('boom'); });
       if (m.type === 'quit') setTimeout(() => process.exit(0));
       return new Promise(() => {});
     }, () => {});`,
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function start(failures: Error[], notes: unknown[] = []): Thread {
  return new Thread(file, {
    name: 'test worker',
    workerData: null,
    onFailure: (e) => failures.push(e),
    onMessage: (m) => notes.push(m),
    reviveError: (s) => reviveError(s, { ConfigError }),
  });
}

test('replies match their requests; other messages go to onMessage first', async () => {
  const failures: Error[] = [];
  const notes: unknown[] = [];
  const t = start(failures, notes);
  const [a, b, c] = await Promise.all([t.request({ type: 'later', value: 5 }), t.request({ type: 'echo', value: 'x' }), t.request({ type: 'echo', value: 7 })]);
  expect([a, b, c]).toEqual([10, 'x', 7]);
  expect(notes).toEqual([
    { type: 'note', before: 'x' },
    { type: 'note', before: 7 },
  ]);
  await t.stop();
  expect(failures).toEqual([]);
  expect(t.failed).toBeNull();
});

test("a request's error comes back as its class, with its fields", async () => {
  const t = start([]);
  const e = await t.request({ type: 'fail' }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ConfigError);
  expect((e as ConfigError).where).toBe('calculators[1]');
  expect((e as Error).message).toBe('calculators[1]: bad');
  await t.stop();
});

test('a crash is reported once and rejects what is pending and what comes after', async () => {
  const failures: Error[] = [];
  const t = start(failures);
  const pending = t.request({ type: 'never' });
  t.post({ type: 'crash' });
  await expect(pending).rejects.toThrow('boom');
  await expect(t.request({ type: 'echo', value: 1 })).rejects.toThrow('boom');
  await new Promise((r) => t.worker.once('exit', r));
  expect(failures.map((e) => e.message)).toEqual(['boom']);
});

test('an exit with requests unanswered is a failure; a stop is not', async () => {
  const failures: Error[] = [];
  const t = start(failures);
  const pending = t.request({ type: 'never' });
  t.post({ type: 'quit' });
  await expect(pending).rejects.toThrow('test worker ended with 1 request(s) unanswered');
  expect(failures).toHaveLength(1);

  const stopped: Error[] = [];
  const s = start(stopped);
  const left = s.request({ type: 'never' });
  await s.stop();
  await expect(left).rejects.toThrow('test worker stopped');
  expect(stopped).toEqual([]);
  expect(s.failed).toBeNull();
});

test('compiledWorker finds a compiled entry or says there is none', () => {
  expect(compiledWorker(dir)).toBe(file);
  expect(compiledWorker(dir, 'absent.js')).toBeNull();
});
