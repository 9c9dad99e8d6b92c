import { RedisTestServer } from '@cdo-hub/gateway/testing';
import { AGENCIES } from '@cdo-hub/subgraph-kit';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import {
  as,
  gatewayMetrics,
  gatewayReadiness,
  HubProcess,
  tokenFor,
  type GraphQLResponse,
} from '../harness/hubProcess';
import { CACHE_TEST_RULES, grantThroughAdminApi } from '../harness/cacheTests';
import { callGateway } from '../harness/gatewayCall';
import { until } from '../harness/until';

// The cache below the query planner (entity and root-field fetches), with the response cache off
// so every request goes through it: one operation reuses the entities another fetched, a partial
// hit asks the subgraph only for the missing entities and puts data and error paths back in order
// (answers equal those of a gateway without any cache), consumers with and without a grant never
// see each other's values in any order nor after a revocation, and a mutation's change event
// purges the entities derived from the changed record. In memory and on Redis.

const UNIVERSITY = '121101076969150212';

describe.each(['memory', 'redis'] as const)('subgraph fetch cache (%s)', (backend) => {
  let hub: HubProcess;
  let plain: GatewayProcess;
  let redis: RedisTestServer | undefined;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `fetch-cache-${backend}-`));
    writeFileSync(join(dir, 'cache.yaml'), CACHE_TEST_RULES);
    if (backend === 'redis')
      redis = await RedisTestServer.start({ appendonly: 'no', 'maxmemory-policy': 'allkeys-lru' });
    env = {
      GRANT_STORE_DIR: join(dir, 'grants'),
      AUDIT_DIR: join(dir, 'audit'),
      CACHE_RULES_FILE: join(dir, 'cache.yaml'),
      CACHE_LAYERS: 'entity,root',
      ...(redis ? { REDIS_URL: redis.url } : {}),
    };
    hub = await HubProcess.start({ env });
    // city-analytics reads contract amounts in clear (a store grant); development-reform reads
    // them rounded (its policy grant, round(10)): the same selection, so they share entries.
    await grantThroughAdminApi(hub.gatewayUrl, {
      consumer: 'city-analytics',
      agency: 'science',
      fields: ['TechnologyContract.amount'],
      purpose: 'statistics',
      reason: 'fetch cache test',
    });
    // The truth: a gateway without any cache, on the same subgraphs and grants.
    const urls = Object.fromEntries(
      AGENCIES.map((agency) => [`${agency.envPrefix}_URL`, `http://127.0.0.1:${hub.ports[agency.id]}/graphql`]),
    );
    const { REDIS_URL: _cacheRedis, ...withoutRedis } = env;
    plain = await GatewayProcess.start([], await freePort(), {
      ...withoutRedis,
      CACHE: 'off',
      AUDIT_DIR: join(dir, 'audit-plain'),
      ...urls,
    });
    // Both gateways apply the store: city-analytics reads an amount in clear on each.
    const probe = `{ organization(uscc: "${UNIVERSITY}") { technologyContracts(role: SELLER, first: 1) { nodes { amount } } } }`;
    for (const url of [hub.gatewayUrl, plain.url]) {
      await until(
        async () => {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(await as('city-analytics', 'statistics')) },
            body: JSON.stringify({ query: probe }),
          });
          const body = (await response.json()) as {
            data?: { organization?: { technologyContracts?: { nodes: { amount: number | null }[] } } };
          };
          return typeof body.data?.organization?.technologyContracts?.nodes[0]?.amount === 'number';
        },
        15_000,
        100,
        { what: `the approved grant at ${url}` },
      );
    }
  });

  afterAll(async () => {
    await plain?.stop();
    await hub?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const consumers = {
    analytics: () => as('city-analytics', 'statistics'),
    drc: () => as('development-reform', 'planning'),
    haidian: () => as('district-haidian', 'planning'),
  };
  type Who = keyof typeof consumers;
  const ask = async (who: Who, query: string, url = hub.gatewayUrl) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await consumers[who]()) },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as GraphQLResponse['body'];
  };
  /** Entity and root-field cache lookups so far, from the gateway's /metrics. */
  const counters = async () => {
    const text = await gatewayMetrics(hub.gatewayUrl);
    const counts: Record<string, number> = {};
    for (const [, layer, result, value] of text.matchAll(
      /^cdo_hub_cache_requests_total\{layer="(\w+)",result="(\w+)"\} (\d+)$/gm,
    ))
      counts[`${layer}.${result}`] = Number(value);
    return counts;
  };
  const delta = async <T>(action: () => Promise<T>) => {
    const before = await counters();
    const result = await action();
    const after = await counters();
    const changed = Object.fromEntries(
      Object.keys(after).flatMap((key) =>
        after[key]! - (before[key] ?? 0) > 0 ? [[key, after[key]! - (before[key] ?? 0)]] : [],
      ),
    );
    return { result, changed };
  };

  it('reuses entities another operation fetched, and fetches only the missing ones on a partial hit, in order', async () => {
    const totals = (name: string, first: number, extra = '') =>
      `query ${name} { districts(first: ${first}) { nodes { code ${extra} schoolCount studentCount } } }`;
    const cold = await delta(() => ask('drc', totals('ThreeDistricts', 3)));
    expect(cold.changed).toMatchObject({ 'entity.miss': 3, 'root.miss': 1 });
    expect(cold.changed['entity.hit']).toBeUndefined();

    // Another operation, another root selection (names too): the education entities of the first three are reused.
    const warm = await delta(() => ask('drc', totals('SixDistrictsWithNames', 6, 'name')));
    expect(warm.changed).toMatchObject({ 'entity.hit': 3, 'entity.miss': 3, 'root.miss': 1 });
    expect(warm.result).toEqual(await ask('drc', totals('SixDistrictsWithNames', 6, 'name'), plain.url));
    expect(warm.result.data).toEqual(expect.objectContaining({ districts: expect.anything() }));

    const hot = await delta(() => ask('drc', totals('SameAgain', 6, 'name')));
    expect(hot.changed).toMatchObject({ 'entity.hit': 6, 'root.hit': 1 });
    expect(hot.changed['entity.miss']).toBeUndefined();
    expect(hot.result).toEqual(warm.result);
  });

  it('puts the errors of entities fetched on a partial hit back at their own paths', async () => {
    // district-haidian reads project contact names only in Haidian: projects elsewhere come back
    // null with OUT_OF_SCOPE from development-reform's entity fetch, and are not cached.
    const projects = (first: number) =>
      `{ schools(first: ${first}) { nodes { code constructionProjects { code district { code } contactName } } } }`;
    await ask('haidian', projects(12));
    const partial = await delta(() => ask('haidian', projects(40)));
    expect(partial.changed['entity.hit']).toBeGreaterThan(0);
    expect(partial.changed['entity.miss']).toBeGreaterThan(0);
    const truth = await ask('haidian', projects(40), plain.url);
    expect(truth.errors?.some((e) => e.extensions?.code === 'OUT_OF_SCOPE')).toBe(true);
    expect(partial.result).toEqual(truth);
    // The first error points at a project outside Haidian.
    const [, , school, , project] = partial.result.errors!.find((e) => e.extensions?.code === 'OUT_OF_SCOPE')!.path as [
      string,
      string,
      number,
      string,
      number,
    ];
    expect((partial.result.data as any).schools.nodes[school].constructionProjects[project].district.code).not.toBe(
      '110108',
    );
  });

  it('never hands one consumer’s values to another, in any order, and applies a revocation on the next request', async () => {
    const contracts = (first: number) =>
      `{ organization(uscc: "${UNIVERSITY}") { technologyContracts(role: SELLER, first: ${first}) { nodes { registrationNumber amount } } } }`;
    type Contracts = {
      organization: { technologyContracts: { nodes: { registrationNumber: string; amount: number | null }[] } };
    };
    const exact = new Map(
      ((await ask('analytics', contracts(8), plain.url)).data as Contracts).organization.technologyContracts.nodes.map(
        (n) => [n.registrationNumber, n.amount],
      ),
    );
    expect([...exact.values()].every((amount) => typeof amount === 'number')).toBe(true);
    const orders: Who[][] = [
      ['analytics', 'drc', 'haidian'],
      ['drc', 'haidian', 'analytics'],
      ['haidian', 'analytics', 'drc'],
    ];
    for (const [i, order] of orders.entries()) {
      const first = 6 + i; // a fresh selection per order: each order starts cold
      for (const who of order) {
        const body = await ask(who, contracts(first));
        const nodes = (body.data as Contracts).organization.technologyContracts.nodes;
        expect(nodes.length).toBe(Math.min(first, exact.size));
        for (const node of nodes) {
          if (who === 'analytics') expect(node.amount).toBe(exact.get(node.registrationNumber));
          if (who === 'drc') expect(node.amount! % 10).toBe(0);
          if (who === 'haidian') expect(node.amount).toBeNull();
        }
        if (who === 'haidian') expect(body.errors?.map((e) => e.extensions?.code)).toContain('GRANT_REQUIRED');
        if (who === 'drc')
          expect(
            nodes.some((n) => exact.has(n.registrationNumber) && n.amount !== exact.get(n.registrationNumber)),
          ).toBe(true);
      }
    }

    // analytics and drc shared the entities; analytics is revoked: its very next request is denied.
    const sharedHit = await delta(() => ask('analytics', contracts(6)));
    expect(sharedHit.changed['entity.hit']).toBeGreaterThan(0);
    const cdo = await tokenFor('science', undefined, ['cdo:science']);
    const grants = (await callGateway(hub.gatewayUrl, 'GET', '/admin/grants?agency=science', cdo)).body;
    const id = grants.grants.find(
      (g: { id: string; consumer: string }) => g.consumer === 'city-analytics' && g.id.startsWith('GRANT-'),
    ).id;
    const revoked = await callGateway(hub.gatewayUrl, 'POST', `/admin/grants/${id}/revoke`, cdo, {
      reason: 'fetch cache test',
    });
    expect(revoked.status).toBe(200);
    const after = await ask('analytics', contracts(6));
    expect((after.data as Contracts).organization.technologyContracts.nodes.every((n) => n.amount === null)).toBe(true);
    // Refused again, with the code that says why: the grant was revoked.
    expect(after.errors?.map((e) => e.extensions?.code)).toContain('GRANT_REVOKED');
  });

  it('purges the entities derived from a changed record (a school’s enrolment → its district’s totals)', async () => {
    const education = hub.database('education');
    const { code, district_code: district } = education.get<{ code: string; district_code: string }>(
      'SELECT code, district_code FROM schools ORDER BY code LIMIT 1',
    )!;
    education.close();
    const totals = `{ district(code: "${district}") { code studentCount } }`;
    const before = (await ask('drc', totals)).data as { district: { studentCount: number } };
    expect((await delta(() => ask('drc', totals))).changed).toMatchObject({ 'entity.hit': 1 });
    const enrolment = (
      await hub.query(`{ school(code: "${code}") { enrolment } }`, {}, await as('education', 'operations'))
    ).body.data as { school: { enrolment: number } };
    const done = await hub.query(
      `mutation { updateSchoolEnrolment(code: "${code}", enrolment: ${enrolment.school.enrolment + 11}) { code enrolment } }`,
      {},
      await as('education', 'operations'),
    );
    expect(done.body.errors).toBeUndefined();
    await until(
      async () =>
        ((await ask('drc', totals)).data as { district: { studentCount: number } }).district.studentCount ===
        before.district.studentCount + 11,
      5000,
      50,
      {
        what: 'the change event to purge the district totals',
      },
    );
  });

  it('lets fetched entries run out at their TTL', async () => {
    const prices = '{ priceObservations(first: 2) { nodes { commodity price } } }';
    const asked = performance.now();
    expect((await delta(() => ask('drc', prices))).changed).toMatchObject({ 'root.miss': 1 });
    expect((await delta(() => ask('drc', prices))).changed).toMatchObject({ 'root.hit': 1 });
    // Asked until the entry is gone: it must go, and not before its TTL (PriceObservation: 1s).
    await until(async () => (await delta(() => ask('drc', prices))).changed['root.miss'] === 1, 10_000, 100, {
      what: 'the entry to run out',
    });
    expect(performance.now() - asked).toBeGreaterThanOrEqual(1000);
  });

  if (backend === 'redis') {
    it('answers every request while Redis is down, and caches again once it is back', async () => {
      const query = '{ districts(first: 4) { nodes { code name schoolCount } } }';
      const expected = await ask('drc', query);
      await redis!.kill();
      for (let i = 0; i < 10; i++) expect(await ask('drc', query)).toEqual(expected);
      await redis!.restart();
      await until(async () => (await gatewayReadiness(hub.gatewayUrl)).body.cache?.state === 'up', 10_000, 50, {
        what: 'the gateway to reconnect to its cache Redis',
      });
      await ask('drc', query);
      expect((await delta(() => ask('drc', query))).changed).toMatchObject({ 'entity.hit': 4, 'root.hit': 1 });
    });
  }
});
