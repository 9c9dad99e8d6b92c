import { z } from 'zod';

/**
 * Disputes (疑义校核): a consumer that finds a shared value wrong flags it; the owning agency's CDO
 * checks it and answers within the agency's deadline in working days. Kept in the dispute store
 * beside the grant store, never in the committed policy files.
 */

const dateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

export const DISPUTE_OUTCOMES = ['confirmed', 'corrected', 'rejected'] as const;
/** `confirmed`: the value is right; `corrected`: it was wrong and the agency fixed it; `rejected`: the claim is not a dispute the agency takes up. */
export type DisputeOutcome = (typeof DISPUTE_OUTCOMES)[number];

/** A file the consumer attached to its claim, kept whole with its digest so either side can later show what was sent. */
export const disputeEvidenceSchema = z.looseObject({
  /** The file's own name, as given (no path). */
  name: z.string(),
  bytes: z.number().int().nonnegative(),
  /** Hex SHA-256 of the contents. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  contentBase64: z.string(),
});
export type DisputeEvidence = z.infer<typeof disputeEvidenceSchema>;

export const disputeSchema = z.looseObject({
  /** `DSP-2026-0007`: numbered per year, never reused. */
  id: z.string().regex(/^DSP-\d{4}-\d{4,}$/),
  /** The agency whose value is disputed: its CDO answers. */
  agency: z.string(),
  consumer: z.string(),
  /** The purpose the consumer read the value for, when it said. */
  purpose: z.string().optional(),
  /** `Type.field`. */
  coordinate: z.string(),
  /** The entity's key as the graph writes it (`School.code`'s value; several key fields joined by commas). */
  key: z.string(),
  claim: z.string(),
  evidence: disputeEvidenceSchema.optional(),
  filedAt: z.string(),
  filedBy: z.string(),
  /** The last day to answer (Beijing date), the agency's working days after filing. */
  dueDate: dateText,
  status: z.enum(['open', 'answered']),
  answer: z
    .looseObject({
      outcome: z.enum(DISPUTE_OUTCOMES),
      reason: z.string(),
      by: z.string(),
      at: z.string(),
    })
    .optional(),
});
export type Dispute = z.infer<typeof disputeSchema>;

export const disputeStoreStateSchema = z.looseObject({
  /** Random id of this store. */
  storeId: z.string(),
  /** Bumped by every change. */
  revision: z.number().int().nonnegative(),
  /** Per year, the last number given: a number once given is never given again. */
  lastNumber: z.record(z.string().regex(/^\d{4}$/), z.number().int().nonnegative()).default({}),
  disputes: z.array(disputeSchema),
});
export type DisputeStoreState = z.infer<typeof disputeStoreStateSchema>;
