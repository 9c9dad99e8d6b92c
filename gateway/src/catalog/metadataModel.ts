import { z } from 'zod';

/**
 * The catalog metadata an agency keeps beside its policy (`schema/catalog/<agency>.yaml`): what
 * its types and fields are called in Chinese, who answers for them (the data steward, public by
 * design), how often they change and which of its systems they come from. It describes data,
 * never holds any: the policy still decides who reads what.
 */

/** How often a field's values change at the source, as a directory entry says it (更新频率). */
export const UPDATE_FREQUENCIES = [
  'realtime',
  'daily',
  'weekly',
  'monthly',
  'per-term',
  'quarterly',
  'yearly',
  'on-change',
] as const;
export type UpdateFrequency = (typeof UPDATE_FREQUENCIES)[number];

const text = z.string().trim().min(1, 'must not be empty');

export const stewardSchema = z
  .object({
    /** The office answering for the data, e.g. 学籍管理处. */
    office: text,
    phone: text.optional(),
    email: z.email('an e-mail address').optional(),
  })
  .strict()
  .refine((steward) => steward.phone !== undefined || steward.email !== undefined, {
    message: 'give the steward a phone or an e-mail address: a contact nobody can reach is no contact',
  });
export type Steward = z.infer<typeof stewardSchema>;

const frequency = z.enum(UPDATE_FREQUENCIES, { error: `one of ${UPDATE_FREQUENCIES.join(', ')}` });

/** What a type or field may say for itself; anything left out is inherited (field → type → agency). */
const inheritable = {
  steward: stewardSchema.optional(),
  updateFrequency: frequency.optional(),
  sourceSystem: text.optional(),
};

/** A field: its Chinese name alone, or the name with a description and what it does not inherit. */
const fieldMetadataSchema = z.union([
  text,
  z.object({ name: text, description: text.optional(), ...inheritable }).strict(),
]);

const typeMetadataSchema = z
  .object({
    name: text,
    description: text.optional(),
    ...inheritable,
    fields: z.record(z.string(), fieldMetadataSchema).default({}),
  })
  .strict();

export const catalogMetadataFileSchema = z
  .object({
    agency: text,
    /** The agency's Chinese name, e.g. 北京市教育委员会. */
    name: text,
    steward: stewardSchema,
    updateFrequency: frequency,
    sourceSystem: text,
    types: z.record(z.string(), typeMetadataSchema),
  })
  .strict();
export type CatalogMetadataFile = z.infer<typeof catalogMetadataFileSchema>;

/** One field's metadata with inheritance applied. */
export interface FieldMetadata {
  nameZh: string;
  descriptionZh?: string;
  steward: Steward;
  updateFrequency: UpdateFrequency;
  sourceSystem: string;
}

export interface TypeMetadata {
  nameZh: string;
  descriptionZh?: string;
}

/** One agency's metadata, resolved: lookups by type name and by field coordinate. */
export interface AgencyMetadata {
  agency: string;
  nameZh: string;
  /** Where it was read, for messages. */
  file: string;
  steward: Steward;
  types: ReadonlyMap<string, TypeMetadata>;
  fields: ReadonlyMap<string, FieldMetadata>;
}
