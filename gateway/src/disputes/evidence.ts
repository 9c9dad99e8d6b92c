import { createHash } from 'node:crypto';
import type { DisputeRefusal } from './disputeError';
import type { DisputeEvidence } from './model';

/**
 * Largest evidence file kept with a dispute: 64 KiB (a scan of a certificate, an extract of a
 * register). The dispute store is one document every gateway reads; files larger than this belong
 * in the agencies' own case systems, named in the claim.
 */
export const MAX_EVIDENCE_BYTES = 64 * 1024;

/** The evidence as stored: its name (without any folder), size, SHA-256 and contents. Pure. */
export function disputeEvidence(
  name: string,
  contents: Uint8Array,
): { ok: true; evidence: DisputeEvidence } | DisputeRefusal {
  const base = name.split(/[\\/]/).pop()?.trim() ?? '';
  if (!base || base.length > 200 || /\p{Cc}/u.test(base))
    return { ok: false, code: 'DISPUTE_INVALID', message: 'the evidence needs a file name of at most 200 characters' };
  if (contents.byteLength > MAX_EVIDENCE_BYTES)
    return {
      ok: false,
      code: 'DISPUTE_INVALID',
      message: `the evidence is ${contents.byteLength} bytes; at most ${MAX_EVIDENCE_BYTES} are kept with a dispute`,
    };
  const buffer = Buffer.from(contents.buffer, contents.byteOffset, contents.byteLength);
  return {
    ok: true,
    evidence: {
      name: base,
      bytes: buffer.byteLength,
      sha256: createHash('sha256').update(buffer).digest('hex'),
      contentBase64: buffer.toString('base64'),
    },
  };
}
