import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { GraphQLError } from 'graphql';
import type { GatewayContext } from '../requestState';
import { SubgraphFaults } from '../faults';
import { SubjectsSeen } from '../subjects';
import { AgencyDataSource } from './agencyDataSource';

// The data source against a real HTTP server standing in for a subgraph: how many calls reach it.

let server: Server;
let url: string;
let received: string[];
let answer: (response: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push(body);
      answer(response);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  received = [];
});

const json = (status: number, body: unknown) => (response: ServerResponse) =>
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/** The education agency's data source (a 1 s timeout, calls in flight shared), and what a test changes. */
function dataSource(
  parts: { timeoutMs?: number; faults?: SubgraphFaults; share?: boolean; subjects?: SubjectsSeen } = {},
) {
  return new AgencyDataSource(
    'education',
    url,
    parts.timeoutMs ?? 1000,
    'key',
    undefined,
    parts.faults,
    undefined,
    parts.share ?? true,
    undefined,
    parts.subjects,
  );
}

function call(source: AgencyDataSource, operation: 'query' | 'mutation') {
  const options = {
    kind: 'incoming operation', // GraphQLDataSourceRequestKind.INCOMING_OPERATION (not exported at run time)
    request: { query: `${operation} { updateSchoolEnrolment(code: "1", enrolment: 2) { code } }` },
    context: {},
    incomingRequestContext: { operation: { operation } },
  } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;
  return source.process(options);
}

async function failure(promise: Promise<unknown>): Promise<GraphQLError> {
  try {
    await promise;
  } catch (error) {
    return error as GraphQLError;
  }
  throw new Error('expected the call to fail');
}

describe('AgencyDataSource', () => {
  it('sends a mutation once when the subgraph answers 502: no retry', async () => {
    answer = (response) => response.writeHead(502).end('bad gateway');
    const error = await failure(call(dataSource(), 'mutation'));
    expect(error.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', agency: 'education', reason: 'http-502' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toHaveLength(1);
  });

  it('sends a mutation once when the subgraph does not answer in time', async () => {
    answer = () => undefined; // never answers
    const error = await failure(call(dataSource({ timeoutMs: 150 }), 'mutation'));
    expect(error.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', agency: 'education', reason: 'timeout' });
    expect(error.message).toBe('The education subgraph did not answer within 150 ms.');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(received).toHaveLength(1);
  });

  it('stops sending once the circuit is open, and says so', async () => {
    answer = (response) => response.writeHead(503).end();
    const source = dataSource({ faults: new SubgraphFaults({ failureThreshold: 2, coolDownMs: 60_000 }) });
    for (let i = 0; i < 2; i++) expect((await failure(call(source, 'query'))).extensions.reason).toBe('http-503');
    const refused = await failure(call(source, 'mutation'));
    expect(refused.extensions).toMatchObject({
      code: 'SUBGRAPH_UNAVAILABLE',
      agency: 'education',
      reason: 'circuit-open',
    });
    expect(received).toHaveLength(2);
  });

  it('does not count GraphQL errors in a 200 answer as failures', async () => {
    answer = json(200, { data: null, errors: [{ message: 'no such school' }] });
    const faults = new SubgraphFaults({ failureThreshold: 2, coolDownMs: 60_000 });
    const source = dataSource({ faults });
    for (let i = 0; i < 4; i++) expect((await call(source, 'query')).errors).toEqual([{ message: 'no such school' }]);
    expect(received).toHaveLength(4);
    expect(faults.report('education')).toMatchObject({ circuit: 'closed', consecutiveFailures: 0, recentFailures: [] });
  });
});

describe('identical calls in flight together', () => {
  /** Answers held until `release()`, then every call at once. */
  let held: ServerResponse[];
  let released: boolean;
  let arrived = () => {};
  const holdAnswers = () => {
    held = [];
    released = false;
    answer = (response) => {
      if (released) reply(response);
      else held.push(response);
      arrived();
    };
  };
  const reply = json(200, { data: { _entities: [{ __typename: 'School', name: '一中' }] } });
  const release = () => {
    released = true;
    for (const response of held.splice(0)) reply(response);
  };
  /** Resolves once the server has received `n` calls. */
  const receivedCalls = (n: number) =>
    new Promise<void>((resolve) => {
      arrived = () => received.length >= n && resolve();
      arrived();
    });
  const entities = (requestId: string, operation: 'query' | 'mutation' = 'query', consumer = 'district-haidian') =>
    ({
      kind: 'incoming operation',
      request: {
        query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on School { name } } }',
        variables: { r: [{ __typename: 'School', code: '1' }] },
      },
      context: {
        requestId,
        identity: { consumer: { id: consumer, kind: 'DISTRICT' }, purpose: 'enrollment-planning' },
      },
      incomingRequestContext: { operation: { operation } },
    }) as unknown as GraphQLDataSourceProcessOptions<GatewayContext>;

  it('sends one call for the same query, variables and consumer, and gives each request its own answer', async () => {
    holdAnswers();
    const source = dataSource();
    const first = source.process(entities('r1'));
    const second = source.process(entities('r2'));
    // Another query, sent after both: once it has arrived, the first two were sent or shared.
    const other = call(source, 'query');
    await receivedCalls(2);
    release();
    const [a, b] = await Promise.all([first, second, other]);
    expect(received.filter((body) => body.includes('_entities'))).toHaveLength(1);
    expect(b.data).toEqual(a.data);
    (a.data as { _entities: { name: string }[] })._entities[0]!.name = 'written by the first request';
    expect((b.data as { _entities: { name: string }[] })._entities[0]!.name).toBe('一中');
  });

  it("hands each request sharing a call the agency's subjects for its audit, and none in its answer", async () => {
    const subject = {
      digest: 'a'.repeat(64),
      kind: 'person',
      type: 'Student',
      fields: ['name'],
      path: ['_entities', 0],
    };
    holdAnswers();
    const withSubjects = json(200, {
      data: { _entities: [{ __typename: 'School', name: '一中' }] },
      extensions: { cdoSubjects: [subject], note: { said: 'once' } },
    });
    answer = (response) => {
      held.push(response);
      arrived();
    };
    const seen = new SubjectsSeen();
    const source = dataSource({ subjects: seen });
    const requests = [entities('r1'), entities('r2'), entities('r3')];
    const answers = requests.map((request) => source.process(request));
    await receivedCalls(1);
    for (const response of held.splice(0)) withSubjects(response);
    const [a, b, c] = await Promise.all(answers);
    expect(received).toHaveLength(1);
    for (const request of requests) expect(seen.of(request.context!)).toEqual({ education: [subject] });
    for (const response of [a, b, c]) expect(response!.extensions).toEqual({ note: { said: 'once' } });
    // The other extensions are each request's own, like the data.
    (a!.extensions!.note as { said: string }).said = 'written by the first request';
    expect(b!.extensions!.note).toEqual({ said: 'once' });
  });

  it('sends every call of a mutation, and each consumer its own', async () => {
    holdAnswers();
    const source = dataSource();
    const calls = [
      source.process(entities('r1', 'mutation')),
      source.process(entities('r2', 'mutation')),
      source.process(entities('r3', 'query', 'district-haidian')),
      source.process(entities('r4', 'query', 'city-analytics')),
    ];
    await receivedCalls(4);
    release();
    await Promise.all(calls);
    expect(received).toHaveLength(4);
  });

  it('sends each call when sharing is off', async () => {
    holdAnswers();
    const source = dataSource({ share: false });
    const calls = [source.process(entities('r1')), source.process(entities('r2'))];
    await receivedCalls(2);
    release();
    await Promise.all(calls);
    expect(received).toHaveLength(2);
  });
});
