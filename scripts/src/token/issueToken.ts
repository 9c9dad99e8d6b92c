// The gateway's folders, not its index: `hub token` must not load Apollo and Fastify to sign a token.
import { loadGatewayConfig } from '@cdo-hub/gateway/config';
import { loadConsumerDirectory } from '@cdo-hub/gateway/consumers';
import { parseDuration } from '@cdo-hub/gateway/formats';
import {
  describeSeconds,
  loadSecrets,
  refuseRolesNotHeld,
  signDevelopmentToken,
  signSubjectToken,
} from '@cdo-hub/gateway/identity';
import { isValidResidentId, isValidUscc } from '@cdo-hub/subgraph-kit/identifiers';

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
  const ttlSeconds = tokenLifetime(options.ttl, config.tokenMaxTtlSeconds);
  const secrets = loadSecrets({ production: config.production, env });
  return signDevelopmentToken(secrets.jwtSecret, {
    consumer: consumer.id,
    ttlSeconds,
    ...(options.purpose ? { purpose: options.purpose } : {}),
    ...(roles.length ? { roles } : {}),
  });
}

/** The lifetime asked for (`--ttl`), or the default shortened to `TOKEN_MAX_TTL`; refused past it. */
function tokenLifetime(ttl: string | undefined, maxSeconds: number): number {
  if (ttl === undefined) return Math.min(parseDuration(DEFAULT_DEVELOPMENT_TTL), maxSeconds);
  let ttlSeconds: number;
  try {
    ttlSeconds = parseDuration(ttl);
  } catch (error) {
    throw new TokenRefusal((error as Error).message);
  }
  if (ttlSeconds <= 0) throw new TokenRefusal(`--ttl ${ttl}: a token must live a while`);
  if (ttlSeconds > maxSeconds)
    throw new TokenRefusal(
      `TOKEN_LIFETIME_TOO_LONG: --ttl ${ttl} is longer than the ${describeSeconds(maxSeconds)} the hub accepts (TOKEN_MAX_TTL); the gateway would refuse this token`,
    );
  return ttlSeconds;
}

/**
 * `hub token --subject ID`: a data subject's development token — a person (resident ID number) or
 * an organisation (USCC), check character verified — for their own access log at `/transparency`.
 * It names no consumer: the gateway refuses it at `/graphql` and on the admin API.
 */
export async function issueSubjectToken(
  options: { subject: string; ttl?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const subject = options.subject.trim().toUpperCase();
  if (!isValidResidentId(subject) && !isValidUscc(subject))
    throw new TokenRefusal(
      'INVALID_IDENTIFIER: --subject must be a resident ID number (GB 11643) or a unified social credit code (GB 32100), check character included',
    );
  const config = loadGatewayConfig(env);
  const ttlSeconds = tokenLifetime(options.ttl, config.tokenMaxTtlSeconds);
  const secrets = loadSecrets({ production: config.production, env });
  return signSubjectToken(secrets.jwtSecret, { subject, ttlSeconds });
}
