// Stops the Vigil started by globalSetup.js (SIGTERM: a graceful stop) and removes its files.
const fs = require('node:fs');

module.exports = async function stopVigilForPluginTests() {
  const state = globalThis.__VIGIL_PLUGIN_TESTS__;
  if (!state) return;
  const { child, work, log, logFile } = state;
  state.stopping = true;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  fs.closeSync(log);
  // Errors the server logged while the tests ran (a failing test may be their symptom).
  const errors = fs
    .readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"level":"error"') || (l.length > 0 && !l.startsWith('{')));
  if (errors.length > 0) process.stderr.write(`\nvigil demo for the plugin tests logged errors (${logFile}):\n${errors.slice(-20).join('\n')}\n`);
  // An early exit was reported with the log's path: keep it for a look.
  if (!state.exitedEarly && errors.length === 0) fs.rmSync(work, { recursive: true, force: true });
};
