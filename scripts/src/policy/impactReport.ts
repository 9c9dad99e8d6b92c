import { parentGrantCommand, describeUnreachableGrant, type PolicyImpact } from '@cdo-hub/gateway/policy';

/**
 * An impact preview as the CDO reads it in a terminal: per consumer, what its recent operations
 * would get differently; the objects that would become null; the fields it asks for that it could
 * not reach; and grants it could not use, with the command that asks for the missing parent
 * grants. The console renders the same `PolicyImpact`.
 */
export function formatImpact(impact: PolicyImpact, heading: string): string[] {
  const lines = [heading];
  const who = (c: { consumer: string; purpose: string | null; operation: { hash: string; name: string | null } }) =>
    `${c.consumer} (${c.purpose ?? 'no purpose'}) ${c.operation.name ?? c.operation.hash.slice(0, 12)}`;
  if (impact.changes.length) {
    lines.push("consumers' recent operations that would change outcome:");
    for (const c of impact.changes)
      lines.push(
        `  ${who(c)}, sent ${c.count}×: ${c.coordinate} ${c.change} (${c.before} → ${c.after}) at ${c.paths.join(', ')}`,
      );
  } else lines.push("no consumer's recent operation would change outcome");
  if (impact.blanked.length) {
    lines.push('objects that would become null through non-null fields:');
    for (const b of impact.blanked)
      lines.push(`  ${who(b)}: ${b.coordinate} withheld → ${b.nulled.join(', ')} becomes null`);
  }
  if (impact.unreachable.length) {
    lines.push('requested fields unreachable without a parent grant:');
    for (const u of impact.unreachable)
      lines.push(
        `  ${who(u)}: ${u.coordinate} is released but sits under ${u.missing.join(', ')}, which ${u.consumer} is denied` +
          (u.purpose
            ? `\n    add: hub grant request --consumer ${u.consumer} --fields ${u.missing.join(',')} --purpose ${u.purpose} --reason "…"`
            : ''),
      );
  }
  if (impact.unusableGrants.length) {
    lines.push('grants that could not be used:');
    for (const u of impact.unusableGrants)
      lines.push(`  ${describeUnreachableGrant(u)}${u.missing ? `\n    ${parentGrantCommand(u)}` : ''}`);
  }
  for (const s of impact.skipped) lines.push(`  (not judged: ${s.name ?? s.hash.slice(0, 12)}: ${s.reason})`);
  return lines;
}

/** Whether the preview found anything a CDO must look at before confirming. */
export function impactFindings(impact: PolicyImpact): number {
  return impact.changes.length + impact.blanked.length + impact.unreachable.length + impact.unusableGrants.length;
}
