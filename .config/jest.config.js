/*
 * The plugin's jest settings in the place `@grafana/create-plugin` scaffolds them
 * (templates/common/.config/jest.config.js); the root jest.config.js spreads them into its `plugin`
 * project, as create-plugin's root jest.config.js spreads this file. Differences from the template:
 * jsdom with Node's fetch (.config/jest/environment.js: the plugin's tests talk to a real Vigil server),
 * the setup in .config/jest/setup.js (create-plugin: jest-setup.js), the ES-module list in
 * .config/jest/esm.js (create-plugin: jest/utils.js), test files outside src/ too (the root config
 * sets the roots), and style imports mapped to an empty module instead of identity-obj-proxy.
 */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022', transform: { react: { runtime: 'automatic' } } } }];

module.exports = {
  moduleNameMapper: {
    '\\.(css|scss|sass)$': '<rootDir>/.config/jest/style-stub.js',
    '^react-inlinesvg$': '<rootDir>/.config/jest/inline-svg-stub.js',
  },
  setupFilesAfterEnv: ['<rootDir>/.config/jest/setup.js'],
  testEnvironment: '<rootDir>/.config/jest/environment.js',
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  transform: { '^.+\\.(t|j)sx?$|^.+\\.mjs$': swc },
  // Jest throws `Cannot use import statement outside module` on ES modules it has not transformed
  transformIgnorePatterns: [require('./jest/esm').transformIgnorePattern],
  watchPathIgnorePatterns: ['<rootDir>/node_modules', '<rootDir>/dist'],
};
