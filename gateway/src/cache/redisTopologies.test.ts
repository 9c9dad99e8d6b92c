import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freeTcpPort, RedisTestServer } from '../testing';
import { RedisCacheStore } from './redisCacheStore';

// The cache on a Redis reached through Sentinel, and on a three-node Cluster: real redis-server
// processes on free ports. Every key carries the hash tag {c}, so the tag scripts run in one slot.

const run = promisify(execFile);
const children: ChildProcess[] = [];
const dirs: string[] = [];

async function startRedis(args: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 10_000;
  while (!ready.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return child;
}

async function exercise(store: RedisCacheStore): Promise<void> {
  expect(await store.waitUntilUp(10_000)).toBe('up');
  const mark = await store.mark();
  expect(await store.set('k', 'v', { ttlMs: 60_000, tags: ['School:1', 'type:School'], mark })).toBe(true);
  expect((await store.get('k'))?.value).toBe('v');
  expect(await store.invalidate(['School:1'])).toBe(1);
  expect(await store.get('k')).toBeUndefined();
  expect(await store.set('late', 'v', { ttlMs: 60_000, tags: ['School:1'], mark })).toBe(false);
}

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

it('works through Sentinel, finding the master by name', async () => {
  const master = await RedisTestServer.start({ appendonly: 'no' });
  try {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-'));
    dirs.push(dir);
    const port = await freeTcpPort();
    writeFileSync(
      join(dir, 'sentinel.conf'),
      `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor cdo ${'127.0.0.1'} ${master.port} 1\n`,
    );
    await startRedis([join(dir, 'sentinel.conf'), '--sentinel'], /\+monitor master cdo/);
    const store = RedisCacheStore.open({ mode: 'sentinel', sentinels: [{ host: '127.0.0.1', port }], name: 'cdo' });
    try {
      await exercise(store);
    } finally {
      await store.close();
    }
  } finally {
    await master.stop();
  }
});

it('works on a three-node Cluster', async () => {
  const ports = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort()];
  for (const port of ports) {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-'));
    dirs.push(dir);
    await startRedis(
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      /Ready to accept connections/,
    );
  }
  await run('redis-cli', [
    '--cluster',
    'create',
    ...ports.map((port) => `127.0.0.1:${port}`),
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  ]);
  // The slots are assigned once every node agrees.
  const deadline = Date.now() + 15_000;
  while (!(await run('redis-cli', ['-p', String(ports[0]), 'cluster', 'info'])).stdout.includes('cluster_state:ok')) {
    if (Date.now() > deadline) throw new Error('the cluster did not come up');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const store = RedisCacheStore.open({ mode: 'cluster', urls: ports.map((port) => `redis://127.0.0.1:${port}`) });
  try {
    await exercise(store);
  } finally {
    await store.close();
  }
}, 60_000);
