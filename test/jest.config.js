// End-to-end tests: real processes (three subgraphs and the gateway) over real HTTP; and the
// in-process gateway suite (Fastify inject in front of the agencies served in this process).
const { availableParallelism } = require('node:os');

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
  // Two files at a time even on two cores: a file mostly waits on its hub's processes, so a second
  // worker overlaps that wait (measured: 579 s with one worker, 298 s with two, on this 2-core
  // machine while other work ran). More than four hubs at once buys nothing here.
  maxWorkers: Math.min(4, Math.max(2, availableParallelism() - 1)),
  // One hub for the files that only read from it (harness/sharedHub.ts), when the run has several.
  globalSetup: '<rootDir>/harness/sharedHubSetup.ts',
  globalTeardown: '<rootDir>/harness/sharedHubTeardown.ts',
});
