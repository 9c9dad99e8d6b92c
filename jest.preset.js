// Shared Jest setup for every workspace: TypeScript through swc (no type-checking here; that is
// the separate `typecheck` task), workspace packages mapped to their sources so tests never run
// stale builds.
const path = require('node:path');

const root = __dirname;
const workspaceSources = {
  '@cdo-hub/contracts/errors': 'gateway/contracts/src/errors',
  '@cdo-hub/contracts/signing': 'gateway/contracts/src/signing',
  '@cdo-hub/contracts/caching': 'gateway/contracts/src/caching',
  '@cdo-hub/contracts/tracing': 'gateway/contracts/src/tracing',
  '@cdo-hub/contracts/testing': 'gateway/contracts/src/testing',
  '@cdo-hub/contracts': 'gateway/contracts/src',
  '@cdo-hub/gateway/errors': 'gateway/src/errors',
  '@cdo-hub/gateway/signing': 'gateway/src/signing',
  '@cdo-hub/gateway/testing': 'gateway/src/testing',
  '@cdo-hub/gateway/config': 'gateway/src/config',
  '@cdo-hub/gateway/consumers': 'gateway/src/consumers',
  '@cdo-hub/gateway/identity': 'gateway/src/identity',
  '@cdo-hub/gateway/formats': 'gateway/src/formats',
  '@cdo-hub/gateway': 'gateway/src',
  '@cdo-hub/subgraph-kit/testing': 'subgraphs/kit/src/testing',
  '@cdo-hub/subgraph-kit': 'subgraphs/kit/src',
  '@cdo-hub/education': 'subgraphs/education/src',
  '@cdo-hub/development-reform': 'subgraphs/development-reform/src',
  '@cdo-hub/science': 'subgraphs/science/src',
  '@cdo-hub/scripts/docs': 'scripts/src/docs',
};

module.exports = (packageDir, overrides = {}) => ({
  rootDir: packageDir,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/tests/**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      { swcrc: false, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // jose and cookie (via light-my-request) ship ESM only; let swc turn them into CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(jose|cookie)/)'],
  moduleNameMapper: {
    ...Object.fromEntries(Object.entries(workspaceSources).map(([name, dir]) => [`^${name}$`, path.join(root, dir)])),
    // Any other folder of the gateway by its own path (`@cdo-hub/gateway/grants`), as package.json's `./*` export.
    '^@cdo-hub/gateway/([a-zA-Z]+)$': path.join(root, 'gateway/src/$1'),
    '^@cdo-hub/subgraph-kit/([a-zA-Z]+)$': path.join(root, 'subgraphs/kit/src/$1'),
  },
  testTimeout: 30_000,
  ...overrides,
});
