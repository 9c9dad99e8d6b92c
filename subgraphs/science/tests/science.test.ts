import {
  AgencyDatabase,
  BEIJING_DISTRICTS,
  buildWorld,
  isValidResidentId,
  isValidUscc,
  seedDatabase,
  usccRegistryCode,
} from '@cdo-hub/subgraph-kit';
import { SubgraphHarness } from '@cdo-hub/subgraph-kit/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scienceSeedPlan, scienceSubgraph } from '../src';
import { SCIENCE_SEED_DATE } from '../src/seed/seedScience';

// Pinning "today" to the day the seed describes keeps validity answers independent of the clock.
const TODAY = SCIENCE_SEED_DATE;

let harness: SubgraphHarness;

beforeAll(async () => {
  harness = await SubgraphHarness.start(scienceSubgraph({ today: TODAY }), scienceSeedPlan('small'));
});
afterAll(() => harness.stop());

const TABLES = ['high_tech_enterprises', 'research_projects', 'key_labs', 'technology_contracts'] as const;

/**
 * Certificates `h` in force on `@today` that are their firm's current one: no certificate of the
 * same firm issued by then is later. Written apart from the subgraph's SQL on purpose.
 */
const CURRENT_IN_FORCE = `h.issued_on <= @today AND h.valid_until > @today AND NOT EXISTS (
  SELECT 1 FROM high_tech_enterprises AS later WHERE later.uscc = h.uscc AND later.issued_on <= @today
  AND (later.issued_on, later.certificate_number) > (h.issued_on, h.certificate_number))`;

describe('science seed', () => {
  const world = buildWorld('small');

  it("has the planned size, with about a third of the world's enterprises certified", () => {
    const count = (table: string) => harness.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)!.n;
    expect(count('research_projects')).toBe(150);
    expect(count('key_labs')).toBe(20);
    expect(count('technology_contracts')).toBe(800);
    const certified = harness.db.get<{ n: number }>('SELECT COUNT(DISTINCT uscc) AS n FROM high_tech_enterprises')!.n;
    expect(certified / world.enterprises.length).toBeGreaterThan(0.25);
    expect(certified / world.enterprises.length).toBeLessThan(0.45);
  });

  it('refers only to world organisations, by valid USCCs, in the districts their USCCs name', () => {
    const byUscc = new Map(world.organizations.map((o) => [o.uscc, o]));
    const references = harness.db.all<{ uscc: string; district_code: string | null; role: string }>(
      `SELECT uscc, district_code, 'certified' AS role FROM high_tech_enterprises
       UNION ALL SELECT lead_uscc, lead_district_code, 'lead' FROM research_projects
       UNION ALL SELECT host_uscc, NULL, 'host' FROM key_labs
       UNION ALL SELECT seller_uscc, district_code, 'seller' FROM technology_contracts
       UNION ALL SELECT buyer_uscc, NULL, 'buyer' FROM technology_contracts`,
    );
    expect(references.length).toBeGreaterThan(2000);
    for (const reference of references) {
      const organization = byUscc.get(reference.uscc);
      expect(organization).toBeDefined();
      expect(isValidUscc(reference.uscc)).toBe(true);
      if (reference.district_code !== null) expect(reference.district_code).toBe(usccRegistryCode(reference.uscc));
      if (reference.role === 'certified' || reference.role === 'buyer') expect(organization!.role).toBe('ENTERPRISE');
      if (reference.role === 'host') expect(['UNIVERSITY', 'RESEARCH_INSTITUTE']).toContain(organization!.role);
    }
    const selfDealing = harness.db.all(
      'SELECT registration_number FROM technology_contracts WHERE seller_uscc = buyer_uscc',
    );
    expect(selfDealing).toEqual([]);
  });

  it('gives every principal investigator a valid resident ID number, born 1960-1992, and a mobile number', () => {
    const rows = harness.db.all<{ pi_id_number: string; pi_phone: string }>(
      'SELECT pi_id_number, pi_phone FROM research_projects',
    );
    for (const row of rows) {
      expect(isValidResidentId(row.pi_id_number)).toBe(true);
      const birthYear = Number(row.pi_id_number.slice(6, 10));
      expect(birthYear).toBeGreaterThanOrEqual(1960);
      expect(birthYear).toBeLessThanOrEqual(1992);
      expect(row.pi_phone).toMatch(/^1\d{10}$/);
    }
  });

  it('makes certificates valid for three years from issue, some of them lapsed by the seed date', () => {
    const rows = harness.db.all<{ certificate_number: string; issued_on: string; valid_until: string }>(
      'SELECT certificate_number, issued_on, valid_until FROM high_tech_enterprises',
    );
    for (const row of rows) {
      const [year, month, day] = row.issued_on.split('-');
      expect(row.valid_until).toBe(`${Number(year) + 3}-${month}-${day}`);
      expect(row.certificate_number).toMatch(new RegExp(`^GR${year}11\\d{6}$`));
      expect(row.issued_on <= TODAY).toBe(true);
    }
    const valid = rows.filter((row) => row.valid_until > TODAY).length;
    expect(valid).toBeGreaterThan(rows.length / 4);
    expect(valid).toBeLessThan(rows.length);
  });

  it('numbers contracts by year of signing and seller district, projects by start year', () => {
    for (const row of harness.db.all<{ registration_number: string; signed_on: string; district_code: string }>(
      'SELECT registration_number, signed_on, district_code FROM technology_contracts',
    )) {
      expect(row.registration_number).toMatch(new RegExp(`^${row.signed_on.slice(0, 4)}${row.district_code}\\d{6}$`));
    }
    for (const row of harness.db.all<{ project_number: string; start_date: string; end_date: string }>(
      'SELECT project_number, start_date, end_date FROM research_projects',
    )) {
      expect(row.project_number).toMatch(new RegExp(`^[A-Z]${row.start_date.slice(2, 4)}1100\\d{6}$`));
      expect(row.end_date > row.start_date).toBe(true);
    }
  });

  it('is deterministic: seeding again gives the same rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cdo-hub-science-again-'));
    const file = join(dir, 'science.sqlite');
    seedDatabase(file, scienceSeedPlan('small'));
    const again = new AgencyDatabase(file);
    try {
      for (const table of TABLES)
        expect(again.all(`SELECT * FROM ${table} ORDER BY 1`)).toEqual(
          harness.db.all(`SELECT * FROM ${table} ORDER BY 1`),
        );
    } finally {
      again.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('science subgraph', () => {
  it('pages valid high-tech certificates of a district by cursor', async () => {
    const query = `query ($after: String) { highTechEnterprises(districtCode: "110108", first: 3, after: $after) {
      nodes { certificateNumber valid district { code } organization { uscc } } pageInfo { hasNextPage endCursor } totalCount } }`;
    const first = await harness.query(query);
    expect(first.errors).toBeUndefined();
    const second = await harness.query(query, { after: first.data!.highTechEnterprises.pageInfo.endCursor });
    const expected = harness.db.all<{ certificate_number: string; uscc: string }>(
      `SELECT certificate_number, uscc FROM high_tech_enterprises AS h WHERE district_code = '110108' AND ${CURRENT_IN_FORCE} ORDER BY certificate_number`,
      { today: TODAY },
    );
    const nodes = [...first.data!.highTechEnterprises.nodes, ...second.data!.highTechEnterprises.nodes];
    expect(nodes).toEqual(
      expected.slice(0, 6).map((row) => ({
        certificateNumber: row.certificate_number,
        valid: true,
        district: { code: '110108' },
        organization: { uscc: row.uscc },
      })),
    );
    expect(first.data!.highTechEnterprises.totalCount).toBe(expected.length);
    expect(second.data!.highTechEnterprises.pageInfo.hasNextPage).toBe(expected.length > 6);
  });

  it('includes lapsed certificates when validOnly is false', async () => {
    const result = await harness.query(
      '{ all: highTechEnterprises(validOnly: false, first: 100) { nodes { valid } totalCount } valid: highTechEnterprises { totalCount } }',
    );
    expect(result.errors).toBeUndefined();
    const total = harness.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM high_tech_enterprises')!.n;
    const certifiedFirms = harness.db.get<{ n: number }>(
      `SELECT COUNT(DISTINCT uscc) AS n FROM high_tech_enterprises AS h WHERE ${CURRENT_IN_FORCE}`,
      { today: TODAY },
    )!.n;
    expect(result.data!.all.totalCount).toBe(total);
    expect(result.data!.valid.totalCount).toBe(certifiedFirms);
    expect(result.data!.all.nodes.some((node: { valid: boolean }) => !node.valid)).toBe(true);
  });

  it('looks up a certificate, a project and a contract by number, and null for unknown numbers', async () => {
    const certificate = harness.db.get<Record<string, any>>(
      'SELECT * FROM high_tech_enterprises ORDER BY certificate_number LIMIT 1 OFFSET 7',
    )!;
    const project = harness.db.get<Record<string, any>>(
      'SELECT * FROM research_projects ORDER BY project_number LIMIT 1 OFFSET 3',
    )!;
    const contract = harness.db.get<Record<string, any>>(
      'SELECT * FROM technology_contracts ORDER BY registration_number LIMIT 1 OFFSET 11',
    )!;
    const result = await harness.query(
      `query ($certificate: ID!, $project: ID!, $contract: ID!) {
        highTechEnterprise(certificateNumber: $certificate) { certificateNumber organization { uscc } district { code } issuedOn validUntil valid technologyField rdExpenseRatio revenue }
        researchProject(projectNumber: $project) { projectNumber title programme leadOrganization { uscc } funding startDate endDate principalInvestigatorName principalInvestigatorIdNumber principalInvestigatorPhone }
        technologyContract(registrationNumber: $contract) { registrationNumber seller { uscc } buyer { uscc } type amount signedOn district { code } }
        noCertificate: highTechEnterprise(certificateNumber: "GR201911999999") { certificateNumber }
        noProject: researchProject(projectNumber: "Z191100999999") { title }
        noContract: technologyContract(registrationNumber: "2019110101999999") { amount }
      }`,
      {
        certificate: certificate.certificate_number,
        project: project.project_number,
        contract: contract.registration_number,
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      highTechEnterprise: {
        certificateNumber: certificate.certificate_number,
        organization: { uscc: certificate.uscc },
        district: { code: certificate.district_code },
        issuedOn: certificate.issued_on,
        validUntil: certificate.valid_until,
        valid: certificate.valid_until > TODAY,
        technologyField: certificate.technology_field,
        rdExpenseRatio: certificate.rd_expense_ratio,
        revenue: certificate.revenue,
      },
      researchProject: {
        projectNumber: project.project_number,
        title: project.title,
        programme: project.programme,
        leadOrganization: { uscc: project.lead_uscc },
        funding: project.funding,
        startDate: project.start_date,
        endDate: project.end_date,
        principalInvestigatorName: project.pi_name,
        principalInvestigatorIdNumber: project.pi_id_number,
        principalInvestigatorPhone: project.pi_phone,
      },
      technologyContract: {
        registrationNumber: contract.registration_number,
        seller: { uscc: contract.seller_uscc },
        buyer: { uscc: contract.buyer_uscc },
        type: contract.type,
        amount: contract.amount,
        signedOn: contract.signed_on,
        district: { code: contract.district_code },
      },
      noCertificate: null,
      noProject: null,
      noContract: null,
    });
  });

  it('pages key labs of one level by cursor', async () => {
    const query = `query ($after: String) { keyLabs(level: MUNICIPAL, first: 4, after: $after) { nodes { code name field level host { uscc } } pageInfo { endCursor } totalCount } }`;
    const first = await harness.query(query);
    expect(first.errors).toBeUndefined();
    const second = await harness.query(query, { after: first.data!.keyLabs.pageInfo.endCursor });
    const expected = harness.db.all<{ code: string; name: string; field: string; host_uscc: string }>(
      "SELECT code, name, field, host_uscc FROM key_labs WHERE level = 'MUNICIPAL' ORDER BY code",
    );
    expect([...first.data!.keyLabs.nodes, ...second.data!.keyLabs.nodes]).toEqual(
      expected.slice(0, 8).map((row) => ({
        code: row.code,
        name: row.name,
        field: row.field,
        level: 'MUNICIPAL',
        host: { uscc: row.host_uscc },
      })),
    );
    expect(first.data!.keyLabs.totalCount).toBe(expected.length);
  });

  it.each([
    ['{ highTechEnterprises(districtCode: "110103") { totalCount } }', 'DISTRICT_CODE'],
    ['{ highTechEnterprise(certificateNumber: "GR2023110012") { revenue } }', 'HIGH_TECH_CERTIFICATE_NUMBER'],
    ['{ highTechEnterprise(certificateNumber: "GR202337001234") { revenue } }', 'HIGH_TECH_CERTIFICATE_NUMBER'],
    ['{ researchProject(projectNumber: "Z2311000012") { title } }', 'RESEARCH_PROJECT_NUMBER'],
    ['{ technologyContract(registrationNumber: "2024110199001234") { amount } }', 'TECHNOLOGY_CONTRACT_NUMBER'],
    ['{ technologyContract(registrationNumber: "20241101080012") { amount } }', 'TECHNOLOGY_CONTRACT_NUMBER'],
  ])('refuses the malformed identifier in %s', async (query, identifier) => {
    const result = await harness.query(query);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_IDENTIFIER', identifier });
  });

  it('refuses foreign cursors and oversized pages', async () => {
    const badCursor = await harness.query('{ keyLabs(after: "bm90LWEtY3Vyc29y") { totalCount } }');
    expect(badCursor.errors?.[0]?.extensions?.code).toBe('INVALID_CURSOR');
    const tooMany = await harness.query('{ highTechEnterprises(first: 101) { totalCount } }');
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('PAGE_SIZE_OUT_OF_RANGE');
  });

  it('refuses a cursor issued by another list or under other filters', async () => {
    const labs = await harness.query('{ keyLabs(level: MUNICIPAL, first: 1) { pageInfo { endCursor } } }');
    const labCursor = labs.data!.keyLabs.pageInfo.endCursor;
    expect(
      (
        await harness.query('query ($after: String) { keyLabs(level: MUNICIPAL, after: $after) { totalCount } }', {
          after: labCursor,
        })
      ).errors,
    ).toBeUndefined();
    const otherLevel = await harness.query(
      'query ($after: String) { keyLabs(level: NATIONAL, after: $after) { totalCount } }',
      { after: labCursor },
    );
    expect(otherLevel.errors?.[0]?.extensions?.code).toBe('INVALID_CURSOR');

    const certificates = await harness.query('{ highTechEnterprises(first: 1) { pageInfo { endCursor } } }');
    const lapsedToo = await harness.query(
      'query ($after: String) { highTechEnterprises(validOnly: false, after: $after) { totalCount } }',
      {
        after: certificates.data!.highTechEnterprises.pageInfo.endCursor,
      },
    );
    expect(lapsedToo.errors?.[0]?.extensions?.code).toBe('INVALID_CURSOR');

    const seller = harness.db.get<{ seller_uscc: string }>(
      'SELECT seller_uscc FROM technology_contracts GROUP BY seller_uscc ORDER BY COUNT(*) DESC, seller_uscc LIMIT 1',
    )!.seller_uscc;
    const contracts = `query ($reps: [_Any!]!, $role: ContractRole, $after: String) { _entities(representations: $reps) { ... on Organization {
      technologyContracts(role: $role, first: 1, after: $after) { pageInfo { endCursor } } researchProjects(after: $after) { totalCount } } } }`;
    const reps = [{ __typename: 'Organization', uscc: seller }];
    const sold = await harness.query(contracts, { reps, role: 'SELLER' });
    const after = sold.data!._entities[0].technologyContracts.pageInfo.endCursor;
    const [asBuyer] = (await harness.query(contracts, { reps, role: 'BUYER', after })).errors!;
    expect(asBuyer).toMatchObject({
      path: ['_entities', 0, 'technologyContracts'],
      extensions: { code: 'INVALID_CURSOR' },
    });
    const asSellerAgain = await harness.query(contracts, { reps, role: 'SELLER', after });
    expect(asSellerAgain.errors?.map((e) => e.path)).toEqual([['_entities', 0, 'researchProjects']]);
  });

  it('answers the other root fields when one of them fails', async () => {
    const result = await harness.query(
      '{ keyLabs(first: 1000) { totalCount } highTechEnterprises(first: 1) { totalCount } }',
    );
    expect(result.errors).toEqual([
      expect.objectContaining({
        path: ['keyLabs'],
        extensions: expect.objectContaining({ code: 'PAGE_SIZE_OUT_OF_RANGE' }),
      }),
    ]);
    expect(result.data).toEqual({ keyLabs: null, highTechEnterprises: { totalCount: expect.any(Number) } });
  });
});

describe('renewed and future certificates', () => {
  // A renewal is issued before the certificate it renews lapses: on TODAY these firms hold two
  // unexpired certificates, of which only the newer is current.
  const renewed = () =>
    harness.db.all<{ uscc: string; district_code: string; older: string; newer: string; newer_issued_on: string }>(
      `SELECT h.uscc, h.district_code, MIN(h.certificate_number) AS older, MAX(h.certificate_number) AS newer, MAX(h.issued_on) AS newer_issued_on
       FROM high_tech_enterprises AS h WHERE h.issued_on <= ? AND h.valid_until > ? GROUP BY h.uscc HAVING COUNT(*) = 2 ORDER BY h.uscc`,
      [TODAY, TODAY],
    );
  const firmQuery = `query ($district: ID!, $reps: [_Any!]!) {
    highTechEnterprises(districtCode: $district, first: 100) { nodes { certificateNumber organization { uscc } } totalCount }
    all: highTechEnterprises(districtCode: $district, validOnly: false, first: 100) { nodes { certificateNumber valid } }
    _entities(representations: $reps) { ... on District { highTechEnterpriseCount } ... on Organization { highTechCertificate { certificateNumber valid } } } }`;

  it('lists and counts a renewed firm once, by its renewal', async () => {
    const firms = renewed();
    expect(firms.length).toBeGreaterThan(0);
    for (const firm of firms) {
      const result = await harness.query(firmQuery, {
        district: firm.district_code,
        reps: [
          { __typename: 'District', code: firm.district_code },
          { __typename: 'Organization', uscc: firm.uscc },
        ],
      });
      expect(result.errors).toBeUndefined();
      const listed = result.data!.highTechEnterprises.nodes as {
        certificateNumber: string;
        organization: { uscc: string };
      }[];
      expect(
        listed.filter((node) => node.organization.uscc === firm.uscc).map((node) => node.certificateNumber),
      ).toEqual([firm.newer]);
      expect(new Set(listed.map((node) => node.organization.uscc)).size).toBe(listed.length);
      const validity = new Map(
        (result.data!.all.nodes as { certificateNumber: string; valid: boolean }[]).map((node) => [
          node.certificateNumber,
          node.valid,
        ]),
      );
      expect([validity.get(firm.older), validity.get(firm.newer)]).toEqual([false, true]);
      const firmsInForce = harness.db.get<{ n: number }>(
        `SELECT COUNT(DISTINCT uscc) AS n FROM high_tech_enterprises AS h WHERE district_code = @district AND ${CURRENT_IN_FORCE}`,
        {
          district: firm.district_code,
          today: TODAY,
        },
      )!.n;
      expect(result.data!._entities).toEqual([
        { highTechEnterpriseCount: firmsInForce },
        { highTechCertificate: { certificateNumber: firm.newer, valid: true } },
      ]);
      expect(result.data!.highTechEnterprises.totalCount).toBe(firmsInForce);
    }
  });

  it('keeps the older certificate current until the day its renewal is issued', async () => {
    const firm = renewed()[0]!;
    const dayBefore = new Date(Date.parse(firm.newer_issued_on) - 86_400_000).toISOString().slice(0, 10);
    const earlier = await SubgraphHarness.start(scienceSubgraph({ today: dayBefore }), scienceSeedPlan('small'));
    try {
      const result = await earlier.query(firmQuery, {
        district: firm.district_code,
        reps: [
          { __typename: 'District', code: firm.district_code },
          { __typename: 'Organization', uscc: firm.uscc },
        ],
      });
      expect(result.errors).toBeUndefined();
      const listed = result.data!.highTechEnterprises.nodes as {
        certificateNumber: string;
        organization: { uscc: string };
      }[];
      expect(
        listed.filter((node) => node.organization.uscc === firm.uscc).map((node) => node.certificateNumber),
      ).toEqual([firm.older]);
      const validity = new Map(
        (result.data!.all.nodes as { certificateNumber: string; valid: boolean }[]).map((node) => [
          node.certificateNumber,
          node.valid,
        ]),
      );
      expect([validity.get(firm.older), validity.get(firm.newer)]).toEqual([true, false]);
      const firmsInForce = earlier.db.get<{ n: number }>(
        `SELECT COUNT(DISTINCT uscc) AS n FROM high_tech_enterprises AS h WHERE district_code = @district AND ${CURRENT_IN_FORCE}`,
        {
          district: firm.district_code,
          today: dayBefore,
        },
      )!.n;
      expect(result.data!._entities).toEqual([
        { highTechEnterpriseCount: firmsInForce },
        { highTechCertificate: { certificateNumber: firm.older, valid: true } },
      ]);
    } finally {
      await earlier.stop();
    }
  });
});

describe('entity references', () => {
  const organizationQuery = `query ($reps: [_Any!]!, $role: ContractRole, $after: String) { _entities(representations: $reps) { ... on Organization {
    uscc
    highTechCertificate { certificateNumber issuedOn }
    researchProjects(first: 3) { nodes { projectNumber } totalCount }
    technologyContracts(role: $role, first: 3, after: $after) { nodes { registrationNumber } pageInfo { endCursor } totalCount }
    keyLabs { code }
  } } }`;

  it('gives a renewed firm its latest certificate and its contracts on either side, paged', async () => {
    const firm = harness.db.get<{ uscc: string }>(
      `SELECT uscc FROM high_tech_enterprises h
       WHERE EXISTS (SELECT 1 FROM technology_contracts WHERE seller_uscc = h.uscc) AND EXISTS (SELECT 1 FROM technology_contracts WHERE buyer_uscc = h.uscc)
       GROUP BY uscc ORDER BY COUNT(*) DESC, uscc LIMIT 1`,
    )!;
    const latest = harness.db.get<{ certificate_number: string; issued_on: string }>(
      'SELECT certificate_number, issued_on FROM high_tech_enterprises WHERE uscc = ? ORDER BY issued_on DESC LIMIT 1',
      [firm.uscc],
    )!;
    const any = harness.db.all<{ registration_number: string }>(
      'SELECT registration_number FROM technology_contracts WHERE seller_uscc = ? OR buyer_uscc = ? ORDER BY registration_number',
      [firm.uscc, firm.uscc],
    );
    const count = (column: string) =>
      harness.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM technology_contracts WHERE ${column} = ?`, [firm.uscc])!
        .n;
    const reps = [{ __typename: 'Organization', uscc: firm.uscc }];

    const first = await harness.query(organizationQuery, { reps });
    expect(first.errors).toBeUndefined();
    const organization = first.data!._entities[0];
    expect(organization.highTechCertificate).toEqual({
      certificateNumber: latest.certificate_number,
      issuedOn: latest.issued_on,
    });
    expect(organization.technologyContracts.totalCount).toBe(any.length);
    const second = await harness.query(organizationQuery, {
      reps,
      after: organization.technologyContracts.pageInfo.endCursor,
    });
    const seen = [
      ...organization.technologyContracts.nodes,
      ...second.data!._entities[0].technologyContracts.nodes,
    ].map((n: { registrationNumber: string }) => n.registrationNumber);
    expect(seen).toEqual(any.slice(0, 6).map((row) => row.registration_number));

    const seller = await harness.query(organizationQuery, { reps, role: 'SELLER' });
    const buyer = await harness.query(organizationQuery, { reps, role: 'BUYER' });
    expect(seller.data!._entities[0].technologyContracts.totalCount).toBe(count('seller_uscc'));
    expect(buyer.data!._entities[0].technologyContracts.totalCount).toBe(count('buyer_uscc'));
    expect(count('seller_uscc') + count('buyer_uscc')).toBe(any.length);
  });

  it('gives a research organisation its projects and labs, and an unknown one empty lists', async () => {
    const host = harness.db.get<{ host_uscc: string }>(
      'SELECT host_uscc FROM key_labs GROUP BY host_uscc ORDER BY COUNT(*) DESC, host_uscc LIMIT 1',
    )!.host_uscc;
    const projects = harness.db.all<{ project_number: string }>(
      'SELECT project_number FROM research_projects WHERE lead_uscc = ? ORDER BY project_number',
      [host],
    );
    const labs = harness.db.all<{ code: string }>('SELECT code FROM key_labs WHERE host_uscc = ? ORDER BY code', [
      host,
    ]);
    const school = buildWorld('small').schools.find((s) => s.type !== 'HIGHER_EDUCATION')!.uscc;
    const result = await harness.query(organizationQuery, {
      reps: [
        { __typename: 'Organization', uscc: host },
        { __typename: 'Organization', uscc: school },
      ],
    });
    expect(result.errors).toBeUndefined();
    const [research, unrelated] = result.data!._entities;
    expect(research.uscc).toBe(host);
    expect(research.highTechCertificate).toBeNull();
    expect(research.researchProjects).toEqual({
      nodes: projects.slice(0, 3).map((p) => ({ projectNumber: p.project_number })),
      totalCount: projects.length,
    });
    expect(research.keyLabs).toEqual(labs.map((lab) => ({ code: lab.code })));
    expect(labs.length).toBeGreaterThan(0);
    expect(unrelated).toEqual({
      uscc: school,
      highTechCertificate: null,
      researchProjects: { nodes: [], totalCount: 0 },
      technologyContracts: { nodes: [], pageInfo: { endCursor: null }, totalCount: 0 },
      keyLabs: [],
    });
  });

  it('gives every district figures equal to the SQL aggregates', async () => {
    const result = await harness.query(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on District { code highTechEnterpriseCount technologyContractCount technologyContractAmount researchFunding } } }`,
      { reps: BEIJING_DISTRICTS.map((d) => ({ __typename: 'District', code: d.code })) },
    );
    expect(result.errors).toBeUndefined();
    for (const district of result.data!._entities) {
      const highTech = harness.db.get<{ n: number }>(
        `SELECT COUNT(DISTINCT uscc) AS n FROM high_tech_enterprises AS h WHERE substr(uscc, 3, 6) = @district AND ${CURRENT_IN_FORCE}`,
        {
          district: district.code,
          today: TODAY,
        },
      )!.n;
      const contracts = harness.db.get<{ n: number; amount: number | null }>(
        'SELECT COUNT(*) AS n, SUM(amount) AS amount FROM technology_contracts WHERE substr(seller_uscc, 3, 6) = ?',
        [district.code],
      )!;
      const funding = harness.db.get<{ funding: number | null }>(
        'SELECT SUM(funding) AS funding FROM research_projects WHERE substr(lead_uscc, 3, 6) = ?',
        [district.code],
      )!.funding;
      expect(district.highTechEnterpriseCount).toBe(highTech);
      expect(district.technologyContractCount).toBe(contracts.n);
      expect(district.technologyContractAmount).toBeCloseTo(contracts.amount ?? 0, 2);
      expect(district.researchFunding).toBeCloseTo(funding ?? 0, 2);
    }
    const zone = result.data!._entities.find((d: { code: string }) => d.code === '110302');
    expect(zone.technologyContractCount).toBeGreaterThan(0);
  });
});

describe('batching', () => {
  // A query over N entities must cost the same number of SQL statements whatever N is: each
  // level (a root page, each nested list, each count, each figure group) is one batched statement.
  const organizations = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Organization {
    highTechCertificate { certificateNumber } researchProjects(first: 2) { nodes { title } totalCount } technologyContracts(first: 2) { nodes { amount } } keyLabs { name } } } }`;
  const certificates = `query ($first: Int!) { highTechEnterprises(first: $first) { nodes { certificateNumber district { code } } } }`;
  const nested = `query ($first: Int!) { highTechEnterprises(validOnly: false, first: $first) { nodes {
    organization { highTechCertificate { certificateNumber } technologyContracts(role: SELLER, first: 1) { nodes { buyer { uscc } } totalCount } }
    district { highTechEnterpriseCount technologyContractAmount researchFunding } } } }`;

  it('resolves 3 or 60 organisations with all their science lists in a constant number of statements', async () => {
    const usccs = harness.db
      .all<{ uscc: string }>(
        'SELECT uscc FROM (SELECT seller_uscc AS uscc FROM technology_contracts UNION SELECT lead_uscc FROM research_projects UNION SELECT host_uscc FROM key_labs) ORDER BY uscc LIMIT 60',
      )
      .map((row) => row.uscc);
    const reps = (n: number) => usccs.slice(0, n).map((uscc) => ({ __typename: 'Organization', uscc }));
    const few = await harness.countStatements(organizations, { reps: reps(3) });
    const many = await harness.countStatements(organizations, { reps: reps(60) });
    expect(few.result.errors).toBeUndefined();
    expect(many.result.errors).toBeUndefined();
    expect(many.result.data!._entities).toHaveLength(60);
    expect(many.statements).toBe(few.statements);
    expect(many.statements).toBe(5); // certificates, project pages, project counts, contract pages, labs
  });

  it('lists 5 or 50 certificates with their districts in a constant number of statements', async () => {
    const few = await harness.countStatements(certificates, { first: 5 });
    const many = await harness.countStatements(certificates, { first: 50 });
    expect(few.result.errors).toBeUndefined();
    expect(many.result.data!.highTechEnterprises.nodes).toHaveLength(50);
    expect(many.statements).toBe(few.statements);
    expect(many.statements).toBe(1); // the page; a district reference needs no statement
  });

  it('resolves nested organisations and district figures under 5 or 50 certificates in a constant number of statements', async () => {
    const few = await harness.countStatements(nested, { first: 5 });
    const many = await harness.countStatements(nested, { first: 50 });
    expect(few.result.errors).toBeUndefined();
    expect(many.result.errors).toBeUndefined();
    expect(many.result.data!.highTechEnterprises.nodes).toHaveLength(50);
    expect(many.statements).toBe(few.statements);
    // page, certificates by firm, contract pages, contract counts, and the three district figure groups
    expect(many.statements).toBe(7);
  });
});
