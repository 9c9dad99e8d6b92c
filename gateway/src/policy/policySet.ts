import { createHash } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import type { ConsumerRegistry } from '../consumers';
import type { MaskSpec } from '../masking';
import type { FieldOwnership } from '../supergraph';
import type { Level, OpenData, SharingClass } from './model';
import type { SourceLocation } from './yamlSource';

/** How one agency classes one field, after type defaults; `unclassified` is the secure default. */
export interface FieldClassification {
  agency: string;
  sharingClass: SharingClass;
  level: Level;
  open: OpenData;
  legalBasis?: string;
  /** Cacheable despite its level (the CDO's explicit choice); the class cap still applies. */
  cacheable?: boolean;
  origin: 'field' | 'type-default' | 'unclassified';
  source: SourceLocation;
}

export interface GrantedField {
  /** `Type.field`, or `Type.*` for every field of the type the granting agency resolves. */
  coordinate: string;
  typeName: string;
  fieldName: string | '*';
  mask?: MaskSpec;
  source: SourceLocation;
}

/** A consumer's permission to read conditional fields of one agency, for stated purposes, until it expires. */
export interface Grant {
  id: string;
  /** The agency whose CDO approved it: the agency that resolves the granted fields. */
  agency: string;
  consumer: string;
  purposes: readonly string[];
  fields: readonly GrantedField[];
  expiresAt: number;
  expires: string;
  approvedBy: string;
  /** Row scope the owning subgraph applies, e.g. `{ districtCode: '110108' }`. */
  scope?: Readonly<Record<string, string>>;
  origin: 'policy-file' | 'grant-store';
  source: SourceLocation;
}

/**
 * Every CDO's policy compiled into lookups, with the supergraph and consumer registry it was
 * checked against. Immutable: a reload builds a new one with a new `version`.
 */
export interface PolicySet {
  version: string;
  schema: GraphQLSchema;
  ownership: FieldOwnership;
  consumers: ConsumerRegistry;
  /** Agency → its policy file (agencies without one class nothing: all NOT_SHARED). */
  files: ReadonlyMap<string, string>;
  classify(coordinate: string, agency: string): FieldClassification;
  /** Grants held by a consumer that name this field (exactly or through `Type.*`). */
  grantsFor(consumerId: string, coordinate: string): readonly Grant[];
  grants: readonly Grant[];
}

export function policyVersion(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  return hash.digest('hex').slice(0, 16);
}
