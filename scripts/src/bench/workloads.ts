import type { AgencyDatabase } from '@cdo-hub/subgraph-kit/database';
import { DEMO_QUERY } from './demo/demoSubgraphs';

/** One benchmark workload: the operations it sends, as which consumers, and how a good answer looks. */
export interface Workload {
  name: string;
  description: string;
  requests: { query: string; consumer?: string; purpose?: string }[];
  /** A good answer: data, and no error other than the policy denials this workload expects. */
  verify(body: string): boolean;
}

const POLICY_CODES = new Set([
  'FIELD_NOT_SHARED',
  'GRANT_REQUIRED',
  'GRANT_EXPIRED',
  'PURPOSE_NOT_GRANTED',
  'OUT_OF_SCOPE',
]);

function parse(body: string): { data?: unknown; errors?: { extensions?: { code?: string } }[] } | undefined {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

const noErrors = (body: string) => {
  const result = parse(body);
  return !!result?.data && !result.errors;
};
const dataWithPolicyErrorsOnly = (body: string) => {
  const result = parse(body);
  return !!result?.data && (result.errors ?? []).every((error) => POLICY_CODES.has(error.extensions?.code ?? ''));
};

/**
 * The workloads, with keys read from the bench dataset so every query finds real rows. Consumers
 * are chosen so that rows (d) measure enforcement, not denials — except the mixed stream, which
 * is several consumers with different views, as a real day looks.
 */
export function benchWorkloads(db: { education: AgencyDatabase; developmentReform: AgencyDatabase }): Workload[] {
  const school = db.education.get<{ code: string }>(
    "SELECT code FROM schools WHERE district_code = '110108' AND type = 'PRIMARY' ORDER BY enrolment DESC LIMIT 1",
  )!;
  const university = db.education.get<{ uscc: string }>(
    "SELECT uscc FROM schools WHERE type = 'HIGHER_EDUCATION' ORDER BY code LIMIT 1",
  )!;
  const project = db.developmentReform.get<{ code: string }>(
    'SELECT code FROM investment_projects WHERE school_code IS NOT NULL ORDER BY code LIMIT 1',
  )!;
  const singleAgency = `query SingleAgency { school(code: "${school.code}") { name type enrolment classCount students(first: 10) { totalCount nodes { grade gender } } } }`;
  const crossAgency = [
    `query HighTechProjects { investmentProjects(districtCode: "110108", first: 20) { nodes { code name totalInvestment district { name } owner { name highTechCertificate { certificateNumber validUntil } } } } }`,
    `query SchoolConstruction { investmentProject(code: "${project.code}") { name status totalInvestment owner { name } schoolPlacesAdded school { name enrolment district { name } } } }`,
    `query University { organization(uscc: "${university.uscc}") { name school { code enrolment } keyLabs { name level } researchProjects(first: 5) { totalCount nodes { title funding } } technologyContracts(role: SELLER, first: 5) { totalCount nodes { type signedOn buyer { name } } } } }`,
    `query DistrictTotals { districts(first: 50) { nodes { code name schoolCount studentCount investmentProjectCount totalInvestment highTechEnterpriseCount technologyContractAmount researchFunding } } }`,
  ];
  return [
    {
      name: 'single-agency',
      description: 'one school with ten students (education only), as the education commission',
      requests: [{ query: singleAgency, consumer: 'education', purpose: 'operations' }],
      verify: noErrors,
    },
    {
      name: 'cross-agency',
      description:
        'the four cross-agency questions of the domain reference, in turn, as the development and reform commission',
      requests: crossAgency.map((query) => ({ query, consumer: 'development-reform', purpose: 'planning' })),
      verify: noErrors,
    },
    {
      name: 'mixed-views',
      description:
        'cross-agency and roster queries from five consumers with different grants (some fields withheld or masked)',
      requests: [
        { query: crossAgency[0]!, consumer: 'science', purpose: 'industrial-policy' },
        {
          query: `{ school(code: "${school.code}") { name students(first: 10) { nodes { name grade idNumber } } } }`,
          consumer: 'district-haidian',
          purpose: 'enrollment-planning',
        },
        { query: crossAgency[3]!, consumer: 'city-analytics', purpose: 'statistics' },
        { query: crossAgency[2]!, consumer: 'development-reform', purpose: 'planning' },
        { query: crossAgency[1]! },
      ],
      verify: dataWithPolicyErrorsOnly,
    },
  ];
}

/** The single-agency query sent straight to the education subgraph: the ceiling for a gateway hop. */
export function directSubgraphWorkload(workloads: readonly Workload[]): Workload {
  const single = workloads.find((w) => w.name === 'single-agency')!;
  return {
    ...single,
    name: 'single-agency (direct subgraph call)',
    requests: single.requests.map(({ query }) => ({ query })),
  };
}

/**
 * The public gateway benchmarks' workload on the four-subgraph demo: one deeply nested query,
 * asked anonymously (the demo's policies make everything UNCONDITIONAL and open).
 */
export function demoWorkload(): Workload {
  return {
    name: 'demo',
    description:
      'the four-subgraph demo (accounts, products, inventory with @requires, reviews): users → reviews → product → reviews → author → reviews → product, as the public gateway benchmarks ask it',
    requests: [{ query: DEMO_QUERY }],
    verify: (body) => noErrors(body) && body.includes('"shippingEstimate"'),
  };
}
