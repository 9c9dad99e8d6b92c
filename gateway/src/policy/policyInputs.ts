import type { GraphQLSchema } from 'graphql';
import type { ConsumerDirectory } from '../consumers';
import type { FieldOwnership } from '../supergraph';
import { formatLocation, type SourceLocation, type YamlSource } from '../formats';

/** What policy compilation reads and what it reports: its inputs, problems and grant scopes. */
export type Severity = 'error' | 'warning';

export interface PolicyProblem {
  severity: Severity;
  location: SourceLocation;
  message: string;
  hint?: string;
}

export function formatProblem(problem: PolicyProblem): string {
  return `${formatLocation(problem.location)}: ${problem.severity}: ${problem.message}${problem.hint ? `\n    hint: ${problem.hint}` : ''}`;
}

export interface PolicyInputs {
  /** One parsed YAML source per policy file. */
  policies: readonly YamlSource[];
  consumers: ConsumerDirectory;
  schema: GraphQLSchema;
  ownership: FieldOwnership;
  /**
   * Grants approved at run time (the grant store), checked like policy-file grants. A store grant
   * that does not check (say the policy now classes its field NOT_SHARED) is dropped with a
   * warning instead of failing the whole policy set: it then releases nothing.
   */
  runtimeGrants?: readonly RuntimeGrantInput[];
  /** Extra inputs that change the version (e.g. the supergraph version). */
  versionParts?: readonly string[];
  now: number;
}

/** A grant from the grant store, in the policy-file grant format, with the agency that approved it. */
export interface RuntimeGrantInput {
  agency: string;
  grant: unknown;
  /** Where it is kept, for messages (e.g. `.data/grants/grants.json`). */
  store: string;
  /**
   * Set when a CDO revoked it: it releases nothing, but a consumer asking for a field it covered is
   * told the grant was revoked (GRANT_REVOKED) rather than that it never held one.
   */
  revoked?: { at: string; by: string };
}

/** Grant scopes the subgraphs know how to apply. */
export const SCOPE_DIMENSIONS = ['districtCode'] as const;
