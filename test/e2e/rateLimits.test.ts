import { RedisTestServer } from '@cdo-hub/gateway/testing';
import { repoRoot } from '@cdo-hub/subgraph-kit';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';
import { as, gatewayMetrics } from '../harness/hubProcess';

// Per-consumer rate limits on running gateways: the default from RATE_LIMIT_PER_MINUTE, a
// consumer's own from the consumer directory, the public counted per address, and the count shared by two
// gateways on one Redis. `{ __typename }` is answered by the gateway itself, so no subgraph runs.

type Answer = {
  status: number;
  retryAfter: string | null;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
};

async function ask(
  url: string,
  headers: Record<string, string> = {},
  body: unknown = { query: '{ __typename }' },
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Answer['body'],
  };
}

/** The consumer directory with one consumer given a limit of its own. */
function consumersWithOwnLimit(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cdo-hub-consumers-')), 'consumers.yaml');
  const directory = readFileSync(join(repoRoot(), 'schema', 'consumers.yaml'), 'utf8');
  writeFileSync(file, directory.replace(/( {2}- id: city-analytics\n)/, '$1    rateLimitPerMinute: 2\n'));
  return file;
}

describe('rate limits', () => {
  let gateway: GatewayProcess;

  beforeAll(async () => {
    gateway = await GatewayProcess.start([], await freePort(), {
      RATE_LIMIT_PER_MINUTE: '4',
      CONSUMERS_FILE: consumersWithOwnLimit(),
    });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('lets a consumer send its limit, then answers 429 with Retry-After; other consumers are not affected', async () => {
    const science = await as('science', 'industrial-policy');
    for (let i = 0; i < 4; i++) expect((await ask(gateway.url, science)).status).toBe(200);
    const refused = await ask(gateway.url, science);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    // The previous minute keeps counting in part as the window slides: the wait can pass one minute, never two.
    expect(Number(refused.retryAfter)).toBeLessThan(120);
    expect(refused.body).toEqual({
      errors: [
        {
          message: expect.stringContaining('4 per minute'),
          extensions: { code: 'RATE_LIMITED', retryAfterSeconds: Number(refused.retryAfter) },
        },
      ],
    });
    expect((await ask(gateway.url, await as('education', 'operations'))).status).toBe(200);
  });

  it("takes a consumer's own limit from the consumer directory, and counts each operation of a batch", async () => {
    const analytics = await as('city-analytics', 'statistics');
    const batch = await ask(gateway.url, analytics, [{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(batch.status).toBe(200);
    expect((await ask(gateway.url, analytics)).status).toBe(429);
  });

  it('counts the public (no token) per address', async () => {
    for (let i = 0; i < 4; i++) expect((await ask(gateway.url)).status).toBe(200);
    expect((await ask(gateway.url)).status).toBe(429);
  });

  it('counts refused identities against the address too: bad tokens cannot be sent at any rate', async () => {
    // The public test above used this address's allowance: a forged token is now refused for its rate, not checked.
    const forged = await ask(gateway.url, { authorization: 'Bearer not.a.token' });
    expect(forged.status).toBe(429);
    expect(forged.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('counts refusals per consumer in /metrics', async () => {
    const metrics = await gatewayMetrics(gateway.url);
    expect(metrics).toMatch(/cdo_hub_rate_limited_total\{consumer="science"\} [1-9]/);
    expect(metrics).toMatch(/cdo_hub_rate_limited_total\{consumer="public"\} [1-9]/);
  });
});

describe('rate limits shared through Redis', () => {
  let redis: RedisTestServer;
  const gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    redis = await RedisTestServer.start({ appendonly: 'no', 'maxmemory-policy': 'allkeys-lru' });
    for (let i = 0; i < 2; i++)
      gateways.push(
        await GatewayProcess.start([], await freePort(), { RATE_LIMIT_PER_MINUTE: '6', REDIS_URL: redis.url }),
      );
  });

  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop();
    await redis?.stop();
  });

  it('two gateways on one Redis admit the limit between them, not each', async () => {
    const science = await as('science', 'industrial-policy');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await ask(gateways[i % 2]!.url, science)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
  });

  it('keeps answering when the Redis goes away, counting in each gateway meanwhile', async () => {
    await redis.kill();
    const education = await as('education', 'operations');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await ask(gateways[0]!.url, education)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
  });
});
