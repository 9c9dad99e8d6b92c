import { z } from 'zod';
import { readYamlSource, type SourceLocation, type YamlSource } from '../formats';
import { roleBindingProblem, ROLE_PATTERN } from './roles';

/**
 * The consumer directory (`schema/consumers.yaml`): every department that may call the hub, the
 * agency it belongs to (if any), the purposes it may state and the roles it may hold. A request
 * names its consumer in its token (`sub`) and its purpose in `x-data-purpose` or the token.
 *
 * Besides departments that read data, the directory names the people and teams with authority
 * over the hub itself: an agency's CDO identities (kind `CDO`, bound to their agency) and the
 * hub's operators (kind `OPERATOR`). They state no purpose, so they read no data: they decide.
 */
export const CONSUMER_KINDS = [
  'AGENCY',
  'DISTRICT_GOVERNMENT',
  'ANALYTICS_OFFICE',
  'CDO',
  'OPERATOR',
  'PUBLIC',
] as const;
export type ConsumerKind = (typeof CONSUMER_KINDS)[number];

const consumerSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    name: z.string().min(1),
    kind: z.enum(CONSUMER_KINDS),
    agency: z.string().min(1).optional(),
    purposes: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).default([]),
    /** Roles a token naming this entry may carry (`cdo:<agency>`, `hub-operator`); a token claiming any other is refused. */
    roles: z.array(z.string().regex(ROLE_PATTERN, 'a role the hub knows: cdo:<agency> or hub-operator')).default([]),
    /** Requests per minute (sliding window) instead of the gateway's `RATE_LIMIT_PER_MINUTE`; 0 for none. */
    rateLimitPerMinute: z.number().int().nonnegative().optional(),
  })
  .strict();

const directorySchema = z.object({ consumers: z.array(consumerSchema).min(1) }).strict();

export interface Consumer extends z.infer<typeof consumerSchema> {
  source: SourceLocation;
}

/** The one consumer a request without a token is: it may read only fields open to the public. */
export const PUBLIC_CONSUMER_ID = 'public';

export interface ConsumerDirectory {
  consumers: ReadonlyMap<string, Consumer>;
  file: string;
}

export interface ConsumerDirectoryProblem {
  location: SourceLocation;
  message: string;
}

export function parseConsumerDirectory(source: YamlSource): {
  directory?: ConsumerDirectory;
  problems: ConsumerDirectoryProblem[];
} {
  if (source.syntaxErrors.length) {
    return {
      problems: source.syntaxErrors.map((error) => ({
        location: { file: source.file, line: error.line },
        message: `YAML: ${error.message}`,
      })),
    };
  }
  const parsed = directorySchema.safeParse(source.value);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((issue) => ({
        location: source.locate(issue.path as PropertyKey[]),
        message: `${issue.path.join('.')}: ${issue.message}`,
      })),
    };
  }
  const problems: ConsumerDirectoryProblem[] = [];
  const consumers = new Map<string, Consumer>();
  parsed.data.consumers.forEach((consumer, index) => {
    const location = source.locate(['consumers', index]);
    if (consumers.has(consumer.id))
      problems.push({ location, message: `consumer "${consumer.id}" is registered twice` });
    if ((consumer.kind === 'AGENCY' || consumer.kind === 'CDO') && !consumer.agency)
      problems.push({
        location,
        message: `consumer "${consumer.id}" is ${consumer.kind === 'AGENCY' ? 'an AGENCY' : 'a CDO identity'} but names no agency`,
      });
    if (consumer.kind === 'OPERATOR' && consumer.agency)
      problems.push({
        location,
        message: `consumer "${consumer.id}" is an OPERATOR: it runs the hub for every agency and names none (remove agency: ${consumer.agency})`,
      });
    // Authority and reading are kept apart: whoever decides on grants or runs the hub reads no data as such.
    if ((consumer.kind === 'CDO' || consumer.kind === 'OPERATOR') && consumer.purposes.length) {
      problems.push({
        location: source.locate(['consumers', index, 'purposes']),
        message: `consumer "${consumer.id}" is ${consumer.kind === 'CDO' ? 'a CDO identity' : 'an OPERATOR'}: it states no purpose and reads no data (register the department it reads for as a consumer of its own)`,
      });
    }
    consumer.roles.forEach((role, roleIndex) => {
      const problem = roleBindingProblem(consumer, role);
      if (problem)
        problems.push({ location: source.locate(['consumers', index, 'roles', roleIndex]), message: problem });
    });
    consumers.set(consumer.id, { ...consumer, source: location });
  });
  if (!consumers.has(PUBLIC_CONSUMER_ID))
    problems.push({
      location: source.locate([]),
      message: `the consumer directory must hold the "${PUBLIC_CONSUMER_ID}" consumer (requests without a token)`,
    });
  return { directory: { consumers, file: source.file }, problems };
}

export function loadConsumerDirectory(
  file: string,
  displayName = file,
): { directory?: ConsumerDirectory; problems: ConsumerDirectoryProblem[] } {
  return parseConsumerDirectory(readYamlSource(file, displayName));
}

/**
 * The agency whose data this consumer reads in full as its owner: only an agency's own department
 * (kind AGENCY). A CDO identity is bound to an agency to decide over its data, not to read it.
 */
export function ownAgencyOf(consumer: Pick<Consumer, 'kind' | 'agency'>): string | undefined {
  return consumer.kind === 'AGENCY' ? consumer.agency : undefined;
}
