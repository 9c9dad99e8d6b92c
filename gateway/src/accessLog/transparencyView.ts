import { subjectDigest } from '@cdo-hub/contracts';
import type { ConsumerDirectory } from '../consumers';
import { maskIdNumber } from '../masking';
import type { SubjectRead, TransparencyAnswer } from './transparencyAnswer';

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
