import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { ERROR_CATALOGUE } from '../errors';
import { auditedRecordsIfAny } from '../requestState';
import { ANSWER_HEADERS } from './answerHeaders';
import { auditRefusal } from './auditStage';

/**
 * No answer leaves before its audit records are durable (ADR 0005). The audit stage leaves each
 * operation's record pending; this hook, the last before the bytes go out, waits for them, so
 * serialising the answer and signing its receipt overlap the write instead of following it.
 * A record that failed or missed `AUDIT_WAIT_MS` (logged by the stage): the answer goes out
 * without a receipt, or, under `AUDIT_FAIL_CLOSED`, becomes the catalogued `AUDIT_UNAVAILABLE`
 * with nothing of the answer's data or what it said about it.
 */
export function installAuditGate(app: FastifyInstance, options: { failClosed: boolean }): void {
  app.addHook('onSend', async (request, reply, payload) => {
    const records = auditedRecordsIfAny(request);
    if (!records || (await records.allDurable())) return payload;
    reply.removeHeader(ANSWER_HEADERS.receipt);
    reply.removeTrailer(ANSWER_HEADERS.receipt);
    if (!options.failClosed) return payload;
    for (const name of Object.values(ANSWER_HEADERS)) {
      reply.removeHeader(name);
      reply.removeTrailer(name);
    }
    if (payload instanceof Readable) payload.destroy();
    reply.code(ERROR_CATALOGUE.AUDIT_UNAVAILABLE.httpStatus);
    reply.header('content-type', 'application/json; charset=utf-8');
    reply.header('cache-control', 'no-store');
    return JSON.stringify(auditRefusal()) + '\n';
  });
}
