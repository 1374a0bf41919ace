// Stops the Vigil started by globalSetup.js (SIGTERM: a graceful stop) and removes its files.
const fs = require('node:fs');

module.exports = async function stopVigilForPluginTests() {
  const state = globalThis.__VIGIL_PLUGIN_TESTS__;
  if (!state) return;
  const { child, work, log } = state;
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  fs.closeSync(log);
  fs.rmSync(work, { recursive: true, force: true });
};
