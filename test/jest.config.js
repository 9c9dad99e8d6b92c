// End-to-end tests: real processes (three subgraphs and the gateway) over real HTTP; and the
// in-process gateway suite (Fastify inject in front of the agencies served in this process).
module.exports = require('../jest.preset.js')(__dirname, {
  testMatch: ['<rootDir>/e2e/**/*.test.ts', '<rootDir>/inprocess/**/*.test.ts'],
  testTimeout: 60_000,
});
