import { z } from 'zod';

/**
 * The policy file format: one YAML file per agency under `schema/policies/`, written by the
 * agency's Chief Data Officer. See docs/guides/cdos.md, "The policy file".
 */

/** Sharing attribute of a data item (State Council rules on government information sharing, 2016). */
export const SHARING_CLASSES = ['UNCONDITIONAL', 'CONDITIONAL', 'NOT_SHARED'] as const;
export type SharingClass = (typeof SHARING_CLASSES)[number];

/** L1 public, L2 internal, L3 sensitive (personal or commercial), L4 sensitive personal information or minors' data. */
export const LEVELS = ['L1', 'L2', 'L3', 'L4'] as const;
export type Level = (typeof LEVELS)[number];

/** Open-data attribute towards the public, separate from sharing between departments. */
export const OPEN_DATA = ['OPEN', 'CONDITIONAL', 'CLOSED'] as const;
export type OpenData = (typeof OPEN_DATA)[number];

const fieldRuleSchema = z
  .object({
    class: z.enum(SHARING_CLASSES).optional(),
    level: z.enum(LEVELS).optional(),
    open: z.enum(OPEN_DATA).optional(),
    legalBasis: z.string().min(1).optional(),
    /** The CDO allows the gateway to cache this field although its level would forbid it (capped by its class). */
    cacheable: z.boolean().optional(),
    /**
     * Minimum cell size of a count: on an `Int` count field, or on a field returning a connection
     * (its `totalCount`). A smaller count, other than 0, is withheld from every consumer but the
     * agency itself (statistical disclosure control).
     */
    minCount: z.number().int().min(2).optional(),
    /**
     * The CDO confirms that withholding this non-null field nulls its parent object for every
     * consumer denied it (see compilePolicies' blanking guard): without it such a class is refused.
     */
    allowBlanking: z.boolean().optional(),
    note: z.string().optional(),
  })
  .strict();
export type FieldRuleInput = z.infer<typeof fieldRuleSchema>;

/** A field coordinate, `Type.field`. */
const fieldCoordinateSchema = z.string().regex(/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/, 'write Type.field');

/**
 * How one argument of a field is classed (`types.<Type>.arguments["field(arg)"]`): either by the
 * value it compares against or orders by (`over`, the class of that value as its own agency
 * classes it), or with a class of its own, written like a field's. See
 * docs/security/arguments-and-counts.md.
 */
const argumentRuleSchema = z
  .object({
    over: z.union([fieldCoordinateSchema, z.array(fieldCoordinateSchema).min(1)]).optional(),
    class: z.enum(SHARING_CLASSES).optional(),
    level: z.enum(LEVELS).optional(),
    open: z.enum(OPEN_DATA).optional(),
    legalBasis: z.string().min(1).optional(),
    /**
     * Whether the argument's schema default compares too (so leaving it out is a read). True
     * unless said otherwise; `false` for defaults such as `ANY` that compare against nothing.
     */
    defaultCompares: z.boolean().optional(),
    note: z.string().optional(),
  })
  .strict();
export type ArgumentRuleInput = z.infer<typeof argumentRuleSchema>;

const typeRuleSchema = z
  .object({
    default: fieldRuleSchema.optional(),
    fields: z.record(z.string(), fieldRuleSchema).optional(),
    /** Arguments of the type's fields, keyed `field(argument)`. */
    arguments: z.record(z.string(), argumentRuleSchema).optional(),
  })
  .strict();

/** `YYYY-MM-DD` (valid through that day, Beijing time) or a full ISO timestamp. */
const expirySchema = z.union([z.string(), z.date()]).transform((value, ctx) => {
  const text = value instanceof Date ? value.toISOString().slice(0, 10) : value;
  const at = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00+08:00`) + 86_400_000 : Date.parse(text);
  if (Number.isNaN(at)) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a date (YYYY-MM-DD) or an ISO timestamp` });
    return z.NEVER;
  }
  return { text, at };
});

/** A granted field: `Type.field`, or `Type.*` for every field of the type; optionally with a mask; or an argument, `Type.field(arg)`. */
const grantFieldSchema = z.union([
  z.string(),
  z
    .record(z.string(), z.string())
    .refine((entry) => Object.keys(entry).length === 1, 'a masked field is written `Type.field: mask`'),
]);

export const grantSchema = z
  .object({
    id: z.string().min(1),
    consumer: z.string().min(1),
    purposes: z.array(z.string().min(1)).min(1),
    fields: z.array(grantFieldSchema).min(1),
    expires: expirySchema,
    approvedBy: z.string().min(1),
    scope: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    /** Requests using the grant must name the case they serve (`x-case-id`). */
    requireCase: z.boolean().optional(),
    /** The agency's case-reference format the case must match, whole (casePattern.ts); needs `requireCase: true`. */
    casePattern: z.string().optional(),
    /** Days the consumer may keep what it received after the grant ends, before it must attest deletion. */
    retainDays: z.number().int().min(0).max(3650).optional(),
    note: z.string().optional(),
  })
  .strict();
export type GrantInput = z.infer<typeof grantSchema>;

/** The keys each part of a policy file allows, for "allowed here:" hints on a misspelt key. */
export const POLICY_KEYS = {
  file: ['agency', 'types', 'grants', 'disputes'],
  type: ['default', 'fields', 'arguments'],
  field: Object.keys(fieldRuleSchema.shape),
  argument: Object.keys(argumentRuleSchema.shape),
  grant: Object.keys(grantSchema.shape),
} as const;

/**
 * Working days the agency's CDO has to answer a dispute (疑义校核) over one of its values, when the
 * policy file does not say: the same ten working days a grant request is answered in (DOMAIN).
 */
export const DEFAULT_DISPUTE_ANSWER_WORKING_DAYS = 10;

/** How the agency answers disputes over its values (`disputes:` in its policy file). */
const disputeSettingsSchema = z
  .object({
    /** Working days (the holiday calendar's) from filing to the answer's due date. */
    answerWithinWorkingDays: z.number().int().min(1).max(60).default(DEFAULT_DISPUTE_ANSWER_WORKING_DAYS),
  })
  .strict();

export const policyFileSchema = z
  .object({
    agency: z.string().min(1),
    types: z.record(z.string(), typeRuleSchema).default({}),
    grants: z.array(grantSchema).default([]),
    disputes: disputeSettingsSchema.optional(),
  })
  .strict();
export type PolicyFileInput = z.infer<typeof policyFileSchema>;
