import type { FastifyInstance } from 'fastify';
import type { PolicySet } from '../policy';
import { buildCatalog, type Catalog } from './buildCatalog';
import { renderCatalogPage } from './catalogPage';

/**
 * `/catalog` (HTML) and `/catalog.json`: the data catalog of the policies and supergraph in force,
 * rebuilt when either changes (grants expire, so at most a minute old otherwise). Open to
 * everyone: it describes data, never shows it.
 */
export function registerCatalogRoutes(
  app: FastifyInstance,
  options: { policySet: () => PolicySet; supergraphVersion: () => string },
): void {
  let cached: { key: string; at: number; catalog: Catalog; page?: string } | undefined;
  const current = () => {
    const policySet = options.policySet();
    const key = `${policySet.version}|${options.supergraphVersion()}`;
    if (!cached || cached.key !== key || Date.now() - cached.at > 60_000)
      cached = { key, at: Date.now(), catalog: buildCatalog(policySet, options.supergraphVersion(), new Date()) };
    return cached;
  };
  app.get('/catalog.json', async (_, reply) => reply.header('cache-control', 'no-cache').send(current().catalog));
  app.get('/catalog', async (_, reply) => {
    const entry = current();
    entry.page ??= renderCatalogPage(entry.catalog);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(entry.page);
  });
}
