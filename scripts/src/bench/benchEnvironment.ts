import { loadSecrets } from '@cdo-hub/gateway/identity';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** What every process of a benchmark or profiling run is started with: the bench data, quiet logs, the hub's secrets. */
export function benchEnvironment(dataDir: string): NodeJS.ProcessEnv {
  const secrets = loadSecrets({ production: false });
  return {
    ...process.env,
    HUB_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    HUB_JWT_SECRET: secrets.jwtSecret,
    HUB_SUBGRAPH_SIGNING_KEY: secrets.subgraphSigningKey,
    HUB_MASK_HASH_KEY: secrets.maskHashKey,
    // A registry of its own: a developer's schema/registry must not change what is measured.
    SCHEMA_REGISTRY_DIR: join(dataDir, 'registry'),
    // One consumer at thousands of requests a second: throughput is measured, not the rate limit.
    RATE_LIMIT_PER_MINUTE: '0',
  };
}

/** A throwaway Redis for a run's cache: no persistence, evicting like a cache should. */
export function startThrowawayRedis(port: number): ChildProcess {
  return spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory',
      '512mb',
      '--maxmemory-policy',
      'allkeys-lru',
    ],
    { stdio: 'ignore' },
  );
}
