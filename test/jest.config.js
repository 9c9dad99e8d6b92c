// End-to-end tests: real processes (three subgraphs and the gateway) over real HTTP; and the
// in-process gateway suite (Fastify inject in front of the agencies served in this process).
module.exports = require('../jest.preset.js')(__dirname, {
  testMatch: [
    '<rootDir>/e2e/**/*.test.ts',
    '<rootDir>/inprocess/**/*.test.ts',
    '<rootDir>/provision/**/*.test.ts',
    '<rootDir>/harness/**/*.test.ts',
    '<rootDir>/deploy/**/*.test.ts',
  ],
  // Hooks and tests start real processes: on a busy machine (two runs on two cores) a start takes
  // tens of seconds, so the limit is for hangs, not for speed.
  testTimeout: 120_000,
  // One hub for the files that only read from it (harness/sharedHub.ts), when the run has several.
  globalSetup: '<rootDir>/harness/sharedHubSetup.ts',
  globalTeardown: '<rootDir>/harness/sharedHubTeardown.ts',
});
