import { getVariableValues } from 'graphql';
import { disputeNotices, type OpenDisputeIndex } from '../disputes';
import type { GatewayContext, OperationRun } from '../requestState';
import { forbidStoring } from './httpCachingPlugin';
import type { ResponseStage } from './responseStages';

/**
 * While a dispute is open, an answer that carries the disputed record's disputed field says so in
 * `extensions.disputes` (`disputes/disputeNotices.ts`), to departments that may read that field in
 * the answer's view — never to the public. Computed on every answer after the response cache
 * (hit or miss), so no cached answer can hold a notice that is stale either way; an answer naming
 * a dispute is not stored by any HTTP cache either, as its dispute may be answered at any moment.
 * First of the answer's stages: the audit trail and a receipt see the answer as it goes out.
 */
export function disputeNoticesStage(options: {
  open: () => OpenDisputeIndex;
  runOf: (context: GatewayContext) => OperationRun | undefined;
}): ResponseStage {
  return {
    willSendResponse({ response, contextValue: context, document, operation, request }) {
      const index = options.open();
      const body = response.body;
      if (!index.size || body.kind !== 'single' || !body.singleResult.data || !document) return;
      if (!context.identity || context.identity.anonymous) return;
      const decided = options.runOf(context)?.decided;
      if (!decided) return;
      const { policySet, view } = decided;
      const coerced = getVariableValues(
        policySet.schema,
        operation?.variableDefinitions ?? [],
        request.variables ?? {},
      );
      if (coerced.errors) return;
      const notices = disputeNotices(index, {
        schema: policySet.schema,
        keys: policySet.ownership.keys,
        document,
        operation,
        variables: coerced.coerced,
        data: body.singleResult.data,
        mayRead: (coordinate) => {
          const decision = view.decisions.get(coordinate);
          return decision !== undefined && decision.effect !== 'deny';
        },
      });
      if (!notices.length) return;
      body.singleResult.extensions = { ...body.singleResult.extensions, disputes: notices };
      forbidStoring(response.http, 'it names open disputes');
    },
  };
}
