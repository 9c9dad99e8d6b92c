import {
  CONSUMER_HEADER,
  formatTraceparent,
  SIGNATURE_HEADER,
  signedSubgraphHeaders,
  TRACEPARENT_HEADER,
} from '@cdo-hub/contracts';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance } from 'fastify';
import { parse } from 'graphql';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { AgencyDatabase } from '../database';
import { createSubgraphApp, type SubgraphContext, type SubgraphDefinition } from '../server';
import { flushTracing, startTracing } from './tracingRuntime';

// An agency's call in process with tracing on, its spans kept in memory: the call continues the
// trace its signed traceparent names, its DataLoader batch and SQL statements are its children,
// its log lines name the trace — and a traceparent changed on the way is refused with the call.

const key = 'call-spans-test-key-0123456789abcdefghij';
const definition: SubgraphDefinition = {
  name: 'education',
  typeDefs: parse('type Query { districtNames(codes: [String!]!): [String] }'),
  resolvers: {
    Query: {
      districtNames: (_: unknown, args: { codes: string[] }, context: SubgraphContext) =>
        Promise.all(
          args.codes.map(
            async (code) =>
              (await context.loaders.rowsByKey<{ name: string }>('districts', 'code').load(code))?.name ?? null,
          ),
        ),
    },
  },
};
const body = {
  query: 'query Names($codes: [String!]!) { districtNames(codes: $codes) }',
  variables: { codes: ['110101', '110108'] },
  operationName: 'Names',
};
const parent = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: 1 };

const exporter = new InMemorySpanExporter();
const lines: Record<string, any>[] = [];
let dir: string;
let db: AgencyDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  await startTracing({}, 'cdo-hub-education', { exporter });
  dir = mkdtempSync(join(tmpdir(), 'cdo-hub-call-spans-'));
  db = new AgencyDatabase(join(dir, 'education.sqlite'));
  db.run('CREATE TABLE districts (code TEXT PRIMARY KEY, name TEXT)');
  db.run("INSERT INTO districts VALUES ('110101', '东城区'), ('110108', '海淀区')");
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  app = await createSubgraphApp({ definition, db, logger, signingKey: key });
});

afterAll(async () => {
  await app.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => exporter.reset());

function call(headers: Record<string, string>, payload: object = body) {
  return app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(payload),
  });
}

async function exported(): Promise<ReadableSpan[]> {
  await flushTracing();
  return exporter.getFinishedSpans();
}

it('continues the signed trace: the call under the gateway span, its batch and statement under the call', async () => {
  const headers = signedSubgraphHeaders(key, 'education', body, undefined, { traceparent: formatTraceparent(parent) });
  const response = await call(headers);
  expect(response.json()).toEqual({ data: { districtNames: ['东城区', '海淀区'] } });
  const spans = await exported();
  const server = spans.find((span) => span.kind === SpanKind.SERVER)!;
  expect(server.spanContext().traceId).toBe(parent.traceId);
  expect(server.parentSpanContext?.spanId).toBe(parent.spanId);
  expect(server.attributes).toMatchObject({ 'cdo_hub.agency': 'education', 'graphql.operation.name': 'Names' });
  const batch = spans.find((span) => span.name === 'dataloader.batch rowsByKey')!;
  expect(batch.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
  expect(batch.attributes).toEqual({ 'cdo_hub.loader': 'rowsByKey', 'cdo_hub.batch.size': 2 });
  const statement = spans.find((span) => span.name === 'SELECT districts')!;
  expect(statement.parentSpanContext?.spanId).toBe(batch.spanContext().spanId);
  expect(statement.attributes).toEqual({
    'db.system.name': 'sqlite',
    'db.operation.name': 'SELECT',
    'db.collection.name': 'districts',
    'db.response.returned_rows': 2,
  });
  // No key, name or SQL parameter in any of them.
  expect(JSON.stringify(spans.map((span) => [span.name, span.attributes]))).not.toMatch(/110101|110108|东城区|海淀区/);
  // The call's log line leads to its span.
  const line = lines.find((l) => l.msg === 'subgraph call' && l.trace_id === parent.traceId);
  expect(line?.span_id).toBe(server.spanContext().spanId);
});

it('refuses a call whose traceparent was changed, added or stripped, and traces none of them', async () => {
  const signed = signedSubgraphHeaders(key, 'education', body, undefined, { traceparent: formatTraceparent(parent) });
  const unsigned = signedSubgraphHeaders(key, 'education', body);
  const attempts: Record<string, string>[] = [
    { ...signed, [TRACEPARENT_HEADER]: formatTraceparent({ ...parent, traceId: 'f'.repeat(32) }) },
    { ...signed, [TRACEPARENT_HEADER]: formatTraceparent({ ...parent, flags: 0 }) },
    { ...unsigned, [TRACEPARENT_HEADER]: formatTraceparent(parent) },
    { [SIGNATURE_HEADER]: signed[SIGNATURE_HEADER]! },
  ];
  for (const headers of attempts) {
    const response = await call(headers);
    expect(response.statusCode).toBe(401);
    expect(response.json().errors[0].extensions).toEqual({ code: 'SUBGRAPH_CALL_REFUSED', reason: 'bad-signature' });
  }
  expect(await exported()).toEqual([]);
});

it('starts a trace of its own for a signed call without a traceparent; the readiness probe and idle SQL make no span', async () => {
  const response = await call(signedSubgraphHeaders(key, 'education', body, { consumer: 'c', requestId: 'r' }));
  expect(response.statusCode).toBe(200);
  const probe = { query: 'query __HubReadiness { __typename }' };
  expect((await call(signedSubgraphHeaders(key, 'education', probe), probe)).statusCode).toBe(200);
  db.all('SELECT * FROM districts');
  const spans = await exported();
  const servers = spans.filter((span) => span.kind === SpanKind.SERVER);
  expect(servers).toHaveLength(1);
  expect(servers[0]!.parentSpanContext).toBeUndefined();
  expect(spans.every((span) => span.spanContext().traceId === servers[0]!.spanContext().traceId)).toBe(true);
  expect(lines.find((l) => l.msg === 'subgraph call' && l.consumer === 'c')).toMatchObject({
    trace_id: servers[0]!.spanContext().traceId,
  });
  expect(CONSUMER_HEADER).toBe('x-hub-consumer');
});
