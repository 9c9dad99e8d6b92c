import type { AuditRecord } from '../audit';
import { accessEntry } from '../audit/auditFixtures.test-helpers';
import { usageView } from './usageView';

const at = (iso: string, n: number, overrides: Parameters<typeof accessEntry>[1] = {}): AuditRecord => ({
  ...accessEntry(n, overrides, Date.parse(iso)),
  seq: n,
  prevHash: '',
  hash: '',
});
const roster = {
  education: {
    released: ['School.name', 'StudentConnection.nodes', 'PageInfo.endCursor', 'Student.grade'],
    masked: ['Student.name'],
    denied: ['Student.idNumber'],
    entities: 3,
    grants: ['EDU-2026-002'],
  },
};

describe("the console's usage view", () => {
  it('counts requests per consumer and purpose per Beijing day, and folds the connection plumbing away', () => {
    const records = [
      // 23:30 UTC on 1 December is 07:30 on 2 December in Beijing.
      at('2026-12-01T23:30:00Z', 0, { consumer: 'city-analytics', purpose: 'statistics', agencies: roster }),
      at('2026-12-02T01:00:00Z', 0, { consumer: 'city-analytics', purpose: 'statistics', agencies: roster }),
      at('2026-12-03T02:00:00Z', 0),
      at('2026-12-03T03:00:00Z', 0, { agencies: { science: roster.education } }),
    ];
    const view = usageView(records, {
      agency: 'education',
      since: new Date('2026-11-30T16:00:00Z'),
      now: new Date('2026-12-04T04:00:00Z'),
    });
    expect(view).toMatchObject({
      timeZone: 'Asia/Shanghai',
      since: '2026-12-01 00:00',
      until: '2026-12-04 12:00',
      bucket: 'day',
      buckets: ['2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04'],
      requests: 3,
    });
    const analytics = view.usage.find((u) => u.consumer === 'city-analytics')!;
    expect(analytics.perBucket).toEqual([0, 2, 0, 0]);
    expect(analytics.firstSeen).toBe('2026-12-02 07:30');
    expect(analytics.fields.map((f) => f.field)).toEqual([
      'School.name',
      'Student.grade',
      'Student.idNumber',
      'Student.name',
    ]);
    expect(analytics.fields.find((f) => f.field === 'Student.idNumber')).toMatchObject({ denied: 2 });
    expect(analytics.plumbing.map((f) => f.field)).toEqual(['PageInfo.endCursor', 'StudentConnection.nodes']);
    expect(view.usage.find((u) => u.consumer === 'district-haidian')!.perBucket).toEqual([0, 0, 1, 0]);
  });

  it('counts by the hour over a window of up to two days', () => {
    const view = usageView([at('2026-12-04T01:10:00Z', 0), at('2026-12-04T01:50:00Z', 1)], {
      agency: 'education',
      since: new Date('2026-12-03T04:00:00Z'),
      now: new Date('2026-12-04T04:00:00Z'),
    });
    expect(view.bucket).toBe('hour');
    expect(view.buckets).toHaveLength(25);
    expect(view.buckets[0]).toBe('2026-12-03 12:00');
    const series = view.usage[0]!.perBucket;
    expect(series[view.buckets.indexOf('2026-12-04 09:00')]).toBe(2);
    expect(series.reduce((a, b) => a + b, 0)).toBe(2);
  });
});
