import {
  BEIJING_DISTRICTS,
  buildUscc,
  buildWorld,
  isInvestmentProjectCode,
  isValidResidentId,
  isValidUscc,
  usccRegistryCode,
} from '@cdo-hub/subgraph-kit';
import { SubgraphHarness } from '@cdo-hub/subgraph-kit/testing';
import { developmentReformSeedPlan, developmentReformSubgraph } from '../src';
import type { InvestmentProjectRow, OrganizationRow } from '../src/model';

let harness: SubgraphHarness;

beforeAll(async () => {
  harness = await SubgraphHarness.start(developmentReformSubgraph(), developmentReformSeedPlan('small'));
});
afterAll(() => harness.stop());

const PROJECT_TYPE = { APPROVAL: '01', CONFIRMATION: '02', FILING: '03' } as const;

describe('development-reform seed', () => {
  it('holds every organisation of the shared world, each with a valid USCC naming its registration district', () => {
    const world = buildWorld('small');
    const rows = harness.db.all<OrganizationRow>('SELECT * FROM organizations ORDER BY uscc');
    expect(rows.map((row) => row.uscc)).toEqual(world.organizations.map((o) => o.uscc).sort());
    for (const row of rows) {
      expect(isValidUscc(row.uscc)).toBe(true);
      expect(row.district_code).toBe(usccRegistryCode(row.uscc));
      expect(row.legal_representative).toMatch(/^\p{Script=Han}{2,4}$/u);
    }
  });

  it('holds the 17 district-level divisions, the development zone as a functional zone', () => {
    const rows = harness.db.all<{ code: string; name: string; name_en: string; kind: string }>(
      'SELECT * FROM districts ORDER BY code',
    );
    expect(rows).toHaveLength(17);
    expect(rows.map((row) => ({ code: row.code, name: row.name, nameEn: row.name_en, kind: row.kind }))).toEqual(
      BEIJING_DISTRICTS,
    );
    expect(rows.find((row) => row.code === '110302')?.kind).toBe('FUNCTIONAL_ZONE');
    expect(rows.filter((row) => row.kind === 'DISTRICT')).toHaveLength(16);
  });

  it('codes every project by GB/T 40058: year, its district as region, its procedure as type, a unique serial', () => {
    const rows = harness.db.all<InvestmentProjectRow>('SELECT * FROM investment_projects');
    expect(rows).toHaveLength(500);
    for (const row of rows) {
      expect(isInvestmentProjectCode(row.code)).toBe(true);
      const [year, region, , type] = row.code.split('-');
      expect(Number(year)).toBeGreaterThanOrEqual(2018);
      expect(Number(year)).toBeLessThanOrEqual(2026);
      expect(region).toBe(row.district_code);
      expect(type).toBe(PROJECT_TYPE[row.approval_mode]);
      expect(row.total_investment).toBeGreaterThanOrEqual(200);
      expect(row.total_investment).toBeLessThanOrEqual(500_000);
    }
    expect(new Set(rows.map((row) => row.code.slice(-6))).size).toBe(rows.length);
  });

  it('gives every project contact a valid resident ID number', () => {
    const rows = harness.db.all<{ contact_id_number: string }>('SELECT contact_id_number FROM investment_projects');
    expect(rows.every((row) => isValidResidentId(row.contact_id_number))).toBe(true);
  });

  it("points school-construction projects at a school of their district, owned by that district's education bureau", () => {
    const world = buildWorld('small');
    const rows = harness.db.all<InvestmentProjectRow>(
      'SELECT * FROM investment_projects WHERE school_code IS NOT NULL',
    );
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.length).toBeLessThan(70);
    for (const row of rows) {
      const school = world.schools.find((s) => s.code === row.school_code)!;
      expect(school.districtCode).toBe(row.district_code);
      expect(row.owner_uscc).toBe(world.educationBureaus.find((b) => b.districtCode === school.districtCode)!.uscc);
      expect(row.name.startsWith(school.name.replace(/^北京市/, ''))).toBe(true);
    }
  });

  // The Education Commission seeds its records of these projects from the same list of the
  // world's register (its tests check the same), so the two databases agree.
  it("registers exactly the world register's school-construction projects, each for its school, district and year", () => {
    const world = buildWorld('small');
    const rows = harness.db.all<InvestmentProjectRow>(
      'SELECT * FROM investment_projects WHERE school_code IS NOT NULL ORDER BY code',
    );
    const planned = [...world.schoolConstructionProjects].sort((a, b) => (a.code < b.code ? -1 : 1));
    expect(rows.map((row) => [row.code, row.school_code, row.district_code])).toEqual(
      planned.map((project) => [project.code, project.schoolCode, project.districtCode]),
    );
    rows.forEach((row, i) => {
      expect(row.code.slice(0, 4)).toBe(String(planned[i]!.year));
      expect(row.name.endsWith(planned[i]!.works)).toBe(true);
    });
    expect(harness.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM investment_projects')!.n).toBe(
      world.investmentProjectCount,
    );
  });

  it('records price observations with a unique, date-ordered id', () => {
    const rows = harness.db.all<{ id: string; observed_on: string }>(
      'SELECT id, observed_on FROM price_observations ORDER BY id',
    );
    expect(rows).toHaveLength(600);
    expect(rows.map((row) => row.observed_on)).toEqual(rows.map((row) => row.observed_on).sort());
  });
});

describe('development-reform subgraph', () => {
  it('pages districts by cursor and filters them by kind', async () => {
    const query = `query ($kind: DistrictKind, $after: String) { districts(kind: $kind, first: 10, after: $after) { nodes { code name nameEn kind } pageInfo { hasNextPage endCursor } totalCount } }`;
    const first = await harness.query(query);
    expect(first.errors).toBeUndefined();
    expect(first.data!.districts.totalCount).toBe(17);
    expect(first.data!.districts.pageInfo.hasNextPage).toBe(true);
    const second = await harness.query(query, { after: first.data!.districts.pageInfo.endCursor });
    expect(second.data!.districts.pageInfo.hasNextPage).toBe(false);
    const codes = [...first.data!.districts.nodes, ...second.data!.districts.nodes].map(
      (d: { code: string }) => d.code,
    );
    expect(codes).toEqual(
      harness.db.all<{ code: string }>('SELECT code FROM districts ORDER BY code').map((row) => row.code),
    );
    expect(first.data!.districts.nodes).toContainEqual({
      code: '110108',
      name: '海淀区',
      nameEn: 'Haidian',
      kind: 'DISTRICT',
    });

    const zones = await harness.query(query, { kind: 'FUNCTIONAL_ZONE' });
    expect(zones.data!.districts.nodes.map((d: { code: string }) => d.code)).toEqual(['110302']);
    expect(zones.data!.districts.totalCount).toBe(1);
  });

  it("answers a district's investment figures and projects", async () => {
    const result = await harness.query(
      `{ district(code: "110108") { name investmentProjectCount totalInvestment investmentProjects(first: 4) { nodes { code } totalCount } } }`,
    );
    expect(result.errors).toBeUndefined();
    const figures = harness.db.get<{ n: number; total: number }>(
      "SELECT COUNT(*) AS n, ROUND(SUM(total_investment), 2) AS total FROM investment_projects WHERE district_code = '110108'",
    )!;
    const codes = harness.db.all<{ code: string }>(
      "SELECT code FROM investment_projects WHERE district_code = '110108' ORDER BY code LIMIT 4",
    );
    expect(result.data!.district).toEqual({
      name: '海淀区',
      investmentProjectCount: figures.n,
      totalInvestment: figures.total,
      investmentProjects: { nodes: codes, totalCount: figures.n },
    });
  });

  it("pages every district's projects by cursor in one request, as SQL does", async () => {
    const query = `query ($after: String) { districts { nodes { code investmentProjects(first: 3, after: $after) { nodes { code } pageInfo { hasNextPage endCursor } } } } }`;
    const first = await harness.query(query);
    expect(first.errors).toBeUndefined();
    for (const district of first.data!.districts.nodes as {
      code: string;
      investmentProjects: { nodes: { code: string }[]; pageInfo: { endCursor: string } };
    }[]) {
      const expected = harness.db
        .all<{ code: string }>('SELECT code FROM investment_projects WHERE district_code = ? ORDER BY code LIMIT 6', [
          district.code,
        ])
        .map((row) => row.code);
      expect(district.investmentProjects.nodes.map((p) => p.code)).toEqual(expected.slice(0, 3));
      const next = await harness.query(
        `query ($code: ID!, $after: String) { district(code: $code) { investmentProjects(first: 3, after: $after) { nodes { code } } } }`,
        {
          code: district.code,
          after: district.investmentProjects.pageInfo.endCursor,
        },
      );
      expect(next.data!.district.investmentProjects.nodes.map((p: { code: string }) => p.code)).toEqual(
        expected.slice(3, 6),
      );
    }
  });

  it('pages investment projects by district and by owner, as SQL does', async () => {
    const query = `query ($districtCode: ID, $ownerUscc: ID, $after: String) {
      investmentProjects(districtCode: $districtCode, ownerUscc: $ownerUscc, first: 6, after: $after) { nodes { code } pageInfo { hasNextPage endCursor } totalCount } }`;
    const pages = async (variables: Record<string, unknown>) => {
      const first = await harness.query(query, variables);
      expect(first.errors).toBeUndefined();
      const second = await harness.query(query, {
        ...variables,
        after: first.data!.investmentProjects.pageInfo.endCursor,
      });
      return {
        codes: [...first.data!.investmentProjects.nodes, ...second.data!.investmentProjects.nodes].map(
          (p: { code: string }) => p.code,
        ),
        totalCount: first.data!.investmentProjects.totalCount,
      };
    };

    const all = await pages({});
    expect(all.codes).toEqual(
      harness.db
        .all<{ code: string }>('SELECT code FROM investment_projects ORDER BY code LIMIT 12')
        .map((row) => row.code),
    );
    expect(all.totalCount).toBe(500);

    const chaoyang = await pages({ districtCode: '110105' });
    expect(chaoyang.codes).toEqual(
      harness.db
        .all<{ code: string }>(
          "SELECT code FROM investment_projects WHERE district_code = '110105' ORDER BY code LIMIT 12",
        )
        .map((row) => row.code),
    );
    expect(chaoyang.totalCount).toBe(
      harness.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM investment_projects WHERE district_code = '110105'")!.n,
    );

    const owner = harness.db.get<{ owner_uscc: string; n: number }>(
      'SELECT owner_uscc, COUNT(*) AS n FROM investment_projects GROUP BY owner_uscc ORDER BY n DESC, owner_uscc LIMIT 1',
    )!;
    const owned = await pages({ ownerUscc: owner.owner_uscc });
    expect(owned.codes).toEqual(
      harness.db
        .all<{ code: string }>('SELECT code FROM investment_projects WHERE owner_uscc = ? ORDER BY code LIMIT 12', [
          owner.owner_uscc,
        ])
        .map((row) => row.code),
    );
    expect(owned.totalCount).toBe(owner.n);

    const both = await pages({ ownerUscc: owner.owner_uscc, districtCode: '110302' });
    expect(both.totalCount).toBe(
      harness.db.get<{ n: number }>(
        "SELECT COUNT(*) AS n FROM investment_projects WHERE owner_uscc = ? AND district_code = '110302'",
        [owner.owner_uscc],
      )!.n,
    );
  });

  it('answers a school-construction project with every field, its owner, district and school', async () => {
    const row = harness.db.get<InvestmentProjectRow>(
      "SELECT * FROM investment_projects WHERE school_code IS NOT NULL AND status = 'COMPLETED' ORDER BY code LIMIT 1",
    )!;
    const result = await harness.query(
      `query ($code: ID!) { investmentProject(code: $code) {
         code name approvalMode status totalInvestment industry startDate plannedCompletionDate feasibilitySummary budgetDetail
         contactName contactIdNumber contactMobile costAuditAmount
         district { code name } owner { uscc name kind } school { code constructionProjects { code } } } }`,
      { code: row.code },
    );
    expect(result.errors).toBeUndefined();
    const owner = harness.db.get<OrganizationRow>('SELECT * FROM organizations WHERE uscc = ?', [row.owner_uscc])!;
    const schoolProjects = harness.db.all<{ code: string }>(
      'SELECT code FROM investment_projects WHERE school_code = ? ORDER BY code',
      [row.school_code],
    );
    expect(result.data!.investmentProject).toEqual({
      code: row.code,
      name: row.name,
      approvalMode: 'APPROVAL',
      status: 'COMPLETED',
      totalInvestment: row.total_investment,
      industry: '教育',
      startDate: row.start_date,
      plannedCompletionDate: row.planned_completion_date,
      feasibilitySummary: row.feasibility_summary,
      budgetDetail: row.budget_detail,
      contactName: row.contact_name,
      contactIdNumber: row.contact_id_number,
      contactMobile: row.contact_mobile,
      costAuditAmount: null,
      district: { code: row.district_code, name: BEIJING_DISTRICTS.find((d) => d.code === row.district_code)!.name },
      owner: { uscc: owner.uscc, name: owner.name, kind: 'GOVERNMENT_ORGAN' },
      school: { code: row.school_code, constructionProjects: schoolProjects },
    });
  });

  it("answers an organisation's registration record and its projects", async () => {
    const row = harness.db.get<OrganizationRow>(
      "SELECT o.* FROM organizations o WHERE kind = 'ENTERPRISE' AND EXISTS (SELECT 1 FROM investment_projects p WHERE p.owner_uscc = o.uscc) ORDER BY uscc LIMIT 1",
    )!;
    const result = await harness.query(
      `query ($uscc: ID!) { organization(uscc: $uscc) { uscc name kind registrationDistrict { code name } registeredOn industry legalRepresentative investmentProjects { nodes { code owner { uscc } } totalCount } } }`,
      { uscc: row.uscc },
    );
    expect(result.errors).toBeUndefined();
    const projects = harness.db.all<{ code: string }>(
      'SELECT code FROM investment_projects WHERE owner_uscc = ? ORDER BY code',
      [row.uscc],
    );
    expect(result.data!.organization).toEqual({
      uscc: row.uscc,
      name: row.name,
      kind: 'ENTERPRISE',
      registrationDistrict: {
        code: row.district_code,
        name: BEIJING_DISTRICTS.find((d) => d.code === row.district_code)!.name,
      },
      registeredOn: row.registered_on,
      industry: row.industry,
      legalRepresentative: row.legal_representative,
      investmentProjects: {
        nodes: projects.map(({ code }) => ({ code, owner: { uscc: row.uscc } })),
        totalCount: projects.length,
      },
    });
  });

  it('returns null for well-formed keys it has no record of', async () => {
    const unknownUscc = buildUscc({ registrationType: '91', registryCode: '110108', organizationCodeBody: 'MA000000' });
    expect(harness.db.get('SELECT 1 FROM organizations WHERE uscc = ?', [unknownUscc])).toBeUndefined();
    const result = await harness.query(
      `query ($uscc: ID!) { organization(uscc: $uscc) { name } investmentProject(code: "2017-110108-02-03-999999") { name } }`,
      { uscc: unknownUscc },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ organization: null, investmentProject: null });
  });

  it('filters and pages price observations by commodity and district', async () => {
    const query = `query ($commodity: String, $districtCode: ID, $after: String) {
      priceObservations(commodity: $commodity, districtCode: $districtCode, first: 5, after: $after) {
        nodes { commodity monitoringPoint district { code } price unit observedOn } pageInfo { hasNextPage endCursor } totalCount } }`;
    const first = await harness.query(query, { commodity: '猪肉' });
    expect(first.errors).toBeUndefined();
    const second = await harness.query(query, {
      commodity: '猪肉',
      after: first.data!.priceObservations.pageInfo.endCursor,
    });
    const expected = harness.db.all<{
      commodity: string;
      monitoring_point: string;
      district_code: string;
      price: number;
      unit: string;
      observed_on: string;
    }>("SELECT * FROM price_observations WHERE commodity = '猪肉' ORDER BY id LIMIT 10");
    expect([...first.data!.priceObservations.nodes, ...second.data!.priceObservations.nodes]).toEqual(
      expected.map((row) => ({
        commodity: row.commodity,
        monitoringPoint: row.monitoring_point,
        district: { code: row.district_code },
        price: row.price,
        unit: '元/500克',
        observedOn: row.observed_on,
      })),
    );
    expect(first.data!.priceObservations.totalCount).toBe(
      harness.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM price_observations WHERE commodity = '猪肉'")!.n,
    );

    const zone = await harness.query(query, { districtCode: '110302' });
    expect(zone.data!.priceObservations.totalCount).toBe(
      harness.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM price_observations WHERE district_code = '110302'")!.n,
    );
    expect(
      zone.data!.priceObservations.nodes.every((o: { district: { code: string } }) => o.district.code === '110302'),
    ).toBe(true);
  });

  it.each([
    ['organization(uscc: "91350203M0001QAY9B") { name }', 'USCC'],
    ['district(code: "110103") { name }', 'DISTRICT_CODE'],
    ['investmentProject(code: "2023-110105-4-01-123456") { name }', 'PROJECT_CODE'],
    ['investmentProjects(ownerUscc: "91110108MA00HJ7KX6") { totalCount }', 'USCC'],
    ['investmentProjects(districtCode: "999999") { totalCount }', 'DISTRICT_CODE'],
    ['priceObservations(districtCode: "1101") { totalCount }', 'DISTRICT_CODE'],
    ['_entities(representations: [{ __typename: "School", code: "12345" }]) { ... on School { code } }', 'SCHOOL_CODE'],
  ])('refuses %s as a malformed %s', async (field, identifier) => {
    const result = await harness.query(`{ ${field} }`);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_IDENTIFIER', identifier });
  });

  it('refuses a cursor issued by another list or under other filters', async () => {
    const codes = async (query: string, variables: Record<string, unknown>) =>
      (await harness.query(query, variables)).errors?.map((e) => [e.path, e.extensions?.code]);
    const chaoyang = await harness.query(
      '{ investmentProjects(districtCode: "110105", first: 1) { pageInfo { endCursor } } }',
    );
    const after = chaoyang.data!.investmentProjects.pageInfo.endCursor;
    expect(
      await codes(
        'query ($after: String) { investmentProjects(districtCode: "110105", after: $after) { totalCount } }',
        { after },
      ),
    ).toBeUndefined();
    expect(
      await codes(
        'query ($after: String) { investmentProjects(districtCode: "110108", after: $after) { totalCount } }',
        { after },
      ),
    ).toEqual([[['investmentProjects'], 'INVALID_CURSOR']]);
    expect(
      await codes('query ($after: String) { investmentProjects(after: $after) { totalCount } }', { after }),
    ).toEqual([[['investmentProjects'], 'INVALID_CURSOR']]);
    // The district's own project list is another list, though it holds the same rows.
    expect(
      await codes(
        'query ($after: String) { district(code: "110105") { investmentProjects(after: $after) { totalCount } } }',
        { after },
      ),
    ).toEqual([[['district', 'investmentProjects'], 'INVALID_CURSOR']]);

    const district = await harness.query(
      '{ district(code: "110105") { investmentProjects(first: 1) { pageInfo { endCursor } } } }',
    );
    const owner = harness.db.get<{ owner_uscc: string }>(
      "SELECT owner_uscc FROM investment_projects WHERE district_code = '110105' LIMIT 1",
    )!.owner_uscc;
    expect(
      await codes(
        'query ($uscc: ID!, $after: String) { organization(uscc: $uscc) { investmentProjects(after: $after) { totalCount } } }',
        {
          uscc: owner,
          after: district.data!.district.investmentProjects.pageInfo.endCursor,
        },
      ),
    ).toEqual([[['organization', 'investmentProjects'], 'INVALID_CURSOR']]);

    const pork = await harness.query('{ priceObservations(commodity: "猪肉", first: 1) { pageInfo { endCursor } } }');
    expect(
      await codes('query ($after: String) { priceObservations(commodity: "鸡蛋", after: $after) { totalCount } }', {
        after: pork.data!.priceObservations.pageInfo.endCursor,
      }),
    ).toEqual([[['priceObservations'], 'INVALID_CURSOR']]);
  });

  it('answers the other fields when a list fails: a bad root argument nulls that list, a bad child argument only the child list', async () => {
    const root = await harness.query(
      '{ investmentProjects(districtCode: "999999") { totalCount } districts(first: 1) { totalCount } priceObservations(first: 1000) { totalCount } }',
    );
    expect(root.errors?.map((e) => e.path)).toEqual([['investmentProjects'], ['priceObservations']]);
    expect(root.data).toEqual({ investmentProjects: null, districts: { totalCount: 17 }, priceObservations: null });

    const child = await harness.query(
      '{ district(code: "110108") { name investmentProjects(first: 1000) { totalCount } } }',
    );
    expect(child.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
      [['district', 'investmentProjects'], 'PAGE_SIZE_OUT_OF_RANGE'],
    ]);
    expect(child.data).toEqual({ district: { name: '海淀区', investmentProjects: null } });

    const bureau = buildWorld('small').educationBureaus[0]!;
    const owner = await harness.query(
      'query ($uscc: ID!) { organization(uscc: $uscc) { name investmentProjects(after: "bm90LWEtY3Vyc29y") { totalCount } } }',
      { uscc: bureau.uscc },
    );
    expect(owner.data).toEqual({ organization: { name: bureau.name, investmentProjects: null } });
  });

  it('refuses foreign cursors and oversized pages with catalogued codes', async () => {
    const badCursor = await harness.query('{ investmentProjects(after: "bm90LWEtY3Vyc29y") { totalCount } }');
    expect(badCursor.errors?.[0]?.extensions?.code).toBe('INVALID_CURSOR');
    const tooMany = await harness.query('{ priceObservations(first: 1000) { totalCount } }');
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('PAGE_SIZE_OUT_OF_RANGE');
  });

  it('resolves District, Organization, InvestmentProject and School references', async () => {
    const project = harness.db.get<InvestmentProjectRow>(
      'SELECT * FROM investment_projects WHERE school_code IS NOT NULL ORDER BY code LIMIT 1 OFFSET 3',
    )!;
    const owner = harness.db.get<OrganizationRow>('SELECT * FROM organizations WHERE uscc = ?', [project.owner_uscc])!;
    const unknownUscc = buildUscc({ registrationType: '91', registryCode: '110105', organizationCodeBody: 'MA000000' });
    const result = await harness.query(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) {
         ... on District { code name districtKind: kind investmentProjectCount totalInvestment }
         ... on Organization { uscc name kind registrationDistrict { code } investmentProjects(first: 1) { totalCount } }
         ... on InvestmentProject { code owner { uscc } school { code } }
         ... on School { code constructionProjects { code district { code } } } } }`,
      {
        reps: [
          { __typename: 'District', code: '110302' },
          { __typename: 'Organization', uscc: owner.uscc },
          { __typename: 'InvestmentProject', code: project.code },
          { __typename: 'School', code: project.school_code },
          { __typename: 'Organization', uscc: unknownUscc },
        ],
      },
    );
    expect(result.errors).toBeUndefined();
    const zone = harness.db.get<{ n: number; total: number }>(
      "SELECT COUNT(*) AS n, ROUND(SUM(total_investment), 2) AS total FROM investment_projects WHERE district_code = '110302'",
    )!;
    const ownerProjects = harness.db.get<{ n: number }>(
      'SELECT COUNT(*) AS n FROM investment_projects WHERE owner_uscc = ?',
      [owner.uscc],
    )!.n;
    const schoolProjects = harness.db.all<{ code: string; district_code: string }>(
      'SELECT code, district_code FROM investment_projects WHERE school_code = ? ORDER BY code',
      [project.school_code],
    );
    expect(result.data!._entities).toEqual([
      {
        code: '110302',
        name: '北京经济技术开发区',
        districtKind: 'FUNCTIONAL_ZONE',
        investmentProjectCount: zone.n,
        totalInvestment: zone.total,
      },
      {
        uscc: owner.uscc,
        name: owner.name,
        kind: 'GOVERNMENT_ORGAN',
        registrationDistrict: { code: owner.district_code },
        investmentProjects: { totalCount: ownerProjects },
      },
      { code: project.code, owner: { uscc: owner.uscc }, school: { code: project.school_code } },
      {
        code: project.school_code,
        constructionProjects: schoolProjects.map((row) => ({ code: row.code, district: { code: row.district_code } })),
      },
      null,
    ]);
  });
});

describe('batching', () => {
  // A query over N parents must cost the same number of SQL statements whatever N is: each level
  // (the page, its owners, its districts, their figures, their child pages and counts) is one
  // batched statement.
  const projects = `query ($first: Int!) { investmentProjects(first: $first) { nodes { code owner { name } district { name } } } }`;
  const districts = `query ($first: Int!) { districts(first: $first) { nodes { code investmentProjectCount investmentProjects(first: 3) { nodes { code } totalCount } } } }`;
  const organizations = `query ($reps: [_Any!]!) { _entities(representations: $reps) {
    ... on Organization { name investmentProjects(first: 2) { nodes { code district { name } } totalCount } } } }`;

  it('runs a constant number of statements for 5 or 50 projects with their owners and districts', async () => {
    const few = await harness.countStatements(projects, { first: 5 });
    const many = await harness.countStatements(projects, { first: 50 });
    expect(many.result.errors).toBeUndefined();
    expect(many.result.data!.investmentProjects.nodes).toHaveLength(50);
    expect(many.statements).toBe(few.statements);
    expect(many.statements).toBe(3); // projects page, owners by USCC, districts by code
  });

  it('runs a constant number of statements for 5 or all 17 districts with figures and project pages', async () => {
    const few = await harness.countStatements(districts, { first: 5 });
    const all = await harness.countStatements(districts, { first: 17 });
    expect(all.result.errors).toBeUndefined();
    expect(all.result.data!.districts.nodes).toHaveLength(17);
    expect(all.statements).toBe(few.statements);
    expect(all.statements).toBe(3); // districts page, grouped figures (counts too), project pages
  });

  it('resolves 3 or 60 organisation references with their projects in a constant number of statements', async () => {
    // Owners of projects, so every reference reaches the project and district levels.
    const owners = harness.db
      .all<{ owner_uscc: string }>('SELECT DISTINCT owner_uscc FROM investment_projects ORDER BY owner_uscc LIMIT 60')
      .map((row) => row.owner_uscc);
    const reps = (n: number) => owners.slice(0, n).map((uscc) => ({ __typename: 'Organization', uscc }));
    const few = await harness.countStatements(organizations, { reps: reps(3) });
    const many = await harness.countStatements(organizations, { reps: reps(60) });
    expect(many.result.errors).toBeUndefined();
    expect(many.result.data!._entities).toHaveLength(60);
    expect(many.statements).toBe(few.statements);
    expect(many.statements).toBe(4); // organisations by USCC, project pages, project counts, districts by code
  });
});
