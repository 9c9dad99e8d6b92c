import { signedSubgraphHeaders } from '@cdo-hub/gateway/signing';
import { RedisTestServer } from '@cdo-hub/gateway/testing';
import { AgencyDatabase } from '@cdo-hub/subgraph-kit';
import { join } from 'node:path';
import { until } from '../harness/until';
import { as, HubProcess, TEST_SECRETS } from '../harness/hubProcess';
import { hubCliOk } from '../harness/hubCli';

// Invalidation from change: an agency's database changes — here straight in SQLite, as a batch
// job would, and through `hub seed --update` — its subgraph publishes the entities it changed
// (over HTTP in the embedded default, over Redis pub/sub with REDIS_URL), and the gateway purges
// every cached response holding them, derived district totals included, and nothing else.

describe.each(['http', 'redis'] as const)('change events over %s', (transport) => {
  let hub: HubProcess;
  let redis: RedisTestServer | undefined;

  beforeAll(async () => {
    if (transport === 'redis')
      redis = await RedisTestServer.start({ appendonly: 'no', 'maxmemory-policy': 'allkeys-lru' });
    hub = await HubProcess.start({ env: redis ? { REDIS_URL: redis.url } : {} });
  });
  afterAll(async () => {
    await hub?.stop();
    await redis?.stop();
  });

  const ask = async (query: string) => {
    const { headers, body } = await hub.query(query, {}, await as('development-reform', 'planning'));
    return { cache: headers.get('x-cache'), data: body.data as any };
  };

  it('purges the changed school and its district totals after a direct database change, and keeps the rest', async () => {
    const education = hub.database('education');
    const [changed, other] = education.all<{ code: string; district_code: string }>(
      'SELECT code, district_code FROM schools ORDER BY code LIMIT 2',
    );
    const otherDistrict = education.get<{ district_code: string }>(
      'SELECT district_code FROM schools WHERE district_code <> ? LIMIT 1',
      [changed!.district_code],
    )!.district_code;
    education.close();
    const school = (code: string) => `{ school(code: "${code}") { code enrolment } }`;
    const district = (code: string) => `{ district(code: "${code}") { code studentCount } }`;
    for (const query of [
      school(changed!.code),
      school(other!.code),
      district(changed!.district_code),
      district(otherDistrict),
    ]) {
      await ask(query);
      expect((await ask(query)).cache).toBe('HIT');
    }
    const before = (await ask(school(changed!.code))).data.school.enrolment;

    const writable = new AgencyDatabase(join(hub.dataDir, 'education.sqlite'));
    writable.run('UPDATE schools SET enrolment = enrolment + 7 WHERE code = ?', [changed!.code]);
    writable.run(
      'UPDATE students SET grade = grade WHERE school_code = ? AND rowid = (SELECT min(rowid) FROM students WHERE school_code = ?)',
      [changed!.code, changed!.code],
    );
    writable.close();

    const took = await until(async () => (await ask(school(changed!.code))).data.school.enrolment === before + 7);
    console.log(`${transport}: a direct database change reached the cache in ${took} ms`);
    expect((await ask(district(changed!.district_code))).cache).toBe('MISS'); // derived totals purged
    expect((await ask(school(other!.code))).cache).toBe('HIT'); // another school: kept
    expect((await ask(district(otherDistrict))).cache).toBe('HIT'); // another district: kept
  });

  it('follows a nightly batch load (hub seed --update)', async () => {
    const prices = '{ priceObservations(first: 3) { nodes { commodity price } } }';
    const first = await ask(prices);
    expect((await ask(prices)).cache).toBe('HIT');
    const { stdout } = await hubCliOk(['seed', '--update', '--agency', 'development-reform'], {
      HUB_DATA_DIR: hub.dataDir,
    });
    expect(stdout).toMatch(/development-reform: \d+ price observation\(s\) revised/);
    await until(async () => JSON.stringify((await ask(prices)).data) !== JSON.stringify(first.data));
  });

  it('an owner-only mutation changes the record and purges the cached responses holding it; others may not call it', async () => {
    const drc = hub.database('development-reform');
    const { code, status } = drc.get<{ code: string; status: string }>(
      "SELECT code, status FROM investment_projects WHERE status <> 'SUSPENDED' ORDER BY code LIMIT 1",
    )!;
    drc.close();
    const project = `{ investmentProject(code: "${code}") { code status } }`;
    await ask(project);
    expect((await ask(project)).cache).toBe('HIT');
    const mutation = `mutation { updateInvestmentProjectStatus(code: "${code}", status: SUSPENDED) { code status } }`;

    // Another agency: the gateway withholds the mutation (NOT_SHARED), and nothing changes.
    const refused = await hub.query(mutation, {}, await as('science', 'industrial-policy'));
    expect(refused.body.data?.updateInvestmentProjectStatus).toBeNull();
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FIELD_NOT_SHARED');
    // Straight to the subgraph: unsigned, refused before anything runs; signed for another
    // agency's consumer, refused by the owner check.
    const subgraph = `http://127.0.0.1:${hub.ports['development-reform']}/graphql`;
    const direct = await fetch(subgraph, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: mutation }),
    });
    expect(direct.status).toBe(401);
    expect((await direct.json()).errors?.[0]?.extensions?.code).toBe('SUBGRAPH_CALL_REFUSED');
    const otherAgency = signedSubgraphHeaders(
      TEST_SECRETS.HUB_SUBGRAPH_SIGNING_KEY,
      'development-reform',
      { query: mutation },
      { consumer: 'science', agency: 'science', requestId: 'change-events-e2e' },
    );
    const signed = await fetch(subgraph, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...otherAgency },
      body: JSON.stringify({ query: mutation }),
    });
    expect((await signed.json()).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ask(project)).data.investmentProject.status).toBe(status);

    const done = await hub.query(mutation, {}, await as('development-reform', 'planning'));
    expect(done.headers.get('x-cache')).toBe('BYPASS');
    expect(done.body.data?.updateInvestmentProjectStatus).toEqual({ code, status: 'SUSPENDED' });
    await until(async () => (await ask(project)).data.investmentProject.status === 'SUSPENDED');
  });
});
