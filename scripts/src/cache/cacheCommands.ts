import { loadGatewayConfig } from '@cdo-hub/gateway/config';
import { loadSecrets, signDevelopmentToken } from '@cdo-hub/gateway/identity';
import { loadSupergraphFile } from '@cdo-hub/gateway/supergraph';

/**
 * `hub cache invalidate`: asks a running gateway to purge every cached response holding an entity
 * (or any entity of a type). The CLI holds the hub's secrets, so it signs a short-lived token as
 * the owning agency with its CDO role; `--token` sends another token instead.
 */
export async function invalidateCache(
  options: { type: string; key?: string; gateway?: string; token?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const config = loadGatewayConfig(env);
  const gateway = (options.gateway ?? `http://${config.host}:${config.port}`).replace(/\/graphql$/, '');
  let token = options.token;
  if (!token) {
    const owners = loadSupergraphFile(config.supergraphFile).ownership.types.get(options.type);
    if (!owners?.length) throw new Error(`unknown type "${options.type}" in ${config.supergraphFile}`);
    const secrets = loadSecrets({ production: config.production });
    token = await signDevelopmentToken(secrets.jwtSecret, {
      consumer: owners[0]!,
      roles: [`cdo:${owners[0]}`],
      ttlSeconds: 60,
    });
  }
  const response = await fetch(`${gateway}/admin/cache/invalidate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ type: options.type, ...(options.key ? { key: options.key } : {}) }),
  });
  const body = (await response.json()) as {
    removed?: number;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  if (!response.ok)
    throw new Error(
      `${body.errors?.[0]?.extensions?.code ?? response.status}: ${body.errors?.[0]?.message ?? 'refused'}`,
    );
  return `purged ${body.removed} cached response(s) holding ${options.type}${options.key ? ` ${options.key}` : ' (any)'}`;
}
