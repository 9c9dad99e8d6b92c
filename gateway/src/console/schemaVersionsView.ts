import { currentVersions, type RegistryState, type SchemaVersion } from '../registry';
import { beijingMinute } from './usageView';

/** One published version of an agency's schema as the console lists it. */
export interface ListedSchemaVersion {
  version: number;
  author: string;
  /** Beijing time, `YYYY-MM-DD HH:mm`. */
  publishedAt: string;
  reason: string;
  source: SchemaVersion['source'];
  sdlHash: string;
  supergraphVersion: string;
  /** In the supergraph the registry serves now. */
  served: boolean;
  /** What the checks said: passed, or the errors a `--force` publish went over (kept with the version). */
  checks: { passed: true } | { passed: false; errors: string[] };
  restores?: number;
}

export interface SchemaVersionsView {
  agency: string;
  /** `off`: this gateway serves a supergraph file; `unused`: the registry holds no version yet. */
  registry: 'in-use' | 'unused' | 'off';
  /** The supergraph this gateway serves. */
  servedSupergraph: string;
  supergraphFile?: string;
  /** Newest first. */
  versions: ListedSchemaVersion[];
}

/**
 * An agency's schema versions from the registry (`hub schema list`), newest first, each with the
 * check results it was published under — every publish passes the checks unless forced, and a
 * forced one keeps the errors it went over. Pure.
 */
export function schemaVersionsView(
  state: RegistryState | undefined,
  agency: string,
  served: { supergraph: string; file?: string },
): SchemaVersionsView {
  const base = {
    agency,
    servedSupergraph: served.supergraph,
    ...(served.file ? { supergraphFile: served.file } : {}),
  };
  if (!state) return { ...base, registry: 'off', versions: [] };
  const current = currentVersions(state).get(agency)?.version;
  const versions = state.versions
    .filter((v) => v.agency === agency)
    .sort((a, b) => b.version - a.version)
    .map((v): ListedSchemaVersion => ({
      version: v.version,
      author: v.author,
      publishedAt: beijingMinute(v.publishedAt),
      reason: v.reason,
      source: v.source,
      sdlHash: v.sdlHash,
      supergraphVersion: v.supergraphVersion,
      served: v.version === current,
      checks: v.forced ? { passed: false, errors: v.forced.errors } : { passed: true },
      ...(v.restores ? { restores: v.restores } : {}),
    }));
  return { ...base, registry: state.versions.length ? 'in-use' : 'unused', versions };
}
