// End-to-end tests: real processes (three subgraphs and the gateway) over real HTTP.
module.exports = require('../jest.preset.js')(__dirname, {
  testMatch: ['<rootDir>/e2e/**/*.test.ts', '<rootDir>/provision/**/*.test.ts'],
  testTimeout: 60_000,
});
