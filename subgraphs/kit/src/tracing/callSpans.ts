import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Span } from '@opentelemetry/api';
import { parseTraceparent } from '@cdo-hub/contracts';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { activeTracer, flushTracing } from './tracingRuntime';

/** The gateway's readiness probe (gateway/src/health/readiness.ts): asked every few seconds, never traced. */
const READINESS_PROBE = /^\s*query __HubReadiness\b/;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;

const calls = new WeakMap<FastifyRequest, Span>();

/**
 * Starts the server span of a call the signature check has just admitted: the child of the
 * gateway's fetch span when the call carries a `traceparent` — which the signature covers, so only
 * the hub decides which trace an agency's work joins — else a trace of its own. Returns the log
 * bindings (`trace_id`, `span_id`) for the call's logger, so its lines lead to the trace; nothing
 * when tracing is off or the call is the gateway's readiness probe. The span is named by the
 * operation name the gateway generated, never by anything the call's variables hold.
 */
export function startCallSpan(
  request: FastifyRequest,
  agency: string,
  traceparent: string | undefined,
): { trace_id: string; span_id: string } | undefined {
  const tracer = activeTracer();
  if (!tracer) return undefined;
  const body = (request.method === 'GET' ? request.query : request.body) as
    { query?: unknown; operationName?: unknown } | undefined;
  if (typeof body?.query === 'string' && READINESS_PROBE.test(body.query)) return undefined;
  const parent = parseTraceparent(traceparent);
  const parentContext = parent
    ? trace.setSpanContext(ROOT_CONTEXT, {
        traceId: parent.traceId,
        spanId: parent.spanId,
        traceFlags: parent.flags & TraceFlags.SAMPLED,
        isRemote: true,
      })
    : ROOT_CONTEXT;
  const operationName =
    typeof body?.operationName === 'string' && OPERATION_NAME.test(body.operationName) ? body.operationName : undefined;
  const span = tracer.startSpan(
    `${request.method} /graphql`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: request.method,
        [ATTR_HTTP_ROUTE]: '/graphql',
        'cdo_hub.agency': agency,
        ...(operationName ? { 'graphql.operation.name': operationName } : {}),
      },
    },
    parentContext,
  );
  calls.set(request, span);
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/**
 * Runs each admitted call's handler — Apollo Server, the resolvers, their DataLoader batches and
 * SQL statements — inside its span, and ends the span with the response. Register it after the
 * signature check, on the GraphQL route only (`/healthz` stays untraced). Tracing off, nothing.
 */
export function traceSignedCalls(app: FastifyInstance): void {
  if (!activeTracer()) return;
  app.addHook('preHandler', (request, _reply, done) => {
    const span = calls.get(request);
    if (span) context.with(trace.setSpan(ROOT_CONTEXT, span), done);
    else done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = calls.get(request);
    if (span) {
      calls.delete(request);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
  app.addHook('onClose', async () => flushTracing());
}
