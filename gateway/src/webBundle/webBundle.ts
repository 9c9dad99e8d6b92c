import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the build puts the pages' bundles (`gateway/web/build.mjs` → `gateway/dist/web`): the
 * playground's and the console's, side by side, each served under its own prefix.
 */
export const WEB_BUNDLE_DIR = join(__dirname, '..', 'web');

/**
 * Serves the bundle folder under `prefix` (`/console/assets/`) — scripts, styles, fonts, workers —
 * from the gateway itself, so a page needs nothing from another host. Warns when the page's entry
 * script (`console.js`) is missing: the gateway runs without its pages until `npm run build`.
 */
export async function serveWebBundle(
  app: FastifyInstance,
  page: { name: string; entry: string; prefix: string },
): Promise<void> {
  if (!existsSync(join(WEB_BUNDLE_DIR, page.entry))) {
    app.log.warn(`the ${page.name} bundle is missing from ${WEB_BUNDLE_DIR}: run npm run build`);
  }
  await app.register(fastifyStatic, {
    root: WEB_BUNDLE_DIR,
    prefix: page.prefix,
    // Each page registers the folder under its own prefix: neither decorates the reply.
    decorateReply: false,
    maxAge: '1h',
  });
}
