import { operationId } from '@cdo-hub/gateway';
import { RedisTestServer } from '@cdo-hub/gateway/testing';
import { AGENCIES } from '@cdo-hub/subgraph-kit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import { as, gatewayReadiness, HubProcess } from '../harness/hubProcess';
import { until } from '../harness/until';

// Automatic Persisted Queries scoped to who registered them: a hash one consumer registered is,
// for every other consumer, exactly a hash nobody registered (PERSISTED_QUERY_NOT_FOUND, as Apollo
// clients expect); the public's registrations are per client address. In memory and on the
// cache's Redis, where every gateway shares them.

type Body = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
interface Answer {
  status: number;
  cacheControl: string | null;
  body: Body;
}
type Asker = { consumer: string; purpose: string } | { address: string };

const A: Asker = { consumer: 'science', purpose: 'industrial-policy' };
const B: Asker = { consumer: 'development-reform', purpose: 'planning' };
const FIRST_ADDRESS: Asker = { address: '10.1.0.1' };
const SECOND_ADDRESS: Asker = { address: '10.1.0.2' };

let texts = 0;
/** A text nobody sent before (an alias), and its hash. */
function operation(): { query: string; hash: string } {
  const query = `{ apq${++texts}: districts(first: 2) { nodes { code name } } }`;
  return { query, hash: operationId(query) };
}
const extensions = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

async function headersOf(asker: Asker): Promise<Record<string, string>> {
  // The gateway believes X-Forwarded-For from its local proxy (TRUST_PROXY=127.0.0.1).
  return 'address' in asker ? { 'x-forwarded-for': asker.address } : as(asker.consumer, asker.purpose);
}

async function answerOf(response: Response): Promise<Answer> {
  return {
    status: response.status,
    cacheControl: response.headers.get('cache-control'),
    body: (await response.json()) as Body,
  };
}

async function post(url: string, asker: Asker, body: unknown): Promise<Answer> {
  return answerOf(
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await headersOf(asker)) },
      body: JSON.stringify(body),
    }),
  );
}

async function get(url: string, asker: Asker, hash: string, query?: string): Promise<Answer> {
  const search = new URLSearchParams({ extensions: JSON.stringify(extensions(hash)), ...(query ? { query } : {}) });
  return answerOf(
    await fetch(`${url}?${search}`, { headers: { 'apollo-require-preflight': 'true', ...(await headersOf(asker)) } }),
  );
}

const register = (url: string, asker: Asker, { query, hash }: { query: string; hash: string }) =>
  post(url, asker, { query, extensions: extensions(hash) });
const byHash = (url: string, asker: Asker, hash: string) => post(url, asker, { extensions: extensions(hash) });
const notFound = {
  status: 200,
  cacheControl: 'no-store',
  body: { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] },
};
const districtsOf = (answer: Answer) => Object.values(answer.body.data ?? {})[0] as { nodes: unknown[] } | undefined;

describe.each(['memory', 'redis'] as const)('Automatic Persisted Queries scoped to the consumer (%s)', (backend) => {
  let hub: HubProcess;
  let redis: RedisTestServer | undefined;
  let second: GatewayProcess | undefined;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `apq-${backend}-`));
    if (backend === 'redis')
      redis = await RedisTestServer.start({ appendonly: 'no', 'maxmemory-policy': 'allkeys-lru' });
    const env = { TRUST_PROXY: '127.0.0.1', ...(redis ? { REDIS_URL: redis.url } : {}) };
    hub = await HubProcess.start({ env });
    if (redis) {
      // A second gateway on the same Redis: registrations made through one serve through the other.
      const urls = Object.fromEntries(
        AGENCIES.map((agency) => [`${agency.envPrefix}_URL`, `http://127.0.0.1:${hub.ports[agency.id]}/graphql`]),
      );
      second = await GatewayProcess.start([], await freePort(), {
        ...env,
        AUDIT_DIR: join(dir, 'audit-2'),
        GRANT_STORE_DIR: join(hub.dataDir, 'grants'),
        ...urls,
      });
      // The cache's state is part of the detail /readyz shows operators only.
      const gateway = second;
      await until(async () => (await gatewayReadiness(gateway.url)).body.cache?.state === 'up', 10_000).catch(() => {
        throw new Error('the second gateway never reached its cache Redis');
      });
    }
  });

  afterAll(async () => {
    await second?.stop();
    await hub?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers another consumer's hash exactly as a hash nobody registered", async () => {
    const mine = operation();
    const registered = await register(hub.gatewayUrl, A, mine);
    expect(registered.body.errors).toBeUndefined();
    expect(districtsOf(registered)!.nodes).toHaveLength(2);

    const foreign = await byHash(hub.gatewayUrl, B, mine.hash);
    const unknown = await byHash(hub.gatewayUrl, B, operation().hash);
    expect(foreign).toEqual(notFound);
    expect(unknown).toEqual(foreign);
    // Over GET too, and for the public.
    expect(await get(hub.gatewayUrl, B, mine.hash)).toEqual(notFound);
    expect(await byHash(hub.gatewayUrl, FIRST_ADDRESS, mine.hash)).toEqual(notFound);
  });

  it('runs a hash for the consumer that registered it, over POST and GET, from any address', async () => {
    const mine = operation();
    await register(hub.gatewayUrl, A, mine);
    const posted = await byHash(hub.gatewayUrl, A, mine.hash);
    expect(posted.body.errors).toBeUndefined();
    expect(districtsOf(posted)!.nodes).toHaveLength(2);
    const got = await get(hub.gatewayUrl, A, mine.hash);
    expect(got.body).toEqual(posted.body);
    expect(got.cacheControl).toBe('private, max-age=300');
  });

  it("scopes the public's registrations to its address, and keeps their answers out of shared caches", async () => {
    const mine = operation();
    const registered = await register(hub.gatewayUrl, FIRST_ADDRESS, mine);
    expect(registered.body.errors).toBeUndefined();
    expect(await byHash(hub.gatewayUrl, SECOND_ADDRESS, mine.hash)).toEqual(notFound);
    expect(await get(hub.gatewayUrl, SECOND_ADDRESS, mine.hash)).toEqual(notFound);
    expect(await byHash(hub.gatewayUrl, B, mine.hash)).toEqual(notFound);
    const again = await get(hub.gatewayUrl, FIRST_ADDRESS, mine.hash);
    expect(districtsOf(again)!.nodes).toHaveLength(2);
    // Open data asked without a token, yet named by a hash only this address may use: not `public`.
    expect(again.cacheControl).toBe('private, max-age=300');
  });

  it('answers each member of a batch from its own registrations', async () => {
    const [one, two, three] = [operation(), operation(), operation()];
    await register(hub.gatewayUrl, A, one);
    const mixed = await post(hub.gatewayUrl, A, [
      { extensions: extensions(one.hash) },
      { extensions: extensions(two.hash) },
      { query: three.query, extensions: extensions(three.hash) },
    ]);
    expect(mixed.status).toBe(200);
    const members = mixed.body as unknown as Body[];
    expect(districtsOf({ ...mixed, body: members[0]! })!.nodes).toHaveLength(2);
    expect(members[1]).toEqual(notFound.body);
    expect(districtsOf({ ...mixed, body: members[2]! })!.nodes).toHaveLength(2);
    expect(mixed.cacheControl).toBe('no-store'); // one member is an error
    // The third was registered by that batch, for A alone.
    expect(districtsOf(await byHash(hub.gatewayUrl, A, three.hash))!.nodes).toHaveLength(2);
    const foreign = await post(hub.gatewayUrl, B, [
      { extensions: extensions(one.hash) },
      { extensions: extensions(three.hash) },
    ]);
    expect(foreign.body).toEqual([notFound.body, notFound.body]);
  });

  it('registers nothing from a refused request', async () => {
    const invalid = {
      query: '{ districts(first: 1) { nodes { nope } } }',
      hash: operationId('{ districts(first: 1) { nodes { nope } } }'),
    };
    expect((await register(hub.gatewayUrl, A, invalid)).status).toBe(400);
    expect(await byHash(hub.gatewayUrl, A, invalid.hash)).toEqual(notFound);
  });

  it('keeps the protocol’s own answers: a text that does not match its hash', async () => {
    const mine = operation();
    const mismatch = await post(hub.gatewayUrl, A, { query: mine.query, extensions: extensions(operation().hash) });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors![0]!.message).toBe('provided sha does not match query');
  });

  if (backend === 'redis') {
    it('shares registrations between the gateways on one Redis, scoped the same way', async () => {
      const mine = operation();
      await register(hub.gatewayUrl, A, mine);
      expect(districtsOf(await byHash(second!.url, A, mine.hash))!.nodes).toHaveLength(2);
      expect(await byHash(second!.url, B, mine.hash)).toEqual(notFound);
    });
  }
});
