import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { hubError } from '../errors';
import type { GatewayContext } from '../execution';

/**
 * How the gateway talks to one agency's subgraph. It forwards the request id so the agency's
 * logs line up with the gateway's, and turns a failed fetch into a catalogued error naming the
 * agency, so the rest of the answer is still served. (The sharing-policy work adds the signed
 * consumer header here.)
 */
export class AgencyDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(readonly agency: string, url: string) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (context?.requestId) request.http?.headers.set('x-request-id', context.requestId);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      // The cause (addresses, socket errors) goes to the log, not to the consumer.
      options.context?.logger?.warn({ agency: this.agency, err: error }, 'subgraph fetch failed');
      throw hubError('SUBGRAPH_UNAVAILABLE', `The ${this.agency} subgraph is unavailable.`, { agency: this.agency });
    }
  }
}
