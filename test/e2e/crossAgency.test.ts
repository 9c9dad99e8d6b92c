import { EXAMPLES_FILE, loadExamples, readSection, renderExamples, runExample } from '@cdo-hub/scripts/docs';
import { readFileSync } from 'node:fs';
import type { AgencyDatabase } from '@cdo-hub/subgraph-kit';
import { as, tokenFor } from '../harness/hubProcess';
import { readOnlyHub, type ReadOnlyHub } from '../harness/sharedHub';

// Each cross-agency question of the domain reference, asked through the running gateway in one
// query, with the answer checked against the three agencies' seeded databases.

let hub: ReadOnlyHub;
let education: AgencyDatabase;
let developmentReform: AgencyDatabase;
let science: AgencyDatabase;

beforeAll(async () => {
  hub = await readOnlyHub();
  education = hub.database('education');
  developmentReform = hub.database('development-reform');
  science = hub.database('science');
});

afterAll(async () => {
  for (const db of [education, developmentReform, science]) db?.close();
  await hub?.release();
});

/** Today in Beijing, as the science subgraph judges certificate validity. */
function beijingToday(): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}

describe('a high-tech firm’s investment projects and their districts', () => {
  it('joins science certificates to development-reform projects and districts', async () => {
    // A Haidian firm holding a certificate and owning projects in the DRC's register.
    const owners = new Set(
      developmentReform
        .all<{ owner_uscc: string }>('SELECT DISTINCT owner_uscc FROM investment_projects')
        .map((r) => r.owner_uscc),
    );
    const certificates = science.all<{ certificate_number: string; uscc: string }>(
      "SELECT certificate_number, uscc FROM high_tech_enterprises WHERE district_code = '110108' ORDER BY certificate_number",
    );
    const firm = certificates.find((c) => owners.has(c.uscc));
    expect(firm).toBeDefined();

    const { status, body } = await hub.query(
      `query HighTechFirmProjects($certificate: ID!) {
         highTechEnterprise(certificateNumber: $certificate) {
           certificateNumber
           organization {
             uscc name
             investmentProjects(first: 50) { totalCount nodes { code name totalInvestment district { code name } } }
           }
         }
       }`,
      { certificate: firm!.certificate_number },
      await as('science', 'industrial-policy'),
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const organization = body.data!.highTechEnterprise.organization;
    const registered = developmentReform.get<{ name: string }>('SELECT name FROM organizations WHERE uscc = ?', [
      firm!.uscc,
    ])!;
    expect(organization).toMatchObject({ uscc: firm!.uscc, name: registered.name });

    const projects = developmentReform.all<{
      code: string;
      name: string;
      total_investment: number;
      district_code: string;
      district_name: string;
    }>(
      `SELECT p.code, p.name, p.total_investment, p.district_code, d.name AS district_name
       FROM investment_projects p JOIN districts d ON d.code = p.district_code WHERE p.owner_uscc = ? ORDER BY p.code`,
      [firm!.uscc],
    );
    expect(organization.investmentProjects.totalCount).toBe(projects.length);
    expect(organization.investmentProjects.nodes).toEqual(
      projects.map((p) => ({
        code: p.code,
        name: p.name,
        totalInvestment: p.total_investment,
        district: { code: p.district_code, name: p.district_name },
      })),
    );
  });
});

describe('a school-construction project and the school’s enrolment', () => {
  it('joins a development-reform project to the education commission’s school', async () => {
    const project = developmentReform.get<{ code: string; school_code: string; owner_uscc: string }>(
      'SELECT code, school_code, owner_uscc FROM investment_projects WHERE school_code IS NOT NULL ORDER BY code LIMIT 1',
    )!;
    const school = education.get<{ name: string; enrolment: number; district_code: string }>(
      'SELECT name, enrolment, district_code FROM schools WHERE code = ?',
      [project.school_code],
    )!;
    const owner = developmentReform.get<{ name: string }>('SELECT name FROM organizations WHERE uscc = ?', [
      project.owner_uscc,
    ])!;
    const district = developmentReform.get<{ name: string }>('SELECT name FROM districts WHERE code = ?', [
      school.district_code,
    ])!;

    const { body } = await hub.query(
      `query SchoolConstruction($code: ID!) {
         investmentProject(code: $code) {
           code owner { name }
           school { code name enrolment district { code name } }
         }
       }`,
      { code: project.code },
      await as('district-haidian', 'planning'),
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.investmentProject).toEqual({
      code: project.code,
      owner: { name: owner.name },
      school: {
        code: project.school_code,
        name: school.name,
        enrolment: school.enrolment,
        district: { code: school.district_code, name: district.name },
      },
    });
    // The owner is the district's education commission, where the school is.
    expect(owner.name).toContain(district.name);
  });
});

describe('a university’s technology contracts and research grants', () => {
  it('joins the credit registry, the education commission and the science commission', async () => {
    const university = education.get<{ uscc: string; code: string; name: string; enrolment: number }>(
      `SELECT uscc, code, name, enrolment FROM schools WHERE type = 'HIGHER_EDUCATION' ORDER BY code`,
    )!;
    const contracts = science.all<{ registration_number: string; amount: number; buyer_uscc: string }>(
      'SELECT registration_number, amount, buyer_uscc FROM technology_contracts WHERE seller_uscc = ? ORDER BY registration_number',
      [university.uscc],
    );
    const research = science.all<{ project_number: string; funding: number }>(
      'SELECT project_number, funding FROM research_projects WHERE lead_uscc = ? ORDER BY project_number',
      [university.uscc],
    );
    expect(contracts.length + research.length).toBeGreaterThan(0);

    const { body } = await hub.query(
      `query University($uscc: ID!) {
         organization(uscc: $uscc) {
           name kind
           school { code name type enrolment }
           technologyContracts(role: SELLER, first: 100) { totalCount nodes { registrationNumber amount buyer { uscc name } } }
           researchProjects(first: 100) { totalCount nodes { projectNumber funding } }
         }
       }`,
      { uscc: university.uscc },
      // The DRC reads contract amounts under grant SCI-2026-011, rounded to 10 (units of 10,000 yuan).
      await as('development-reform', 'planning'),
    );
    expect(body.errors).toBeUndefined();
    const organization = body.data!.organization;
    expect(organization.name).toBe(university.name);
    expect(organization.kind).toBe('PUBLIC_INSTITUTION');
    expect(organization.school).toEqual({
      code: university.code,
      name: university.name,
      type: 'HIGHER_EDUCATION',
      enrolment: university.enrolment,
    });
    expect(organization.technologyContracts.totalCount).toBe(contracts.length);
    const buyerNames = new Map(
      developmentReform
        .all<{ uscc: string; name: string }>('SELECT uscc, name FROM organizations')
        .map((row) => [row.uscc, row.name]),
    );
    expect(organization.technologyContracts.nodes).toEqual(
      contracts.map((c) => ({
        registrationNumber: c.registration_number,
        amount: Math.round(c.amount / 10) * 10,
        buyer: { uscc: c.buyer_uscc, name: buyerNames.get(c.buyer_uscc) },
      })),
    );
    expect(organization.researchProjects.totalCount).toBe(research.length);
    expect(organization.researchProjects.nodes).toEqual(
      research.map((r) => ({ projectNumber: r.project_number, funding: r.funding })),
    );
  });
});

describe('per-district totals across all three agencies', () => {
  it('adds up each agency’s figures per district, development zone included', async () => {
    const { body } = await hub.query(
      `query DistrictTotals {
      districts(first: 50) {
        totalCount
        nodes {
          code name kind
          schoolCount studentCount teacherCount
          investmentProjectCount totalInvestment
          highTechEnterpriseCount technologyContractCount technologyContractAmount researchFunding
        }
      }
    }`,
      {},
      await as('city-analytics', 'statistics'),
    );
    expect(body.errors).toBeUndefined();
    const districts = body.data!.districts.nodes as Record<string, any>[];
    expect(body.data!.districts.totalCount).toBe(17);
    expect(districts.find((d) => d.code === '110302')).toMatchObject({ kind: 'FUNCTIONAL_ZONE', schoolCount: 0 });

    const round = (n: number | null | undefined) => Math.round((n ?? 0) * 100) / 100;
    const today = beijingToday();
    for (const district of districts) {
      const edu = education.get<{ schools: number; students: number | null; teachers: number | null }>(
        'SELECT COUNT(*) AS schools, SUM(enrolment) AS students, (SELECT COUNT(*) FROM teachers t JOIN schools s ON s.code = t.school_code WHERE s.district_code = ?) AS teachers FROM schools WHERE district_code = ?',
        [district.code, district.code],
      )!;
      const drc = developmentReform.get<{ projects: number; investment: number | null }>(
        'SELECT COUNT(*) AS projects, SUM(total_investment) AS investment FROM investment_projects WHERE district_code = ?',
        [district.code],
      )!;
      // A firm's district is the registry code in its USCC (positions 3-8).
      // A firm counts once, if its latest certificate issued by today has not lapsed.
      const highTech = science.get<{ n: number }>(
        `SELECT COUNT(DISTINCT h.uscc) AS n FROM high_tech_enterprises AS h
         WHERE substr(h.uscc, 3, 6) = @district AND h.issued_on <= @today AND h.valid_until > @today
           AND NOT EXISTS (SELECT 1 FROM high_tech_enterprises AS later
             WHERE later.uscc = h.uscc AND later.issued_on <= @today
               AND (later.issued_on, later.certificate_number) > (h.issued_on, h.certificate_number))`,
        { district: district.code, today },
      )!;
      const contracts = science.get<{ n: number; amount: number | null }>(
        'SELECT COUNT(*) AS n, SUM(amount) AS amount FROM technology_contracts WHERE substr(seller_uscc, 3, 6) = ?',
        [district.code],
      )!;
      const funding = science.get<{ amount: number | null }>(
        'SELECT SUM(funding) AS amount FROM research_projects WHERE substr(lead_uscc, 3, 6) = ?',
        [district.code],
      )!;
      expect({ code: district.code, ...district }).toEqual({
        code: district.code,
        name: district.name,
        kind: district.kind,
        schoolCount: edu.schools,
        // The education policy's minimum cell size (5): a district count of 1-4 pupils is withheld.
        studentCount: (edu.students ?? 0) > 0 && (edu.students ?? 0) < 5 ? null : (edu.students ?? 0),
        teacherCount: edu.teachers ?? 0,
        investmentProjectCount: drc.projects,
        totalInvestment: round(drc.investment),
        highTechEnterpriseCount: highTech.n,
        technologyContractCount: contracts.n,
        technologyContractAmount: round(contracts.amount),
        researchFunding: round(funding.amount),
      });
    }
    // Not a vacuous check: the city has schools, projects and firms somewhere.
    expect(districts.reduce((sum, d) => sum + d.studentCount, 0)).toBeGreaterThan(1000);
    expect(districts.reduce((sum, d) => sum + d.highTechEnterpriseCount, 0)).toBeGreaterThan(10);
  });
});

describe('the example queries of docs/guides/example-queries.md', () => {
  it('show the answers the running hub gives (regenerate with `hub docs --gateway URL`)', async () => {
    const examples = loadExamples();
    expect(examples).toHaveLength(4);
    const results = [];
    for (const example of examples)
      results.push(await runExample(hub.gatewayUrl, example, (consumer) => tokenFor(consumer)));
    for (const result of results) expect(result).not.toHaveProperty('errors');
    expect(readSection(readFileSync(EXAMPLES_FILE, 'utf8'), 'examples')).toBe(renderExamples(examples, results));
  });
});
