import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY_DIR, DEFAULT_SUPERGRAPH_FILE } from '@cdo-hub/gateway';
import { checkPolicies, explainPolicies, formatCheckReport } from './policyCommands';

// Against the committed supergraph, whatever a schema registry on this machine serves.
const HERMETIC = { SUPERGRAPH_FILE: DEFAULT_SUPERGRAPH_FILE };

describe('hub policy check', () => {
  it('passes the shipped policies', async () => {
    const report = await checkPolicies(HERMETIC);
    expect(report).toMatchObject({ errors: 0, warnings: 0 });
    expect(formatCheckReport(report)).toMatch(/^policies OK \(version [0-9a-f]{16}\), 0 warning\(s\)$/);
  });

  it('fails with file, line and hint when a CDO mistypes a field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'policies-'));
    try {
      cpSync(DEFAULT_POLICY_DIR, dir, { recursive: true });
      const file = join(dir, 'education.yaml');
      const text = readFileSync(file, 'utf8');
      const line = text.split('\n').findIndex((l) => l === '      grade: { class: CONDITIONAL, level: L3 }') + 1;
      writeFileSync(
        file,
        text.replace(
          '      grade: { class: CONDITIONAL, level: L3 }',
          '      grades: { class: CONDITIONAL, level: L3 }',
        ),
      );
      const report = await checkPolicies({ ...HERMETIC, POLICY_DIR: dir });
      expect(report.errors).toBeGreaterThan(0);
      expect(formatCheckReport(report)).toMatch(
        new RegExp(
          `education\\.yaml:${line}: error: unknown field "Student\\.grades"\n    hint: did you mean "Student\\.grade"\\?`,
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hub policy explain', () => {
  it('prints each decision with the rule behind it', async () => {
    const text = await explainPolicies(
      'district-haidian',
      'enrollment-planning',
      '{ school(code: "2111000017") { students { nodes { name idNumber } } } }',
      HERMETIC,
    );
    expect(text).toMatch(/MASK name\s+Student\.name/);
    expect(text).toMatch(/DENY FIELD_NOT_SHARED\s+Student\.idNumber/);
    expect(text).toMatch(/granted masked by EDU-2026-001 {2}\[.*education\.yaml:\d+\]/);
  });

  it('refuses a purpose the consumer may not state', async () => {
    await expect(
      explainPolicies('city-analytics', 'planning', '{ districts { totalCount } }', HERMETIC),
    ).rejects.toThrow(/may not state purpose "planning"/);
  });
});
