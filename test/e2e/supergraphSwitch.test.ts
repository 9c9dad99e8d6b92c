import { composeServices } from '@apollo/composition';
import {
  DEFAULT_CONSUMERS_FILE,
  DEFAULT_POLICY_DIR,
  DEFAULT_SUPERGRAPH_FILE,
  HubGateway,
  loadSupergraphFile,
  parseSupergraph,
  PolicyRuntime,
  type GatewayContext,
  type Supergraph,
} from '@cdo-hub/gateway';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { AGENCIES, repoRoot } from '@cdo-hub/subgraph-kit';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import pino from 'pino';
import { TEST_SECRETS } from '../harness/hubProcess';
import { readOnlyHub, type ReadOnlyHub } from '../harness/sharedHub';

// The switch itself, step by step and deterministic: a request validated against one supergraph
// executes against that same one after the gateway switched to another (here, one without the
// field the request reads), new requests use the new one, and a supergraph the policies do not
// compile against is refused while the current one keeps serving.

const educationSdl = readFileSync(join(repoRoot(), 'subgraphs', 'education', 'schema.graphql'), 'utf8');

describe('supergraph switch', () => {
  let hub: ReadOnlyHub;

  /** The committed agency SDLs with education's changed, composed (the gateway routes by subgraphUrls). */
  const composedWith = (name: string, sdl: string): Supergraph => {
    const result = composeServices(
      AGENCIES.map((agency) => ({
        name: agency.id,
        url: `http://127.0.0.1:${hub.ports[agency.id]}/graphql`,
        typeDefs: parse(
          agency.id === 'education'
            ? sdl
            : readFileSync(join(repoRoot(), 'subgraphs', agency.id, 'schema.graphql'), 'utf8'),
        ),
      })),
    );
    if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
    return parseSupergraph(result.supergraphSdl, name);
  };

  beforeAll(async () => {
    hub = await readOnlyHub();
  });
  afterAll(async () => {
    await hub?.release();
  });

  it('executes a request against the supergraph it was validated against, across a switch; refuses one the policies do not compile against', async () => {
    const logger = pino({ level: 'silent' });
    const before = loadSupergraphFile(DEFAULT_SUPERGRAPH_FILE);
    const withoutEnrolment = composedWith(
      'without-enrolment',
      educationSdl.replace('  "Number of students enrolled."\n  enrolment: Int!\n', ''),
    );
    const policies = new PolicyRuntime(
      { policyDir: DEFAULT_POLICY_DIR, consumersFile: DEFAULT_CONSUMERS_FILE },
      before,
      logger,
    );
    const gateway = new HubGateway({
      supergraph: before,
      logger,
      policies,
      subgraphUrls: Object.fromEntries(
        AGENCIES.map((agency) => [`${agency.envPrefix}_URL`, `http://127.0.0.1:${hub.ports[agency.id]}/graphql`]),
      ),
      maskHashKey: TEST_SECRETS.HUB_MASK_HASH_KEY,
      subgraphSigningKey: TEST_SECRETS.HUB_SUBGRAPH_SIGNING_KEY,
      subgraphTimeoutMs: 5000,
      retireAfterMs: 60_000,
    });
    const schemas: GraphQLSchema[] = [];
    gateway.onSchemaLoadOrUpdate(({ apiSchema }) => schemas.push(apiSchema));
    const { executor: loaded } = await gateway.load({
      apollo: { keyHash: undefined, graphRef: undefined, key: undefined },
    } as never);
    const executor = loaded!;
    try {
      const identity = {
        consumer: policies.current().consumers.consumers.get('education')!,
        purpose: 'operations',
        roles: [],
        anonymous: false,
      };
      const requestFor = (query: string, schema: GraphQLSchema): GatewayGraphQLRequestContext => {
        const document = parse(query);
        return {
          request: { query, variables: {} },
          document,
          operation: document.definitions.find(
            (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
          ),
          operationName: null,
          queryHash: createHash('sha256').update(query).digest('hex'),
          source: query,
          schema,
          context: { requestId: 'switch-test', logger, identity } satisfies GatewayContext,
          logger,
          metrics: {},
          cache: undefined,
          overallCachePolicy: undefined,
        } as unknown as GatewayGraphQLRequestContext;
      };
      const enrolments = '{ schools(first: 2) { nodes { code enrolment } } }';
      // Validated against the first supergraph...
      const inFlight = requestFor(enrolments, schemas[0]!);
      // ...then the gateway switches to one without School.enrolment...
      const switched = await gateway.switchTo(withoutEnrolment);
      expect(switched).toMatchObject({ applied: true, version: withoutEnrolment.version });
      expect(gateway.supergraph.version).toBe(withoutEnrolment.version);
      expect(schemas).toHaveLength(2);
      expect(schemas[1]!.getType('School')).toBeDefined();
      expect(Object.keys((schemas[1]!.getType('School') as { getFields(): object }).getFields())).not.toContain(
        'enrolment',
      );
      // ...and the request still executes, against the supergraph it was validated against.
      const result = await executor(inFlight);
      expect(result.errors).toBeUndefined();
      expect(
        (result.data as { schools: { nodes: { enrolment: number }[] } }).schools.nodes.every(
          (n) => typeof n.enrolment === 'number',
        ),
      ).toBe(true);
      expect(gateway.runOf(inFlight.context as GatewayContext)?.supergraphVersion).toBe(before.version);
      // New requests run on the new supergraph.
      const fresh = requestFor('{ schools(first: 2) { nodes { code name } } }', schemas[1]!);
      expect((await executor(fresh)).errors).toBeUndefined();
      expect(gateway.runOf(fresh.context as GatewayContext)?.supergraphVersion).toBe(withoutEnrolment.version);

      // A supergraph without Student.grade, which education's policy names: refused, the current one stays.
      const withoutGrade = composedWith(
        'without-grade',
        educationSdl.replace(
          '  "Grade: 0 kindergarten, 1-6 primary, 7-9 junior secondary, 10-12 senior secondary, 13-16 undergraduate years 1-4."\n  grade: Int\n',
          '',
        ),
      );
      const refused = await gateway.switchTo(withoutGrade);
      expect(refused).toMatchObject({
        applied: false,
        reason: expect.stringMatching(/sharing policies do not compile against it.*Student\.grade/),
      });
      expect(gateway.supergraph.version).toBe(withoutEnrolment.version);
      expect(schemas).toHaveLength(2);
      expect(
        (await executor(requestFor('{ schools(first: 1) { nodes { name } } }', schemas[1]!))).errors,
      ).toBeUndefined();
    } finally {
      policies.close();
      await gateway.stop();
    }
  });
});
