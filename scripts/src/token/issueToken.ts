// The gateway's folders, not its index: `hub token` must not load Apollo and Fastify to sign a token.
import { loadGatewayConfig } from '@cdo-hub/gateway/config';
import { loadConsumerDirectory } from '@cdo-hub/gateway/consumers';
import { parseDuration } from '@cdo-hub/gateway/formats';
import { describeSeconds, loadSecrets, refuseRolesNotHeld, signDevelopmentToken } from '@cdo-hub/gateway/identity';

import { DEFAULT_DEVELOPMENT_TTL } from './tokenLifetime';

export { DEFAULT_DEVELOPMENT_TTL };

/** `hub token` will not mint this token: the reason goes to stderr, and the exit code is 2. */
export class TokenRefusal extends Error {}

/**
 * `hub token`: a development token for a registered consumer, signed with the secret the gateway
 * verifies (the environment's, or the generated development file's). It refuses — rather than
 * mint a token the gateway would refuse — a role the consumer does not hold (the gateway's own
 * decision, refuseRolesNotHeld), a purpose it is not registered for, and a lifetime past
 * `TOKEN_MAX_TTL` (the default 8 h shortens to fit it).
 */
export async function issueDevelopmentToken(
  options: { consumer: string; purpose?: string; roles?: string[]; ttl?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const config = loadGatewayConfig(env);
  const { directory, problems } = loadConsumerDirectory(config.consumersFile);
  if (!directory)
    throw new TokenRefusal(
      `the consumer directory ${config.consumersFile} does not load:\n${problems.map((p) => `${p.location.file}:${p.location.line}: ${p.message}`).join('\n')}`,
    );
  const consumer = directory.consumers.get(options.consumer);
  if (!consumer || consumer.kind === 'PUBLIC')
    throw new TokenRefusal(
      `unknown consumer "${options.consumer}"; registered: ${[...directory.consumers.values()]
        .filter((c) => c.kind !== 'PUBLIC')
        .map((c) => c.id)
        .join(', ')}`,
    );
  if (options.purpose && !consumer.purposes.includes(options.purpose))
    throw new TokenRefusal(
      `${consumer.id} may not state purpose "${options.purpose}"; its purposes: ${consumer.purposes.join(', ') || 'none (it reads no data)'}`,
    );
  const roles = options.roles ?? [];
  const notHeld = refuseRolesNotHeld(consumer, roles);
  if (notHeld) throw new TokenRefusal(`${notHeld.code}: ${notHeld.message}`);
  let ttlSeconds: number;
  if (options.ttl === undefined) {
    ttlSeconds = Math.min(parseDuration(DEFAULT_DEVELOPMENT_TTL), config.tokenMaxTtlSeconds);
  } else {
    try {
      ttlSeconds = parseDuration(options.ttl);
    } catch (error) {
      throw new TokenRefusal((error as Error).message);
    }
    if (ttlSeconds <= 0) throw new TokenRefusal(`--ttl ${options.ttl}: a token must live a while`);
    if (ttlSeconds > config.tokenMaxTtlSeconds)
      throw new TokenRefusal(
        `TOKEN_LIFETIME_TOO_LONG: --ttl ${options.ttl} is longer than the ${describeSeconds(config.tokenMaxTtlSeconds)} the hub accepts (TOKEN_MAX_TTL); the gateway would refuse this token`,
      );
  }
  const secrets = loadSecrets({ production: config.production, env });
  return signDevelopmentToken(secrets.jwtSecret, {
    consumer: consumer.id,
    ttlSeconds,
    ...(options.purpose ? { purpose: options.purpose } : {}),
    ...(roles.length ? { roles } : {}),
  });
}
