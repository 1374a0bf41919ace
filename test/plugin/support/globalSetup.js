// Starts ONE real Vigil for all of the plugin's tests: `vigil demo` (the CLI a user runs) on a free
// loopback port with a fresh SQLite file and read/write keys, its clock pinned, and waits until it is
// ready. Its log goes to a file; if the server exits before the tests end, the log's tail is printed and
// the file kept. Tests find it through VIGIL_TEST_* variables (test/plugin/support/vigil.ts);
// globalTeardown.js stops it.
// bin/vigil.js runs the compiled backend (build/): rebuilt here when a backend source is newer, so
// `npx jest` works without `npm run build:backend` first.
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../../..');
// VIGIL_PLUGIN_TEST_SERVER: the root of another checkout whose build/ serves the tests (already built),
// e.g. a snapshot of HEAD while the backend in this checkout is mid-change.
const SERVER_ROOT = process.env.VIGIL_PLUGIN_TEST_SERVER ? path.resolve(process.env.VIGIL_PLUGIN_TEST_SERVER) : ROOT;
const READY_TIMEOUT_MS = 90_000;

function newestMtime(dir, ext) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p, ext));
    else if (entry.name.endsWith(ext) && !entry.name.endsWith(`.test${ext}`)) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBackendBuilt() {
  if (SERVER_ROOT !== ROOT) return;
  const marker = path.join(ROOT, 'build/cli/main.js');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= newestMtime(path.join(ROOT, 'backend'), '.ts')) return;
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.backend.json'], { cwd: ROOT, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`building the backend for the plugin tests failed:\n${tsc.stdout}${tsc.stderr}`);
}

const DAY_MS = 86_400_000;
/** The demo's data ends at the latest noon (UTC): the same days and rows at any time of day (see --now). */
function demoClock(wallClock = Date.now()) {
  const noon = Math.floor(wallClock / DAY_MS) * DAY_MS + DAY_MS / 2;
  return noon <= wallClock ? noon : noon - DAY_MS;
}

/** The last lines of the server's log, for error messages. */
function logTail(logFile, lines = 40) {
  try {
    return fs.readFileSync(logFile, 'utf8').split('\n').slice(-lines - 1).join('\n');
  } catch (e) {
    return `(log unreadable: ${e.message})`;
  }
}

/**
 * Waits for the server's `listening` log line (it listens on a port the system picks, `--port 0`: no
 * other process can take the port between choosing and binding it), then for /readyz.
 */
async function waitReady(child, logFile) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let url = null;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    if (!url) {
      const line = fs
        .readFileSync(logFile, 'utf8')
        .split('\n')
        .find((l) => l.includes('"msg":"listening"'));
      if (line) url = `http://127.0.0.1:${JSON.parse(line).port}`;
    }
    if (url) {
      try {
        const res = await fetch(`${url}/readyz`);
        if (res.ok) return url;
      } catch {
        // not answering yet
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const how = child.exitCode !== null || child.signalCode !== null ? `exited (code ${child.exitCode}, signal ${child.signalCode})` : `was not ready after ${READY_TIMEOUT_MS} ms`;
  child.kill('SIGKILL');
  throw new Error(`vigil demo for the plugin tests ${how}; its log (${logFile}) ends:\n${logTail(logFile)}`);
}

module.exports = async function startVigilForPluginTests() {
  ensureBackendBuilt();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-plugin-tests-'));
  const readKey = crypto.randomBytes(12).toString('hex');
  const writeKey = crypto.randomBytes(12).toString('hex');
  // stdout (JSON log lines, info and up: start-up, writes, warnings, errors) and stderr, in one file
  const logFile = path.join(work, 'vigil.log');
  const log = fs.openSync(logFile, 'w');
  const now = new Date(demoClock()).toISOString();
  const args = ['demo', '--port', '0', '--host', '127.0.0.1', '--db', path.join(work, 'vigil.db'), '--now', now];
  const child = spawn(process.execPath, [path.join(SERVER_ROOT, 'bin/vigil.js'), ...args], {
    cwd: SERVER_ROOT,
    env: { ...process.env, VIGIL_READ_KEY: readKey, VIGIL_WRITE_KEY: writeKey, VIGIL_LOG_LEVEL: 'info' },
    stdio: ['ignore', log, log],
  });
  const state = { child, work, log, logFile, stopping: false, exitedEarly: false };
  // A server that dies while the tests run explains itself: tests then fail with connection errors.
  child.once('exit', (code, signal) => {
    if (state.stopping) return;
    state.exitedEarly = true;
    process.stderr.write(`\nvigil demo for the plugin tests exited early (code ${code}, signal ${signal}); its log (${logFile}, kept) ends:\n${logTail(logFile)}\n`);
  });
  const url = await waitReady(child, logFile);
  Object.assign(process.env, { VIGIL_TEST_URL: url, VIGIL_TEST_READ_KEY: readKey, VIGIL_TEST_WRITE_KEY: writeKey, VIGIL_TEST_MODEL: 'demo' });
  globalThis.__VIGIL_PLUGIN_TESTS__ = state;
};
