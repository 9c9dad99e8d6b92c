import { existsSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { findAgency, type AgencyInfo } from '../agencies';
import { AgencyDatabase } from '../database';
import { ChangeFeed, HttpChangePublisher, installChangeCapture, RedisChangePublisher } from '../changes';
import { MemoryNonceStore, signingKeyring, type NonceStore, type SigningKeyring } from '@cdo-hub/contracts';
import { RedisNonceStore, startSubgraphServer, type SubgraphDefinition } from '../server';
import { cursorSettingsFromEnv } from '../pagination';
import { AGENCY_SETTINGS, SUBGRAPH_SETTINGS } from '../settings';
import { startTracing } from '../tracing';
import { agencyDatabaseFile, agencyPort, agencyTls } from '../paths';

/**
 * Sent to the parent over the IPC channel once the subgraph listens. A parent that only polled
 * the port could take another process already listening there for its own child.
 */
export interface SubgraphReadyMessage {
  ready: true;
  agency: string;
  port: number;
}

/** The parts of `process` a subgraph process uses; tests pass a stand-in. */
export interface SubgraphProcessHost {
  readonly env: NodeJS.ProcessEnv;
  on(event: 'SIGTERM' | 'SIGINT' | 'disconnect', listener: () => void): unknown;
  exit(code: number): void;
  /** Defined only when the process was spawned with an IPC channel. */
  send?: (message: SubgraphReadyMessage) => unknown;
  readonly connected?: boolean;
}

export interface SubgraphProcessOptions {
  host?: SubgraphProcessHost;
  logger?: Logger;
}

/**
 * Entry point of an agency's subgraph process: opens its database, listens on its port, and
 * closes cleanly (in-flight requests drained) on SIGTERM or SIGINT, or when the parent that
 * spawned it with an IPC channel goes away. Never rejects: a failed start is logged as fatal and
 * exits with status 1, so the agencies' `main.ts` stay one line.
 */
export async function runSubgraphProcess(
  definition: SubgraphDefinition,
  options: SubgraphProcessOptions = {},
): Promise<void> {
  const host = options.host ?? process;
  const logger = options.logger ?? pino({ name: definition.name, level: SUBGRAPH_SETTINGS.LOG_LEVEL.read(host.env) });
  try {
    await serve(definition, findAgency(definition.name), host, logger);
  } catch (error) {
    logger.fatal({ err: error }, `${definition.name} subgraph failed to start`);
    host.exit(1);
  }
}

async function serve(
  definition: SubgraphDefinition,
  agency: AgencyInfo,
  host: SubgraphProcessHost,
  logger: Logger,
): Promise<void> {
  const tracing = await startTracing(host.env, `cdo-hub-${agency.id}`);
  if (tracing)
    logger.info({ service: tracing.serviceName, to: tracing.tracesUrl, protocol: tracing.protocol }, 'tracing on');
  const file = agencyDatabaseFile(agency, host.env);
  if (!existsSync(file)) {
    logger.fatal({ file }, 'database not found; run `npm run hub -- seed` first');
    host.exit(1);
    return;
  }
  // Every variable is read through the kit's settings declaration (settings/subgraphSettings.ts),
  // which says what each means and throws, naming it, on a value the subgraph cannot start with.
  const signingKey = SUBGRAPH_SETTINGS.HUB_SUBGRAPH_SIGNING_KEY.read(host.env);
  const signatureMaxAgeMs = SUBGRAPH_SETTINGS.HUB_SIGNATURE_MAX_AGE_MS.read(host.env);
  const cursorSetup = cursorSettingsFromEnv(host.env);
  if (cursorSetup.warning) logger.warn(cursorSetup.warning);
  const cursors = { settings: cursorSetup.settings };
  const previousSigningKeys = SUBGRAPH_SETTINGS.HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS.read(host.env);
  if (previousSigningKeys.length)
    logger.info(
      { previousKeys: previousSigningKeys.length },
      'signing key rotation: calls and cursors under the previous key(s) are still accepted (HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS)',
    );
  const port = agencyPort(agency, host.env);
  const tls = agencyTls(agency, host.env);
  const nonceStore = await openNonceStore(host.env, logger);
  const db = new AgencyDatabase(file);
  const server = await startSubgraphServer({
    definition,
    db,
    logger,
    port,
    host: SUBGRAPH_SETTINGS.HOST.read(host.env),
    signingKey,
    previousSigningKeys,
    subjectKey: AGENCY_SETTINGS.SUBJECT_KEY.read(agency, host.env),
    nonceStore,
    cursors,
    ...(signatureMaxAgeMs !== undefined ? { signatureMaxAgeMs } : {}),
    ...(tls ? { tls } : {}),
  }).catch(async (error: unknown) => {
    db.close();
    await nonceStore.close?.();
    throw error;
  });
  logger.info({ url: server.url, database: file }, `${agency.title} subgraph ready`);
  const feed = startChangeFeed(
    definition,
    agency,
    db,
    host.env,
    signingKeyring(signingKey, previousSigningKeys),
    logger,
  );

  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'stopping');
    try {
      await server.close();
      await feed?.stop();
      db.close();
    } catch (error) {
      logger.error({ err: error }, 'did not stop cleanly');
      host.exit(1);
      return;
    }
    host.exit(0);
  };
  host.on('SIGTERM', () => void stop('SIGTERM'));
  host.on('SIGINT', () => void stop('SIGINT'));
  if (host.send) {
    // The parent (`hub start`) died or let go of us: nobody will send SIGTERM any more.
    host.on('disconnect', () => void stop('parent disconnected'));
    if (host.connected === false) {
      void stop('parent disconnected');
      return;
    }
    host.send({ ready: true, agency: agency.id, port: server.port });
  }
}

/**
 * Nonces of accepted calls: in Redis when `HUB_NONCE_REDIS_URL` is set, so replicas refuse each
 * other's replays; else in this process's memory. Not the cache's `REDIS_URL`: that Redis may
 * evict and may go away without harm, and a replay check can afford neither — with its own Redis
 * unreachable, calls are refused (503) until it answers, also at start.
 */
async function openNonceStore(env: NodeJS.ProcessEnv, logger: Logger): Promise<NonceStore> {
  const url = SUBGRAPH_SETTINGS.HUB_NONCE_REDIS_URL.read(env);
  if (!url) return new MemoryNonceStore();
  const store = new RedisNonceStore(url);
  await store
    .connect()
    .catch((error: unknown) =>
      logger.warn(
        { err: error },
        'nonce Redis (HUB_NONCE_REDIS_URL) not reachable: calls are refused until it answers',
      ),
    );
  return store;
}

/**
 * Publishes the agency's changes to the gateways: over Redis pub/sub when `REDIS_URL` is set, else
 * over HTTP to `HUB_GATEWAY_URL` (comma-separated for several gateways), signed with the hub's
 * subgraph signing key (and, during a rotation, the previous ones too, so gateways not yet moved
 * still accept them). Without either, changes are still captured and sent once one is set.
 */
function startChangeFeed(
  definition: SubgraphDefinition,
  agency: AgencyInfo,
  db: AgencyDatabase,
  env: NodeJS.ProcessEnv,
  signingKeys: SigningKeyring,
  logger: Logger,
): ChangeFeed | undefined {
  if (!definition.changes?.length) return undefined;
  installChangeCapture(db, definition.changes);
  const redisUrl = SUBGRAPH_SETTINGS.REDIS_URL.read(env);
  const gateways = SUBGRAPH_SETTINGS.HUB_GATEWAY_URL.read(env);
  const publisher = redisUrl
    ? new RedisChangePublisher(redisUrl)
    : gateways.length
      ? new HttpChangePublisher(gateways, signingKeys)
      : undefined;
  if (!publisher) {
    logger.info('change events are captured but not published (set HUB_GATEWAY_URL or REDIS_URL)');
    return undefined;
  }
  const feed = new ChangeFeed(agency.id, db, publisher, logger);
  feed.start();
  return feed;
}
