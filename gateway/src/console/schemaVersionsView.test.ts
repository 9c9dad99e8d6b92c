import { emptyRegistry, type RegistryState, type SchemaVersion } from '../registry';
import { schemaVersionsView } from './schemaVersionsView';

const version = (n: number, extra: Partial<SchemaVersion> = {}): SchemaVersion => ({
  agency: 'education',
  version: n,
  author: '王丽',
  publishedAt: `2026-11-0${n}T02:00:00.000Z`,
  reason: `change ${n}`,
  sdl: 'type Query { x: Int }',
  sdlHash: `hash${n}`,
  supergraphVersion: `sg${n}`,
  source: 'file',
  ...extra,
});

describe("an agency's schema versions for the console", () => {
  it('lists them newest first in Beijing time, with their checks and the one served', () => {
    const state: RegistryState = {
      ...emptyRegistry(),
      versions: [
        version(1, { source: 'seed' }),
        version(2, { forced: { errors: ['Student.name removed: city-analytics used it'] } }),
        version(3, { source: 'rollback', restores: 1 }),
        { ...version(1), agency: 'science' },
      ],
      supergraphs: [{ version: 'sg3', sdl: '', composedAt: '', agencies: { education: 3, science: 1 } }],
      current: 'sg3',
    };
    const view = schemaVersionsView(state, 'education', { supergraph: 'sg3' });
    expect(view.registry).toBe('in-use');
    expect(view.versions.map((v) => [v.version, v.served, v.publishedAt])).toEqual([
      [3, true, '2026-11-03 10:00'],
      [2, false, '2026-11-02 10:00'],
      [1, false, '2026-11-01 10:00'],
    ]);
    expect(view.versions[0]).toMatchObject({ source: 'rollback', restores: 1, checks: { passed: true } });
    expect(view.versions[1]!.checks).toEqual({
      passed: false,
      errors: ['Student.name removed: city-analytics used it'],
    });
  });

  it('says when the registry is not used or not followed', () => {
    expect(schemaVersionsView(emptyRegistry(), 'education', { supergraph: 'sg' }).registry).toBe('unused');
    expect(
      schemaVersionsView(undefined, 'education', { supergraph: 'sg', file: '/x/supergraph.graphql' }),
    ).toMatchObject({ registry: 'off', supergraphFile: '/x/supergraph.graphql', versions: [] });
  });
});
