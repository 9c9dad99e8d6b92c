import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { GatewayContext } from '../requestState';

/** One step of what happens to an operation's answer before it goes out. */
export interface ResponseStage {
  /**
   * `startedAt` is `performance.now()` when Apollo Server began the operation. A stage may
   * rewrite the answer (body and HTTP head); the next stage sees what it left.
   */
  willSendResponse(
    requestContext: GraphQLRequestContextWillSendResponse<GatewayContext>,
    startedAt: number,
  ): Promise<void> | void;
}

/**
 * Runs the stages one after the other, in the order given. Apollo Server runs the
 * `willSendResponse` hooks of separate plugins at once (`Promise.all`), so stages whose order
 * matters — the audit trail may turn the answer into a refusal, which errors are then shaped,
 * then logged and counted — are one plugin.
 */
export function responseStagesPlugin(stages: readonly ResponseStage[]): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const startedAt = performance.now();
      return {
        async willSendResponse(requestContext) {
          for (const stage of stages) await stage.willSendResponse(requestContext, startedAt);
        },
      };
    },
  };
}
