import { ApolloGateway } from '@apollo/gateway';
import type {
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewayLoadResult,
  GatewaySchemaLoadOrUpdateCallback,
  GatewayUnsubscriber,
} from '@apollo/server-gateway-interface';
import type { Logger } from 'pino';
import { subgraphUrlVariable } from '../config';
import { AgencyDataSource } from '../datasources';
import type { Supergraph } from '../supergraph';
import type { GatewayContext } from './context';

export interface HubGatewayOptions {
  supergraph: Supergraph;
  logger: Logger;
  /** Subgraph URL overrides, keyed by environment variable name (`EDUCATION_URL`...). */
  subgraphUrls?: Record<string, string>;
}

/**
 * The gateway Apollo Server runs: `ApolloGateway` behind a thin wrapper that owns the path of
 * every request. Apollo Server parses and validates the operation against the full API schema;
 * the wrapper's executor then runs the hub's stages around the query planner:
 *
 *   request → [policy decision + rewrite] → plan (cached) → fetch from agencies → [masking] → response
 *
 * The bracketed stages belong to the sharing-policy work; they plug in here, before planning,
 * because a denied field must never reach a subgraph. Supergraph hot reloads go through
 * `update()` (ApolloGateway's `supergraphSdl` hook).
 */
export class HubGateway implements GatewayInterface {
  readonly inner: ApolloGateway;
  private current: Supergraph;
  private updateSupergraph?: (sdl: string) => void;

  constructor(private readonly options: HubGatewayOptions) {
    this.current = options.supergraph;
    this.inner = new ApolloGateway({
      logger: options.logger,
      // The query plan is internal routing detail; never expose it through a request header.
      __exposeQueryPlanExperimental: false,
      supergraphSdl: async ({ update }) => {
        this.updateSupergraph = update;
        return { supergraphSdl: this.current.sdl };
      },
      buildService: ({ name, url }) => new AgencyDataSource(name, this.routingUrl(name, url)),
    });
  }

  get supergraph(): Supergraph {
    return this.current;
  }

  /** Replaces the running supergraph. ApolloGateway validates it and keeps the old one if it fails. */
  update(supergraph: Supergraph): void {
    if (!this.updateSupergraph) throw new Error('the gateway has not loaded yet');
    this.updateSupergraph(supergraph.sdl);
    this.current = supergraph;
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback): GatewayUnsubscriber {
    return this.inner.onSchemaLoadOrUpdate(callback);
  }

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    const { executor } = await this.inner.load(options);
    if (!executor) throw new Error('ApolloGateway loaded without an executor');
    return { executor: this.executorAround(executor) };
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  /** The URL to call for a subgraph: `<NAME>_URL` from the environment, or the supergraph's. */
  routingUrl(name: string, supergraphUrl: string | undefined): string {
    const url = this.options.subgraphUrls?.[subgraphUrlVariable(name)] ?? supergraphUrl;
    if (!url) throw new Error(`subgraph "${name}" has no URL in the supergraph and ${subgraphUrlVariable(name)} is not set`);
    return url;
  }

  private executorAround(plan: GatewayExecutor): GatewayExecutor {
    return async (requestContext: GatewayGraphQLRequestContext) => {
      const context = requestContext.context as GatewayContext;
      context.supergraphVersion = this.current.version;
      return plan(requestContext);
    };
  }
}
