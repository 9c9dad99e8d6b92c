import { existsSync } from 'node:fs';
import pino from 'pino';
import { findAgency } from '../agencies';
import { AgencyDatabase } from '../database';
import { startSubgraphServer, type SubgraphDefinition } from '../server';
import { agencyDatabaseFile, agencyPort } from './paths';

/**
 * Entry point of an agency's subgraph process: opens its database, listens on its port, and
 * closes cleanly (in-flight requests drained) on SIGTERM or SIGINT.
 */
export async function runSubgraphProcess(definition: SubgraphDefinition): Promise<void> {
  const agency = findAgency(definition.name);
  const logger = pino({ name: agency.id, level: process.env.LOG_LEVEL ?? 'info' });
  const file = agencyDatabaseFile(agency);
  if (!existsSync(file)) {
    logger.fatal({ file }, 'database not found; run `npm run hub -- seed` first');
    process.exit(1);
  }
  const db = new AgencyDatabase(file);
  const server = await startSubgraphServer({ definition, db, logger, port: agencyPort(agency), host: process.env.HOST ?? '127.0.0.1' });
  logger.info({ url: server.url, database: file }, `${agency.title} subgraph ready`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await server.close();
    db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
