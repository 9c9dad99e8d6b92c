import { createHash } from 'node:crypto';
import type { AuditedRecord } from '../requestState';

/** What a receipt states (its JWS payload). Digests are `sha256:` and 64 lowercase hex digits. */
export interface ReceiptClaims {
  /** The format's version. */
  v: 1;
  iss: 'cdo-hub';
  /** When it was signed, in seconds since the epoch (JWT's `iat`), and as an ISO time in ms. */
  iat: number;
  time: string;
  /** The gateway's id for the request (`x-request-id` of the answer). */
  requestId: string;
  consumer: string;
  purpose: string | null;
  case: string | null;
  /** Every grant the request's operations used. */
  grants: string[];
  /** The policy set and supergraph the request ran under (of its first operation; each record holds its own). */
  policyVersion: string | null;
  supergraphVersion: string;
  /** The request as received: its body for a POST, its query string for a GET. */
  request: string;
  /** The answer's body exactly as sent. */
  response: string;
  /** The audit records written, durably, before the answer left: one per operation (or per page of an export). */
  audit: { instance: string; seq: number; hash: string }[];
}

export const RECEIPT_TYPE = 'hub-receipt+jws';

/** `sha256:<hex>` of bytes (a string is taken as UTF-8, as it is sent). */
export function receiptDigest(bytes: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The claims of a receipt for an answer written under `records` (at least one). Pure. */
export function receiptClaims(input: {
  requestId: string;
  records: readonly AuditedRecord[];
  requestDigest: string;
  responseDigest: string;
  now: Date;
}): ReceiptClaims {
  const [first] = input.records;
  if (!first) throw new Error('a receipt names at least one audit record');
  const grants = [...new Set(input.records.flatMap((record) => record.grants))].sort();
  return {
    v: 1,
    iss: 'cdo-hub',
    iat: Math.floor(input.now.getTime() / 1000),
    time: input.now.toISOString(),
    requestId: input.requestId,
    consumer: first.consumer,
    purpose: first.purpose,
    case: first.case,
    grants,
    policyVersion: first.policyVersion,
    supergraphVersion: first.supergraphVersion,
    request: input.requestDigest,
    response: input.responseDigest,
    audit: input.records.map(({ instance, seq, hash }) => ({ instance, seq, hash })),
  };
}
