export type StatedPurpose =
  | {
      ok: true;
      purpose: string | undefined;
      /** The token's `purpose` claim decided it: nothing else may restate it. */ boundByToken: boolean;
    }
  | { ok: false; code: 'PURPOSE_MISMATCH'; message: string };

/**
 * The purpose a request states, by one rule: a token's `purpose` claim binds — whoever issued the
 * token issued it for that purpose, so an `x-data-purpose` header naming another is refused, not
 * silently preferred (the header may repeat the claim). A token without a purpose claim leaves the
 * purpose to the header, as for every request without one.
 */
export function statedPurpose(header: string | undefined, claim: string | undefined): StatedPurpose {
  const fromHeader = header?.trim() || undefined;
  const fromToken = claim?.trim() || undefined;
  if (fromToken === undefined) return { ok: true, purpose: fromHeader, boundByToken: false };
  if (fromHeader !== undefined && fromHeader !== fromToken) {
    return {
      ok: false,
      code: 'PURPOSE_MISMATCH',
      message: `The token was issued for purpose "${fromToken}" and binds it; the x-data-purpose header states "${fromHeader}". Send the token's purpose (or none), or a token issued for "${fromHeader}".`,
    };
  }
  return { ok: true, purpose: fromToken, boundByToken: true };
}
