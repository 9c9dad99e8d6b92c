import type { AccessEntry } from './auditRecord';

/** The checkpoint signing key of the audit tests' trails. */
export const AUDIT_TEST_KEY = 'audit-checkpoint-key-0123456789abcdef';

/**
 * The n-th access record of a test trail, one a second from `start` (midnight UTC on 4 December
 * 2026 unless given): district-haidian reading school names for enrolment planning. A test that
 * needs masks, denials, grants or another consumer says so in `overrides`.
 */
export function accessEntry(
  n: number,
  overrides: Partial<AccessEntry> = {},
  start = Date.UTC(2026, 11, 4),
): AccessEntry {
  return {
    time: new Date(start + n * 1000).toISOString(),
    requestId: `r${n}`,
    consumer: 'district-haidian',
    purpose: 'enrollment-planning',
    operationName: null,
    operationHash: 'abc',
    grants: [],
    agencies: { education: { released: ['School.name'], masked: [], denied: [], entities: 1, grants: [] } },
    supergraphVersion: 's1',
    policyVersion: 'p1',
    outcome: 'ok',
    ...overrides,
  };
}
