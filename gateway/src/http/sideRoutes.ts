import type { FastifyInstance } from 'fastify';
import { checkpointKeyring } from '../audit';
import { registerCatalogRoutes } from '../catalog';
import { registerConsoleRoutes } from '../console';
import { DisputeService } from '../disputes';
import { GrantService, loadWorkCalendar, policyGrantChecker, runtimeGrantInputs } from '../grants';
import { subgraphSigningKeyring } from '../identity';
import { loadPolicySet } from '../policy';
import { registerPlaygroundRoutes } from '../playground';
import { registerAdminRoutes, registerCacheAdminRoutes } from './adminRoutes';
import { registerConsoleAdminRoutes } from './consoleAdminRoutes';
import { registerDecisionImpactRoutes } from './decisionImpactRoutes';
import { registerDisputeRoutes } from './disputeRoutes';
import type { HubServices } from './hubServices';
import { registerOperatorRoutes } from './operatorRoutes';
import { registerRetentionRoutes } from './retentionRoutes';
import { registerTransparencyRoutes } from './transparencyRoutes';
import { registerAuditStateRoutes, registerSchemaVersionRoutes, registerUsageRoutes } from './supervisionRoutes';

/**
 * The routes beside `/graphql`: the operators' `/readyz` and `/metrics` (operatorRoutes.ts), the
 * data catalogue, the playground, the CDOs' console, and the grant and cache administration API (adminRoutes.ts).
 */
export async function installSideRoutes(
  app: FastifyInstance,
  services: HubServices,
  options: { draining: () => boolean },
): Promise<void> {
  const { config, gateway, policies, verify, grantStore, grantSync, cache, secrets } = services;
  registerOperatorRoutes(app, {
    config,
    gateway,
    faults: services.faults,
    metrics: services.metrics,
    logger: services.logger,
    subgraphSigningKey: secrets.subgraphSigningKey,
    cache: services.cacheState,
    draining: options.draining,
    policies,
    verify,
  });
  if (policies)
    registerCatalogRoutes(app, {
      policySet: () => policies.current(),
      supergraphVersion: () => gateway.supergraph.version,
      catalogDir: config.catalogDir,
      logger: services.logger,
    });
  if (policies && verify)
    await registerTransparencyRoutes(app, {
      verify,
      auditDir: config.auditTrailDir,
      agencies: () => gateway.supergraph.subgraphs.map((subgraph) => subgraph.name),
      subjectKeys: config.subjectKeys,
      production: config.production,
      consumers: () => policies.current().consumers,
      logger: services.logger,
    });
  // Development tokens only with the development secret: never in production, never beside an identity provider.
  const development = !config.production && !config.jwksUrl && !config.jwtPublicKeyFile && policies;
  if (config.playground) {
    await registerPlaygroundRoutes(app, {
      consumers: () => policies?.current().consumers ?? { consumers: new Map(), file: '' },
      ...(development ? { developmentSecret: secrets.jwtSecret } : {}),
      maxTokenLifetimeSeconds: config.tokenMaxTtlSeconds,
    });
  }
  if (policies && grantStore && grantSync && verify) {
    const sources = { policyDir: config.policyDir, consumersFile: config.consumersFile };
    const calendar = loadWorkCalendar(config.calendarFile);
    const grants = new GrantService({
      store: grantStore,
      policySet: () => policies.current(),
      // A preview compiles the policies with the store's grants as the decision would leave them.
      previewPolicySet: (state) => {
        const compiled = loadPolicySet(sources, gateway.supergraph, {
          runtimeGrants: runtimeGrantInputs(state, grantStore.location),
        });
        if (!compiled.policySet) throw new Error('the policies in force do not compile with the grant store');
        return compiled.policySet;
      },
      calendar,
      checkGrant: policyGrantChecker(sources, () => gateway.supergraph),
    });
    registerAdminRoutes(app, { grants, sync: grantSync, policies, verify });
    registerRetentionRoutes(app, { grants, sync: grantSync, policies, verify });
    const { disputeStore, disputeSync } = services;
    const disputes =
      disputeStore && disputeSync
        ? new DisputeService({ store: disputeStore, policySet: () => policies.current(), calendar })
        : undefined;
    if (disputes && disputeSync) registerDisputeRoutes(app, { disputes, sync: disputeSync, policies, verify });
    // The CDOs' desk is a production tool (unlike the playground): it holds nothing, the admin API decides.
    await registerConsoleRoutes(app, {
      consumers: () => policies.current().consumers,
      development: Boolean(development),
    });
    registerConsoleAdminRoutes(app, { grants, policies, verify });
    // The whole trail: every worker's chain, not only this process's.
    const audit = { auditDir: config.auditTrailDir, auditFromRedis: Boolean(config.auditRedisUrl) };
    registerDecisionImpactRoutes(app, { grants, policies, verify, ...audit });
    registerUsageRoutes(app, { policies, verify, ...audit });
    registerAuditStateRoutes(app, {
      policies,
      verify,
      ...audit,
      witness: { ...config, auditDir: config.auditTrailDir },
      signingKey: checkpointKeyring(subgraphSigningKeyring(secrets)),
    });
    registerSchemaVersionRoutes(app, {
      policies,
      verify,
      registry: services.registry,
      servedSupergraph: () => gateway.supergraph.version,
      supergraphFile: config.supergraphFile,
    });
    if (cache) registerCacheAdminRoutes(app, { cache, policies, verify });
  }
}
