import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { activeTracer, flushTracing } from './tracingRuntime';

/** Probes answer orchestrators and scrapers many times a minute; their spans would bury the requests'. */
export const UNTRACED_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The server span of every HTTP request the gateway serves (probes aside): the root of the
 * request's trace — a client's own `traceparent` is not continued, since nobody outside the hub
 * decides which trace the hub's work joins. Named by method and route pattern, never the path or
 * query string, which may hold variables. The span is made the active context when the request
 * arrives and again before its handler runs (Fastify reads the body from socket events, which
 * carry no request context), so identity, the executor, the subgraph calls, the audit and every
 * log line of the request find it. Installed first, before any other hook. Tracing off, nothing.
 */
export function installRequestTracing(app: FastifyInstance): void {
  const tracer = activeTracer();
  if (!tracer) return;
  const spans = new WeakMap<FastifyRequest, Span>();
  const enter = (request: FastifyRequest, done: HookHandlerDoneFunction) => {
    const span = spans.get(request);
    if (span) context.with(trace.setSpan(ROOT_CONTEXT, span), done);
    else done();
  };
  /** Ends the request's span once: with the status sent, or (no reply) as aborted by the client. */
  const end = (request: FastifyRequest, reply: FastifyReply | undefined) => {
    const span = spans.get(request);
    if (!span) return;
    spans.delete(request);
    if (reply) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, reply.statusCode);
    else span.setAttribute('cdo_hub.aborted', true);
    if (!reply || reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    if (route !== undefined && UNTRACED_ROUTES.has(route)) return done();
    const span = tracer.startSpan(
      route === undefined ? request.method : `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { [ATTR_HTTP_REQUEST_METHOD]: request.method, ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}) },
      },
      ROOT_CONTEXT,
    );
    spans.set(request, span);
    enter(request, done);
  });
  app.addHook('preHandler', (request, _reply, done) => enter(request, done));
  app.addHook('onResponse', (request, reply, done) => {
    end(request, reply);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    end(request, undefined);
    done();
  });
  // Spans still buffered go out before the process stops (the drain closes the app last).
  app.addHook('onClose', async () => flushTracing());
}
