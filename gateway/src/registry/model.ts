import { z } from 'zod';

/** One published version of one agency's subgraph schema. */
export const schemaVersionSchema = z
  .object({
    agency: z.string(),
    /** 1, 2, 3… per agency. */
    version: z.number().int().positive(),
    author: z.string(),
    /** ISO time. */
    publishedAt: z.string(),
    reason: z.string(),
    sdl: z.string(),
    sdlHash: z.string(),
    /** The supergraph this version went live in. */
    supergraphVersion: z.string(),
    /** Where the SDL came from: the committed file (seed), a file, a running subgraph, an earlier version. */
    source: z.enum(['seed', 'file', 'url', 'rollback']),
    /** Published over failed checks (`--force`): what they said, kept with the version. */
    forced: z.object({ errors: z.array(z.string()) }).optional(),
    /** The earlier version a rollback restored. */
    restores: z.number().int().positive().optional(),
  })
  .strict();
export type SchemaVersion = z.infer<typeof schemaVersionSchema>;

/** A composed supergraph the registry has served or serves, with the agency versions it holds. */
export const storedSupergraphSchema = z
  .object({
    version: z.string(),
    sdl: z.string(),
    composedAt: z.string(),
    agencies: z.record(z.string(), z.number().int().positive()),
  })
  .strict();
export type StoredSupergraph = z.infer<typeof storedSupergraphSchema>;

export const registryStateSchema = z
  .object({
    registryId: z.string(),
    revision: z.number().int().nonnegative(),
    versions: z.array(schemaVersionSchema),
    supergraphs: z.array(storedSupergraphSchema),
    /** The supergraph gateways serve; absent until the registry is first used. */
    current: z.string().optional(),
  })
  .strict();
export type RegistryState = z.infer<typeof registryStateSchema>;
