import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisTestServer } from '../testing';
import type { RegistryState } from './model';
import {
  currentSupergraph,
  currentVersions,
  emptyRegistry,
  FileSchemaRegistry,
  openSchemaRegistry,
  publishVersion,
  RegistryError,
  rollbackTarget,
  seedRegistry,
  type PublishInput,
} from './schemaRegistry';

const now = new Date('2026-11-27T10:00:00Z');
const seeded = (): RegistryState =>
  seedRegistry(emptyRegistry(), {
    sources: [
      { agency: 'education', sdl: 'type Query { a: Int }' },
      { agency: 'science', sdl: 'type Query { b: Int }' },
    ],
    supergraph: { version: 's1', sdl: 'supergraph 1' },
    now,
  });
const change = (state: RegistryState, sdl: string, supergraph: string, extra: Partial<PublishInput> = {}) =>
  publishVersion(state, {
    agency: 'education',
    sdl,
    author: 'cdo',
    reason: 'r',
    source: 'file',
    supergraph: { version: supergraph, sdl: `supergraph ${supergraph}` },
    basedOn: state.current,
    now,
    ...extra,
  });

describe('schema registry rules', () => {
  it('seeds version 1 of every agency and serves their supergraph, once', () => {
    const state = seeded();
    expect(state.current).toBe('s1');
    expect([...currentVersions(state).values()].map((v) => `${v.agency} v${v.version} ${v.source}`)).toEqual([
      'education v1 seed',
      'science v1 seed',
    ]);
    expect(seedRegistry(state, { sources: [], supergraph: { version: 's9', sdl: '' }, now })).toBe(state);
  });

  it('publishes numbered versions, each serving the supergraph it makes, other agencies unchanged', () => {
    const first = change(seeded(), 'type Query { a: Int, c: Int }', 's2');
    expect(first.result).toMatchObject({ agency: 'education', version: 2, supergraphVersion: 's2' });
    const second = change(first.state, 'type Query { a: Int, c: Int, d: Int }', 's3');
    expect(second.result.version).toBe(3);
    expect(currentSupergraph(second.state)).toMatchObject({ version: 's3', agencies: { education: 3, science: 1 } });
  });

  it('refuses an unchanged SDL, and a publish checked against a supergraph no longer served', () => {
    const state = seeded();
    expect(() => change(state, 'type Query { a: Int }', 's2')).toThrow(RegistryError);
    expect(() => change(state, 'type Query { a: Int, z: Int }', 's2', { basedOn: 'an older one' })).toThrow(
      /another schema went live/,
    );
  });

  it('rolls back to the version before the served one, or to the one named', () => {
    const v2 = change(seeded(), 'type Query { a: Int, c: Int }', 's2').state;
    const v3 = change(v2, 'type Query { a: Int, c: Int, d: Int }', 's3').state;
    expect(rollbackTarget(v3, 'education').version).toBe(2);
    expect(rollbackTarget(v3, 'education', 1).version).toBe(1);
    expect(() => rollbackTarget(v3, 'education', 7)).toThrow(/no version 7/);
    expect(() => rollbackTarget(seeded(), 'education')).toThrow(/nothing to roll back to/);
    // Restoring v1 makes v4 (same SDL as v1); rolling back again goes to v3, what v4 replaced.
    const v4 = change(v3, 'type Query { a: Int }', 's1', { source: 'rollback', restores: 1 }).state;
    expect(currentSupergraph(v4)?.agencies.education).toBe(4);
    expect(rollbackTarget(v4, 'education').version).toBe(3);
  });
});

describe.each(['file', 'redis'] as const)('schema registry store: %s', (backend) => {
  let redis: RedisTestServer | undefined;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'registry-'));
    if (backend === 'redis') redis = await RedisTestServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the published versions and tells a watcher of another handle', async () => {
    const config = { schemaRegistryDir: dir, ...(redis ? { schemaRegistryRedisUrl: redis.url } : {}) };
    const [writer, reader] = [await openSchemaRegistry(config), await openSchemaRegistry(config)];
    if (backend === 'file') expect(writer).toBeInstanceOf(FileSchemaRegistry);
    const seen: string[] = [];
    const stop = reader.watch((state) => seen.push(state.current ?? ''));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await writer.update((state) => ({
      state: seedRegistry(state, {
        sources: [{ agency: 'education', sdl: 'type Query { a: Int }' }],
        supergraph: { version: 's1', sdl: 'x' },
        now,
      }),
      result: undefined,
    }));
    await writer.update((state) => change(state, 'type Query { a: Int, b: Int }', 's2'));
    const deadline = Date.now() + 5000;
    while (!seen.includes('s2') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(seen).toContain('s2');
    expect((await reader.read()).versions.map((v) => v.version)).toEqual([1, 2]);
    stop();
    await Promise.all([writer.close(), reader.close()]);
  });
});
