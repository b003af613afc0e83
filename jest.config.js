/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testTimeout: 60000,
  setupFiles: ['<rootDir>/test/support/setup.ts'],
  // The Lambda bundle imports node built-ins with import(); Jest's VM needs --experimental-vm-modules for that.
};
