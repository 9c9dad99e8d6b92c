import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { formatProblem, type PolicySet } from '../policy';
import { buildCatalog, type Catalog } from './buildCatalog';
import { pickLanguage, type CatalogLanguage } from './catalogLanguage';
import { renderCatalogPage } from './catalogPage';
import { loadCatalogMetadata, NO_CATALOG_METADATA } from './loadCatalogMetadata';
import { localizeCatalog } from './localizeCatalog';
import { searchCatalog } from './searchCatalog';

type CatalogQuery = { Querystring: { lang?: unknown; q?: unknown } };

/**
 * `/catalog` (HTML) and `/catalog.json`: the data catalog of the policies and supergraph in force,
 * with each agency's metadata (`schema/catalog/<agency>.yaml`), rebuilt when either changes (grants
 * expire, and a metadata file may be edited, so at most a minute old otherwise). Chinese unless
 * `Accept-Language` or `?lang=` asks for English; `?q=` searches on the server. Open to everyone:
 * it describes data, never shows it.
 */
export function registerCatalogRoutes(
  app: FastifyInstance,
  options: { policySet: () => PolicySet; supergraphVersion: () => string; catalogDir?: string; logger?: Logger },
): void {
  let cached: { key: string; at: number; catalog: Catalog; pages: Map<CatalogLanguage, string> } | undefined;
  let reported = '';
  const current = () => {
    const policySet = options.policySet();
    const key = `${policySet.version}|${options.supergraphVersion()}`;
    if (!cached || cached.key !== key || Date.now() - cached.at > 60_000) {
      const metadata = options.catalogDir
        ? loadCatalogMetadata(options.catalogDir, policySet.schema, policySet.ownership)
        : NO_CATALOG_METADATA;
      // A broken metadata file leaves its agency's fields unnamed (flagged on the page); say why once.
      const problems = metadata.problems.map(formatProblem).join('\n');
      if (problems && problems !== reported) options.logger?.warn(`catalog metadata problems:\n${problems}`);
      reported = problems;
      cached = {
        key,
        at: Date.now(),
        catalog: buildCatalog(policySet, options.supergraphVersion(), new Date(), metadata),
        pages: new Map(),
      };
    }
    return cached;
  };
  const readerOf = (request: FastifyRequest<CatalogQuery>) => {
    const { lang, q } = request.query ?? {};
    return {
      lang: pickLanguage(request.headers['accept-language'], typeof lang === 'string' ? lang : undefined),
      query: typeof q === 'string' ? q.trim().slice(0, 200) : '',
    };
  };
  app.get<CatalogQuery>('/catalog.json', async (request, reply) => {
    const { lang, query } = readerOf(request);
    const { catalog } = current();
    return reply
      .header('cache-control', 'no-cache')
      .header('vary', 'Accept-Language')
      .header('content-language', lang)
      .send(localizeCatalog(query ? searchCatalog(catalog, query) : catalog, lang, query || undefined));
  });
  app.get<CatalogQuery>('/catalog', async (request, reply) => {
    const { lang, query } = readerOf(request);
    const entry = current();
    let page = query ? undefined : entry.pages.get(lang);
    if (!page) {
      page = renderCatalogPage(entry.catalog, { lang, query });
      if (!query) entry.pages.set(lang, page);
    }
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('vary', 'Accept-Language')
      .header('content-language', lang)
      .send(page);
  });
}
