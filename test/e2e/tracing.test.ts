import { AGENCIES, repoRoot } from '@cdo-hub/subgraph-kit';
import { join } from 'node:path';
import { CanaryHub, connectionPaths, walkConnection, walkRoots, type WalkingHub } from '../harness/canary';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import { as, asOperator } from '../harness/hubProcess';
import { OtlpReceiver, SPAN_KIND, type ReceivedSpan } from '../harness/otlpReceiver';
import { until } from '../harness/until';

// OpenTelemetry across processes, as `hub start` runs them with OTEL_EXPORTER_OTLP_ENDPOINT set:
// every process exports OTLP/HTTP protobuf (the default) to a real receiver in this test, which
// decodes it. One request is one trace — the gateway's spans, and under its fetch spans each
// agency's call with its resolvers' SQL — joined through the signed traceparent; the log lines
// carry the trace's ids; probes leave no spans; and no span carries a variable, a value, a token
// or a row key, checked on the real exports against every canary the data holds.

let receiver: OtlpReceiver;
let hub: CanaryHub;

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  hub = await CanaryHub.start({
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Exported within 50 ms of ending, so the test waits on spans, not on the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '50',
      // The agencies' per-call line is written at debug.
      LOG_LEVEL: 'debug',
    },
  });
}, 180_000);

afterAll(async () => {
  await hub?.stop();
  await receiver?.close();
});

/** The JSON log lines of one request, from every process, whole lines only. */
const logLinesOf = (requestId: string) =>
  hub.log
    .split('\n')
    .slice(0, -1)
    .filter((line) => line.includes(requestId))
    .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>);

const byId = (spans: ReceivedSpan[]) => new Map(spans.map((span) => [span.spanId, span]));

/** A span and its ancestors within the trace, nearest first. */
function ancestry(span: ReceivedSpan, spans: Map<string, ReceivedSpan>): ReceivedSpan[] {
  const chain: ReceivedSpan[] = [];
  for (let parent = span.parentSpanId && spans.get(span.parentSpanId); parent;)
    parent = (chain.push(parent), parent.parentSpanId && spans.get(parent.parentSpanId));
  return chain;
}

/** One trace as an indented tree: service, name and attributes of each span. */
function printTrace(spans: ReceivedSpan[]): string {
  const children = new Map<string | undefined, ReceivedSpan[]>();
  for (const span of spans) children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span]);
  const lines: string[] = [];
  const walk = (span: ReceivedSpan, depth: number) => {
    lines.push(`${'  '.repeat(depth)}${span.service} · ${span.name} ${JSON.stringify(span.attributes)}`);
    for (const child of children.get(span.spanId) ?? []) walk(child, depth + 1);
  };
  for (const root of spans.filter((span) => !span.parentSpanId)) walk(root, 0);
  return lines.join('\n');
}

const CROSS_AGENCY = `query TracedDistricts {
  districts(first: 3) { nodes { code name schoolCount investmentProjectCount technologyContractAmount highTechEnterpriseCount } }
}`;

it('makes one request one trace: the gateway, and each agency it touched under the fetch span that called it', async () => {
  const response = await hub.hub.query(CROSS_AGENCY, {}, await as('city-analytics', 'statistics'));
  expect(response.status).toBe(200);
  expect(response.body.errors).toBeUndefined();
  const requestId = response.headers.get('x-request-id')!;
  // The gateway's request line names the trace (trace ids in the logs); its spans follow it out.
  await until(() => logLinesOf(requestId).some((line) => line.msg === 'graphql request'), 15_000, 50, {
    what: "the gateway's request line",
  });
  const requestLine = logLinesOf(requestId).find((line) => line.msg === 'graphql request')!;
  const traceId = requestLine.trace_id as string;
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  const services = ['cdo-hub-gateway', ...AGENCIES.map((agency) => `cdo-hub-${agency.id}`)];
  // The gateway's server span ends last, once the answer has gone out.
  await until(
    () => {
      const spans = receiver.trace(traceId);
      return (
        services.every((service) => spans.some((span) => span.service === service)) &&
        spans.some((span) => span.name === 'POST /graphql' && span.service === 'cdo-hub-gateway')
      );
    },
    15_000,
    50,
    { what: `the spans of trace ${traceId} from the gateway and the three agencies` },
  );
  const spans = receiver.trace(traceId);
  console.log(`one request's trace (${spans.length} spans):\n${printTrace(spans)}`);
  const index = byId(spans);

  // One root, the gateway's server span; every other span's parent is in the same trace.
  const roots = spans.filter((span) => !span.parentSpanId);
  expect(roots.map((span) => [span.service, span.name, span.kind])).toEqual([
    ['cdo-hub-gateway', 'POST /graphql', SPAN_KIND.server],
  ]);
  expect(roots[0]!.attributes).toMatchObject({ 'http.route': '/graphql', 'http.response.status_code': 200 });
  for (const span of spans) if (span.parentSpanId) expect(index.has(span.parentSpanId)).toBe(true);
  expect([...new Set(spans.map((span) => span.service))].sort()).toEqual([...services].sort());

  // The gateway's stages.
  const gateway = spans.filter((span) => span.service === 'cdo-hub-gateway');
  const named = (name: string) => gateway.filter((span) => span.name === name);
  expect(named('hub.identity')[0]?.attributes).toEqual({ 'cdo_hub.identity.outcome': 'consumer' });
  expect(named('hub.operation_view')[0]?.attributes).toMatchObject({
    'cdo_hub.view.cached': false,
    'cdo_hub.operation.hash': expect.stringMatching(/^[0-9a-f]{64}$/),
  });
  expect(named('gateway.plan')).toHaveLength(1);
  expect(named('hub.audit_write')[0]?.attributes).toMatchObject({ 'cdo_hub.records': expect.any(Number) });

  // Each agency's call: a server span whose parent is the gateway's client span fetching from it.
  for (const agency of AGENCIES) {
    const calls = spans.filter((span) => span.service === `cdo-hub-${agency.id}` && span.kind === SPAN_KIND.server);
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      const fetch = index.get(call.parentSpanId!)!;
      expect(fetch).toMatchObject({ service: 'cdo-hub-gateway', name: 'hub.subgraph_fetch', kind: SPAN_KIND.client });
      expect(fetch.attributes).toMatchObject({ 'cdo_hub.agency': agency.id, 'cdo_hub.shared_in_flight': false });
      expect(call.attributes).toMatchObject({ 'cdo_hub.agency': agency.id, 'http.response.status_code': 200 });
    }
    // Its resolvers' SQL: statements (and DataLoader batches) inside its calls.
    const statements = spans.filter(
      (span) => span.service === `cdo-hub-${agency.id}` && span.attributes['db.system.name'] === 'sqlite',
    );
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements)
      expect(calls).toContain(ancestry(statement, index).find((span) => span.kind === SPAN_KIND.server));
  }
  expect(spans.some((span) => span.name.startsWith('dataloader.batch '))).toBe(true);
  for (const fetch of named('hub.subgraph_fetch'))
    expect(['hit', 'partial', 'miss', 'bypass']).toContain(fetch.attributes['cdo_hub.fetch_cache.result']);

  // The agencies' lines of this request carry the trace, and the span of the call that wrote them.
  for (const agency of AGENCIES) {
    const line = logLinesOf(requestId).find((l) => l.name === agency.id && l.msg === 'subgraph call');
    expect(line).toBeDefined();
    expect(line!.trace_id).toBe(traceId);
    const call = index.get(line!.span_id as string);
    expect(call).toMatchObject({ service: `cdo-hub-${agency.id}`, kind: SPAN_KIND.server });
  }
  expect(receiver.refused).toEqual([]);
});

it('records no variable, value, token, header or row key in any exported attribute or event', async () => {
  const canaryVariable = 'CNRYvarTracing00001';
  const clientRequestId = 'CNRYhdrTracing00001';
  const headers = await as('district-haidian', 'enrollment-planning');
  const token = headers.authorization!.slice('Bearer '.length);
  const before = receiver.spans.length;
  // A variable, a client request id and a token that must not come back out in a span.
  for (const [query, variables] of [
    // Reaches the agency with its variable (an open filter)…
    [
      'query Prices($commodity: String) { priceObservations(commodity: $commodity, first: 2) { totalCount } }',
      { commodity: canaryVariable },
    ],
    // …and one the gateway refuses (a district outside the grant's scope).
    [
      'query ByDistrict($code: ID) { schools(districtCode: $code, first: 2) { nodes { name } } }',
      { code: canaryVariable },
    ],
  ] as const) {
    const response = await fetch(hub.hub.gatewayUrl, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'x-request-id': clientRequestId },
      body: JSON.stringify({ query, variables }),
    });
    expect(response.status).toBeLessThan(500);
  }
  await fetch(
    `${hub.hub.gatewayUrl}?query=${encodeURIComponent('{ districts(first: 1) { totalCount } }')}&v=${canaryVariable}`,
    {
      headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${token}x` },
    },
  );
  // Every view walks every connection once (page, cached page, GET, CSV, next page by cursor):
  // answers full of canaries, masked values, withheld fields and their errors.
  const paths = connectionPaths(hub.schema, walkRoots(hub.hub), { maxDepth: 2, pathsPerConnection: 1 });
  let requests = 0;
  const canariesAnswered = new Set<string>();
  const recording: WalkingHub = {
    async graphql(view, query, variables, method) {
      const exchange = await hub.graphql(view, query, variables, method);
      for (const { canary } of hub.canaries.find(exchange.bodyText)) canariesAnswered.add(canary.mark);
      return exchange;
    },
  };
  for (const view of hub.views)
    for (const path of paths)
      requests += await walkConnection(recording, view, path, { pages: 2, parentFirst: 2, first: 2 });
  // The answers did carry canaries — values and row keys — so a leak would have had something to leak.
  expect(requests).toBeGreaterThan(50);
  expect(canariesAnswered.size).toBeGreaterThan(100);
  // A last request marks the end: once its spans are in, the earlier ones were exported before it.
  const last = await hub.hub.query('query LastOne { districts(first: 1) { totalCount } }', {}, headers);
  const lastRequest = last.headers.get('x-request-id')!;
  await until(
    () => {
      const line = logLinesOf(lastRequest).find((l) => l.msg === 'graphql request');
      return !!line && receiver.trace(line.trace_id as string).some((span) => span.name === 'POST /graphql');
    },
    30_000,
    50,
    { what: 'the spans of the last request' },
  );
  const exported = receiver.spans.slice(before);
  expect(exported.length).toBeGreaterThan(requests);
  const findings: string[] = [];
  for (const span of exported) {
    const text = JSON.stringify([span.name, span.attributes, span.events]);
    for (const { canary } of hub.canaries.find(text))
      findings.push(`${span.service} ${span.name}: canary ${canary.mark} (${canary.coordinate})`);
    for (const needle of [canaryVariable, clientRequestId, token, token.split('.')[2]!])
      if (text.includes(needle)) findings.push(`${span.service} ${span.name}: ${needle}`);
  }
  expect(findings).toEqual([]);
  console.log(
    `${requests} requests answered ${canariesAnswered.size} distinct canaries; ${exported.length} spans exported, none carries one`,
  );
}, 600_000);

it('traces no probe: /healthz, /readyz and /metrics, nor the readiness calls to the agencies', async () => {
  const operator = await asOperator();
  const gateway = new URL(hub.hub.gatewayUrl).origin;
  for (const path of ['/healthz', '/readyz', '/metrics']) {
    const response = await fetch(`${gateway}${path}`, { headers: operator });
    expect(response.status).toBe(200);
  }
  const last = await hub.hub.query('query AfterProbes { districts(first: 1) { totalCount } }');
  const lastRequest = last.headers.get('x-request-id')!;
  await until(
    () => {
      const line = logLinesOf(lastRequest).find((l) => l.msg === 'graphql request');
      return !!line && receiver.trace(line.trace_id as string).some((span) => span.name === 'POST /graphql');
    },
    15_000,
    50,
    { what: 'the spans of the request after the probes' },
  );
  const probes = receiver.spans.filter((span) =>
    ['/healthz', '/readyz', '/metrics'].includes(span.attributes['http.route'] as string),
  );
  expect(probes.map((span) => span.name)).toEqual([]);
  // /readyz asked every agency (signed, without a traceparent): no agency span is left without a parent.
  const agencyRoots = receiver.spans.filter((span) => span.service !== 'cdo-hub-gateway' && !span.parentSpanId);
  expect(agencyRoots).toEqual([]);
});

it('traces `hub gateway` run alone too: OTLP/JSON, its own service name, the agencies joining its trace', async () => {
  const gateway = await GatewayProcess.start(
    ['--supergraph', join(repoRoot(), 'schema', 'supergraph.graphql')],
    await freePort(),
    {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'cdo-hub-gateway-alone',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      ...Object.fromEntries(
        AGENCIES.map((agency) => [`${agency.envPrefix}_URL`, `http://127.0.0.1:${hub.hub.ports[agency.id]}/graphql`]),
      ),
    },
  );
  try {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { ...(await as('city-analytics', 'statistics')), 'content-type': 'application/json' },
      body: JSON.stringify({ query: CROSS_AGENCY }),
    });
    expect(response.status).toBe(200);
    const fetchesOf = () =>
      receiver.spans.filter((span) => span.service === 'cdo-hub-gateway-alone' && span.name === 'hub.subgraph_fetch');
    await until(() => fetchesOf().length === AGENCIES.length, 15_000, 50, { what: "the lone gateway's fetch spans" });
    const traceId = fetchesOf()[0]!.traceId;
    // Its spans came as JSON; the agencies', in the same trace, as protobuf.
    expect(receiver.exports.some((e) => e.contentType.startsWith('application/json') && e.spans.length > 0)).toBe(true);
    await until(
      () => AGENCIES.every((agency) => receiver.trace(traceId).some((span) => span.service === `cdo-hub-${agency.id}`)),
      15_000,
      50,
      { what: "the agencies joining the lone gateway's trace" },
    );
    const fetchIds = new Set(fetchesOf().map((span) => span.spanId));
    const calls = receiver
      .trace(traceId)
      .filter((span) => span.service !== 'cdo-hub-gateway-alone' && span.kind === SPAN_KIND.server);
    expect(calls.length).toBeGreaterThanOrEqual(AGENCIES.length);
    for (const call of calls) expect(fetchIds.has(call.parentSpanId!)).toBe(true);
  } finally {
    await gateway.stop();
  }
});
