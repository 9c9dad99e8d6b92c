import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { z } from 'zod';

/**
 * The allow-list of persisted operations, in the persisted-query manifest format Apollo's tools
 * and routers read: each operation's id is the SHA-256 (hex) of its exact text, the hash a client
 * sends as `extensions.persistedQuery.sha256Hash` (the Automatic Persisted Queries convention, so
 * ordinary Apollo clients can send them).
 */
export interface PersistedOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

export interface OperationManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: PersistedOperation[];
}

const manifestSchema = z
  .object({
    format: z.literal('apollo-persisted-query-manifest'),
    version: z.literal(1),
    operations: z.array(
      z.object({
        id: z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex'),
        name: z.string(),
        type: z.enum(['query', 'mutation', 'subscription']),
        body: z.string().min(1),
      }),
    ),
  })
  .superRefine((manifest, ctx) => {
    manifest.operations.forEach((operation, index) => {
      if (operationId(operation.body) !== operation.id)
        ctx.addIssue({
          code: 'custom',
          path: ['operations', index, 'id'],
          message: `is not the SHA-256 of the body of ${operation.name}`,
        });
    });
  });

export function operationId(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Reads and checks a manifest file; a malformed one stops the start (an allow-list that silently admits nothing is worse). */
export function loadOperationManifest(file: string): OperationManifest {
  const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `persisted operations ${file}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  return parsed.data as OperationManifest;
}

/** One manifest entry per document (`.graphql` file text): named after its operation. */
export function manifestFromDocuments(documents: readonly string[]): OperationManifest {
  const operations = documents.map((body): PersistedOperation => {
    const operation = parse(body).definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    if (!operation?.name) throw new Error(`every persisted document needs one named operation:\n${body.slice(0, 200)}`);
    return { id: operationId(body), name: operation.name.value, type: operation.operation, body };
  });
  return {
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: operations.sort((a, b) => a.name.localeCompare(b.name)),
  };
}
