/**
 * Separation of duties in the grant workflow: whoever files a request, or receives what it asks
 * for, does not also decide it. Approving, refusing and revoking each compare the acting identity
 * with the request's filer (`requestedBy`) and its consumer. The acting identity is every name
 * the actor acts under: over the admin API the token's subject (a registry id) and the `by` it
 * gives; on the CLI the `--by` name.
 *
 * Names compare trimmed and case-insensitively: `City-Analytics` is not another person.
 */
export function dutiesConflict(
  request: { id: string; consumer: string; requestedBy: string },
  acting: readonly string[],
  step: 'approve' | 'refuse' | 'revoke',
): string | undefined {
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
  for (const name of acting) {
    if (!name.trim()) continue;
    if (same(name, request.consumer))
      return `${name.trim()} may not ${step} ${request.id}: it is the request's consumer (nobody decides on data for themselves)`;
    if (same(name, request.requestedBy))
      return `${name.trim()} may not ${step} ${request.id}: ${name.trim()} filed it (whoever files a request does not decide it)`;
  }
  return undefined;
}
