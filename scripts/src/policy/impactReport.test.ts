import type { PolicyImpact } from '@cdo-hub/gateway';
import { formatImpact, impactFindings } from './impactReport';

const operation = { hash: '50cc0c354c6b9d0e', name: 'SchoolCard' };
const empty: PolicyImpact = {
  changes: [],
  blanked: [],
  unreachable: [],
  unusableGrants: [],
  operations: 0,
  skipped: [],
};

describe('formatImpact', () => {
  it('says when nothing changes', () => {
    expect(formatImpact(empty, 'heading')).toEqual(['heading', "no consumer's recent operation would change outcome"]);
    expect(impactFindings(empty)).toBe(0);
  });

  it('names consumer, purpose, operation, field and change; nulled objects; the command for a missing parent grant', () => {
    const impact: PolicyImpact = {
      ...empty,
      changes: [
        {
          consumer: 'science',
          purpose: 'industrial-policy',
          operation,
          count: 12,
          coordinate: 'School.address',
          before: 'allow',
          after: 'deny GRANT_REQUIRED',
          change: 'withheld',
          paths: ['school.address'],
        },
      ],
      blanked: [
        {
          consumer: 'science',
          purpose: 'industrial-policy',
          operation,
          coordinate: 'School.address',
          nulled: ['school'],
        },
      ],
      unreachable: [
        {
          consumer: 'city-analytics',
          purpose: 'statistics',
          operation: { hash: 'abcdef0123456789', name: null },
          coordinate: 'Teacher.title',
          missing: ['School.teachers'],
        },
      ],
    };
    expect(formatImpact(impact, 'h')).toEqual([
      'h',
      "consumers' recent operations that would change outcome:",
      '  science (industrial-policy) SchoolCard, sent 12×: School.address withheld (allow → deny GRANT_REQUIRED) at school.address',
      'objects that would become null through non-null fields:',
      '  science (industrial-policy) SchoolCard: School.address withheld → school becomes null',
      'requested fields unreachable without a parent grant:',
      '  city-analytics (statistics) abcdef012345: Teacher.title is released but sits under School.teachers, which city-analytics is denied\n    add: hub grant request --consumer city-analytics --fields School.teachers --purpose statistics --reason "…"',
    ]);
    expect(impactFindings(impact)).toBe(3);
  });
});
