import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY_DIR } from '@cdo-hub/gateway';
import { checkPolicies, explainPolicies, formatCheckReport } from './policyCommands';

describe('hub policy check', () => {
  it('passes the shipped policies', () => {
    const report = checkPolicies({});
    expect(report).toMatchObject({ errors: 0, warnings: 0 });
    expect(formatCheckReport(report)).toMatch(/^policies OK \(version [0-9a-f]{16}\), 0 warning\(s\)$/);
  });

  it('fails with file, line and hint when a CDO mistypes a field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policies-'));
    try {
      cpSync(DEFAULT_POLICY_DIR, dir, { recursive: true });
      const file = join(dir, 'education.yaml');
      const text = readFileSync(file, 'utf8');
      const line = text.split('\n').findIndex((l) => l === '      grade: { class: CONDITIONAL, level: L3 }') + 1;
      writeFileSync(file, text.replace('      grade: { class: CONDITIONAL, level: L3 }', '      grades: { class: CONDITIONAL, level: L3 }'));
      const report = checkPolicies({ POLICY_DIR: dir });
      expect(report.errors).toBeGreaterThan(0);
      expect(formatCheckReport(report)).toMatch(new RegExp(`education\\.yaml:${line}: error: unknown field "Student\\.grades"\n    hint: did you mean "Student\\.grade"\\?`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hub policy explain', () => {
  it('prints each decision with the rule behind it', () => {
    const text = explainPolicies('district-haidian', 'enrollment-planning', '{ school(code: "2111000017") { students { nodes { name idNumber } } } }', {});
    expect(text).toMatch(/MASK name\s+Student\.name/);
    expect(text).toMatch(/DENY FIELD_NOT_SHARED\s+Student\.idNumber/);
    expect(text).toMatch(/granted masked by EDU-2026-001 {2}\[.*education\.yaml:\d+\]/);
  });

  it('refuses a purpose the consumer may not state', () => {
    expect(() => explainPolicies('city-analytics', 'planning', '{ districts { totalCount } }', {})).toThrow(/may not state purpose "planning"/);
  });
});
