import { agencyPort, agencyTls, agencyUrl, repoRoot } from '@cdo-hub/subgraph-kit/paths';
import { type SeedSize } from '@cdo-hub/subgraph-kit/world';
import { join } from 'node:path';
import { AGENCY_PACKAGES } from '../agencies';
import { loadSecrets } from '@cdo-hub/gateway/identity';
import { planStartSeeding, seedAgencies } from '../seed/seedAgencies';
import { assertPortFree, ManagedProcess, waitUntilReady } from './processes';

export interface RunningHub {
  gatewayUrl: string;
  subgraphUrls: { agency: string; url: string }[];
  readyAfterMs: number;
  processes: ManagedProcess[];
  /** Resolves with the name of the first process that exits on its own. */
  firstExit: Promise<string>;
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Size for databases that do not exist yet (default: the existing ones' size, else small). */
  seedSize?: SeedSize;
  /** Gateway processes on the gateway port (`--workers`; else `GATEWAY_WORKERS`, else 1, the cores in production). */
  workers?: number;
  /** Aborting (Ctrl-C during start-up) stops whatever was started. */
  signal?: AbortSignal;
}

/**
 * Runs the whole hub: seeds missing databases, starts the three agency subgraphs and the
 * gateway, and returns when each subgraph answers and the gateway reports ready.
 */
export async function startHub(options: StartOptions = {}): Promise<RunningHub> {
  const started = performance.now();
  const baseEnv = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  // Request logs are for operators who ask for them; `npm start` prints warnings and the summary.
  const env: NodeJS.ProcessEnv = { ...baseEnv, LOG_LEVEL: baseEnv.LOG_LEVEL ?? 'warn' };

  const seeding = planStartSeeding(options.seedSize, env);
  for (const { agency, reason } of seeding.reseed) {
    if (reason !== 'missing') log(`${agency.id}: database ${reason}; rebuilding it`);
    seedAgencies({ size: seeding.size, agencies: [agency.id], env, log });
  }
  // The gateway and the subgraphs share the hub's secrets (generated once in development).
  const secrets = loadSecrets({ production: env.NODE_ENV === 'production', env });
  Object.assign(env, {
    HUB_JWT_SECRET: secrets.jwtSecret,
    HUB_SUBGRAPH_SIGNING_KEY: secrets.subgraphSigningKey,
    HUB_MASK_HASH_KEY: secrets.maskHashKey,
  });

  const gatewayPort = Number(env.GATEWAY_PORT ?? 4000);
  const gatewayHost = env.GATEWAY_HOST ?? 'localhost';
  // TLS_CERT_FILE: the gateway serves HTTPS on its port (its certificate need not be one this process trusts).
  const gatewayScheme = env.TLS_CERT_FILE ? 'https' : 'http';
  // Where the agencies send change events (cache invalidation) when no Redis carries them.
  env.HUB_GATEWAY_URL ??= `${gatewayScheme}://${gatewayHost === 'localhost' ? '127.0.0.1' : gatewayHost}:${gatewayPort}`;
  await assertPortFree(gatewayPort, 'GATEWAY_PORT');
  for (const agency of AGENCY_PACKAGES) await assertPortFree(agencyPort(agency, env), `${agency.envPrefix}_PORT`);

  const processes: ManagedProcess[] = [];
  const stop = async () => {
    // Gateway first, so no request is routed to a subgraph that is already gone.
    for (const process of [...processes].reverse()) await process.stop();
  };
  // If this process dies without stopping them, the children see their IPC channel close and exit.
  const killAll = () => processes.forEach((p) => p.kill());
  process.once('exit', killAll);
  const aborted = new Promise<never>((_, reject) => {
    if (options.signal?.aborted) reject(new Error('start-up interrupted'));
    options.signal?.addEventListener('abort', () => reject(new Error('start-up interrupted')), { once: true });
  });
  aborted.catch(() => {});
  try {
    // The gateway reads its supergraph from a file, so it can boot while the subgraphs do; it
    // reports ready once every subgraph answers.
    const subgraphs = AGENCY_PACKAGES.map((agency) => {
      const process = new ManagedProcess(agency.id, agency.mainFile, env, log);
      processes.push(process);
      return { agency, process };
    });
    const gatewayEnv: NodeJS.ProcessEnv = {
      ...env,
      ...(options.workers ? { GATEWAY_WORKERS: String(options.workers) } : {}),
    };
    for (const agency of AGENCY_PACKAGES) gatewayEnv[`${agency.envPrefix}_URL`] = agencyUrl(agency, env);
    const gateway = new ManagedProcess('gateway', join(repoRoot(), 'gateway', 'dist', 'main.js'), gatewayEnv, log);
    processes.push(gateway);
    await Promise.race([
      aborted,
      Promise.all([
        // Over TLS this process may not trust the certificate (or hold a client's): the process's own report then.
        ...subgraphs.map(({ agency, process }) =>
          agencyTls(agency, env)
            ? process.listening
            : waitUntilReady(`http://127.0.0.1:${agencyPort(agency, env)}/healthz`, process),
        ),
        gatewayScheme === 'https'
          ? gateway.listening
          : waitUntilReady(`http://127.0.0.1:${gatewayPort}/readyz`, gateway),
      ]),
    ]);

    return {
      gatewayUrl: `${gatewayScheme}://${gatewayHost}:${gatewayPort}/graphql`,
      subgraphUrls: AGENCY_PACKAGES.map((agency) => ({ agency: agency.id, url: agencyUrl(agency, env) })),
      readyAfterMs: Math.round(performance.now() - started),
      processes,
      firstExit: Promise.race(processes.map((p) => p.exit.then(() => p.name))),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
