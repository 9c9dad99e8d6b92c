import { z } from 'zod';
import { readYamlSource, type SourceLocation, type YamlSource } from '../policy/yamlSource';

/**
 * The consumer registry (`schema/consumers.yaml`): every department that may call the hub, the
 * agency it belongs to (if any) and the purposes it may state. A request names its consumer in
 * its token and its purpose in `x-data-purpose`.
 */
export const CONSUMER_KINDS = ['AGENCY', 'DISTRICT_GOVERNMENT', 'ANALYTICS_OFFICE', 'PUBLIC'] as const;
export type ConsumerKind = (typeof CONSUMER_KINDS)[number];

const consumerSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    name: z.string().min(1),
    kind: z.enum(CONSUMER_KINDS),
    agency: z.string().min(1).optional(),
    purposes: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).default([]),
    /** Requests per minute (sliding window) instead of the gateway's `RATE_LIMIT_PER_MINUTE`; 0 for none. */
    rateLimitPerMinute: z.number().int().nonnegative().optional(),
  })
  .strict();

const registrySchema = z.object({ consumers: z.array(consumerSchema).min(1) }).strict();

export interface Consumer extends z.infer<typeof consumerSchema> {
  source: SourceLocation;
}

/** The one consumer a request without a token is: it may read only fields open to the public. */
export const PUBLIC_CONSUMER_ID = 'public';

export interface ConsumerRegistry {
  consumers: ReadonlyMap<string, Consumer>;
  file: string;
}

export interface RegistryProblem {
  location: SourceLocation;
  message: string;
}

export function parseConsumerRegistry(source: YamlSource): { registry?: ConsumerRegistry; problems: RegistryProblem[] } {
  if (source.syntaxErrors.length) {
    return { problems: source.syntaxErrors.map((error) => ({ location: { file: source.file, line: error.line }, message: `YAML: ${error.message}` })) };
  }
  const parsed = registrySchema.safeParse(source.value);
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((issue) => ({ location: source.locate(issue.path as PropertyKey[]), message: `${issue.path.join('.')}: ${issue.message}` })) };
  }
  const problems: RegistryProblem[] = [];
  const consumers = new Map<string, Consumer>();
  parsed.data.consumers.forEach((consumer, index) => {
    const location = source.locate(['consumers', index]);
    if (consumers.has(consumer.id)) problems.push({ location, message: `consumer "${consumer.id}" is registered twice` });
    if (consumer.kind === 'AGENCY' && !consumer.agency) problems.push({ location, message: `consumer "${consumer.id}" is an AGENCY but names no agency` });
    consumers.set(consumer.id, { ...consumer, source: location });
  });
  if (!consumers.has(PUBLIC_CONSUMER_ID)) problems.push({ location: source.locate([]), message: `the registry must hold the "${PUBLIC_CONSUMER_ID}" consumer (requests without a token)` });
  return { registry: { consumers, file: source.file }, problems };
}

export function loadConsumerRegistry(file: string, displayName = file): { registry?: ConsumerRegistry; problems: RegistryProblem[] } {
  return parseConsumerRegistry(readYamlSource(file, displayName));
}
