import type { OperationView } from '../enforcement';
import type { Identity } from '../consumers';
import { subjectAccess, type SubjectAccess, type SubjectsByAgency } from '../subjects';

/**
 * One audit record per request that touched agency data: who read what, for what purpose, under
 * which grants — per agency, the coordinates released in clear, released masked, and withheld.
 * Records never hold data values.
 */
export interface AccessEntry {
  /** Absent in records written before grant decisions were audited. */
  kind?: 'access';
  time: string;
  requestId: string;
  consumer: string;
  purpose: string | null;
  operationName: string | null;
  /** sha256 of the operation text (the text itself is kept once per hash in the operation store). */
  operationHash: string;
  grants: string[];
  /** Per agency: field coordinates released in clear, released masked, withheld; records returned. */
  agencies: Record<string, AgencyAccess>;
  supergraphVersion: string;
  policyVersion: string | null;
  outcome: 'ok' | 'partial' | 'refused';
  /** Served from the response cache (HIT), stored in it (MISS), or not cached (BYPASS). */
  cache?: 'HIT' | 'MISS' | 'BYPASS';
  /** The case the request named (`x-case-id`, well-formed only); absent when it named none. */
  case?: string;
}

export interface AgencyAccess {
  released: string[];
  masked: string[];
  denied: string[];
  entities: number;
  /** This agency's grants the request used. */
  grants: string[];
  /**
   * Whose records of this agency the answer carried — the agency's keyed digests of ID numbers and
   * USCCs, never the identifiers — and which of their fields were released in clear or masked.
   * Absent when there were none (and in records written before subjects were audited).
   */
  subjects?: SubjectAccess[];
}

/** A step of the grant workflow (a request, an approval, a refusal, a revocation, a deletion attested): every one is audited. */
export interface GrantDecisionEntry {
  kind: 'grant';
  time: string;
  /** `grant:<store id>:<event number>`: unique, so a record written twice after a crash is recognised. */
  requestId: string;
  action: 'requested' | 'approved' | 'refused' | 'revoked' | 'deletion-attested';
  /** Who acted: the consumer filing, the CDO deciding, `policy` for an automatic refusal, the consumer attesting deletion. */
  actor: string;
  agency: string;
  consumer: string;
  purpose: string;
  fields: string[];
  grantRequest: string;
  grantId?: string;
  reason?: string;
  policyVersion: string | null;
}

export type AuditEntry = AccessEntry | GrantDecisionEntry;

/** A record as stored: numbered and chained to the one before it. */
export type AuditRecord = AuditEntry & {
  seq: number;
  prevHash: string;
  hash: string;
};

export type AccessRecord = AccessEntry & { seq: number; prevHash: string; hash: string };
export type GrantDecisionRecord = GrantDecisionEntry & { seq: number; prevHash: string; hash: string };

export function isGrantDecision(record: AuditEntry): record is GrantDecisionEntry {
  return record.kind === 'grant';
}

/**
 * The entry for a request, from the view it ran under: the per-request decision is exactly what
 * the CDO reads back. Pure.
 */
export function auditEntry(input: {
  requestId: string;
  identity: Identity;
  view: OperationView;
  /** Per agency, the records the response carried. */
  entities: Record<string, number>;
  operationName: string | null;
  operationHash: string;
  supergraphVersion: string;
  policyVersion: string | null;
  outcome: AccessEntry['outcome'];
  cache?: AccessEntry['cache'];
  /** The case reference the view was decided for. */
  caseId?: string;
  /** The subjects the agencies handed over for the records the answer carried (none when refused). */
  subjects?: SubjectsByAgency;
  now: Date;
}): AccessEntry {
  const agencies: AccessEntry['agencies'] = {};
  const bucket = (agency: string) =>
    (agencies[agency] ??= { released: [], masked: [], denied: [], entities: 0, grants: [] });
  for (const [coordinate, decision] of input.view.decisions) {
    if (decision.effect === 'deny') {
      bucket(decision.agency).denied.push(coordinate);
      continue;
    }
    for (const ruling of decision.rulings) {
      if (ruling.agency === 'none') continue;
      (decision.effect === 'mask' ? bucket(ruling.agency).masked : bucket(ruling.agency).released).push(coordinate);
    }
  }
  for (const [agency, count] of Object.entries(input.entities)) bucket(agency).entities = count;
  for (const grant of input.view.grants) bucket(grant.agency).grants.push(grant.id);
  if (input.outcome !== 'refused') {
    const released = subjectAccess(input.subjects, (coordinate) => input.view.decisions.get(coordinate)?.effect);
    for (const [agency, subjects] of Object.entries(released)) bucket(agency).subjects = subjects;
  }
  return {
    time: input.now.toISOString(),
    requestId: input.requestId,
    consumer: input.identity.consumer.id,
    purpose: input.identity.purpose ?? null,
    operationName: input.operationName,
    operationHash: input.operationHash,
    grants: input.view.grants.map((grant) => grant.id),
    agencies,
    supergraphVersion: input.supergraphVersion,
    policyVersion: input.policyVersion,
    outcome: input.outcome,
    ...(input.cache ? { cache: input.cache } : {}),
    ...(input.caseId ? { case: input.caseId } : {}),
  };
}
