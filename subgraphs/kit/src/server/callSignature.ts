import {
  admitSignedCall,
  ERROR_CATALOGUE,
  CONSUMER_HEADER,
  SIGNATURE_HEADER,
  TRACEPARENT_HEADER,
  type CallAdmission,
  type ConsumerClaims,
  type FreshnessOptions,
  type NonceStore,
  type RefusalReason,
  type SigningKeyring,
} from '@cdo-hub/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { startCallSpan } from '../tracing';

/** Why a call was refused: a reason of the signature, or a nonce store that could not answer. */
export type CallRefusalReason = RefusalReason | 'replay-check-unavailable';

const REFUSALS: Record<CallRefusalReason, string> = {
  missing: 'This subgraph answers only calls signed by the hub gateway; read agency data through the gateway.',
  malformed: 'The call signature or consumer header is malformed.',
  'bad-signature': 'The call signature does not match this request.',
  stale: 'The call signature has expired (or lies too far in the future).',
  replayed: 'This signed call was already received once; every call needs a new signature.',
  'replay-check-unavailable': 'The subgraph cannot check this call against replays right now; retry.',
};

/**
 * The answer to a refused call, before anything is executed: 401 with the catalogued
 * SUBGRAPH_CALL_REFUSED, or 503 (same code) when the shared nonce store could not be asked —
 * the call is refused rather than let through unchecked, and may be retried.
 */
export function callRefusal(reason: CallRefusalReason): {
  status: number;
  body: { errors: { message: string; extensions: { code: 'SUBGRAPH_CALL_REFUSED'; reason: CallRefusalReason } }[] };
} {
  return {
    status: reason === 'replay-check-unavailable' ? 503 : ERROR_CATALOGUE.SUBGRAPH_CALL_REFUSED.httpStatus,
    body: { errors: [{ message: REFUSALS[reason], extensions: { code: 'SUBGRAPH_CALL_REFUSED', reason } }] },
  };
}

export interface CallSignatureOptions extends Omit<FreshnessOptions, 'now'> {
  /** The hub's signing key, and during a rotation the keys it signed with before. */
  signingKeys: SigningKeyring;
  /** This subgraph's name: calls signed for another agency are refused. */
  audience: string;
  nonceStore: NonceStore;
}

/** The consumer each admitted request was made for, read by the GraphQL context. */
const callers = new WeakMap<FastifyRequest, ConsumerClaims | undefined>();

export function callerOf(request: FastifyRequest): ConsumerClaims | undefined {
  return callers.get(request);
}

/**
 * A preHandler for the GraphQL route (every method): the call must carry a valid, fresh,
 * unreplayed signature of the hub's key, or it is refused before Apollo sees it. The body digest
 * is taken from the parsed body (POST) or the query string (GET), as the signer computed it.
 * Refusals are logged with their reason only: no header, no variables.
 */
export function requireSignedCalls(app: FastifyInstance, options: CallSignatureOptions): void {
  const freshness: FreshnessOptions = {
    ...(options.maxAgeMs !== undefined ? { maxAgeMs: options.maxAgeMs } : {}),
    ...(options.clockSkewMs !== undefined ? { clockSkewMs: options.clockSkewMs } : {}),
  };
  const previousKeyCalls = previousKeyReport(app.log);
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const header = (name: string) =>
      typeof request.headers[name] === 'string' ? (request.headers[name] as string) : undefined;
    const body = signedPartsOf(request.method === 'GET' ? request.query : request.body);
    let admission: CallAdmission;
    try {
      admission = await admitSignedCall(
        options.signingKeys,
        options.audience,
        {
          consumer: header(CONSUMER_HEADER),
          signature: header(SIGNATURE_HEADER),
          traceparent: header(TRACEPARENT_HEADER),
        },
        body,
        options.nonceStore,
        freshness,
      );
    } catch (error) {
      request.log.error(
        { err: error, reason: 'replay-check-unavailable' },
        'subgraph call refused: the nonce store did not answer',
      );
      const refusal = callRefusal('replay-check-unavailable');
      return reply.code(refusal.status).send(refusal.body);
    }
    if (admission.ok) {
      if (admission.previousKey) previousKeyCalls();
      callers.set(request, admission.claims);
      // The call's span, in the trace its signed traceparent names (tracing/callSpans.ts).
      const trace = startCallSpan(request, options.audience, header(TRACEPARENT_HEADER));
      // Every line this call logs names who asked, why and for which case, beside the gateway's request id (and its trace).
      if (admission.claims || trace)
        request.log = request.log.child({
          ...(admission.claims ? { consumer: admission.claims.consumer } : {}),
          ...(admission.claims?.purpose ? { purpose: admission.claims.purpose } : {}),
          ...(admission.claims?.case ? { case: admission.claims.case } : {}),
          ...trace,
        });
      const operationName = (request.body as { operationName?: unknown } | undefined)?.operationName;
      request.log.debug({ operationName: typeof operationName === 'string' ? operationName : null }, 'subgraph call');
      return;
    }
    request.log.warn({ reason: admission.reason, method: request.method }, 'subgraph call refused');
    const refusal = callRefusal(admission.reason);
    return reply.code(refusal.status).send(refusal.body);
  });
}

/** How often calls under a previous key are reported: often enough to watch a rotation, rarely enough to stay quiet. */
const PREVIOUS_KEY_REPORT_MS = 60_000;

/**
 * Counts calls admitted under a previous signing key and logs the count at most once a minute
 * (the first at once): while the lines keep coming, some gateway still signs with the old key and
 * the agency must keep it (docs/operations/key-rotation.md).
 */
function previousKeyReport(log: FastifyInstance['log'], now: () => number = Date.now): () => void {
  let unreported = 0;
  let reportedAt = -Infinity;
  return () => {
    unreported++;
    if (now() - reportedAt < PREVIOUS_KEY_REPORT_MS) return;
    log.warn(
      { calls: unreported },
      'calls signed under a previous signing key (HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS): a gateway still signs with the old key',
    );
    unreported = 0;
    reportedAt = now();
  };
}

/** The query and variables of a GraphQL request, as the signer digested them. */
function signedPartsOf(payload: unknown): { query?: string; variables?: unknown } {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return {};
  const { query, variables } = payload as { query?: unknown; variables?: unknown };
  return {
    ...(typeof query === 'string' ? { query } : {}),
    ...(variables !== undefined ? { variables: typeof variables === 'string' ? parseJson(variables) : variables } : {}),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
