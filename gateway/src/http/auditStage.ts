import type { FormattedExecutionResult } from 'graphql';
import { auditEntry, type AuditStore } from '../audit';
import type { GatewayConfig } from '../config';
import { ERROR_CATALOGUE } from '../errors';
import type { HubGateway } from '../execution';
import type { HubMetrics } from '../metrics';
import { traceAuditWrite } from '../tracing';
import { forbidStoring } from './httpCachingPlugin';
import { requestOutcome } from './requestOutcome';
import type { ResponseStage } from './responseStages';

/**
 * Every answer that carries agency data leaves a durable record in the audit trail before it goes
 * out: who asked, under which view, how many records of each agency, on which supergraph and
 * policies. A record not durable within `AUDIT_WAIT_MS` is logged; with `AUDIT_FAIL_CLOSED` the
 * data is then withheld (`AUDIT_UNAVAILABLE`, never stored by a cache).
 */
export function auditStage(options: {
  audit: AuditStore;
  gateway: HubGateway;
  config: Pick<GatewayConfig, 'auditWaitMs' | 'auditFailClosed' | 'auditInstance'>;
  metrics?: HubMetrics;
}): ResponseStage {
  const { audit, gateway, config, metrics } = options;
  return {
    async willSendResponse(requestContext) {
      const { response, contextValue: context, queryHash, operationName, source } = requestContext;
      const body = response.body;
      const run = gateway.runOf(context);
      const decided = run?.decided;
      if (!decided || !context.identity || body.kind !== 'single') return;
      const entry = auditEntry({
        requestId: context.requestId,
        identity: context.identity,
        view: decided.view,
        entities: decided.entities ?? {},
        operationName: operationName ?? null,
        operationHash: queryHash ?? '',
        supergraphVersion: run.supergraphVersion,
        policyVersion: decided.policySet.version,
        outcome: requestOutcome(body.singleResult),
        ...(decided.cache ? { cache: decided.cache.status } : {}),
        ...(decided.caseId ? { caseId: decided.caseId } : {}),
        subjects: gateway.subjectsOf(context),
        now: new Date(),
      });
      const startedAt = performance.now();
      const staged = audit.stage(entry, source ? { text: source, name: operationName ?? null } : undefined);
      const durable = withinDeadline(
        traceAuditWrite(() => staged.durable, decided),
        config.auditWaitMs,
      ).then((record) => {
        if (record) metrics?.auditWait.observe((performance.now() - startedAt) / 1000);
        else context.logger.error({ requestId: context.requestId }, 'audit record not durable in time');
        return record !== undefined;
      });
      if (context.audited) {
        // An HTTP answer: it is finished (serialised, its receipt signed) while the record is
        // written; the audit gate, its last hook, holds its bytes back until the record is durable.
        const named = staged.chained.then(
          (record) => ({
            instance: config.auditInstance,
            seq: record.seq,
            hash: record.hash,
            consumer: entry.consumer,
            purpose: entry.purpose,
            case: entry.case ?? null,
            grants: entry.grants,
            policyVersion: entry.policyVersion,
            supergraphVersion: entry.supergraphVersion,
          }),
          () => undefined,
        );
        context.audited.expect({
          // Bounded like the write: a batch that is never chained (a store closing under it) must not hold the answer.
          chained: Promise.race([named, durable.then((ok) => (ok ? named : undefined))]),
          durable,
        });
        return;
      }
      if ((await durable) || !config.auditFailClosed) return;
      body.singleResult = auditRefusal();
      response.http.status = ERROR_CATALOGUE.AUDIT_UNAVAILABLE.httpStatus;
      forbidStoring(response.http, 'the audit trail could not record it');
    },
  };
}

/** What an answer becomes when its record was not durable in time under `AUDIT_FAIL_CLOSED`. */
export function auditRefusal(): FormattedExecutionResult {
  return {
    errors: [
      {
        message: 'The audit trail could not record this request; its data is not served.',
        extensions: { code: 'AUDIT_UNAVAILABLE' },
      },
    ],
  };
}

/** The record, or undefined when its write failed or took longer than `ms`. */
async function withinDeadline<T>(write: Promise<T>, ms: number): Promise<T | undefined> {
  let deadline: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      write.catch(() => undefined),
      new Promise<undefined>((resolve) => (deadline = setTimeout(() => resolve(undefined), ms).unref())),
    ]);
  } finally {
    // Cleared, not left to fire: thousands of requests a second would otherwise each keep a timer for AUDIT_WAIT_MS.
    clearTimeout(deadline);
  }
}
