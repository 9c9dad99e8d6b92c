import { subjectDigest } from '@cdo-hub/contracts';
import type { ConsumerDirectory } from '../consumers';
import { maskIdNumber } from '../masking';
import type { SubjectRead } from './accessLogRows';

/** A read as the subject sees it: with the reading department's name. */
export interface TransparencyRead extends Omit<SubjectRead, 'seq'> {
  consumerName: string;
}

/** What `/transparency/api/reads` answers a data subject: their identifier masked, and every read of their records. */
export interface TransparencyAnswer {
  subject: string;
  agencies: string[];
  /** Agencies whose reads could not be looked up (no subject key here): their absence is not "nobody read". */
  unavailable: string[];
  /** False while the index is still taking in the latest part of the trail: reads may be missing. */
  complete: boolean;
  reads: TransparencyRead[];
}

/** The digests to look a subject up by: one per agency, each under that agency's key. Pure. */
export function subjectLookups(
  subject: string,
  keys: readonly { agency: string; key: string }[],
): { agency: string; digest: string }[] {
  return keys.map(({ agency, key }) => ({ agency, digest: subjectDigest(key, subject) }));
}

/** The answer for `subject` from its reads: departments named as the directory names them. Pure. */
export function transparencyAnswer(
  subject: string,
  agencies: readonly string[],
  reads: readonly SubjectRead[],
  consumers: ConsumerDirectory,
  coverage: { unavailable?: readonly string[]; complete?: boolean } = {},
): TransparencyAnswer {
  return {
    subject: maskIdNumber(subject),
    agencies: [...agencies],
    unavailable: [...(coverage.unavailable ?? [])],
    complete: coverage.complete ?? true,
    reads: reads.map(({ seq: _seq, ...read }) => ({
      ...read,
      consumerName: consumers.consumers.get(read.consumer)?.name ?? read.consumer,
    })),
  };
}
