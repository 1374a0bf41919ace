// One `npm test` for everything: the backend/engine (node) and the Grafana plugin (jsdom).
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022', transform: { react: { runtime: 'automatic' } } } }];

module.exports = {
  // Safety net for CI: a server child left running by a failed hook must not keep jest alive for the
  // 90-minute CI limit; results are reported before the exit either way.
  forceExit: true,
  projects: [
    {
      displayName: 'backend',
      testEnvironment: 'node',
      roots: ['<rootDir>/backend', '<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/plugin/', '<rootDir>/test/browser/'],
      transform: { '^.+\\.(t|j)sx?$': swc },
    },
    // The Grafana plugin (src/): jsdom, with Grafana's ESM-only dependencies transformed (as create-plugin's
    // jest config does). test/browser drives headless Chromium and declares `@jest-environment node`.
    // (environment, setup, transforms and mocks: .config/jest.config.js, create-plugin's place for them)
    {
      displayName: 'plugin',
      ...require('./.config/jest.config'),
      roots: ['<rootDir>/src', '<rootDir>/test/plugin', '<rootDir>/test/browser'],
      // one real `vigil demo` on loopback for all plugin tests (test/plugin/support/globalSetup.js)
      globalSetup: '<rootDir>/test/plugin/support/globalSetup.js',
      globalTeardown: '<rootDir>/test/plugin/support/globalTeardown.js',
    },
  ],
};
