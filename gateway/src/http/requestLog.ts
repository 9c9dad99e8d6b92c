import type { FastifyInstance } from 'fastify';
import type { GatewayContext, OperationRun } from '../requestState';
import type { HubMetrics } from '../metrics';
import { requestOutcome } from './requestOutcome';
import type { ResponseStage } from './responseStages';

/**
 * One log line per operation (`graphql request`: name, duration, error count, supergraph) on the
 * request's logger — which names the consumer and purpose — and the per-consumer request count
 * and latency in the metrics. Never a data value.
 */
export function requestLogStage(
  metrics: HubMetrics,
  runOf: (context: GatewayContext) => OperationRun | undefined,
): ResponseStage {
  return {
    willSendResponse(requestContext, startedAt) {
      const { response, request, contextValue: context, operationName } = requestContext;
      const body = response.body;
      const seconds = (performance.now() - startedAt) / 1000;
      if (body.kind === 'single') {
        const consumer = context.identity?.consumer.id ?? 'unidentified';
        metrics.consumerRequests.inc({ consumer, outcome: requestOutcome(body.singleResult) });
        metrics.consumerRequestLatency.observe({ consumer }, seconds);
      }
      context.logger.info(
        {
          operationName: operationName ?? request.operationName ?? null,
          durationMs: Math.round(seconds * 10_000) / 10,
          errors: body.kind === 'single' ? (body.singleResult.errors?.length ?? 0) : undefined,
          supergraph: runOf(context)?.supergraphVersion,
        },
        'graphql request',
      );
    },
  };
}

/** Every HTTP answer counted by status class (`cdo_hub_http_responses_total`): the gateway's own 5xx rate. */
export function countResponses(app: FastifyInstance, metrics: HubMetrics): void {
  app.addHook('onResponse', async (_request, reply) => {
    metrics.httpResponses.inc({ status_class: `${Math.floor(reply.statusCode / 100)}xx` });
  });
}

/**
 * Every answer names the gateway's own request id (`x-request-id`): the key of its audit record
 * and of its log lines in the gateway and the agencies. A client's own id is never echoed as ours.
 */
export function echoRequestId(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
}
