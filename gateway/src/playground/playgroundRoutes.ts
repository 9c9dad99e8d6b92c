import type { FastifyInstance } from 'fastify';
import type { ConsumerDirectory } from '../consumers';
import { DEFAULT_TOKEN_MAX_TTL_SECONDS } from '../config';
import { signDevelopmentToken } from '../identity';
import { serveWebBundle } from '../webBundle';
import { loadExamples } from './examples';

export interface PlaygroundOptions {
  /** The consumer directory in force (the development picker lists it). */
  consumers: () => ConsumerDirectory;
  /** Set in development with the HS256 secret: the page may ask the gateway for short-lived tokens. */
  developmentSecret?: string;
  /** `TOKEN_MAX_TTL`: development tokens live an hour, or less when the hub accepts less. */
  maxTokenLifetimeSeconds?: number;
}

/** Who the development picker offers: departments that read data (not CDO identities or operators, which state no purpose). */
const readsData = (kind: string) => kind !== 'PUBLIC' && kind !== 'CDO' && kind !== 'OPERATOR';

/**
 * `/playground`: GraphiQL served from the gateway's own bundle, with the cross-agency examples as
 * tabs; `/` redirects there. In development (`developmentSecret`) `/playground/dev-token` signs
 * a one-hour token for a registered consumer, so an analyst can pick one instead of pasting a token;
 * It never signs a role (`&role=` is refused with 403 ROLE_NOT_HELD): roles come from `hub token`.
 */
export async function registerPlaygroundRoutes(app: FastifyInstance, options: PlaygroundOptions): Promise<void> {
  await serveWebBundle(app, { name: 'playground', entry: 'playground.js', prefix: '/playground/assets/' });
  const examples = loadExamples();

  app.get('/', async (_, reply) => reply.redirect('/playground'));
  app.get('/favicon.ico', async (_, reply) => reply.code(204).send());
  app.get('/playground', async (_, reply) => {
    const development = options.developmentSecret !== undefined;
    const config = {
      endpoint: '/graphql',
      assets: '/playground/assets',
      devTokens: development,
      devTokenUrl: '/playground/dev-token',
      consumers: development
        ? [...options.consumers().consumers.values()]
            .filter((c) => readsData(c.kind))
            .map((c) => ({ id: c.id, name: c.name, purposes: [...c.purposes] }))
        : [],
      examples: examples.map((e) => ({
        title: e.title,
        query: `# ${e.title}\n${e.consumer ? `# as: ${e.consumer}${e.purpose ? ` (${e.purpose})` : ''}\n` : ''}${e.query}\n`,
        ...(e.consumer ? { consumer: e.consumer } : {}),
        ...(e.purpose ? { purpose: e.purpose } : {}),
      })),
    };
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(playgroundPage(config));
  });
  app.get<{ Querystring: { consumer?: string; role?: string | string[] } }>(
    '/playground/dev-token',
    async (request, reply) => {
      if (!options.developmentSecret)
        return reply
          .code(404)
          .send({ error: 'development tokens are off (production, or tokens from an identity provider)' });
      const consumer = options.consumers().consumers.get(request.query.consumer ?? '');
      if (!consumer || !readsData(consumer.kind))
        return reply.code(400).send({ error: `unknown consumer "${request.query.consumer ?? ''}"` });
      // This route answers anyone who can reach the page, without credentials: it signs data-reading
      // tokens only. A role (a CDO's decisions, an operator's endpoints) comes from `hub token`, run
      // by someone with the hub's secret in hand.
      const roles = [request.query.role ?? []]
        .flat()
        .filter((role): role is string => typeof role === 'string' && role !== '');
      if (roles.length) {
        const message = `The playground's development tokens carry no roles; mint one with \`hub token --consumer ${consumer.id} --role ${roles[0]}\`.`;
        return reply
          .code(403)
          .header('cache-control', 'no-store')
          .send({ errors: [{ message, extensions: { code: 'ROLE_NOT_HELD' } }] });
      }
      const ttlSeconds = Math.min(3600, options.maxTokenLifetimeSeconds ?? DEFAULT_TOKEN_MAX_TTL_SECONDS);
      return reply
        .header('cache-control', 'no-store')
        .send({ token: await signDevelopmentToken(options.developmentSecret, { consumer: consumer.id, ttlSeconds }) });
    },
  );
}

function playgroundPage(config: unknown): string {
  // `<` escaped so the JSON cannot close the script element.
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Playground · cdo-hub</title>
<link rel="stylesheet" href="/playground/assets/playground.css">
</head>
<body>
<div id="playground"></div>
<script id="playground-config" type="application/json">${json}</script>
<script type="module" src="/playground/assets/playground.js"></script>
</body>
</html>
`;
}
