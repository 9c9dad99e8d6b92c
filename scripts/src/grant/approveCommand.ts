/**
 * `hub grant approve`: the masks a CDO may choose (in `--help`, without loading anything), then
 * — before the approval is stored — the masks that fit each requested field and the impact
 * preview; `--dry-run` stops after the preview.
 */
export const APPROVE_HELP = `
Masks (--mask FIELD=MASK), by the type of the field they apply to:
  String or ID fields   idNumber (110101********1234), mobile (138****5678), name (张*),
                        address (北京市海淀区******), hash (pseudonym per consumer), yearOnly (2019)
  Int or Float fields   round(n), e.g. round(10000)
  nullable fields       null (the value withheld)
\`hub grant approve REQ-… --by NAME --dry-run\` lists the masks that fit each field the request names
and previews the approval's impact on consumers' recent operations, without approving. A field the
preview says cannot be used without a parent (School.teachers for Teacher.name) is granted with its
parent by --add-field School.teachers (only parents the request lacks, of the same agency).
--require-case binds the grant to a case: requests under it must send x-case-id, matching
--case-pattern when given (anchored; literals, ., [classes], \\d \\w \\s, groups with |, ? * + {n,m}).
--retain-days N: once the grant ends the consumer keeps what it received at most N days, then
attests its deletion (hub grant attest-deletion; hub grant attestations lists what is owed).`;

/** The masks named in APPROVE_HELP (a unit test keeps it in step with the masking module). */
export const MASKS_IN_HELP = ['idNumber', 'mobile', 'name', 'address', 'hash', 'yearOnly', 'round(n)', 'null'];

export interface ApproveOptions {
  by: string;
  mask?: string[];
  expires?: string;
  /** Parent fields granted too (`--add-field`), as the preview's "could not be used" lines name them. */
  addField?: string[];
  dryRun?: boolean;
  sinceDays: number;
  /** Requests under the grant must name their case (`x-case-id`). */
  requireCase?: boolean;
  /** The agency's case-reference format, anchored. */
  casePattern?: string;
  /** Days the consumer may keep what it received once the grant ends. */
  retainDays?: number;
}

export async function approve(id: string, options: ApproveOptions, print: (line: string) => void): Promise<void> {
  const { maskChoices } = await import('@cdo-hub/gateway/grants');
  const { describeGrant, pairs, withGrants } = await import('./grantCommands.js');
  const { approvalImpact } = await import('../policy/impactCommands.js');
  const input = {
    by: options.by,
    masks: pairs(options.mask, '--mask'),
    ...(options.expires ? { expires: options.expires } : {}),
    ...(options.addField?.length ? { addFields: options.addField } : {}),
    ...(options.requireCase ? { requireCase: true } : {}),
    ...(options.casePattern !== undefined ? { casePattern: options.casePattern } : {}),
    ...(options.retainDays !== undefined ? { retainDays: options.retainDays } : {}),
  };
  await withGrants(async (service) => {
    const { grant, after } = await service.previewApproval(id, input);
    const fields = grant.fields.map((f) => (typeof f === 'string' ? f : Object.keys(f)[0]!));
    print('masks that fit the requested fields:');
    for (const choice of maskChoices(after.schema, fields))
      print(`  ${choice.coordinate.padEnd(28)} ${choice.masks.join(', ') || '(none: release it in clear or refuse)'}`);
    const preview = await approvalImpact(service, id, input, { sinceDays: options.sinceDays });
    for (const line of preview) print(line);
    if (options.dryRun) {
      print(`dry run: ${id} is still pending`);
      return;
    }
    const step = await service.approve(id, input);
    // A warning the preview already showed (a grant that cannot be used) is not repeated.
    for (const warning of step.warnings)
      if (!preview.some((line) => line.trim() && warning.startsWith(line.trim()))) print(`warning: ${warning}`);
    print(describeGrant(step.result));
  });
}
