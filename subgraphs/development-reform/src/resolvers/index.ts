import { hubError } from '@cdo-hub/contracts';
import {
  assertInScope,
  assertOwner,
  childConnection,
  isDistrictCode,
  isInvestmentProjectCode,
  isSchoolCode,
  isValidUscc,
  listIdentity,
  rootConnection,
  toPage,
  type ChildListSpec,
  type RequestLoaders,
} from '@cdo-hub/subgraph-kit';
import type { Resolvers } from '../generated/resolvers';
import type { DistrictRow, InvestmentProjectRow, OrganizationRow, PriceObservationRow } from '../model';

const PROJECTS_OF_OWNER: ChildListSpec = {
  table: 'investment_projects',
  parentColumn: 'owner_uscc',
  sortColumn: 'code',
};
const PROJECTS_OF_DISTRICT: ChildListSpec = {
  table: 'investment_projects',
  parentColumn: 'district_code',
  sortColumn: 'code',
};

interface DistrictFigures {
  [column: string]: unknown;
  district_code: string;
  project_count: number;
  total_investment: number;
}

function requireDistrictCode(code: string): string {
  if (!isDistrictCode(code))
    throw hubError('INVALID_IDENTIFIER', `"${code}" is not a Beijing district code.`, { identifier: 'DISTRICT_CODE' });
  return code;
}

function requireUscc(uscc: string): string {
  if (!isValidUscc(uscc))
    throw hubError('INVALID_IDENTIFIER', `"${uscc}" is not a valid Unified Social Credit Code.`, {
      identifier: 'USCC',
    });
  return uscc;
}

function requireProjectCode(code: string): string {
  if (!isInvestmentProjectCode(code))
    throw hubError('INVALID_IDENTIFIER', `"${code}" is not an investment project code (YYYY-RRRRRR-DD-TT-NNNNNN).`, {
      identifier: 'PROJECT_CODE',
    });
  return code;
}

/**
 * Equality filters of a root list as a fixed condition. Only the filters given become SQL, so
 * SQLite can walk the (column, sort key) index that matches; `? IS NULL OR ...` would hide it.
 */
function equalities(filters: Readonly<Record<string, string | null | undefined>>): { where: string; params: string[] } {
  const given = Object.entries(filters).filter((entry): entry is [string, string] => entry[1] != null);
  return {
    where: given.length ? given.map(([column]) => `${column} = ?`).join(' AND ') : '1 = 1',
    params: given.map(([, value]) => value),
  };
}

export const resolvers: Resolvers = {
  Query: {
    districts: (_, { kind, first, after }, { db, cursors }) =>
      rootConnection<DistrictRow, DistrictRow>(
        db,
        { table: 'districts', sortColumn: 'code', ...equalities({ kind }) },
        toPage({ first, after }, listIdentity('Query.districts', { kind }), cursors),
        (row) => row,
      ),
    district: (_, { code }, { loaders }) =>
      loaders.rowsByKey<DistrictRow>('districts', 'code').load(requireDistrictCode(code)),
    organization: (_, { uscc }, { loaders }) =>
      loaders.rowsByKey<OrganizationRow>('organizations', 'uscc').load(requireUscc(uscc)),
    investmentProject: (_, { code }, { loaders }) =>
      loaders.rowsByKey<InvestmentProjectRow>('investment_projects', 'code').load(requireProjectCode(code)),
    investmentProjects: (_, { districtCode, ownerUscc, first, after }, { db, cursors }) => {
      const given = {
        district_code: districtCode == null ? null : requireDistrictCode(districtCode),
        owner_uscc: ownerUscc == null ? null : requireUscc(ownerUscc),
      };
      return rootConnection<InvestmentProjectRow, InvestmentProjectRow>(
        db,
        { table: 'investment_projects', sortColumn: 'code', ...equalities(given) },
        toPage(
          { first, after },
          listIdentity('Query.investmentProjects', { districtCode: given.district_code, ownerUscc: given.owner_uscc }),
          cursors,
        ),
        (row) => row,
      );
    },
    priceObservations: (_, { commodity, districtCode, first, after }, { db, cursors }) => {
      const given = { commodity, district_code: districtCode == null ? null : requireDistrictCode(districtCode) };
      return rootConnection<PriceObservationRow, PriceObservationRow>(
        db,
        { table: 'price_observations', sortColumn: 'id', ...equalities(given) },
        toPage(
          { first, after },
          listIdentity('Query.priceObservations', { commodity, districtCode: given.district_code }),
          cursors,
        ),
        (row) => row,
      );
    },
  },

  Mutation: {
    updateInvestmentProjectStatus: (_, { code, status }, context) => {
      assertOwner(context, 'development-reform', 'Mutation.updateInvestmentProjectStatus');
      requireProjectCode(code);
      // The change-capture trigger records the project, its district, owner and school for the gateways' caches.
      const changed = context.db.run('UPDATE investment_projects SET status = ? WHERE code = ?', [status, code]);
      return changed.changes
        ? (context.db.get<InvestmentProjectRow>('SELECT * FROM investment_projects WHERE code = ?', [code]) ?? null)
        : null;
    },
  },

  District: {
    __resolveReference: (reference, { loaders }) =>
      loaders.rowsByKey<DistrictRow>('districts', 'code').load(reference.code),
    nameEn: (district) => district.name_en,
    investmentProjectCount: async (district, _, { loaders }) =>
      (await districtFigures(loaders, district.code)).project_count,
    totalInvestment: async (district, _, { loaders }) =>
      (await districtFigures(loaders, district.code)).total_investment,
    // The list's total is the district's project count, already in the grouped figures.
    investmentProjects: (district, args, { loaders, cursors }) =>
      childConnection<InvestmentProjectRow, InvestmentProjectRow>(
        loaders,
        PROJECTS_OF_DISTRICT,
        toPage(args, listIdentity('District.investmentProjects'), cursors),
        district.code,
        (row) => row,
        async () => (await districtFigures(loaders, district.code)).project_count,
      ),
  },

  Organization: {
    __resolveReference: (reference, { loaders }) =>
      loaders.rowsByKey<OrganizationRow>('organizations', 'uscc').load(reference.uscc),
    registrationDistrict: async (organization, _, { loaders }) =>
      (await loaders.rowsByKey<DistrictRow>('districts', 'code').load(organization.district_code))!,
    registeredOn: (organization) => organization.registered_on,
    legalRepresentative: (organization) => organization.legal_representative,
    investmentProjects: (organization, args, { loaders, cursors }) =>
      childConnection<InvestmentProjectRow, InvestmentProjectRow>(
        loaders,
        PROJECTS_OF_OWNER,
        toPage(args, listIdentity('Organization.investmentProjects'), cursors),
        organization.uscc,
        (row) => row,
      ),
  },

  InvestmentProject: {
    __resolveReference: (reference, { loaders }) =>
      loaders.rowsByKey<InvestmentProjectRow>('investment_projects', 'code').load(reference.code),
    approvalMode: (project) => project.approval_mode,
    totalInvestment: (project) => project.total_investment,
    district: async (project, _, { loaders }) =>
      (await loaders.rowsByKey<DistrictRow>('districts', 'code').load(project.district_code))!,
    owner: async (project, _, { loaders }) =>
      (await loaders.rowsByKey<OrganizationRow>('organizations', 'uscc').load(project.owner_uscc))!,
    school: (project) => (project.school_code === null ? null : { code: project.school_code }),
    startDate: (project) => project.start_date,
    plannedCompletionDate: (project) => project.planned_completion_date,
    feasibilitySummary: (project) => project.feasibility_summary,
    budgetDetail: (project) => project.budget_detail,
    contactName: (project, _, context) => {
      assertInScope(context, 'InvestmentProject.contactName', { districtCode: project.district_code });
      return project.contact_name;
    },
    contactIdNumber: (project) => project.contact_id_number,
    contactMobile: (project) => project.contact_mobile,
    costAuditAmount: (project) => project.cost_audit_amount,
  },

  School: {
    // Schools belong to the Education Commission, so an unknown code cannot be told apart here:
    // its shape is the only check before the reference is accepted.
    __resolveReference: (reference) => {
      if (!isSchoolCode(reference.code))
        throw hubError('INVALID_IDENTIFIER', `"${reference.code}" is not a 10-digit school identifier.`, {
          identifier: 'SCHOOL_CODE',
        });
      return { code: reference.code };
    },
    constructionProjects: (school, _, { loaders }) =>
      loaders.rowsByParent<InvestmentProjectRow>('investment_projects', 'school_code', 'code').load(school.code),
  },

  PriceObservation: {
    monitoringPoint: (observation) => observation.monitoring_point,
    district: async (observation, _, { loaders }) =>
      (await loaders.rowsByKey<DistrictRow>('districts', 'code').load(observation.district_code))!,
    observedOn: (observation) => observation.observed_on,
  },
};

/** Every figure of every requested district comes from one grouped statement per request. */
async function districtFigures(loaders: RequestLoaders, code: string): Promise<DistrictFigures> {
  return loaders
    .figuresByKey<DistrictFigures>(
      'districtFigures',
      'district_code',
      `SELECT district_code, COUNT(*) AS project_count, ROUND(SUM(total_investment), 2) AS total_investment
       FROM investment_projects WHERE district_code IN (SELECT value FROM json_each(?)) GROUP BY district_code`,
      (key) => ({ district_code: key, project_count: 0, total_investment: 0 }),
    )
    .load(code);
}
