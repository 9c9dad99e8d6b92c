import type { FastifyInstance } from 'fastify';
import { cdoAgency, type ConsumerDirectory } from '../consumers';
import { serveWebBundle } from '../webBundle';

export interface ConsoleOptions {
  /** The consumer directory in force (in development the sign-in names the CDO identities in it). */
  consumers: () => ConsumerDirectory;
  /** Development (the development secret signs tokens): the sign-in shows the `hub token` command for each CDO identity. */
  development: boolean;
}

/**
 * `/console`: the CDOs' desk, a page of the gateway's own bundle that works offline and calls the
 * admin API with the CDO's token (pasted, kept in the tab's session storage, sent as a bearer
 * token — no cookie, so nothing for another site to ride on). The page itself holds no data and
 * answers signed out; what the console may show or do, the admin API's roles decide.
 *
 * Unlike the playground it never signs a token, not even in development: a CDO token decides on
 * grants, and a route that answers anyone who reaches the page must not mint that (see
 * docs/security/identity-and-roles.md). In development the sign-in shows the command to mint one.
 */
export async function registerConsoleRoutes(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  await serveWebBundle(app, { name: 'console', entry: 'console.js', prefix: '/console/assets/' });
  app.get('/console', async (_, reply) => {
    const config = {
      assets: '/console/assets',
      development: options.development,
      // Who may sign in, with the command that mints their token: development only.
      cdoIdentities: options.development
        ? [...options.consumers().consumers.values()].flatMap((consumer) =>
            (consumer.roles ?? [])
              .filter((role) => cdoAgency(role) !== undefined)
              .map((role) => ({
                consumer: consumer.id,
                name: consumer.name,
                role,
                command: `npm run -s hub -- token --consumer ${consumer.id} --role ${role} --ttl 8h`,
              })),
          )
        : [],
    };
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-frame-options', 'DENY')
      .send(consolePage(config));
  });
}

function consolePage(config: unknown): string {
  // `<` escaped so the JSON cannot close the script element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>首席数据官工作台 · cdo-hub</title>
<link rel="stylesheet" href="/console/assets/console.css">
</head>
<body>
<div id="console"></div>
<script id="console-config" type="application/json">${json}</script>
<script type="module" src="/console/assets/console.js"></script>
</body>
</html>
`;
}
