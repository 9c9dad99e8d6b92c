import { createHash } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import type { ConsumerDirectory } from '../consumers';
import type { MaskSpec } from '../masking';
import type { FieldOwnership } from '../supergraph';
import type { Level, OpenData, SharingClass } from './model';
import type { SourceLocation } from '../formats';
import type { CaseMatcher } from './casePattern';

/** How one agency classes one field, after type defaults; `unclassified` is the secure default. */
export interface FieldClassification {
  agency: string;
  sharingClass: SharingClass;
  level: Level;
  open: OpenData;
  legalBasis?: string;
  /** Cacheable despite its level (the CDO's explicit choice); the class cap still applies. */
  cacheable?: boolean;
  /** Minimum cell size of this count (or of this connection's `totalCount`). */
  minCount?: number;
  /** The CDO confirmed that withholding this non-null field may null its parent objects. */
  allowBlanking?: boolean;
  origin: 'field' | 'type-default' | 'unclassified';
  source: SourceLocation;
}

/**
 * What an argument reads (docs/security/arguments-and-counts.md):
 * - `classed`: the agencies resolving its field class it themselves (`arguments:` in a policy);
 * - `over`: it compares against or orders by these fields' values, and is classed like them —
 *   named by a policy (`over:`) or inferred from the schema when the policy is silent;
 * - `field`: it compares against nothing the field does not release: it takes the field's class;
 * - `exempt`: paging (`first`, `last`) or a sealed cursor (`after`, `before`) on a connection.
 */
export type ArgumentValue =
  | { kind: 'classed'; classifications: readonly FieldClassification[] }
  | { kind: 'over'; over: readonly string[]; origin: 'policy' | 'inferred'; source?: SourceLocation }
  | { kind: 'field' }
  | { kind: 'exempt'; because: string };

/** One argument of one field, compiled. */
export interface ArgumentRule {
  /** `Type.field(argument)`. */
  coordinate: string;
  /** `Type.field`. */
  field: string;
  argument: string;
  value: ArgumentValue;
  /** The argument has a schema default that compares too: leaving it out reads like giving it. */
  readsDefault: boolean;
  /** The argument is non-null without a default: its field cannot be asked without it. */
  required: boolean;
}

export interface GrantedField {
  /** `Type.field`, `Type.*` for every field of the type the granting agency resolves, or an argument `Type.field(arg)`. */
  coordinate: string;
  typeName: string;
  fieldName: string | '*';
  /** Set when the grant names an argument, `Type.field(argument)`. */
  argument?: string;
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
  /** Only on a revoked store grant (`PolicySet.revokedGrantsFor`): when and by whom. */
  revoked?: { at: string; by: string };
  /**
   * Set when the grant releases its fields only for a named case (`requireCase: true`): a request
   * must send `x-case-id`, matching the agency's format when the grant has one (caseReference.ts).
   */
  requiresCase?: { format?: CaseMatcher };
  /** Days the consumer may keep what it received once the grant has ended (`retainDays`); then it attests deletion. */
  retainDays?: number;
}

/**
 * Every CDO's policy compiled into lookups, with the supergraph and consumer directory it was
 * checked against. Immutable: a reload builds a new one with a new `version`.
 */
export interface PolicySet {
  version: string;
  schema: GraphQLSchema;
  ownership: FieldOwnership;
  consumers: ConsumerDirectory;
  /** Agency → its policy file (agencies without one class nothing: all NOT_SHARED). */
  files: ReadonlyMap<string, string>;
  classify(coordinate: string, agency: string): FieldClassification;
  /** Grants held by a consumer that name this field (exactly or through `Type.*`), or this argument (by name only). */
  grantsFor(consumerId: string, coordinate: string): readonly Grant[];
  /** Store grants a CDO revoked that named this field for this consumer: they release nothing (GRANT_REVOKED). */
  revokedGrantsFor(consumerId: string, coordinate: string): readonly Grant[];
  /** Every argument of every field, compiled (`Type.field(arg)` → rule). */
  argumentRules: ReadonlyMap<string, ArgumentRule>;
  /** The arguments of a field that are decided on their own (`classed` or `over`), in schema order. */
  decisiveArguments(fieldCoordinate: string): readonly ArgumentRule[];
  grants: readonly Grant[];
  /** Working days an agency's CDO has to answer a dispute (its policy's `disputes.answerWithinWorkingDays`, else the default). */
  disputeAnswerWorkingDays(agency: string): number;
}

export function policyVersion(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  return hash.digest('hex').slice(0, 16);
}
