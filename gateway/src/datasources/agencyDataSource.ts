import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { FetchCache } from '../cache';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { hubError } from '../errors';
import { ownAgencyOf } from '../consumers';
import type { GatewayContext, OperationRun } from '../requestState';
import { classifySubgraphFailure, type FailureReason, type SubgraphFaults } from '../faults';
import { signedSubgraphHeaders } from '../signing';
import { keepAliveFetcher } from './subgraphTransport';

/**
 * How the gateway talks to one agency's subgraph. It forwards the request id so the agency's
 * logs line up with the gateway's, bounds every call by a timeout, and turns a subgraph that
 * cannot be reached into a catalogued error naming the agency, so the rest of the answer is still
 * served. A subgraph that answers with an HTTP error but a GraphQL body keeps its own errors.
 * Each call passes the subgraph's circuit breaker: while it is open, the call is not sent. No call
 * is ever sent twice (a mutation must never be retried, and a query gains nothing from a retry the
 * consumer is waiting for).
 * Every call carries the signed consumer header: who asked, for what, and the row scopes of the
 * grants used, which the agency applies where the data lives.
 */
export class AgencyDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly agency: string,
    url: string,
    private readonly timeoutMs: number,
    private readonly signingKey: string,
    /** Entity and root-field fetches cached under the consumer's view; absent when caching is off. */
    private readonly fetchCache?: FetchCache,
    /** The gateway's circuit breakers; absent, every call is sent. */
    private readonly faults?: SubgraphFaults,
    /** What the calling operation ran under (its view's row scopes, policies, supergraph), from the executor that owns it. */
    private readonly runOf: (context: GatewayContext) => OperationRun | undefined = () => undefined,
  ) {
    super({ url, fetcher: keepAliveFetcher(timeoutMs) });
    faults?.track(agency, timeoutMs);
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const { request, context } = options;
    // Every call is signed, a consumer's or not: subgraphs refuse unsigned calls.
    if (context?.requestId) request.http?.headers.set('x-request-id', context.requestId);
    const identity = context?.identity;
    const decided = 'incomingRequestContext' in options ? this.runOf(options.context)?.decided : undefined;
    const scope = decided?.view.scopes[this.agency];
    const claims =
      identity && context.requestId
        ? {
            consumer: identity.consumer.id,
            ...(ownAgencyOf(identity.consumer) ? { agency: ownAgencyOf(identity.consumer)! } : {}),
            requestId: context.requestId,
            ...(identity.purpose ? { purpose: identity.purpose } : {}),
            ...(scope ? { scope } : {}),
          }
        : undefined;
    const headers = signedSubgraphHeaders(this.signingKey, this.agency, request, claims);
    for (const [name, value] of Object.entries(headers)) request.http?.headers.set(name, value);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    if (!this.fetchCache || !('incomingRequestContext' in options) || !options.context) return this.fetch(options);
    // Only the fetches of a query: the entity fetches that follow a mutation must see its effect.
    const inQuery = options.incomingRequestContext.operation?.operation === 'query';
    const run = this.runOf(options.context);
    // Without a decided view (open mode, introspection) nothing is cached: there is no view to key it by.
    if (!inQuery || !run?.decided) return this.fetch(options);
    const { policySet, view, decidedAt } = run.decided;
    return this.fetchCache.execute(
      {
        agency: this.agency,
        query: options.request.query,
        variables: options.request.variables,
        supergraphVersion: run.supergraphVersion,
        policySet,
        view,
        now: decidedAt,
      },
      (variables) => this.fetch({ ...options, request: { ...options.request, variables } }),
    );
  }

  private async fetch(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const call = this.faults?.admit(this.agency);
    if (call && !call.admitted) throw this.unavailable('circuit-open');
    try {
      const response = await super.process(options);
      call?.settle();
      return response;
    } catch (error) {
      const failure = classifySubgraphFailure(error);
      call?.settle(failure);
      if (failure.graphqlBody) return failure.graphqlBody;
      // The cause (addresses, socket errors) goes to the log, not to the consumer.
      options.context?.logger?.warn(
        { agency: this.agency, reason: failure.reason, err: error },
        'subgraph fetch failed',
      );
      throw this.unavailable(failure.reason);
    }
  }

  private unavailable(reason: FailureReason) {
    const why =
      reason === 'timeout'
        ? `did not answer within ${this.timeoutMs} ms`
        : reason === 'circuit-open'
          ? 'is failing: calls to it are paused until a trial call succeeds (circuit open)'
          : reason === 'unreachable'
            ? 'is unavailable'
            : `answered ${reason.replace('http-', 'HTTP ')}`;
    return hubError('SUBGRAPH_UNAVAILABLE', `The ${this.agency} subgraph ${why}.`, { agency: this.agency, reason });
  }
}
