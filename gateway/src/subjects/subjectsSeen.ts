import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { SUBJECTS_EXTENSION, type ReturnedSubject } from '@cdo-hub/contracts';

/** Per agency, the subjects of the records its calls returned for one operation. */
export type SubjectsByAgency = Readonly<Record<string, readonly ReturnedSubject[]>>;

const DIGEST = /^[0-9a-f]{64}$/;

function isReturnedSubject(value: unknown): value is ReturnedSubject {
  const subject = value as Partial<ReturnedSubject> | null;
  return (
    typeof subject === 'object' &&
    subject !== null &&
    typeof subject.digest === 'string' &&
    DIGEST.test(subject.digest) &&
    (subject.kind === 'person' || subject.kind === 'organisation') &&
    typeof subject.type === 'string' &&
    Array.isArray(subject.fields) &&
    subject.fields.every((field) => typeof field === 'string') &&
    Array.isArray(subject.path)
  );
}

/**
 * Takes the subjects an agency handed over out of band (`extensions.cdoSubjects`) off its answer:
 * the extension is removed whatever it holds, so it can reach neither a cache's client-visible
 * output nor a client; what is not a well-formed subject is dropped.
 */
export function takeSubjects(response: GatewayGraphQLResponse): ReturnedSubject[] {
  const extensions = response.extensions;
  if (!extensions || !(SUBJECTS_EXTENSION in extensions)) return [];
  const { [SUBJECTS_EXTENSION]: handed, ...rest } = extensions;
  if (Object.keys(rest).length) response.extensions = rest;
  else delete response.extensions;
  return Array.isArray(handed) ? handed.filter(isReturnedSubject) : [];
}

/**
 * The subjects each operation in flight was handed, keyed by its context (the object Apollo Server
 * gives the operation, and the data sources and the audit stage see): written by the data sources
 * and by a response-cache hit, read once by the audit stage.
 */
export class SubjectsSeen {
  private readonly seen = new WeakMap<object, Record<string, ReturnedSubject[]>>();

  add(context: object, agency: string, subjects: readonly ReturnedSubject[]): void {
    if (!subjects.length) return;
    let byAgency = this.seen.get(context);
    if (!byAgency) this.seen.set(context, (byAgency = {}));
    (byAgency[agency] ??= []).push(...subjects);
  }

  /** Replays what a cached answer was stored with. */
  addAll(context: object, subjects: SubjectsByAgency): void {
    for (const [agency, list] of Object.entries(subjects)) this.add(context, agency, list);
  }

  of(context: object): SubjectsByAgency | undefined {
    return this.seen.get(context);
  }
}

/** One operation's subjects as a cache layer sees them: what its calls collected, and a way to replay a cached answer's. */
export interface OperationSubjects {
  collected(): SubjectsByAgency | undefined;
  replay(subjects: SubjectsByAgency): void;
}

export function subjectsOfOperation(seen: SubjectsSeen, context: object): OperationSubjects {
  return { collected: () => seen.of(context), replay: (subjects) => seen.addAll(context, subjects) };
}

/** The subjects without their places in the fetched answers (a cached answer needs only whose records it holds). */
export function withoutPaths(subjects: SubjectsByAgency): SubjectsByAgency {
  return Object.fromEntries(
    Object.entries(subjects).map(([agency, list]) => [agency, list.map((subject) => ({ ...subject, path: [] }))]),
  );
}
