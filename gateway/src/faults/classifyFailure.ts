import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';

/**
 * Why a subgraph call failed, as `extensions.reason` of `SUBGRAPH_UNAVAILABLE` and the `reason`
 * label of `cdo_hub_subgraph_errors_total`: `timeout` (no answer within the subgraph's deadline),
 * `unreachable` (refused, reset or cut connections, an answer that is not JSON), `http-<status>`
 * (an HTTP error status), `circuit-open` (not sent: the circuit is open).
 */
export type FailureReason = 'timeout' | 'unreachable' | 'circuit-open' | `http-${number}`;

export interface SubgraphFailure {
  reason: FailureReason;
  /** Whether the failure counts towards opening the circuit: the subgraph itself is failing. */
  tripsCircuit: boolean;
  /** The GraphQL errors (and data) the subgraph answered with its HTTP error status, passed through as they are. */
  graphqlBody?: { data: GatewayGraphQLResponse['data'] | null; errors: NonNullable<GatewayGraphQLResponse['errors']> };
}

/**
 * Classifies what `RemoteGraphQLDataSource` threw. An HTTP status comes as
 * `extensions.response.status` (its `errorFromResponse`); timeouts as a `FetchError` of type
 * `request-timeout` / `body-timeout` (make-fetch-happen) or a `TimeoutError` / `AbortError` (an
 * abort signal); anything else is a transport failure. 5xx, timeouts and transport failures trip
 * the circuit; a 4xx is the call's problem (an unsigned or refused call), not the subgraph's health.
 */
export function classifySubgraphFailure(error: unknown): SubgraphFailure {
  const failure = error as {
    name?: string;
    type?: string;
    message?: string;
    extensions?: { response?: { status?: unknown; body?: unknown } };
  };
  const response = failure?.extensions?.response;
  if (response && typeof response.status === 'number') {
    const body = response.body;
    const graphqlBody =
      body && typeof body === 'object' && Array.isArray((body as GatewayGraphQLResponse).errors)
        ? { data: (body as GatewayGraphQLResponse).data ?? null, errors: (body as GatewayGraphQLResponse).errors! }
        : undefined;
    return {
      reason: `http-${response.status}`,
      tripsCircuit: response.status >= 500,
      ...(graphqlBody ? { graphqlBody } : {}),
    };
  }
  const timedOut =
    failure?.type === 'request-timeout' ||
    failure?.type === 'body-timeout' ||
    failure?.name === 'TimeoutError' ||
    failure?.name === 'AbortError';
  return { reason: timedOut ? 'timeout' : 'unreachable', tripsCircuit: true };
}
