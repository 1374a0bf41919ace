// jsdom for the plugin's tests, plus Node's fetch: the plugin's integration tests talk to a real Vigil
// server on loopback, and jsdom has no fetch of its own (its XHR would add CORS to a same-machine test).
const { TestEnvironment } = require('jest-environment-jsdom');

class JsdomWithFetch extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of ['fetch', 'Request', 'Response', 'Headers', 'AbortController', 'AbortSignal', 'TextEncoder', 'TextDecoder', 'structuredClone']) {
      this.global[name] = globalThis[name];
    }
  }
}

module.exports = JsdomWithFetch;
