import { repoRoot } from '@cdo-hub/subgraph-kit';
import { join } from 'node:path';
import { freePort } from '../harness/freePort';
import { GatewayProcess } from '../harness/gatewayProcess';

// `hub gateway` (the gateway alone) runs several gateway processes on its port when asked, by
// `--workers` or by GATEWAY_WORKERS, as `hub start` does; one worker stays in the command's own process.

const supergraph = ['--supergraph', join(repoRoot(), 'schema', 'supergraph.graphql'), '--open'];

async function typename(url: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  return response.json();
}

it.each([
  ['--workers 2', ['--workers', '2'], {}],
  ['GATEWAY_WORKERS=2', [], { GATEWAY_WORKERS: '2' }],
])(
  'serves with two workers given %s, and drains both on SIGTERM',
  async (_how, args, env) => {
    const gateway = await GatewayProcess.start([...supergraph, ...args], await freePort(), env);
    try {
      expect(gateway.log).toMatch(/gateway ready at http:\/\/127\.0\.0\.1:\d+\/graphql \(2 workers\)/);
      expect(await typename(gateway.url)).toEqual({ data: { __typename: 'Query' } });
      // Each worker warns that it serves in open mode: both started.
      expect(gateway.log).toMatch(/"worker":1,.*OPEN MODE/);
      expect(gateway.log).toMatch(/"worker":2,.*OPEN MODE/);
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
  },
  90_000,
);

it('stays one process by default', async () => {
  const gateway = await GatewayProcess.start(supergraph, await freePort(), {});
  try {
    expect(gateway.log).toMatch(/gateway ready at .* \(supergraph [0-9a-f]+ from /);
    expect(gateway.log).not.toMatch(/"worker":/);
  } finally {
    expect(await gateway.stop()).toBe(0);
  }
}, 60_000);
