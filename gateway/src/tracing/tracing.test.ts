import { parseTraceparent } from '@cdo-hub/contracts';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import Fastify from 'fastify';
import pino from 'pino';
import { hubError } from '../errors';
import { outgoingTraceContext, traceSubgraphFetch } from './fetchSpans';
import { inSpan } from './inSpan';
import { traceIdsInLogs } from './logTraceIds';
import { installRequestTracing } from './requestSpans';
import { activeTracer, flushTracing, startTracing } from './tracingRuntime';

// The gateway's span helpers with tracing on, spans kept in memory.

const exporter = new InMemorySpanExporter();

beforeAll(async () => {
  expect(activeTracer()).toBeUndefined();
  // No endpoint named: off, unless a test exporter is given.
  expect(await startTracing({}, 'cdo-hub-gateway')).toBeUndefined();
  expect(activeTracer()).toBeUndefined();
  const running = await startTracing({ OTEL_SERVICE_NAME: 'ignored-here' }, 'cdo-hub-gateway', { exporter });
  expect(running?.serviceName).toBe('cdo-hub-gateway');
});

beforeEach(async () => {
  await flushTracing();
  exporter.reset();
});

async function finished() {
  await flushTracing();
  return exporter.getFinishedSpans();
}

it('ends a span when its work settles, and says a failure by its code and reason, never its message', async () => {
  expect(inSpan('sync', () => 41 + 1)).toBe(42);
  await expect(inSpan('async', async () => 'done', { describe: (value) => ({ length: value.length }) })).resolves.toBe(
    'done',
  );
  await expect(
    inSpan('failing', async () => {
      throw hubError('SUBGRAPH_UNAVAILABLE', 'The education subgraph at 10.0.0.7 did not answer.', {
        agency: 'education',
        reason: 'timeout',
      });
    }),
  ).rejects.toThrow('did not answer');
  const spans = await finished();
  expect(spans.map((span) => span.name)).toEqual(['sync', 'async', 'failing']);
  expect(spans[1]!.attributes).toEqual({ length: 4 });
  const failed = spans[2]!;
  expect(failed.status.code).toBe(SpanStatusCode.ERROR);
  expect(failed.attributes).toEqual({ 'error.type': 'SUBGRAPH_UNAVAILABLE', 'cdo_hub.error.reason': 'timeout' });
  expect(failed.events).toEqual([]);
});

it("sends the fetch span's own traceparent on the call it makes, and none outside a span", async () => {
  expect(outgoingTraceContext()).toEqual({});
  const sent = await traceSubgraphFetch('education', async () => outgoingTraceContext());
  const [fetch] = await finished();
  expect(fetch!.kind).toBe(SpanKind.CLIENT);
  expect(fetch!.attributes).toEqual({ 'cdo_hub.agency': 'education' });
  expect(parseTraceparent(sent.traceparent)).toEqual({
    traceId: fetch!.spanContext().traceId,
    spanId: fetch!.spanContext().spanId,
    flags: 1,
  });
});

it('writes the active span on each log line, and the line keeps its own fields', () => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ ...traceIdsInLogs() }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  logger.info({ url: 'http://gateway/graphql' }, 'outside');
  inSpan('logging', () => logger.info({ operationName: 'Q' }, 'inside'));
  logger.info({ url: 'again' }, 'outside again');
  expect(lines[0]).toMatchObject({ url: 'http://gateway/graphql', msg: 'outside' });
  expect(lines[0]).not.toHaveProperty('trace_id');
  expect(lines[1]).toMatchObject({ operationName: 'Q', trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
  expect(lines[2]).toMatchObject({ url: 'again' });
  expect(trace.getActiveSpan()).toBeUndefined();
});

it('makes each request a root server span named by its route, never by its path or query; probes make none', async () => {
  const app = Fastify();
  installRequestTracing(app);
  let seenInHandler: string | undefined;
  app.post('/graphql', async () => {
    seenInHandler = trace.getActiveSpan()?.spanContext().spanId;
    return { data: null };
  });
  app.get('/catalog/:agency', async () => ({}));
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async () => ({ status: 'ok' }));
  app.get('/metrics', async () => '');
  await app.inject({
    method: 'POST',
    url: '/graphql?variables=CNRYsecret01',
    headers: {
      'content-type': 'application/json',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    },
    payload: '{"query":"{ a }","variables":{"v":"CNRYsecret02"}}',
  });
  await app.inject({ method: 'GET', url: '/catalog/CNRYsecret03' });
  for (const probe of ['/healthz', '/readyz', '/metrics']) await app.inject({ method: 'GET', url: probe });
  await app.close();
  const spans = await finished();
  expect(spans.map((span) => span.name)).toEqual(['POST /graphql', 'GET /catalog/:agency']);
  const [graphql] = spans;
  expect(graphql!.kind).toBe(SpanKind.SERVER);
  expect(graphql!.parentSpanContext).toBeUndefined();
  expect(graphql!.spanContext().traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  expect(seenInHandler).toBe(graphql!.spanContext().spanId);
  expect(graphql!.attributes).toEqual({
    'http.request.method': 'POST',
    'http.route': '/graphql',
    'http.response.status_code': 200,
  });
  expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain('CNRY');
});

it("keeps Apollo Gateway's plan span and drops its others, whose children hang from the hub's span above", async () => {
  const apollo = trace.getTracer('apollo/gateway-js', '2.14.4');
  inSpan('POST /graphql', () =>
    apollo.startActiveSpan('gateway.request', (request) => {
      apollo.startActiveSpan('gateway.plan', { attributes: { 'graphql.operation.name': 'Q' } }, (plan) => plan.end());
      apollo.startActiveSpan('gateway.fetch', { attributes: { service: 'education' } }, (fetch) => {
        inSpan('hub.subgraph_fetch', () => undefined);
        fetch.end();
      });
      request.end();
    }),
  );
  const spans = await finished();
  const byName = new Map(spans.map((span) => [span.name, span]));
  expect([...byName.keys()].sort()).toEqual(['POST /graphql', 'gateway.plan', 'hub.subgraph_fetch']);
  const root = byName.get('POST /graphql')!.spanContext().spanId;
  expect(byName.get('gateway.plan')!.parentSpanContext?.spanId).toBe(root);
  expect(byName.get('hub.subgraph_fetch')!.parentSpanContext?.spanId).toBe(root);
});
