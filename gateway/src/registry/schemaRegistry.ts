import { createHash, randomUUID } from 'node:crypto';
import { FileDocumentStore, RedisDocumentStore, type DocumentKind, type DocumentStore } from '../stores';
import { registryStateSchema, type RegistryState, type SchemaVersion, type StoredSupergraph } from './model';

/**
 * The schema registry: every published version of every agency's subgraph schema, the
 * supergraphs composed from them, and which one gateways serve. A folder (`schema/registry/`,
 * git-ignored) by default, Redis when several gateways on several machines share it. The
 * functions below are the registry's rules, pure over its state; the CLI runs them inside
 * `update`, so every step is atomic.
 */
export type SchemaRegistry = DocumentStore<RegistryState>;

export const SCHEMA_REGISTRY_FILE = 'registry.json';

export function parseRegistryState(value: unknown, location: string): RegistryState {
  const parsed = registryStateSchema.safeParse(value);
  if (!parsed.success)
    throw new Error(
      `schema registry ${location} is malformed: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

export function emptyRegistry(): RegistryState {
  return { registryId: randomUUID(), revision: 0, versions: [], supergraphs: [] };
}

export const SCHEMA_REGISTRY_KIND: DocumentKind<RegistryState> = {
  name: 'schema registry',
  file: SCHEMA_REGISTRY_FILE,
  lockFile: '.registry.lock',
  redisKey: 'cdo-hub:schema:{registry}:state',
  redisChannel: 'cdo-hub:schema:published',
  parse: parseRegistryState,
  empty: emptyRegistry,
};

export class FileSchemaRegistry extends FileDocumentStore<RegistryState> {
  constructor(dir: string) {
    super(dir, SCHEMA_REGISTRY_KIND);
  }
}

/** The registry the configuration names: Redis when `SCHEMA_REGISTRY_REDIS_URL` is set, else the folder. */
export async function openSchemaRegistry(config: {
  schemaRegistryDir: string;
  schemaRegistryRedisUrl?: string;
  auditRedisAllowEverysec?: boolean;
}): Promise<SchemaRegistry> {
  if (!config.schemaRegistryRedisUrl) return new FileSchemaRegistry(config.schemaRegistryDir);
  return RedisDocumentStore.open(config.schemaRegistryRedisUrl, SCHEMA_REGISTRY_KIND, {
    allowEverysec: config.auditRedisAllowEverysec ?? false,
  });
}

/** A registry step refused, with a reason meant for the CDO. */
export class RegistryError extends Error {
  constructor(
    readonly code: 'NOTHING_TO_PUBLISH' | 'UNKNOWN_VERSION' | 'REGISTRY_CHANGED' | 'NOT_SEEDED',
    message: string,
  ) {
    super(message);
  }
}

export function sdlHash(sdl: string): string {
  return createHash('sha256').update(sdl).digest('hex').slice(0, 16);
}

export function currentSupergraph(state: RegistryState): StoredSupergraph | undefined {
  return state.current ? state.supergraphs.find((s) => s.version === state.current) : undefined;
}

/** The version of each agency the served supergraph holds. */
export function currentVersions(state: RegistryState): Map<string, SchemaVersion> {
  const served = currentSupergraph(state);
  const versions = new Map<string, SchemaVersion>();
  for (const [agency, number] of Object.entries(served?.agencies ?? {})) {
    const version = findVersion(state, agency, number);
    if (version) versions.set(agency, version);
  }
  return versions;
}

export function findVersion(state: RegistryState, agency: string, version: number): SchemaVersion | undefined {
  return state.versions.find((v) => v.agency === agency && v.version === version);
}

export function agencyVersions(state: RegistryState, agency?: string): SchemaVersion[] {
  return state.versions
    .filter((v) => agency === undefined || v.agency === agency)
    .sort((a, b) => a.agency.localeCompare(b.agency) || a.version - b.version);
}

/**
 * First use: version 1 of every agency from the committed SDLs, and the supergraph composed from
 * them as the one served. A registry already in use is returned unchanged.
 */
export function seedRegistry(
  state: RegistryState,
  input: {
    sources: readonly { agency: string; sdl: string }[];
    supergraph: { version: string; sdl: string };
    now: Date;
  },
): RegistryState {
  if (state.versions.length) return state;
  const publishedAt = input.now.toISOString();
  const versions: SchemaVersion[] = input.sources.map((source) => ({
    agency: source.agency,
    version: 1,
    author: 'cdo-hub',
    publishedAt,
    reason: 'seeded from the committed subgraph SDL',
    sdl: source.sdl,
    sdlHash: sdlHash(source.sdl),
    supergraphVersion: input.supergraph.version,
    source: 'seed',
  }));
  return {
    ...state,
    versions,
    supergraphs: [
      {
        version: input.supergraph.version,
        sdl: input.supergraph.sdl,
        composedAt: publishedAt,
        agencies: Object.fromEntries(input.sources.map((s) => [s.agency, 1])),
      },
    ],
    current: input.supergraph.version,
  };
}

export interface PublishInput {
  agency: string;
  sdl: string;
  author: string;
  reason: string;
  source: SchemaVersion['source'];
  /** The supergraph composed from this SDL and the other agencies' current ones. */
  supergraph: { version: string; sdl: string };
  /** The supergraph served when the checks ran: the publish is refused if another one went live since. */
  basedOn: string | undefined;
  forced?: { errors: string[] };
  restores?: number;
  now: Date;
}

/** A new version of one agency's schema, and the supergraph it makes, now served. Pure. */
export function publishVersion(
  state: RegistryState,
  input: PublishInput,
): { state: RegistryState; result: SchemaVersion } {
  if (!state.current) throw new RegistryError('NOT_SEEDED', 'the schema registry has not been seeded yet');
  if (state.current !== input.basedOn) {
    throw new RegistryError(
      'REGISTRY_CHANGED',
      `another schema went live while this one was checked (now serving ${state.current}): check and publish again`,
    );
  }
  const current = currentVersions(state).get(input.agency);
  const hash = sdlHash(input.sdl);
  if (current && current.sdlHash === hash)
    throw new RegistryError(
      'NOTHING_TO_PUBLISH',
      `${input.agency} v${current.version} already has this SDL: nothing to publish`,
    );
  const number = Math.max(0, ...state.versions.filter((v) => v.agency === input.agency).map((v) => v.version)) + 1;
  const publishedAt = input.now.toISOString();
  const version: SchemaVersion = {
    agency: input.agency,
    version: number,
    author: input.author,
    publishedAt,
    reason: input.reason,
    sdl: input.sdl,
    sdlHash: hash,
    supergraphVersion: input.supergraph.version,
    source: input.source,
    ...(input.forced ? { forced: input.forced } : {}),
    ...(input.restores !== undefined ? { restores: input.restores } : {}),
  };
  const agencies = { ...(currentSupergraph(state)?.agencies ?? {}), [input.agency]: number };
  const supergraphs = [
    ...state.supergraphs.filter((s) => s.version !== input.supergraph.version),
    { version: input.supergraph.version, sdl: input.supergraph.sdl, composedAt: publishedAt, agencies },
  ];
  return {
    state: { ...state, versions: [...state.versions, version], supergraphs, current: input.supergraph.version },
    result: version,
  };
}

/** The version a rollback restores: the one named, or the one before the agency's current one. */
export function rollbackTarget(state: RegistryState, agency: string, version?: number): SchemaVersion {
  const current = currentVersions(state).get(agency);
  if (!current) throw new RegistryError('UNKNOWN_VERSION', `${agency} has no published schema`);
  if (version !== undefined) {
    const named = findVersion(state, agency, version);
    if (!named) throw new RegistryError('UNKNOWN_VERSION', `${agency} has no version ${version}`);
    return named;
  }
  // The version served before the current one: what the current one replaced.
  const earlier = agencyVersions(state, agency).filter(
    (v) => v.version < current.version && v.sdlHash !== current.sdlHash,
  );
  const previous = earlier[earlier.length - 1];
  if (!previous)
    throw new RegistryError(
      'UNKNOWN_VERSION',
      `${agency} v${current.version} is its first version: nothing to roll back to`,
    );
  return previous;
}
