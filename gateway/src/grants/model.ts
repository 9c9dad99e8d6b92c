import { z } from 'zod';

/**
 * The grant workflow's records (DOMAIN: a consumer applies for CONDITIONAL data naming purpose and
 * scenario; the owning agency's CDO approves or refuses with reasons within 10 working days; the
 * grant is bound to that consumer, purpose and expiry). Kept in the grant store, never in the
 * committed policy files.
 */

const dateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

export const grantRequestSchema = z.looseObject({
  /** `REQ-2026-0007`. */
  id: z.string(),
  /** The agency whose CDO decides: the one that resolves every requested field. */
  agency: z.string(),
  consumer: z.string(),
  /** `Type.field` or `Type.*`. */
  fields: z.array(z.string()).min(1),
  purpose: z.string(),
  /** The consumer's reason: the duty and use scenario the data serves. */
  reason: z.string(),
  scope: z.record(z.string(), z.string()).optional(),
  /** The expiry the consumer asks for. */
  until: dateText.optional(),
  requestedAt: z.string(),
  requestedBy: z.string(),
  /** Date the answer is due: 10 working days after the request (Beijing calendar). */
  deadline: dateText,
  status: z.enum(['pending', 'approved', 'refused']),
  decision: z
    .object({
      by: z.string(),
      at: z.string(),
      reason: z.string().optional(),
      grantId: z.string().optional(),
    })
    .optional(),
});
export type GrantRequest = z.infer<typeof grantRequestSchema>;

/** A granted field as written in policy files: `Type.field`, `Type.*`, or `{ Type.field: mask }`. */
const grantedFieldSchema = z.union([z.string(), z.record(z.string(), z.string())]);

export const storedGrantSchema = z.looseObject({
  /** `GRANT-2026-0007`: numbered after the request it answers. */
  id: z.string(),
  agency: z.string(),
  consumer: z.string(),
  purposes: z.array(z.string()).min(1),
  fields: z.array(grantedFieldSchema).min(1),
  /** Last day of validity (Beijing time). */
  expires: dateText,
  approvedBy: z.string(),
  approvedAt: z.string(),
  requestId: z.string(),
  scope: z.record(z.string(), z.string()).optional(),
  revoked: z.object({ by: z.string(), at: z.string(), reason: z.string() }).optional(),
  /** Requests under it must name their case (`x-case-id`), in `casePattern`'s format when set. */
  requireCase: z.boolean().optional(),
  casePattern: z.string().optional(),
  /** Days the consumer may keep what it received after the grant ends; then it attests deletion. */
  retainDays: z.number().int().nonnegative().optional(),
});
export type StoredGrant = z.infer<typeof storedGrantSchema>;

/**
 * A consumer's statement that it deleted what it received under a grant that has ended (the
 * grant's `retainDays` said how long it could keep it). One per grant.
 */
export const deletionAttestationSchema = z.looseObject({
  grantId: z.string(),
  /** The agency whose grant it was: its CDO reads the attestation. */
  agency: z.string(),
  consumer: z.string(),
  attestedAt: z.string(),
  /** Who attests, for the consumer. */
  attestedBy: z.string(),
  note: z.string().optional(),
});
export type DeletionAttestation = z.infer<typeof deletionAttestationSchema>;

export const GRANT_ACTIONS = ['requested', 'approved', 'refused', 'revoked', 'deletion-attested'] as const;
export type GrantAction = (typeof GRANT_ACTIONS)[number];

/** One step of the workflow; every event becomes an audit record. */
export const grantEventSchema = z.looseObject({
  seq: z.number().int().positive(),
  at: z.string(),
  action: z.enum(GRANT_ACTIONS),
  /** Who acted: the requesting consumer, or the CDO who decided (a refusal by the policy itself names it). */
  actor: z.string(),
  agency: z.string(),
  consumer: z.string(),
  purpose: z.string(),
  fields: z.array(z.string()),
  requestId: z.string(),
  grantId: z.string().optional(),
  reason: z.string().optional(),
});
export type GrantEvent = z.infer<typeof grantEventSchema>;

export const grantStoreStateSchema = z.looseObject({
  /** Random id of this store, so a gateway's audit cursor never carries over to another store. */
  storeId: z.string(),
  /** Bumped by every change. */
  revision: z.number().int().nonnegative(),
  requests: z.array(grantRequestSchema),
  grants: z.array(storedGrantSchema),
  events: z.array(grantEventSchema),
  /** Absent in stores written before deletion attestations existed. */
  attestations: z.array(deletionAttestationSchema).default([]),
});
export type GrantStoreState = z.infer<typeof grantStoreStateSchema>;
