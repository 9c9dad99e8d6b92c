import { composeServices } from '@apollo/composition';
import { agencyUrl } from '@cdo-hub/subgraph-kit/paths';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { repoRoot } from '@cdo-hub/subgraph-kit/paths';
import { AGENCY_PACKAGES } from '../agencies';

export const SUPERGRAPH_FILE = join(repoRoot(), 'schema', 'supergraph.graphql');

export type CompositionResult = { ok: true; supergraphSdl: string } | { ok: false; errors: string[] };

export interface SubgraphSource {
  name: string;
  sdl: string;
  url: string;
}

/** The committed agency SDLs with their default local URLs (the gateway overrides URLs by environment). */
export function agencySubgraphSources(): SubgraphSource[] {
  return AGENCY_PACKAGES.map((agency) => ({
    name: agency.id,
    sdl: readFileSync(agency.sdlFile, 'utf8'),
    url: agencyUrl(agency, {}),
  }));
}

/** Composes subgraph SDLs into a supergraph with Apollo's composition rules. */
export function composeSupergraph(sources: readonly SubgraphSource[]): CompositionResult {
  const result = composeServices(
    sources.map((source) => ({ name: source.name, url: source.url, typeDefs: parse(source.sdl) })),
  );
  if (result.errors) return { ok: false, errors: result.errors.map((error) => error.message) };
  return { ok: true, supergraphSdl: result.supergraphSdl };
}

export interface ComposeOutcome {
  file: string;
  changed: boolean;
  milliseconds: number;
}

/** Writes (or, with `check`, only compares) the committed supergraph. */
export function composeToFile(options: { file?: string; check?: boolean } = {}): ComposeOutcome {
  const started = performance.now();
  const file = options.file ?? SUPERGRAPH_FILE;
  const result = composeSupergraph(agencySubgraphSources());
  if (!result.ok) throw new Error(`composition failed:\n  ${result.errors.join('\n  ')}`);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const changed = current !== result.supergraphSdl;
  if (changed && !options.check) writeFileSync(file, result.supergraphSdl);
  return { file, changed, milliseconds: Math.round(performance.now() - started) };
}
