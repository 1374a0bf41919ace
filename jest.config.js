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
    {
      displayName: 'plugin',
      testEnvironment: '<rootDir>/.config/jest/environment.js',
      roots: ['<rootDir>/src', '<rootDir>/test/plugin', '<rootDir>/test/browser'],
      testMatch: ['**/*.test.ts', '**/*.test.tsx'],
      setupFilesAfterEnv: ['<rootDir>/.config/jest/setup.js'],
      // one real `vigil demo` on loopback for all plugin tests (test/plugin/support/globalSetup.js)
      globalSetup: '<rootDir>/test/plugin/support/globalSetup.js',
      globalTeardown: '<rootDir>/test/plugin/support/globalTeardown.js',
      transform: { '^.+\\.(t|j)sx?$|^.+\\.mjs$': swc },
      transformIgnorePatterns: [require('./.config/jest/esm').transformIgnorePattern],
      moduleNameMapper: { '\\.(css|scss|sass)$': '<rootDir>/.config/jest/style-stub.js', '^react-inlinesvg$': '<rootDir>/.config/jest/inline-svg-stub.js' },
    },
  ],
};
