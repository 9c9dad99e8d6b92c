import { hubError } from '@cdo-hub/contracts';
import {
  childConnection,
  isDistrictCode,
  listIdentity,
  rootConnection,
  toPage,
  type ChildListSpec,
  type RequestLoaders,
} from '@cdo-hub/subgraph-kit';
import type { ContractRole, Resolvers } from '../generated/resolvers';
import type { HighTechEnterpriseRow, KeyLabRow, ResearchProjectRow, TechnologyContractRow } from '../model';

/** GR + year of issue + 11 (Beijing) + 6-digit serial. */
export const CERTIFICATE_NUMBER_PATTERN = /^GR20\d{2}11\d{6}$/;
/** Programme letter + 2-digit start year + 1100 (Beijing) + 6-digit serial. */
export const PROJECT_NUMBER_PATTERN = /^[A-Z]\d{2}1100\d{6}$/;
/** Year of signing + the seller's district code + 6-digit serial; the district part is checked separately. */
export const REGISTRATION_NUMBER_PATTERN = /^20\d{2}(\d{6})\d{6}$/;

const PROJECTS_OF_LEAD: ChildListSpec = {
  table: 'research_projects',
  parentColumn: 'lead_uscc',
  sortColumn: 'project_number',
};
const CONTRACTS_BY_ROLE: Readonly<Record<ContractRole, ChildListSpec>> = {
  SELLER: { table: 'technology_contracts', parentColumn: 'seller_uscc', sortColumn: 'registration_number' },
  BUYER: { table: 'technology_contracts', parentColumn: 'buyer_uscc', sortColumn: 'registration_number' },
  ANY: { table: 'technology_contract_parties', parentColumn: 'party_uscc', sortColumn: 'registration_number' },
};

/**
 * The number of the current certificate of the firm `uscc` (an SQL expression): its latest
 * certificate issued by today (the one `?` parameter). A renewal is issued before the certificate
 * it renews lapses, so for a while a firm holds two unexpired certificates; only the newer one is
 * current. One issued after today is not in force yet. The (uscc, issued_on, certificate_number)
 * index answers it with one seek per firm.
 */
function currentCertificateNumber(uscc: string): string {
  return `(SELECT latest.certificate_number FROM high_tech_enterprises AS latest
    WHERE latest.uscc = ${uscc} AND latest.issued_on <= ?
    ORDER BY latest.issued_on DESC, latest.certificate_number DESC LIMIT 1)`;
}

export interface ScienceResolverOptions {
  /**
   * Today's date (YYYY-MM-DD) for certificate validity. Asked each time validity is decided, so a
   * long-running subgraph moves on at midnight; tests pin it to get stable answers from a fixed seed.
   */
  today: () => string;
}

interface HighTechFigures {
  [column: string]: unknown;
  district_code: string;
  high_tech_count: number;
}

interface ContractFigures {
  [column: string]: unknown;
  district_code: string;
  contract_count: number;
  contract_amount: number;
}

interface ResearchFigures {
  [column: string]: unknown;
  district_code: string;
  research_funding: number;
}

function requireDistrictCode(code: string): string {
  if (!isDistrictCode(code))
    throw hubError('INVALID_IDENTIFIER', `"${code}" is not a Beijing district code.`, { identifier: 'DISTRICT_CODE' });
  return code;
}

function requireCertificateNumber(number: string): string {
  if (!CERTIFICATE_NUMBER_PATTERN.test(number)) {
    throw hubError(
      'INVALID_IDENTIFIER',
      `"${number}" is not a Beijing high-tech enterprise certificate number (GR + year + 11 + 6 digits).`,
      { identifier: 'HIGH_TECH_CERTIFICATE_NUMBER' },
    );
  }
  return number;
}

function requireProjectNumber(number: string): string {
  if (!PROJECT_NUMBER_PATTERN.test(number)) {
    throw hubError(
      'INVALID_IDENTIFIER',
      `"${number}" is not a research project number (letter + year + 1100 + 6 digits).`,
      { identifier: 'RESEARCH_PROJECT_NUMBER' },
    );
  }
  return number;
}

function requireRegistrationNumber(number: string): string {
  const district = REGISTRATION_NUMBER_PATTERN.exec(number)?.[1];
  if (district === undefined || !isDistrictCode(district)) {
    throw hubError(
      'INVALID_IDENTIFIER',
      `"${number}" is not a technology contract registration number (year + district code + 6 digits).`,
      { identifier: 'TECHNOLOGY_CONTRACT_NUMBER' },
    );
  }
  return number;
}

export function scienceResolvers({ today }: ScienceResolverOptions): Resolvers {
  return {
    Query: {
      highTechEnterprises: (_, { districtCode, validOnly, first, after }, { db, cursors }) => {
        // Conditions are added only when given, so a district filter pages along the district index.
        const conditions: string[] = [];
        const params: string[] = [];
        const district = districtCode == null ? null : requireDistrictCode(districtCode);
        if (district !== null) {
          conditions.push('district_code = ?');
          params.push(district);
        }
        // Each certified firm once: the certificates in force that are their firm's current one.
        const currentOnly = validOnly !== false;
        if (currentOnly) {
          const day = today();
          conditions.push(
            'valid_until > ?',
            `certificate_number = ${currentCertificateNumber('high_tech_enterprises.uscc')}`,
          );
          params.push(day, day);
        }
        return rootConnection<HighTechEnterpriseRow, HighTechEnterpriseRow>(
          db,
          {
            table: 'high_tech_enterprises',
            sortColumn: 'certificate_number',
            where: conditions.join(' AND ') || '1 = 1',
            params,
          },
          toPage(
            { first, after },
            listIdentity('Query.highTechEnterprises', { districtCode: district, validOnly: currentOnly }),
            cursors,
          ),
          (row) => row,
        );
      },
      highTechEnterprise: (_, { certificateNumber }, { loaders }) =>
        loaders
          .rowsByKey<HighTechEnterpriseRow>('high_tech_enterprises', 'certificate_number')
          .load(requireCertificateNumber(certificateNumber)),
      researchProject: (_, { projectNumber }, { loaders }) =>
        loaders
          .rowsByKey<ResearchProjectRow>('research_projects', 'project_number')
          .load(requireProjectNumber(projectNumber)),
      technologyContract: (_, { registrationNumber }, { loaders }) =>
        loaders
          .rowsByKey<TechnologyContractRow>('technology_contracts', 'registration_number')
          .load(requireRegistrationNumber(registrationNumber)),
      keyLabs: (_, { level, first, after }, { db, cursors }) =>
        rootConnection<KeyLabRow, KeyLabRow>(
          db,
          { table: 'key_labs', sortColumn: 'code', where: level ? 'level = ?' : '1 = 1', params: level ? [level] : [] },
          toPage({ first, after }, listIdentity('Query.keyLabs', { level }), cursors),
          (row) => row,
        ),
    },

    HighTechEnterprise: {
      certificateNumber: (certificate) => certificate.certificate_number,
      organization: (certificate) => ({ uscc: certificate.uscc }),
      district: (certificate) => ({ code: certificate.district_code }),
      issuedOn: (certificate) => certificate.issued_on,
      validUntil: (certificate) => certificate.valid_until,
      valid: async (certificate, _, { loaders }) => {
        const day = today();
        // Most certificates are settled by their own dates; only one in force needs its firm's current certificate.
        if (certificate.issued_on > day || certificate.valid_until <= day) return false;
        return (
          (await currentCertificate(loaders, day, certificate.uscc))?.certificate_number ===
          certificate.certificate_number
        );
      },
      technologyField: (certificate) => certificate.technology_field,
      rdExpenseRatio: (certificate) => certificate.rd_expense_ratio,
    },

    ResearchProject: {
      projectNumber: (project) => project.project_number,
      leadOrganization: (project) => ({ uscc: project.lead_uscc }),
      startDate: (project) => project.start_date,
      endDate: (project) => project.end_date,
      principalInvestigatorName: (project) => project.pi_name,
      principalInvestigatorIdNumber: (project) => project.pi_id_number,
      principalInvestigatorPhone: (project) => project.pi_phone,
    },

    KeyLab: {
      host: (lab) => ({ uscc: lab.host_uscc }),
    },

    TechnologyContract: {
      registrationNumber: (contract) => contract.registration_number,
      seller: (contract) => ({ uscc: contract.seller_uscc }),
      buyer: (contract) => ({ uscc: contract.buyer_uscc }),
      signedOn: (contract) => contract.signed_on,
      district: (contract) => ({ code: contract.district_code }),
    },

    District: {
      __resolveReference: (reference) => ({ code: reference.code }),
      highTechEnterpriseCount: async (district, _, { loaders }) =>
        (await highTechFigures(loaders, today(), district.code)).high_tech_count,
      technologyContractCount: async (district, _, { loaders }) =>
        (await contractFigures(loaders, district.code)).contract_count,
      technologyContractAmount: async (district, _, { loaders }) =>
        (await contractFigures(loaders, district.code)).contract_amount,
      researchFunding: async (district, _, { loaders }) =>
        (await researchFigures(loaders, district.code)).research_funding,
    },

    Organization: {
      // Any organisation may hold certificates, lead projects or sign contracts; absent ones just have empty lists.
      __resolveReference: (reference) => ({ uscc: reference.uscc }),
      highTechCertificate: (organization, _, { loaders }) => currentCertificate(loaders, today(), organization.uscc),
      researchProjects: (organization, args, { loaders, cursors }) =>
        childConnection<ResearchProjectRow, ResearchProjectRow>(
          loaders,
          PROJECTS_OF_LEAD,
          toPage(args, listIdentity('Organization.researchProjects'), cursors),
          organization.uscc,
          (row) => row,
        ),
      technologyContracts: (organization, { role, ...args }, { loaders, cursors }) => {
        const side = role ?? 'ANY';
        return childConnection<TechnologyContractRow, TechnologyContractRow>(
          loaders,
          CONTRACTS_BY_ROLE[side],
          toPage(args, listIdentity('Organization.technologyContracts', { role: side }), cursors),
          organization.uscc,
          (row) => row,
        );
      },
      keyLabs: (organization, _, { loaders }) =>
        loaders.rowsByParent<KeyLabRow>('key_labs', 'host_uscc', 'code').load(organization.uscc),
    },
  };
}

/**
 * District figures come in three groups, one per table; each group is one grouped statement per
 * request for every requested district, and only runs when one of its fields is selected.
 */
async function highTechFigures(loaders: RequestLoaders, today: string, code: string): Promise<HighTechFigures> {
  return loaders
    .figuresByKey<HighTechFigures>(
      'districtHighTechFigures',
      'district_code',
      `SELECT h.district_code, COUNT(*) AS high_tech_count
       FROM high_tech_enterprises AS h
       WHERE h.district_code IN (SELECT value FROM json_each(?)) AND h.valid_until > ? AND h.certificate_number = ${currentCertificateNumber('h.uscc')}
       GROUP BY h.district_code`,
      (key) => ({ district_code: key, high_tech_count: 0 }),
      [today, today],
    )
    .load(code);
}

async function contractFigures(loaders: RequestLoaders, code: string): Promise<ContractFigures> {
  // Amounts are stored to two decimals (100 yuan); rounding the sum there drops float summation noise.
  return loaders
    .figuresByKey<ContractFigures>(
      'districtContractFigures',
      'district_code',
      `SELECT district_code, COUNT(*) AS contract_count, ROUND(SUM(amount), 2) AS contract_amount
       FROM technology_contracts WHERE district_code IN (SELECT value FROM json_each(?)) GROUP BY district_code`,
      (key) => ({ district_code: key, contract_count: 0, contract_amount: 0 }),
    )
    .load(code);
}

async function researchFigures(loaders: RequestLoaders, code: string): Promise<ResearchFigures> {
  return loaders
    .figuresByKey<ResearchFigures>(
      'districtResearchFigures',
      'district_code',
      `SELECT lead_district_code AS district_code, ROUND(SUM(funding), 2) AS research_funding
       FROM research_projects WHERE lead_district_code IN (SELECT value FROM json_each(?)) GROUP BY lead_district_code`,
      (key) => ({ district_code: key, research_funding: 0 }),
    )
    .load(code);
}

/** Each firm's current certificate (in force or lapsed), one statement for every firm asked about in a request. */
function currentCertificate(
  loaders: RequestLoaders,
  today: string,
  uscc: string,
): Promise<HighTechEnterpriseRow | null> {
  const loader = loaders.get<HighTechEnterpriseRow | null>(`currentCertificate:${today}`, async (usccs) => {
    const rows = loaders.db.all<HighTechEnterpriseRow>(
      `SELECT h.* FROM json_each(?) AS firm
       JOIN high_tech_enterprises AS h ON h.certificate_number = ${currentCertificateNumber('firm.value')}`,
      [JSON.stringify(usccs), today],
    );
    const byUscc = new Map(rows.map((row) => [row.uscc, row]));
    return usccs.map((u) => byUscc.get(u) ?? null);
  });
  return loader.load(uscc);
}
