import type { Logger } from 'pino';
import type { GatewayConfig } from '../config';
import { loadSupergraphFile, parseSupergraph, type Supergraph } from '../supergraph';
import type { RegistryState } from './model';
import { currentSupergraph, openSchemaRegistry } from './schemaRegistry';

/** The supergraph a registry serves, parsed; none when it serves none or it does not parse (logged). */
export function registrySupergraph(state: RegistryState, logger?: Logger): Supergraph | undefined {
  const served = currentSupergraph(state);
  if (!served) return undefined;
  try {
    return parseSupergraph(served.sdl, `schema registry (supergraph ${served.version})`);
  } catch (error) {
    logger?.error(
      { err: error, version: served.version },
      'the schema registry serves a supergraph that does not parse',
    );
    return undefined;
  }
}

/**
 * The supergraph the gateways serve under this configuration — the registry's once it has one
 * (unless SUPERGRAPH_FILE names a file), else the supergraph file — for the CLI's checks (policies,
 * grants) to run against what is live.
 */
export async function loadServedSupergraph(
  config: Pick<
    GatewayConfig,
    'followRegistry' | 'supergraphFile' | 'schemaRegistryDir' | 'schemaRegistryRedisUrl' | 'auditRedisAllowEverysec'
  >,
): Promise<Supergraph> {
  if (config.followRegistry) {
    const registry = await openSchemaRegistry(config);
    try {
      const served = registrySupergraph(await registry.read());
      if (served) return served;
    } finally {
      await registry.close();
    }
  }
  return loadSupergraphFile(config.supergraphFile);
}
