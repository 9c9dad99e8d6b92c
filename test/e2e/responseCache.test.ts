import { RedisTestServer } from '@cdo-hub/gateway/testing';
import { AGENCIES } from '@cdo-hub/subgraph-kit';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { hubCliOk } from '../harness/hubCli';
import { until } from '../harness/until';

// The response cache never hands one consumer's view to another, in memory and on Redis: consumers
// with a grant and without ask the same operations in every order; masks are applied after the
// cache (per-consumer `hash` pseudonyms differ on a shared entry); a revocation takes effect on
// the very next request; TTLs run out; hits are audited. On Redis, two gateways share entries.

const TEACHERS = (alias: string) =>
  `{ ${alias}: schools(first: 3) { nodes { code name teachers(first: 2) { nodes { name subject } } } } }`;
type Teachers = Record<
  string,
  {
    nodes: {
      code: string;
      name: string;
      teachers: { nodes: { name: string | null; subject: string | null }[] } | null;
    }[];
  }
>;

describe.each(['memory', 'redis'] as const)('response cache (%s)', (backend) => {
  let hub: HubProcess;
  let redis: RedisTestServer | undefined;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `cache-${backend}-`));
    writeFileSync(join(dir, 'cache.yaml'), CACHE_TEST_RULES);
    if (backend === 'redis')
      redis = await RedisTestServer.start({ appendonly: 'no', 'maxmemory-policy': 'allkeys-lru' });
    env = {
      GRANT_STORE_DIR: join(dir, 'grants'),
      AUDIT_DIR: join(dir, 'audit'),
      CACHE_RULES_FILE: join(dir, 'cache.yaml'),
      ...(redis ? { REDIS_URL: redis.url } : {}),
    };
    hub = await HubProcess.start({ env });
    // Grants from the store: city-analytics reads teachers in clear; district-haidian and science
    // read them with names pseudonymised (hash): identical views, so they share cache entries.
    const grant = (consumer: string, purpose: string, masks?: Record<string, string>) =>
      grantThroughAdminApi(hub.gatewayUrl, {
        consumer,
        agency: 'education',
        fields: ['School.teachers', 'Teacher.name', 'Teacher.subject'],
        purpose,
        reason: 'cache test',
        ...(masks ? { masks } : {}),
      });
    await grant('city-analytics', 'statistics');
    await grant('district-haidian', 'enrollment-planning', { 'Teacher.name': 'hash' });
    await grant('science', 'industrial-policy', { 'Teacher.name': 'hash' });
    // The gateway applies the store: each grantee reads a teacher's name (a text of its own, so
    // no answer the tests ask for is cached by this).
    for (const [consumer, purpose] of [
      ['city-analytics', 'statistics'],
      ['district-haidian', 'enrollment-planning'],
      ['science', 'industrial-policy'],
    ] as const) {
      await until(
        async () => {
          const { body } = await hub.query<Teachers>(TEACHERS('grantProbe'), {}, await as(consumer, purpose));
          return teacherNames(body, 'grantProbe').some((name) => typeof name === 'string');
        },
        15_000,
        100,
        { what: `${consumer}'s grant to be applied` },
      );
    }
  });

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await hub?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const consumers = {
    analytics: () => as('city-analytics', 'statistics'),
    haidian: () => as('district-haidian', 'enrollment-planning'),
    science: () => as('science', 'industrial-policy'),
    drc: () => as('development-reform', 'planning'),
  };
  type Who = keyof typeof consumers;
  const ask = async (who: Who, query: string, url = hub.gatewayUrl) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await consumers[who]()) },
      body: JSON.stringify({ query }),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as GraphQLResponse<Teachers>['body'],
    };
  };
  const teacherNames = (body: GraphQLResponse<Teachers>['body'], alias: string) =>
    (body.data?.[alias]?.nodes ?? []).flatMap((s) => s.teachers?.nodes ?? []).map((t) => t.name);

  it('never hands a view to a consumer whose decisions differ, in any order; masks are applied per consumer', async () => {
    const education = hub.database('education');
    const realNames = new Set(education.all<{ name: string }>('SELECT name FROM teachers').map((t) => t.name));
    education.close();
    const orders: Who[][] = [
      ['analytics', 'haidian', 'science', 'drc'],
      ['haidian', 'analytics', 'drc', 'science'],
      ['drc', 'science', 'haidian', 'analytics'],
      ['science', 'drc', 'analytics', 'haidian'],
    ];
    for (const [i, order] of orders.entries()) {
      const alias = `order${i}`;
      const seen: Partial<Record<Who, { names: (string | null)[]; cache: string | null }>> = {};
      for (const who of order) {
        const { status, headers, body } = await ask(who, TEACHERS(alias));
        expect(status).toBe(200);
        seen[who] = { names: teacherNames(body, alias), cache: headers.get('x-cache') };
        if (who === 'drc') expect(body.data![alias]!.nodes.every((s) => s.teachers === null)).toBe(true);
      }
      // Clear names only for the consumer granted them in clear.
      expect(seen.analytics!.names.length).toBeGreaterThan(0);
      expect(seen.analytics!.names.every((n) => n !== null && realNames.has(n))).toBe(true);
      for (const who of ['haidian', 'science'] as const) {
        expect(seen[who]!.names.length).toBeGreaterThan(0);
        expect(seen[who]!.names.some((n) => n === null || realNames.has(n))).toBe(false);
      }
      // One entry per distinct view: haidian and science share theirs, and their pseudonyms differ.
      const sharers = order.filter((who) => who === 'haidian' || who === 'science');
      expect([seen[sharers[0]!]!.cache, seen[sharers[1]!]!.cache]).toEqual(['MISS', 'HIT']);
      expect(seen.haidian!.names).not.toEqual(seen.science!.names);
      expect(seen.analytics!.cache).toBe('MISS');
      // The same consumer again: a hit, with the same answer.
      const again = await ask('analytics', TEACHERS(alias));
      expect(again.headers.get('x-cache')).toBe('HIT');
      expect(teacherNames(again.body, alias)).toEqual(seen.analytics!.names);
    }
  });

  it('sets x-cache, Age and Cache-Control, and never caches L4 data', async () => {
    const first = await ask('drc', '{ districts(first: 2) { nodes { code name } } }');
    expect(first.headers.get('x-cache')).toBe('MISS');
    // An identified consumer's answer is its own view: private, even on open data (httpCaching.test.ts).
    expect(first.headers.get('cache-control')).toBe('private, max-age=300');
    // Asked again until the stored answer is a second old (Age counts whole seconds).
    let second = first;
    await until(
      async () =>
        Number((second = await ask('drc', '{ districts(first: 2) { nodes { code name } } }')).headers.get('age')) >= 1,
      10_000,
      100,
      { what: 'an Age of 1 s' },
    );
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(Number(second.headers.get('age'))).toBeGreaterThanOrEqual(1);
    expect(second.body).toEqual(first.body);
    const conditional = await ask('analytics', TEACHERS('headers'));
    // Teachers are L3: cached by the gateway (30 s, CONDITIONAL's cap) but stored by nobody else.
    expect(conditional.headers.get('x-cache')).toBe('MISS');
    expect(conditional.headers.get('cache-control')).toBe('no-store');
    const minors = await ask('haidian', '{ schools(first: 1) { nodes { students(first: 1) { nodes { name } } } } }');
    expect(minors.headers.get('x-cache')).toBe('BYPASS');
    expect(minors.headers.get('cache-control')).toBe('no-store');
  });

  it('lets entries run out at their TTL', async () => {
    const query = '{ priceObservations(first: 2) { nodes { commodity price } } }';
    const asked = performance.now();
    expect((await ask('science', query)).headers.get('x-cache')).toBe('MISS');
    expect((await ask('science', query)).headers.get('x-cache')).toBe('HIT');
    // Asked until the entry is gone: it must go, and not before its TTL (PriceObservation: 1s).
    await until(async () => (await ask('science', query)).headers.get('x-cache') === 'MISS', 10_000, 100, {
      what: 'the entry to run out',
    });
    expect(performance.now() - asked).toBeGreaterThanOrEqual(1000);
  });

  it('applies a revocation on the very next request, cached entries notwithstanding', async () => {
    const alias = 'revoked';
    const before = await ask('analytics', TEACHERS(alias));
    expect(teacherNames(before.body, alias).every((n) => n !== null)).toBe(true);
    expect((await ask('analytics', TEACHERS(alias))).headers.get('x-cache')).toBe('HIT');
    const cdo = await tokenFor('education', undefined, ['cdo:education']);
    const grants = (await callGateway(hub.gatewayUrl, 'GET', '/admin/grants?agency=education', cdo)).body;
    const id = grants.grants.find((g: { consumer: string }) => g.consumer === 'city-analytics').id;
    const revoked = await callGateway(hub.gatewayUrl, 'POST', `/admin/grants/${id}/revoke`, cdo, {
      reason: 'cache test',
    });
    expect(revoked.status).toBe(200);
    const after = await ask('analytics', TEACHERS(alias));
    expect(after.body.data![alias]!.nodes.every((s) => s.teachers === null)).toBe(true);
    // The field is refused again, with the code that says why: the grant was revoked.
    expect(after.body.errors?.map((e) => e.extensions?.code)).toContain('GRANT_REVOKED');
  });

  it('audits cache hits like any other read, with the records they returned', async () => {
    const miss = await ask('drc', '{ districts(first: 3) { nodes { code name } } }');
    expect(miss.headers.get('x-cache')).toBe('MISS');
    const { headers } = await ask('drc', '{ districts(first: 3) { nodes { code name } } }');
    expect(headers.get('x-cache')).toBe('HIT');
    const records = readdirSync(join(dir, 'audit'))
      .filter((f) => f.startsWith('audit-'))
      .flatMap((f) =>
        readFileSync(join(dir, 'audit', f), 'utf8')
          .split('\n')
          .filter(Boolean),
      )
      .map((line) => JSON.parse(line));
    const missRecord = records.find((r) => r.requestId === miss.headers.get('x-request-id'));
    const hitRecord = records.find((r) => r.requestId === headers.get('x-request-id'));
    expect(hitRecord).toMatchObject({ consumer: 'development-reform', cache: 'HIT' });
    // The counts kept with the entry at fill time: three districts of development-reform's data.
    expect(hitRecord.agencies['development-reform'].entities).toBe(3);
    expect(hitRecord.agencies).toEqual(missRecord.agencies);
  });

  it('purges by entity and by type, by hand (hub cache invalidate and the admin endpoint)', async () => {
    const cli = (...args: string[]) =>
      hubCliOk(args, { ...env, GATEWAY_HOST: '127.0.0.1', GATEWAY_PORT: String(hub.ports.gateway) });
    const schools = (await ask('drc', '{ schools(first: 2) { nodes { code } } }')).body.data as unknown as {
      schools: { nodes: { code: string }[] };
    };
    const [first, second] = schools.schools.nodes.map((s) => s.code);
    const one = (code: string) => `{ school(code: "${code}") { code name } }`;
    const unkeyed = '{ schools(first: 2) { nodes { name } } }';
    for (const query of [one(first!), one(second!), unkeyed]) {
      await ask('drc', query);
      expect((await ask('drc', query)).headers.get('x-cache')).toBe('HIT');
    }
    const { stdout } = await cli('cache', 'invalidate', '--type', 'School', '--key', first!);
    expect(stdout).toMatch(/purged [1-9]\d* cached response\(s\) holding School/);
    expect((await ask('drc', one(first!))).headers.get('x-cache')).toBe('MISS'); // the changed school
    expect((await ask('drc', one(second!))).headers.get('x-cache')).toBe('HIT'); // another school: kept
    expect((await ask('drc', unkeyed)).headers.get('x-cache')).toBe('MISS'); // schools without their keys: purged
    await cli('cache', 'invalidate', '--type', 'School');
    expect((await ask('drc', one(second!))).headers.get('x-cache')).toBe('MISS');
    // Only an operator or the CDO of an agency resolving the type may purge.
    const refused = await callGateway(
      hub.gatewayUrl,
      'POST',
      '/admin/cache/invalidate',
      await tokenFor('city-analytics'),
      {
        type: 'School',
      },
    );
    expect(refused.status).toBe(403);
    const operator = await tokenFor('hub-operations', undefined, ['hub-operator']);
    const unknown = await callGateway(hub.gatewayUrl, 'POST', '/admin/cache/invalidate', operator, { type: 'Nope' });
    expect(unknown.status).toBe(400);
  });

  if (backend === 'redis') {
    it('keeps answering with zero failed requests while Redis is killed and restarted, and reconnects by itself', async () => {
      const query = '{ districts(first: 4) { nodes { code name } } }';
      const expected = (await ask('drc', query)).body;
      expect((await ask('drc', query)).headers.get('x-cache')).toBe('HIT');
      await redis!.kill();
      let failed = 0;
      const statuses = new Set<string | null>();
      for (let i = 0; i < 20; i++) {
        const { status, headers, body } = await ask('drc', query);
        if (status !== 200 || JSON.stringify(body) !== JSON.stringify(expected)) failed++;
        statuses.add(headers.get('x-cache'));
      }
      expect(failed).toBe(0);
      expect(statuses).toEqual(new Set(['BYPASS']));
      const ready = (await gatewayReadiness(hub.gatewayUrl)).body;
      expect(ready).toMatchObject({ ready: true, cache: { backend: 'redis', state: 'down' } });
      expect(await gatewayMetrics(hub.gatewayUrl)).toMatch(/cdo_hub_cache_up\{backend="redis"\} 0/);
      await redis!.restart();
      let status: string | null = 'BYPASS';
      await until(
        async () => {
          const response = await ask('drc', query);
          if (response.status !== 200) failed++;
          status = response.headers.get('x-cache');
          return status !== 'BYPASS';
        },
        10_000,
        100,
        { what: 'the cache to be used again' },
      );
      expect(failed).toBe(0);
      expect(status).toBe('MISS'); // back, and empty after the restart
      expect((await ask('drc', query)).headers.get('x-cache')).toBe('HIT');
      const metrics = await gatewayMetrics(hub.gatewayUrl);
      expect(metrics).toMatch(/cdo_hub_cache_up\{backend="redis"\} 1/);
      expect(metrics).toMatch(/cdo_hub_cache_requests_total\{layer="response",result="bypass"\} \d+/);
    });

    it('starts and answers while its cache Redis is not there at all', async () => {
      const urls = Object.fromEntries(
        AGENCIES.map((agency) => [`${agency.envPrefix}_URL`, `http://127.0.0.1:${hub.ports[agency.id]}/graphql`]),
      );
      const lonely = await GatewayProcess.start([], await freePort(), {
        ...env,
        REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
        AUDIT_DIR: join(dir, 'audit-3'),
        ...urls,
      });
      gateways.push(lonely);
      const { status, headers, body } = await ask('drc', '{ districts(first: 2) { nodes { code } } }', lonely.url);
      expect(status).toBe(200);
      expect(headers.get('x-cache')).toBe('BYPASS');
      expect(body.errors).toBeUndefined();
      expect((await gatewayReadiness(lonely.url)).body).toMatchObject({
        ready: true,
        cache: { backend: 'redis', state: 'down' },
      });
    });

    it('two gateways on one Redis reuse each other’s entries', async () => {
      const urls = Object.fromEntries(
        AGENCIES.map((agency) => [`${agency.envPrefix}_URL`, `http://127.0.0.1:${hub.ports[agency.id]}/graphql`]),
      );
      const second = await GatewayProcess.start([], await freePort(), {
        ...env,
        AUDIT_DIR: join(dir, 'audit-2'),
        ...urls,
      });
      gateways.push(second);
      // The gateway serves before its cache client has connected (a request then bypasses the cache); wait for it.
      await until(async () => (await gatewayReadiness(second.url)).body.cache?.state === 'up', 10_000, 50, {
        what: 'the second gateway to reach its cache Redis',
      });
      const query = '{ investmentProjects(first: 3) { nodes { code name } } }';
      expect((await ask('drc', query)).headers.get('x-cache')).toBe('MISS');
      expect((await ask('drc', query, second.url)).headers.get('x-cache')).toBe('HIT');
    });
  }
});
