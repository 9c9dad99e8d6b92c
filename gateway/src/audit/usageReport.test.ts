import type { AccessRecord as AuditRecord } from './auditRecord';
import { buildUsageReport, formatUsageCsv, formatUsageTable, parseSince } from './usageReport';

const record = (
  n: number,
  consumer: string,
  purpose: string | null,
  education: Partial<AuditRecord['agencies'][string]> | undefined,
  outcome: AuditRecord['outcome'] = 'ok',
): AuditRecord => ({
  seq: n,
  prevHash: '',
  hash: '',
  time: new Date(Date.UTC(2026, 10, 27, n)).toISOString(),
  requestId: `r${n}`,
  consumer,
  purpose,
  operationName: null,
  operationHash: 'h',
  grants: [],
  agencies: {
    ...(education
      ? { education: { released: [], masked: [], denied: [], entities: 0, grants: [], ...education } }
      : {}),
    science: { released: ['District.patentCount'], masked: [], denied: [], entities: 1, grants: [] },
  },
  supergraphVersion: 's',
  policyVersion: 'p',
  outcome,
});

const records = [
  record(
    1,
    'district-haidian',
    'enrollment-planning',
    {
      released: ['School.name'],
      masked: ['Student.name'],
      denied: ['Student.idNumber'],
      entities: 4,
      grants: ['EDU-2026-001'],
    },
    'partial',
  ),
  record(2, 'district-haidian', 'enrollment-planning', {
    released: ['School.name'],
    masked: ['Student.name'],
    entities: 3,
    grants: ['EDU-2026-001'],
  }),
  record(3, 'city-analytics', 'statistics', { denied: ['Student.name'] }, 'refused'),
  record(4, 'science', 'industrial-policy', undefined),
];

describe('usage report', () => {
  it('counts requests, records and per-field outcomes per consumer and purpose, for one agency only', () => {
    const report = buildUsageReport(records, { agency: 'education' });
    expect(report).toMatchObject({ requests: 3, entities: 7 });
    expect(report.usage[0]).toMatchObject({
      consumer: 'district-haidian',
      requests: 2,
      entities: 7,
      partial: 1,
      refused: 0,
      grants: ['EDU-2026-001'],
    });
    expect(report.usage[0]!.fields).toEqual([
      { field: 'School.name', released: 2, masked: 0, denied: 0 },
      { field: 'Student.idNumber', released: 0, masked: 0, denied: 1 },
      { field: 'Student.name', released: 0, masked: 2, denied: 0 },
    ]);
    expect(report.usage[1]).toMatchObject({ consumer: 'city-analytics', requests: 1, refused: 1 });
    expect(buildUsageReport(records, { agency: 'science' }).requests).toBe(4);
  });

  it('lists the cases the requests named, and shows a cases column only when some did', () => {
    expect(formatUsageTable(buildUsageReport(records, { agency: 'education' }))).not.toContain('cases');
    const withCases = [
      ...records,
      { ...record(5, 'city-analytics', 'statistics', { released: ['School.name'] }), case: 'FGW-2026-000002' },
      { ...record(6, 'city-analytics', 'statistics', { released: ['School.name'] }), case: 'FGW-2026-000001' },
      { ...record(7, 'city-analytics', 'statistics', { released: ['School.name'] }), case: 'FGW-2026-000002' },
    ];
    const report = buildUsageReport(withCases, { agency: 'education' });
    expect(report.usage.find((u) => u.consumer === 'city-analytics')!.cases).toEqual([
      'FGW-2026-000001',
      'FGW-2026-000002',
    ]);
    expect(report.usage.find((u) => u.consumer === 'district-haidian')!.cases).toEqual([]);
    const table = formatUsageTable(report);
    expect(table).toMatch(/consumer\s+purpose\s+requests\s+records\s+partial\s+refused\s+cases\s+grants/);
    expect(table).toMatch(/city-analytics\s+statistics\s+4\s+0\s+0\s+1\s+2\s+-/);
  });

  it('filters by time and consumer', () => {
    expect(
      buildUsageReport(records, { agency: 'education', since: new Date(Date.UTC(2026, 10, 27, 2)) }).requests,
    ).toBe(2);
    expect(buildUsageReport(records, { agency: 'education', consumer: 'city-analytics' }).requests).toBe(1);
  });

  it('reads durations and dates for --since', () => {
    const now = new Date('2026-11-27T12:00:00Z');
    expect(parseSince('24h', now)?.toISOString()).toBe('2026-11-26T12:00:00.000Z');
    expect(parseSince('7d', now)?.toISOString()).toBe('2026-11-20T12:00:00.000Z');
    expect(parseSince('2026-11-01', now)?.toISOString()).toBe('2026-10-31T16:00:00.000Z'); // midnight in Beijing
    expect(parseSince('yesterday', now)).toBeUndefined();
  });

  it('writes CSV with quoting and a table aligned for CJK text', () => {
    const report = buildUsageReport(
      [record(1, 'district-haidian', 'a "quoted", purpose', { released: ['School.name'] })],
      { agency: 'education' },
    );
    expect(formatUsageCsv(report)).toBe(
      'agency,consumer,purpose,requests,records,field,released,masked,denied\r\neducation,district-haidian,"a ""quoted"", purpose",1,0,School.name,1,0,0\r\n',
    );
    const table = formatUsageTable(
      buildUsageReport(
        [
          record(1, '海淀区教委', 'p', { released: ['School.name'] }),
          record(2, 'abc', 'p', { released: ['School.name'] }),
        ],
        { agency: 'education' },
      ),
    );
    const rows = table.split('\n').filter((line) => /^(海淀区教委|abc)\s/.test(line) && line.includes('School.name'));
    // Display column of the purpose: each of the five CJK characters takes two columns.
    const columns = rows.map((row) => row.indexOf('p ') + (row.startsWith('海') ? 5 : 0));
    expect(columns).toHaveLength(2);
    expect(columns[0]).toBe(columns[1]);
  });
});
