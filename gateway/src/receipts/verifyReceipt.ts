import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { RECEIPT_TYPE, receiptDigest, type ReceiptClaims } from './receiptClaims';

export interface ReceiptVerdict {
  /** True when the signature verifies under a published key and every digest given matches. */
  valid: boolean;
  claims?: ReceiptClaims;
  kid?: string;
  problems: string[];
}

/**
 * Checks a receipt: its EdDSA signature under one of the hub's published keys (the JWKS), then the
 * body's SHA-256 against its `response` digest, and the request's when it is given. The algorithm
 * for other languages is in docs/guides/receipts.md.
 */
export async function verifyReceipt(input: {
  receipt: string;
  keys: JSONWebKeySet;
  body: Uint8Array;
  request?: Uint8Array;
}): Promise<ReceiptVerdict> {
  let verified;
  try {
    verified = await compactVerify(input.receipt.trim(), createLocalJWKSet(input.keys), { algorithms: ['EdDSA'] });
  } catch (error) {
    return { valid: false, problems: [`the signature does not verify: ${(error as Error).message}`] };
  }
  const problems: string[] = [];
  if (verified.protectedHeader.typ !== RECEIPT_TYPE)
    problems.push(`not a receipt (typ ${verified.protectedHeader.typ})`);
  let claims: ReceiptClaims;
  try {
    claims = JSON.parse(new TextDecoder().decode(verified.payload)) as ReceiptClaims;
  } catch {
    return { valid: false, problems: ['the payload is not JSON'] };
  }
  if (claims.response !== receiptDigest(input.body))
    problems.push(`the body's digest ${receiptDigest(input.body)} is not the receipt's ${claims.response}`);
  if (input.request && claims.request !== receiptDigest(input.request))
    problems.push(`the request's digest ${receiptDigest(input.request)} is not the receipt's ${claims.request}`);
  return {
    valid: problems.length === 0,
    claims,
    ...(verified.protectedHeader.kid ? { kid: verified.protectedHeader.kid } : {}),
    problems,
  };
}
