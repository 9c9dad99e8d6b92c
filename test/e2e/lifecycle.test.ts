import { repoRoot } from '@cdo-hub/subgraph-kit';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import { asOperator, HubProcess } from '../harness/hubProcess';

// How the hub behaves as processes: start-up output, health and readiness, errors through the
// gateway, a missing agency, and a clean stop.

let hub: HubProcess;

beforeAll(async () => {
  hub = await HubProcess.start();
});

afterAll(async () => {
  await hub?.stop();
});

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('hub start', () => {
  it('seeds the missing databases and prints every URL once ready', () => {
    expect(hub.log).toMatch(/seeding education \(small\)/);
    expect(hub.log).toMatch(/cdo-hub ready in \d+\.\d s/);
    expect(hub.log).toContain(`gateway     http://127.0.0.1:${hub.ports.gateway}/graphql`);
    for (const agency of ['education', 'development-reform', 'science']) {
      expect(hub.log).toContain(`http://127.0.0.1:${hub.ports[agency]}/graphql`);
    }
  });

  it('answers /healthz on the gateway and on every subgraph', async () => {
    for (const port of Object.values(hub.ports)) {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(response.status).toBe(200);
    }
  });

  it('reports readiness with the supergraph version and each subgraph', async () => {
    const response = await fetch(`http://127.0.0.1:${hub.ports.gateway}/readyz`, { headers: await asOperator() });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      status: string;
      ready: boolean;
      supergraph: { loaded: boolean; version: string };
      subgraphs: { name: string; reachable: boolean }[];
    };
    expect(body.ready).toBe(true);
    expect(body.status).toBe('ready');
    expect(body.supergraph).toMatchObject({ loaded: true, version: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(body.subgraphs.map((s) => [s.name, s.reachable]).sort()).toEqual([
      ['development-reform', true],
      ['education', true],
      ['science', true],
    ]);
  });
});

describe('errors through the gateway', () => {
  it('returns a catalogued code naming the agency for a bad identifier, and still serves the rest', async () => {
    const { status, body } = await hub.query('{ school(code: "123") { name } districts(first: 1) { nodes { code } } }');
    expect(status).toBe(200);
    expect(body.data?.districts.nodes).toHaveLength(1);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({
      path: ['school'],
      extensions: { code: 'INVALID_IDENTIFIER', agency: 'education', identifier: 'SCHOOL_CODE' },
    });
  });

  it('answers validation and parse errors with 400 and their codes', async () => {
    const invalid = await hub.query('{ school(code: "2111000001") { nosuchfield } }');
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const unparsable = await hub.query('{ school(code: ');
    expect(unparsable.status).toBe(400);
    expect(unparsable.body.errors![0]!.extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    // Operation limits, checked before planning: depth 15 is accepted, 16 is refused with its code.
    const nested = (tail: string) =>
      `{ districts(first: 1) { nodes { investmentProjects(first: 1) { nodes { school { district { investmentProjects(first: 1) { nodes { school { district { investmentProjects(first: 1) { nodes { school { district { ${tail} } } } } } } } } } } } } } } }`;
    expect((await hub.query(nested('name'))).status).toBe(200);
    const deep = await hub.query(nested('investmentProjects(first: 1) { totalCount }'));
    expect(deep.status).toBe(400);
    expect(deep.body.errors![0]).toMatchObject({
      message: 'The operation has 16 fields nested; this hub accepts at most 15.',
      extensions: { code: 'OPERATION_TOO_DEEP', limit: 15, actual: 16 },
    });
    // An operationName the document does not define is the client's mistake too, not an internal error.
    const unknown = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query A { districts(first: 1) { totalCount } }', operationName: 'B' }),
    });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).errors[0]).toMatchObject({
      message: 'The document defines no operation named "B".',
      extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
    });
  });

  it('answers with its own request id, never one the client chose (audit records are keyed by it)', async () => {
    const first = await hub.query('{ __typename }', {}, { 'x-request-id': 'e2e-trace-1' });
    const second = await hub.query('{ __typename }', {}, { 'x-request-id': 'e2e-trace-1' });
    expect(first.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
  });

  it('answers HTTP-level mistakes with catalogued codes', async () => {
    const base = hub.gatewayUrl.replace('/graphql', '');
    const badJson = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'BAD_REQUEST',
    );
    const noRoute = await fetch(`${base}/nowhere`);
    expect(noRoute.status).toBe(404);
    expect(((await noRoute.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'NOT_FOUND',
    );
  });
});

describe('hub gateway with an agency missing', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    const closedPort = await freePort();
    gateway = await GatewayProcess.start(
      ['--supergraph', join(repoRoot(), 'schema', 'supergraph.graphql')],
      await freePort(),
      {
        EDUCATION_URL: `http://127.0.0.1:${hub.ports.education}/graphql`,
        DEVELOPMENT_REFORM_URL: `http://127.0.0.1:${hub.ports['development-reform']}/graphql`,
        SCIENCE_URL: `http://127.0.0.1:${closedPort}/graphql`,
      },
    );
  });

  afterAll(async () => {
    expect(await gateway?.stop()).toBe(0);
  });

  it('serves the other agencies’ data, with an error naming the missing one', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ districts(first: 2) { nodes { name schoolCount highTechEnterpriseCount } } }' }),
    });
    const body = (await response.json()) as { data: any; errors: { extensions: Record<string, unknown> }[] };
    expect(response.status).toBe(200);
    expect(body.data.districts.nodes[0].name).toBe('东城区');
    expect(body.data.districts.nodes[0].schoolCount).toBeGreaterThan(0);
    expect(body.errors.map((e) => e.extensions)).toContainEqual(
      expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', agency: 'science' }),
    );
  });

  it('is degraded but still ready (it answers with partial data), and says which subgraph is unreachable', async () => {
    const response = await fetch(gateway.url.replace('/graphql', '/readyz'), { headers: await asOperator() });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      status: string;
      ready: boolean;
      subgraphs: { name: string; reachable: boolean }[];
    };
    expect(body).toMatchObject({ status: 'degraded', ready: true });
    expect(body.subgraphs.filter((s) => !s.reachable).map((s) => s.name)).toEqual(['science']);
  });
});

describe('stopping', () => {
  // The file's own hub, after everything above has used it (the last test here; afterAll finds it stopped).
  it('SIGTERM stops the gateway and every subgraph and exits 0', async () => {
    const ports = Object.values(hub.ports);
    expect(await Promise.all(ports.map(isListening))).toEqual(ports.map(() => true));
    expect(await hub.stop()).toBe(0);
    expect(await Promise.all(ports.map(isListening))).toEqual(ports.map(() => false));
  });
});
