import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Supergraph as FederationSupergraph } from '@apollo/federation-internals';
import type { GraphQLSchema } from 'graphql';
import { fieldOwnership, type FieldOwnership } from './fieldOwnership';

export interface Supergraph {
  sdl: string;
  /** Content hash: the supergraph's identity in logs, `/readyz` and (later) cache keys. */
  version: string;
  source: string;
  /** Subgraph name → routing URL, as written in the supergraph's `join__Graph` values. */
  subgraphs: { name: string; url: string }[];
  /** The API schema clients see (join directives removed). */
  apiSchema: GraphQLSchema;
  /** Which agency resolves which field. */
  ownership: FieldOwnership;
}

export function supergraphVersion(sdl: string): string {
  return createHash('sha256').update(sdl).digest('hex').slice(0, 16);
}

/**
 * Parses and validates supergraph SDL; throws with the reason when it is not a supergraph the
 * gateway can serve, so a bad file is refused before it replaces a good one.
 */
export function parseSupergraph(sdl: string, source: string): Supergraph {
  const supergraph = FederationSupergraph.build(sdl);
  return {
    sdl,
    version: supergraphVersion(sdl),
    source,
    subgraphs: supergraph.subgraphsMetadata().map(({ name, url }) => ({ name, url })),
    apiSchema: supergraph.apiSchema().toGraphQLJSSchema(),
    ownership: fieldOwnership(sdl),
  };
}

export function loadSupergraphFile(file: string): Supergraph {
  let sdl: string;
  try {
    sdl = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read supergraph ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseSupergraph(sdl, file);
}
