/**
 * Which database column backs each NOT_SHARED or CONDITIONAL leaf field of the three agencies, and
 * what canary it gets. The canary test's completeness check compares this map with the fields the
 * supergraph and the policies protect: a protected leaf field must be seeded here or listed in
 * NOT_SEEDABLE with a reason, or the check fails.
 *
 * Canary forms (row = 1-based row number in rowid order, five digits):
 *   text    `CNRY` + tag + row              e.g. CNRYsid00012
 *   date    <the row's own year> + `-CNRY` + tag + row   (the yearOnly mask keeps only the year)
 *   int     7 + family (2 digits) + row (4 digits) + 7     e.g. 71100127 (odd and ending in 7, so
 *           no round(10^k) step leaves it as it was; round(1) would, and is no mask for an Int)
 *   float   the same + 0.25                 e.g. 72101277.25 (round(n) for n ≥ 1 drops the .25)
 * The mark looked for is the text canary, or the number as JSON writes it. No mask the policy
 * language offers can reproduce a whole mark (checked in canaryOracle.test.ts): name keeps `C`,
 * idNumber and mobile drop the middle, address keeps three characters, yearOnly keeps the year,
 * round(n) rounds the .25 away, hash and null replace the value. So a mark is seen only where a
 * value went out unmasked.
 */

export type CanaryForm =
  { kind: 'text' } | { kind: 'date' } | { kind: 'int'; family: number } | { kind: 'float'; family: number };

export interface CanaryColumn {
  coordinate: string;
  column: string;
  /** Three lowercase letters naming the field inside text canaries. */
  tag: string;
  form: CanaryForm;
  /** Columns the seeder derives from this one; they get the same derivation of the canary. */
  derived?: { column: string; coordinate: string; from: (canary: string) => string }[];
}

export interface CanaryTable {
  agency: string;
  table: string;
  /** SQL giving each row's district code (`r` is the table), for row scopes such as Haidian's. */
  districtSql: string;
  columns: CanaryColumn[];
}

const text = { kind: 'text' } as const;

export const CANARY_TABLES: readonly CanaryTable[] = [
  {
    agency: 'education',
    table: 'students',
    districtSql: '(SELECT district_code FROM schools WHERE code = r.school_code)',
    columns: [
      // The student number is `G` + the resident ID number (and is the roster's sort key).
      {
        coordinate: 'Student.idNumber',
        column: 'id_number',
        tag: 'sid',
        form: text,
        derived: [{ column: 'student_number', coordinate: 'Student.studentNumber', from: (canary) => `G${canary}` }],
      },
      { coordinate: 'Student.name', column: 'name', tag: 'snm', form: text },
      { coordinate: 'Student.birthDate', column: 'birth_date', tag: 'sbd', form: { kind: 'date' } },
      { coordinate: 'Student.grade', column: 'grade', tag: 'sgr', form: { kind: 'int', family: 11 } },
      { coordinate: 'Student.guardianName', column: 'guardian_name', tag: 'sgn', form: text },
      { coordinate: 'Student.guardianPhone', column: 'guardian_phone', tag: 'sgp', form: text },
    ],
  },
  {
    agency: 'education',
    table: 'teachers',
    districtSql: '(SELECT district_code FROM schools WHERE code = r.school_code)',
    columns: [
      { coordinate: 'Teacher.staffNumber', column: 'staff_number', tag: 'tsn', form: text },
      { coordinate: 'Teacher.name', column: 'name', tag: 'tnm', form: text },
      { coordinate: 'Teacher.subject', column: 'subject', tag: 'tsu', form: text },
      { coordinate: 'Teacher.qualification', column: 'qualification', tag: 'tqu', form: text },
      { coordinate: 'Teacher.title', column: 'title', tag: 'tti', form: text },
    ],
  },
  {
    agency: 'development-reform',
    table: 'investment_projects',
    districtSql: 'r.district_code',
    columns: [
      { coordinate: 'InvestmentProject.feasibilitySummary', column: 'feasibility_summary', tag: 'pfs', form: text },
      { coordinate: 'InvestmentProject.budgetDetail', column: 'budget_detail', tag: 'pbd', form: text },
      { coordinate: 'InvestmentProject.contactName', column: 'contact_name', tag: 'pcn', form: text },
      { coordinate: 'InvestmentProject.contactIdNumber', column: 'contact_id_number', tag: 'pci', form: text },
      { coordinate: 'InvestmentProject.contactMobile', column: 'contact_mobile', tag: 'pcm', form: text },
      {
        coordinate: 'InvestmentProject.costAuditAmount',
        column: 'cost_audit_amount',
        tag: 'pca',
        form: { kind: 'float', family: 21 },
      },
    ],
  },
  {
    agency: 'science',
    table: 'research_projects',
    districtSql: 'r.lead_district_code',
    columns: [
      { coordinate: 'ResearchProject.principalInvestigatorName', column: 'pi_name', tag: 'rpn', form: text },
      { coordinate: 'ResearchProject.principalInvestigatorIdNumber', column: 'pi_id_number', tag: 'rpi', form: text },
      { coordinate: 'ResearchProject.principalInvestigatorPhone', column: 'pi_phone', tag: 'rpp', form: text },
    ],
  },
  {
    agency: 'science',
    table: 'high_tech_enterprises',
    districtSql: 'r.district_code',
    columns: [
      {
        coordinate: 'HighTechEnterprise.rdExpenseRatio',
        column: 'rd_expense_ratio',
        tag: 'hrd',
        form: { kind: 'float', family: 23 },
      },
      { coordinate: 'HighTechEnterprise.revenue', column: 'revenue', tag: 'hrv', form: { kind: 'float', family: 25 } },
    ],
  },
  {
    agency: 'science',
    table: 'technology_contracts',
    districtSql: 'r.district_code',
    columns: [
      { coordinate: 'TechnologyContract.amount', column: 'amount', tag: 'cam', form: { kind: 'float', family: 27 } },
    ],
  },
];

/**
 * Internal row keys of protected records: a stable pseudonym of a pupil is personal data, so it is
 * a canary too (only the owning agency may see it). Seeded only where the column exists — the
 * surrogate ordering column of rosters, which plain cursors would carry.
 */
export const INTERNAL_ROW_KEYS: readonly {
  agency: string;
  table: string;
  column: string;
  label: string;
  tag: string;
  family: number;
}[] = [
  {
    agency: 'education',
    table: 'students',
    column: 'roster_key',
    label: 'Student row key (students.roster_key)',
    tag: 'srk',
    family: 13,
  },
  {
    agency: 'education',
    table: 'teachers',
    column: 'roster_key',
    label: 'Teacher row key (teachers.roster_key)',
    tag: 'trk',
    family: 15,
  },
];

/** Protected leaf fields no canary fits, with the reason; the structural check covers them (a withheld one must be null). */
export const NOT_SEEDABLE: Readonly<Record<string, string>> = {
  'Student.gender': 'enum Gender (MALE, FEMALE): no value can carry a canary — covered by the structural check',
  'Student.healthStatus': 'enum HealthStatus: no value can carry a canary — covered by the structural check',
  'Student.receivesFinancialAid': 'Boolean: no value can carry a canary — covered by the structural check',
  'Student.migrant': 'Boolean: no value can carry a canary — covered by the structural check',
};

/** Every coordinate the map seeds (derived columns included). */
export function seededCoordinates(): string[] {
  return CANARY_TABLES.flatMap((table) =>
    table.columns.flatMap((column) => [column.coordinate, ...(column.derived ?? []).map((d) => d.coordinate)]),
  );
}
