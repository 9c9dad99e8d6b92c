import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'graphql';
import pino from 'pino';
import { loadGatewayConfig } from '../config';
import { startGatewayServer, type GatewayServer } from '../http';
import { signDevelopmentToken } from '../identity';
import { composeTestSupergraph, TEST_POLICY_YAML, TEST_SUBGRAPH_SDL } from '../policy/argumentsGraph.test-helpers';

/**
 * The test graph of `policy/argumentsGraph.test-helpers.ts` served for real: its subgraph over a
 * few pupils on an HTTP port, and the hub's gateway in front of it with the test policy — the
 * whole request path (identity, views, caches, reshaping), in process.
 */
export interface Pupil {
  idNumber: string;
  name: string;
  grade: number;
  healthStatus: 'HEALTHY' | 'FOLLOW_UP';
  schoolCode: string;
}

/** Schools of 12, 4, 5 and 0 pupils: a count above, below and at the threshold of 5, and none. */
export const SCHOOLS = [
  { code: '1100000001', name: '大学附小', size: 12 },
  { code: '1100000002', name: '山村小学', size: 4 },
  { code: '1100000003', name: '河边小学', size: 5 },
  { code: '1100000004', name: '新校', size: 0 },
];
const FAMILY_NAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙'];

export const PUPILS: readonly Pupil[] = SCHOOLS.flatMap((school, s) =>
  Array.from({ length: school.size }, (_, i): Pupil => {
    const n = s * 20 + i;
    return {
      idNumber: `1101082015${String(1 + (n % 12)).padStart(2, '0')}${String(1 + ((n * 7) % 28)).padStart(2, '0')}${String(100 + n * 13).padStart(3, '0')}${n % 10}`,
      name: `${FAMILY_NAMES[(n * 5) % 12]}小${'明红刚丽'[n % 4]}`,
      grade: 1 + ((n * 5) % 6),
      healthStatus: n % 3 === 0 ? 'FOLLOW_UP' : 'HEALTHY',
      schoolCode: school.code,
    };
  }),
);

type Order = 'NAME' | 'GRADE' | 'ID_NUMBER';
const ORDER_KEY: Record<Order, keyof Pupil> = { NAME: 'name', GRADE: 'grade', ID_NUMBER: 'idNumber' };

function page(pupils: readonly Pupil[], first = 10) {
  return {
    nodes: pupils.slice(0, first),
    totalCount: pupils.length,
    pageInfo: { hasNextPage: pupils.length > first, endCursor: null },
  };
}

const resolvers = {
  Query: {
    studentByIdNumber: (_: unknown, { idNumber }: { idNumber: string }) =>
      PUPILS.find((p) => p.idNumber === idNumber) ?? null,
    students: (
      _: unknown,
      args: { orderBy?: Order; healthStatus?: string; grade?: number; schoolCode?: string; first?: number },
    ) => {
      let pupils = PUPILS.filter(
        (p) =>
          (args.healthStatus === undefined || args.healthStatus === null || p.healthStatus === args.healthStatus) &&
          (args.grade == null || p.grade === args.grade) &&
          (args.schoolCode == null || p.schoolCode === args.schoolCode),
      );
      if (args.orderBy) {
        const key = ORDER_KEY[args.orderBy];
        pupils = [...pupils].sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0));
      }
      return page(pupils, args.first);
    },
    seniorStudents: (_: unknown, args: { fromGrade: number; first?: number }) =>
      page(
        PUPILS.filter((p) => p.grade >= args.fromGrade),
        args.first,
      ),
    school: (_: unknown, { code }: { code: string }) => SCHOOLS.find((s) => s.code === code) ?? null,
    schools: () => SCHOOLS,
  },
  School: {
    __resolveReference: ({ code }: { code: string }) => SCHOOLS.find((s) => s.code === code) ?? null,
    studentCount: (school: { code: string }) => PUPILS.filter((p) => p.schoolCode === school.code).length,
    students: (school: { code: string }, args: { healthStatus?: string; first?: number }) =>
      page(
        PUPILS.filter(
          (p) => p.schoolCode === school.code && (args.healthStatus == null || p.healthStatus === args.healthStatus),
        ),
        args.first,
      ),
  },
  Student: {
    school: (pupil: Pupil) => SCHOOLS.find((s) => s.code === pupil.schoolCode),
  },
};

export interface ArgumentsGraphHub {
  gatewayUrl: string;
  /** HUB_DATA_DIR of the gateway (its audit trail is under `audit/`). */
  dataDir: string;
  /** Every operation the subgraph was sent, with its variables, as text: what the agency saw. */
  received: string[];
  ask(
    consumer: string | undefined,
    purpose: string | undefined,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{
    status: number;
    headers: Headers;
    body: { data?: any; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] };
  }>;
  stop(): Promise<void>;
}

const SECRETS = {
  jwtSecret: 'arguments-graph-jwt-secret-0123456789abcdef',
  subgraphSigningKey: 'arguments-graph-signing-key-0123456789abcdef',
  maskHashKey: 'arguments-graph-mask-key-0123456789abcdefgh',
  origin: 'environment' as const,
};

/** Starts the test subgraph and a gateway over it (memory cache on, policies from a temporary folder). */
export async function startArgumentsGraphHub(): Promise<ArgumentsGraphHub> {
  const received: string[] = [];
  const subgraph = new ApolloServer({
    schema: buildSubgraphSchema([{ typeDefs: parse(TEST_SUBGRAPH_SDL), resolvers: resolvers as never }]),
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      {
        requestDidStart: async ({ request }) =>
          void received.push(`${request.query ?? ''}\n${JSON.stringify(request.variables ?? {})}`),
      },
    ],
  });
  const { url: subgraphUrl } = await startStandaloneServer(subgraph, { listen: { port: 0, host: '127.0.0.1' } });
  const dir = mkdtempSync(join(tmpdir(), 'cdo-hub-arguments-'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'education.yaml'), TEST_POLICY_YAML);
  const config = loadGatewayConfig(
    {
      HUB_DATA_DIR: dir,
      POLICY_DIR: join(dir, 'policies'),
      SCHEMA_REGISTRY_DIR: join(dir, 'registry'),
      GATEWAY_HOST: '127.0.0.1',
      RATE_LIMIT_PER_MINUTE: '1000000',
      PLAYGROUND: 'off',
      LOG_LEVEL: 'silent',
    },
    { port: 0 },
  );
  let gateway: GatewayServer;
  try {
    gateway = await startGatewayServer({
      config,
      supergraph: composeTestSupergraph(subgraphUrl),
      secrets: SECRETS,
      logger: pino({ level: 'silent' }),
    });
  } catch (error) {
    await subgraph.stop();
    throw error;
  }
  return {
    gatewayUrl: gateway.url,
    dataDir: dir,
    received,
    async ask(consumer, purpose, query, variables = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (consumer)
        headers.authorization = `Bearer ${await signDevelopmentToken(SECRETS.jwtSecret, { consumer, ttlSeconds: 600 })}`;
      if (purpose) headers['x-data-purpose'] = purpose;
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as never };
    },
    async stop() {
      await gateway.close();
      await subgraph.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
