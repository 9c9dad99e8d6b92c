import { applyMask, DEFAULT_SUPERGRAPH_FILE, loadSupergraphFile, parseMask } from '@cdo-hub/gateway';
import { repoRoot } from '@cdo-hub/subgraph-kit';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'graphql';
import {
  CANARY_TABLES,
  CanaryOracle,
  CanaryRegistry,
  canaryMapGaps,
  canaryValue,
  formatFindings,
  PolicyViews,
  scanResponse,
  shippedPolicyFiles,
  withheldButPresent,
  type Canary,
} from '../harness/canary';

// The canary oracle's own parts, without processes: its reading of the policies, the map's
// completeness, the masks' forms, the decoder and the judge. Each is shown to fail where it must.

const files = shippedPolicyFiles(repoRoot());
const policy = new PolicyViews(files);
const schema = loadSupergraphFile(DEFAULT_SUPERGRAPH_FILE).apiSchema;

function canary(mark: string, coordinate: string, agency: string, districtCode = '110101', internal = false): Canary {
  return { mark, coordinate, alsoIn: [], agency, table: 't', row: 1, scope: { districtCode }, internal };
}

describe('the canary map', () => {
  it('seeds or names every protected leaf field of the supergraph and the policies', () => {
    expect(canaryMapGaps(policy)).toEqual({ unseeded: [], stale: [] });
    // The map covers the fields the issue names, among the protected ones it finds by itself.
    expect(policy.protectedLeafCoordinates()).toEqual(
      expect.arrayContaining([
        'Student.idNumber',
        'Student.studentNumber',
        'Student.gender',
        'InvestmentProject.contactMobile',
        'TechnologyContract.amount',
      ]),
    );
  });

  it('fails when a policy protects a field the map neither seeds nor names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdo-hub-canary-policies-'));
    try {
      cpSync(files.policyDir, dir, { recursive: true });
      const science = join(dir, 'science.yaml');
      writeFileSync(
        science,
        readFileSync(science, 'utf8').replace(
          '  KeyLab:\n    default: { class: UNCONDITIONAL, level: L1, open: OPEN }',
          '  KeyLab:\n    default: { class: UNCONDITIONAL, level: L1, open: OPEN }\n    fields:\n      field: { class: CONDITIONAL, level: L3 }',
        ),
      );
      expect(canaryMapGaps(new PolicyViews({ ...files, policyDir: dir })).unseeded).toEqual(['KeyLab.field']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the oracle's reading of the policies (parsed here, not by the gateway)", () => {
  const access = (view: string, coordinate: string, now = Date.parse('2026-12-01T00:00:00Z')) => {
    const { read, mask, scope } = policy.access(policy.view(view), coordinate, now);
    return { read, ...(mask ? { mask } : {}), ...(scope ? { scope } : {}) };
  };

  it('has a view per consumer and purpose, and the public', () => {
    expect(policy.views.map((v) => v.id).sort()).toEqual(
      [
        'city-analytics/statistics',
        'development-reform/planning',
        'district-haidian/enrollment-planning',
        'district-haidian/planning',
        'education/operations',
        'public',
        'science/industrial-policy',
      ].sort(),
    );
  });

  it('follows the shipped grants, masks and scopes', () => {
    expect(access('district-haidian/enrollment-planning', 'Student.name')).toEqual({
      read: 'masked',
      mask: 'name',
      scope: { districtCode: '110108' },
    });
    expect(access('district-haidian/enrollment-planning', 'Student.grade')).toEqual({
      read: 'clear',
      scope: { districtCode: '110108' },
    });
    expect(access('district-haidian/enrollment-planning', 'Student.idNumber')).toEqual({ read: 'none' });
    expect(access('district-haidian/planning', 'Student.grade')).toEqual({ read: 'none' });
    expect(access('district-haidian/planning', 'InvestmentProject.contactName')).toEqual({
      read: 'masked',
      mask: 'name',
      scope: { districtCode: '110108' },
    });
    expect(access('city-analytics/statistics', 'Student.birthDate')).toEqual({ read: 'masked', mask: 'yearOnly' });
    expect(access('city-analytics/statistics', 'Student.gender')).toEqual({ read: 'clear' });
    expect(access('city-analytics/statistics', 'HighTechEnterprise.revenue')).toEqual({
      read: 'masked',
      mask: 'round(1000)',
    });
    expect(access('development-reform/planning', 'TechnologyContract.amount')).toEqual({
      read: 'masked',
      mask: 'round(10)',
    });
    expect(access('science/industrial-policy', 'InvestmentProject.feasibilitySummary')).toEqual({ read: 'clear' });
    expect(access('education/operations', 'Student.idNumber')).toEqual({ read: 'clear' });
    expect(access('education/operations', 'InvestmentProject.contactIdNumber')).toEqual({ read: 'none' });
    expect(access('public', 'School.name')).toEqual({ read: 'clear' });
    expect(access('public', 'TechnologyContract.type')).toEqual({ read: 'none' }); // UNCONDITIONAL but not open data
    expect(access('public', 'Student.grade')).toEqual({ read: 'none' });
  });

  it('lets a grant lapse after its last day, Beijing time', () => {
    // EDU-2026-002 runs through 2027-12-31 (+08:00).
    expect(access('city-analytics/statistics', 'Student.grade', Date.parse('2027-12-31T15:59:59Z')).read).toBe('clear');
    expect(access('city-analytics/statistics', 'Student.grade', Date.parse('2027-12-31T16:00:00Z')).read).toBe('none');
  });
});

describe('canary forms under every mask', () => {
  const textMasks = ['idNumber', 'mobile', 'name', 'address', 'hash', 'null', 'yearOnly'];
  // round(1) leaves an Int as it is: no mask for an Int field, so not asked of an Int canary.
  const numberMasks = (form: string) => [
    ...(form === 'float' ? ['round(1)'] : []),
    'round(10)',
    'round(100)',
    'round(1000)',
    'round(10000)',
    'null',
  ];
  it.each(CANARY_TABLES.flatMap((table) => table.columns.map((column) => [column.coordinate, column] as const)))(
    '%s: no mask reproduces a mark',
    (_, column) => {
      const registry = new CanaryRegistry();
      const samples = [1, 10, 12, 100, 3242].map((row) => canaryValue(column.form, column.tag, row, '2015-06-01'));
      for (const { mark } of samples) registry.add(canary(mark, column.coordinate, 'x'));
      const masks = typeof samples[0]!.value === 'number' ? numberMasks(column.form.kind) : textMasks;
      for (const { value, mark } of samples) {
        expect(registry.find(JSON.stringify(value)).map((f) => f.canary.mark)).toEqual([mark]); // the clear value is found…
        for (const text of masks) {
          const masked = applyMask(parseMask(text) as never, value, { hashKey: 'k'.repeat(32), consumerId: 'someone' });
          expect({ mask: text, found: registry.find(JSON.stringify(masked)).length }).toEqual({ mask: text, found: 0 }); // …no masked form is
        }
      }
    },
  );
});

describe('the scanner', () => {
  const registry = new CanaryRegistry();
  registry.add(canary('CNRYsid00012', 'Student.idNumber', 'education'));
  registry.add(canary('71100127', 'Student.grade', 'education'));
  registry.add(canary('72700127.25', 'TechnologyContract.amount', 'science'));
  const marksIn = (bodyText: string, headers: Record<string, string> = {}) =>
    scanResponse(registry, { status: 200, statusText: 'OK', headers: new Headers(headers), bodyText }).map(
      (s) => `${s.canary.mark} @ ${s.channel.split(' (')[0]}${s.channel.includes('decoded') ? ' decoded' : ''}`,
    );

  it('reads cursors, headers and encodings as an attacker would', () => {
    const cursor = Buffer.from('k2:abcdefghij:GCNRYsid00012').toString('base64url');
    expect(marksIn(JSON.stringify({ data: { s: { pageInfo: { endCursor: cursor } } } }))).toEqual([
      'CNRYsid00012 @ cursor data.s.pageInfo.endCursor decoded',
    ]);
    expect(marksIn('{}', { etag: `W/"${Buffer.from('x:CNRYsid00012').toString('hex')}"` })).toEqual([
      'CNRYsid00012 @ header etag decoded',
    ]);
    const nested = Buffer.from(`v1.${Buffer.from('{"k":"CNRYsid00012"}').toString('hex')}`).toString('base64');
    expect(marksIn(JSON.stringify({ errors: [{ message: `bad cursor ${nested}` }] }))).toEqual([
      'CNRYsid00012 @ errors errors.0.message decoded',
    ]);
    expect(marksIn(JSON.stringify({ data: { c: gzipSync('amount=72700127.25').toString('base64url') } }))).toEqual([
      '72700127.25 @ body data.c decoded',
    ]);
    expect(marksIn('<a href="/x?k=%43NRYsid00012">')).toEqual(['CNRYsid00012 @ body decoded']);
    expect(marksIn(JSON.stringify({ data: { grade: 71100127 } }))).toEqual(['71100127 @ body data.grade']);
  });

  it('reads a CSV export cell by cell, quoted or not, and its x-hub-withheld header', () => {
    expect(marksIn('\uFEFFname,grade\r\n"王, CNRYsid00012",71100127\r\n')).toEqual([
      'CNRYsid00012 @ body',
      '71100127 @ body',
    ]);
    expect(marksIn('\uFEFFgrade\r\n3\r\n', { 'x-hub-withheld': 'Student.idNumber=CNRYsid00012' })).toEqual([
      'CNRYsid00012 @ header x-hub-withheld',
    ]);
  });

  it('does not take neighbouring numbers for a numeric canary', () => {
    expect(marksIn(JSON.stringify({ data: { a: 71100127.5, b: 171100127, c: 72700120, d: 0.71100127 } }))).toEqual([]);
    // Nor eight digits a hash happens to hold; a short run with letters next to it is still read.
    expect(marksIn(JSON.stringify({ hash: '0e80f4514fd2f71100127d8c5fc766d92b13939c50c904978dc' }))).toEqual([]);
    expect(marksIn(JSON.stringify({ id: 'v71100127x' }))).toEqual(['71100127 @ body id']);
    // Nor a request id (a random UUID) whose first segment happens to be all digits, as one was in CI.
    expect(marksIn('{}', { 'x-request-id': '71100127-1f0b-47b4-bea8-4dc6b5f6209f' })).toEqual([]);
    expect(marksIn('{}', { 'x-request-id': 'not-a-uuid-71100127' })).toEqual(['71100127 @ header x-request-id']);
  });
});

describe('the judge', () => {
  const registry = new CanaryRegistry();
  const oracle = new CanaryOracle(registry, policy, schema, Date.parse('2026-12-01T00:00:00Z'));
  const haidian = policy.view('district-haidian/enrollment-planning');
  it('allows what a view may read and names why the rest is a finding', () => {
    expect(oracle.judge(haidian, canary('71100017', 'Student.grade', 'education', '110108'))).toBeUndefined();
    expect(oracle.judge(haidian, canary('71100027', 'Student.grade', 'education', '110101'))).toMatch(
      /only where districtCode = 110108; this row has 110101/,
    );
    expect(oracle.judge(haidian, canary('CNRYsnm00001', 'Student.name', 'education', '110108'))).toMatch(
      /only masked \(name\)/,
    );
    expect(oracle.judge(haidian, canary('CNRYsid00001', 'Student.idNumber', 'education', '110108'))).toMatch(
      /may not read Student.idNumber/,
    );
    expect(oracle.judge(haidian, canary('CNRYsrk00001', 'Student row key', 'education', '110108', true))).toMatch(
      /internal row key/,
    );
    expect(
      oracle.judge(
        policy.view('education/operations'),
        canary('CNRYsrk00001', 'Student row key', 'education', '110108', true),
      ),
    ).toBeUndefined();
  });

  it('finds a value at a withheld field however the operation reaches it (aliases, fragments)', () => {
    const document = parse(
      'query { school(code: "1") { ...F } } fragment F on School { roster: students { nodes { ... on Student { g: gender grade } } } }',
    );
    const data = {
      school: {
        roster: {
          nodes: [
            { g: 'MALE', grade: 3 },
            { g: null, grade: 4 },
          ],
        },
      },
    };
    const withheld = withheldButPresent(schema, document, data, (coordinate) => coordinate === 'Student.gender');
    expect(withheld).toEqual([{ coordinate: 'Student.gender', path: 'school.roster.nodes.0.g', value: 'MALE' }]);
  });

  it('reports findings with view, channel, field and request', () => {
    registry.add(canary('CNRYsid00077', 'Student.idNumber', 'education', '110108'));
    const findings = oracle.inspectResponse(haidian, 'POST /graphql as haidian: { … }', {
      status: 200,
      statusText: 'OK',
      headers: new Headers(),
      bodyText: JSON.stringify({
        data: { x: { pageInfo: { endCursor: Buffer.from('k2:d:GCNRYsid00077').toString('base64url') } } },
      }),
    });
    expect(formatFindings(findings)).toMatch(
      /district-haidian\/enrollment-planning \| cursor \(decoded\) \| Student.idNumber: 1 sighting/,
    );
    expect(formatFindings(findings)).toMatch(/request: POST \/graphql as haidian/);
  });
});
