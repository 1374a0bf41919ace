// Starts ONE real Vigil for all of the plugin's tests: `vigil demo` (the CLI a user runs) on a free
// loopback port with a fresh SQLite file and read/write keys, and waits until it is ready. Tests find it
// through VIGIL_TEST_* variables (test/plugin/support/vigil.ts); globalTeardown.js stops it.
// bin/vigil.js runs the compiled backend (build/): rebuilt here when a backend source is newer, so
// `npx jest` works without `npm run build:backend` first.
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../../..');
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
  const marker = path.join(ROOT, 'build/cli/main.js');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= newestMtime(path.join(ROOT, 'backend'), '.ts')) return;
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.backend.json'], { cwd: ROOT, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`building the backend for the plugin tests failed:\n${tsc.stdout}${tsc.stderr}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(url, child, logFile) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`vigil demo did not become ready (exit ${child.exitCode}); log:\n${fs.readFileSync(logFile, 'utf8').slice(-3000)}`);
}

module.exports = async function startVigilForPluginTests() {
  ensureBackendBuilt();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-plugin-tests-'));
  const port = await freePort();
  const readKey = crypto.randomBytes(12).toString('hex');
  const writeKey = crypto.randomBytes(12).toString('hex');
  const logFile = path.join(work, 'vigil.log');
  const log = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/vigil.js'), 'demo', '--port', String(port), '--host', '127.0.0.1', '--db', path.join(work, 'vigil.db')], {
    cwd: ROOT,
    env: { ...process.env, VIGIL_READ_KEY: readKey, VIGIL_WRITE_KEY: writeKey, VIGIL_LOG_LEVEL: 'warn' },
    stdio: ['ignore', log, log],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, child, logFile);
  Object.assign(process.env, { VIGIL_TEST_URL: url, VIGIL_TEST_READ_KEY: readKey, VIGIL_TEST_WRITE_KEY: writeKey, VIGIL_TEST_MODEL: 'demo' });
  globalThis.__VIGIL_PLUGIN_TESTS__ = { child, work, log };
};
