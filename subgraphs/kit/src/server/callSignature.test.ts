import { RedisTestServer } from '@cdo-hub/contracts/testing';
import { CONSUMER_HEADER, SIGNATURE_HEADER, signedSubgraphHeaders, type NonceStore } from '@cdo-hub/contracts';
import type { FastifyInstance } from 'fastify';
import { parse } from 'graphql';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { AgencyDatabase } from '../database';
import { RedisNonceStore } from './redisNonceStore';
import { createSubgraphApp, type SubgraphContext, type SubgraphDefinition } from './subgraphServer';

// A subgraph in process: every GraphQL call needs the hub's signature, checked before Apollo runs.

const key = 'call-signature-test-key-0123456789abcdef';
const definition: SubgraphDefinition = {
  name: 'education',
  typeDefs: parse('type Query { whoAsked: String }'),
  resolvers: {
    Query: { whoAsked: (_: unknown, __: unknown, context: SubgraphContext) => context.consumer?.consumer ?? null },
  },
};
const query = '{ whoAsked }';

let dir: string;
let db: AgencyDatabase;
let lines: Record<string, any>[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdo-hub-signature-'));
  db = new AgencyDatabase(join(dir, 'education.sqlite'));
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function app(nonceStore?: NonceStore): Promise<FastifyInstance> {
  return createSubgraphApp({ definition, db, logger, signingKey: key, ...(nonceStore ? { nonceStore } : {}) });
}

function post(target: FastifyInstance, headers: Record<string, string>, body: object = { query }) {
  return target.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(body),
  });
}

describe('signed calls to a subgraph', () => {
  it('refuses a subgraph app without a key', async () => {
    await expect(createSubgraphApp({ definition, db, logger, signingKey: '' })).rejects.toThrow(
      /HUB_SUBGRAPH_SIGNING_KEY/,
    );
  });

  it('answers a signed call once, with its consumer; refuses it unsigned, forged or replayed; /healthz stays open', async () => {
    const subgraph = await app();
    try {
      lines = [];
      const headers = signedSubgraphHeaders(
        key,
        'education',
        { query },
        { consumer: 'district-haidian', requestId: 'r1' },
      );
      const first = await post(subgraph, headers);
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({ data: { whoAsked: 'district-haidian' } });
      const refusals = [
        [await post(subgraph, headers), 'replayed'],
        [await post(subgraph, {}), 'missing'],
        [await post(subgraph, { [SIGNATURE_HEADER]: 'v1=nonsense' }), 'malformed'],
        [
          await post(subgraph, signedSubgraphHeaders('another-key-another-key-another-key', 'education', { query })),
          'bad-signature',
        ],
        [
          await post(
            subgraph,
            signedSubgraphHeaders(key, 'education', { query }, undefined, { now: Date.now() - 31_000 }),
          ),
          'stale',
        ],
        [
          await post(subgraph, signedSubgraphHeaders(key, 'education', { query: '{ __typename }' }), { query }),
          'bad-signature',
        ],
      ] as const;
      for (const [response, reason] of refusals) {
        expect(response.statusCode).toBe(401);
        expect(response.json()).toEqual({
          errors: [{ message: expect.any(String), extensions: { code: 'SUBGRAPH_CALL_REFUSED', reason } }],
        });
      }
      // Logged with the reason, never the header or the operation.
      expect(lines.filter((line) => line.msg === 'subgraph call refused').map((line) => line.reason)).toEqual(
        refusals.map(([, reason]) => reason),
      );
      expect(JSON.stringify(lines)).not.toContain(headers[CONSUMER_HEADER]);
      expect((await subgraph.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await subgraph.close();
    }
  });

  it('checks GET calls over the query string', async () => {
    const subgraph = await app();
    try {
      const variables = { unused: 1 };
      const url = `/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify(variables))}`;
      const get = (headers: Record<string, string>) =>
        subgraph.inject({ method: 'GET', url, headers: { 'apollo-require-preflight': 'true', ...headers } });
      expect((await get({})).statusCode).toBe(401);
      const signed = await get(signedSubgraphHeaders(key, 'education', { query, variables }));
      expect(signed.statusCode).toBe(200);
      expect(signed.json()).toEqual({ data: { whoAsked: null } });
    } finally {
      await subgraph.close();
    }
  });

  it('refuses with 503 when the nonce store cannot answer', async () => {
    const subgraph = await app({ claim: () => Promise.reject(new Error('down')) });
    try {
      const response = await post(subgraph, signedSubgraphHeaders(key, 'education', { query }));
      expect(response.statusCode).toBe(503);
      expect(response.json().errors[0].extensions).toEqual({
        code: 'SUBGRAPH_CALL_REFUSED',
        reason: 'replay-check-unavailable',
      });
    } finally {
      await subgraph.close();
    }
  });
});

describe('a subgraph during a rotation of the signing key', () => {
  const previous = 'call-signature-previous-key-0123456789abcdef';

  it('answers calls under the current and the previous key, and reports those under the previous one', async () => {
    const subgraph = await createSubgraphApp({
      definition,
      db,
      logger,
      signingKey: key,
      previousSigningKeys: [previous],
    });
    try {
      lines = [];
      const consumer = { consumer: 'district-haidian', requestId: 'r1' };
      for (const signer of [key, previous, previous]) {
        const response = await post(subgraph, signedSubgraphHeaders(signer, 'education', { query }, consumer));
        expect(response.statusCode).toBe(200);
        expect(response.json()).toEqual({ data: { whoAsked: 'district-haidian' } });
      }
      // The first call under the previous key is reported at once; the next ones within the minute are counted.
      expect(lines.filter((line) => /previous signing key/.test(line.msg))).toEqual([
        expect.objectContaining({
          level: 40,
          calls: 1,
          msg: 'calls signed under a previous signing key (HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS): a gateway still signs with the old key',
        }),
      ]);
    } finally {
      await subgraph.close();
    }
  });

  it('refuses a call under the previous key once it is dropped', async () => {
    const subgraph = await app();
    try {
      const response = await post(subgraph, signedSubgraphHeaders(previous, 'education', { query }));
      expect(response.statusCode).toBe(401);
      expect(response.json().errors[0].extensions.reason).toBe('bad-signature');
    } finally {
      await subgraph.close();
    }
  });
});

describe('RedisNonceStore (real redis-server)', () => {
  let redis: RedisTestServer;
  beforeAll(async () => {
    redis = await RedisTestServer.start();
  });
  afterAll(() => redis?.stop());

  it('shares nonces between replicas: a call one accepted, the other refuses as replayed', async () => {
    const [storeA, storeB] = [new RedisNonceStore(redis.url), new RedisNonceStore(redis.url)];
    await Promise.all([storeA.connect(), storeB.connect()]);
    const [replicaA, replicaB] = [await app(storeA), await app(storeB)];
    try {
      const headers = signedSubgraphHeaders(key, 'education', { query });
      expect((await post(replicaA, headers)).statusCode).toBe(200);
      const replayed = await post(replicaB, headers);
      expect(replayed.statusCode).toBe(401);
      expect(replayed.json().errors[0].extensions.reason).toBe('replayed');
      expect((await post(replicaB, signedSubgraphHeaders(key, 'education', { query }))).statusCode).toBe(200);
    } finally {
      await Promise.all([replicaA.close(), replicaB.close()]);
    }
  });

  it('lets a nonce expire with its signature', async () => {
    const store = new RedisNonceStore(redis.url);
    await store.connect();
    try {
      const now = Date.now();
      expect(await store.claim('expiring-nonce', now + 50, now)).toBe('fresh');
      expect(await store.claim('expiring-nonce', now + 50, now)).toBe('replayed');
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await store.claim('expiring-nonce', Date.now() + 50, Date.now())).toBe('fresh');
    } finally {
      await store.close();
    }
  });

  it('fails closed when Redis is gone: the call is refused, not let through unchecked', async () => {
    const own = await RedisTestServer.start();
    const store = new RedisNonceStore(own.url);
    await store.connect();
    const subgraph = await app(store);
    try {
      await own.stop();
      const response = await post(subgraph, signedSubgraphHeaders(key, 'education', { query }));
      expect(response.statusCode).toBe(503);
      expect(response.json().errors[0].extensions.reason).toBe('replay-check-unavailable');
    } finally {
      await subgraph.close();
    }
  });
});
