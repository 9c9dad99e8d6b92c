import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { FetchCache } from '../cache';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { hubError } from '../errors';
import { ownAgencyOf } from '../consumers';
import type { GatewayContext, OperationRun } from '../requestState';
import { classifySubgraphFailure, type FailureReason, type SubgraphFailure, type SubgraphFaults } from '../faults';
import { signedSubgraphHeaders, type ConsumerClaims } from '../signing';
import { markSharedCall, outgoingTraceContext, traceSubgraphFetch } from '../tracing';
import { CallsInFlight } from './callsInFlight';
import type { Dispatcher } from 'undici';
import { keepAliveFetcher } from './subgraphTransport';
import { takeSubjects, type SubjectsSeen } from '../subjects';
import { SUBJECTS_EXTENSION } from '@cdo-hub/contracts';
import { copyJson } from '../formats';

/** How one subgraph call ended: its answer, or why it failed (and what was thrown, for the log). */
type CallOutcome = { response: GatewayGraphQLResponse } | { failure: SubgraphFailure; error?: unknown };

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
 * Identical calls of queries in flight at the same moment — same query, variables and signed
 * claims but the request id — are sent once and their answer copied to each request
 * (`callsInFlight.ts`); a mutation's calls, and those that follow it, are always sent.
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
    /** Identical query calls in flight together are sent once (default); false sends every call. */
    private readonly shareCallsInFlight = true,
    /** The connections to the agencies (trusted CAs included); absent, a keep-alive pool of its own. */
    transport?: Dispatcher,
    /** Where the subjects the agency hands over (`extensions.cdoSubjects`) go for the audit; absent, they are dropped. */
    private readonly subjects?: SubjectsSeen,
  ) {
    super({ url, fetcher: keepAliveFetcher(timeoutMs, transport) });
    faults?.track(agency, timeoutMs);
  }

  private readonly inFlight = new CallsInFlight<CallOutcome>();

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const { request, context } = options;
    // Every call is signed, a consumer's or not: subgraphs refuse unsigned calls.
    if (context?.requestId) request.http?.headers.set('x-request-id', context.requestId);
    const headers = signedSubgraphHeaders(
      this.signingKey,
      this.agency,
      request,
      this.claimsOf(options),
      outgoingTraceContext(),
    );
    for (const [name, value] of Object.entries(headers)) request.http?.headers.set(name, value);
  }

  /** Who asked, for what, the row scopes of this agency and the case served: what the signed consumer header says. */
  private claimsOf(options: GraphQLDataSourceProcessOptions<GatewayContext>): ConsumerClaims | undefined {
    const { context } = options;
    const identity = context?.identity;
    if (!identity || !context.requestId) return undefined;
    const decided = 'incomingRequestContext' in options ? this.runOf(options.context)?.decided : undefined;
    const scope = decided?.view.scopes[this.agency];
    return {
      consumer: identity.consumer.id,
      ...(ownAgencyOf(identity.consumer) ? { agency: ownAgencyOf(identity.consumer)! } : {}),
      requestId: context.requestId,
      ...(identity.purpose ? { purpose: identity.purpose } : {}),
      ...(scope ? { scope } : {}),
      ...(decided?.caseId ? { case: decided.caseId } : {}),
    };
  }

  /**
   * What makes two calls the same call: everything the agency's answer depends on — the query,
   * its variables, and the signed claims but the request id. Only the calls of a query: a
   * mutation is never shared, nor the entity fetches that follow it, which must see its effect.
   */
  private sharingKeyOf(options: GraphQLDataSourceProcessOptions<GatewayContext>): string | undefined {
    if (!this.shareCallsInFlight || !('incomingRequestContext' in options)) return undefined;
    if (options.incomingRequestContext.operation?.operation !== 'query') return undefined;
    const { requestId: _requestId, ...claims } = this.claimsOf(options) ?? { requestId: '' };
    return JSON.stringify([options.request.query, options.request.variables ?? null, claims]);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const response = await traceSubgraphFetch(this.agency, () => this.fetchThroughCache(options));
    // Below this point no answer carries the agency's subjects: they go to the request's audit record only.
    const subjects = takeSubjects(response);
    if (options.context) this.subjects?.add(options.context, this.agency, subjects);
    return response;
  }

  private async fetchThroughCache(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): Promise<GatewayGraphQLResponse> {
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
    const key = this.sharingKeyOf(options);
    const { result, joined } = key
      ? this.inFlight.run(key, () => this.send(options), copyOutcome)
      : { result: this.send(options), joined: false };
    markSharedCall(joined);
    const outcome = await result;
    if (joined)
      options.context?.logger?.debug({ agency: this.agency }, 'subgraph call shared with a request in flight');
    if ('response' in outcome) return outcome.response;
    const { failure, error } = outcome;
    if (failure.graphqlBody) return failure.graphqlBody;
    // The cause (addresses, socket errors) goes to the log, not to the consumer.
    if (error !== undefined)
      options.context?.logger?.warn(
        { agency: this.agency, reason: failure.reason, err: error },
        'subgraph fetch failed',
      );
    throw this.unavailable(failure.reason);
  }

  /** One call through the circuit breaker, sent once; never rejects: a failure is an outcome. */
  private async send(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<CallOutcome> {
    const call = this.faults?.admit(this.agency);
    if (call && !call.admitted) return { failure: { reason: 'circuit-open', tripsCircuit: false } };
    try {
      const response = await super.process(options);
      call?.settle();
      return { response };
    } catch (error) {
      const failure = classifySubgraphFailure(error);
      call?.settle(failure);
      return { failure, error };
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

/**
 * A request's own copy of a shared answer: the data and errors it may write into. The HTTP
 * response is shared as it is (only its headers are read, for cache hints).
 */
function copyOutcome(outcome: CallOutcome): CallOutcome {
  if ('response' in outcome) {
    const { data, errors, extensions } = outcome.response;
    return {
      response: {
        ...outcome.response,
        ...(data !== undefined ? { data: copyJson(data) } : {}),
        ...(errors !== undefined ? { errors: copyJson(errors) } : {}),
        ...(extensions !== undefined ? { extensions: copyExtensions(extensions) } : {}),
      },
    };
  }
  const body = outcome.failure.graphqlBody;
  return body ? { ...outcome, failure: { ...outcome.failure, graphqlBody: copyJson(body) } } : outcome;
}

/**
 * The extensions, copied but for the subjects the agency handed over: nothing writes into those
 * (the data source takes the list off the answer and the audit only reads it), and they are often
 * as large as the data, so every request sharing the call reads the one list.
 */
function copyExtensions(extensions: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(extensions))
    copy[name] = name === SUBJECTS_EXTENSION ? value : copyJson(value);
  return copy;
}
