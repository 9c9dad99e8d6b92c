import type { Connection, DistrictKind, OrganizationKind } from '@cdo-hub/subgraph-kit';

/**
 * Rows of the Development and Reform Commission's database as the resolvers receive them (the
 * codegen mappers): resolvers turn them into the GraphQL shape field by field.
 */
export interface DistrictRow {
  [column: string]: unknown;
  code: string;
  name: string;
  name_en: string;
  kind: DistrictKind;
}

export interface OrganizationRow {
  [column: string]: unknown;
  uscc: string;
  name: string;
  kind: OrganizationKind;
  district_code: string;
  registered_on: string;
  industry: string;
  legal_representative: string;
}

export type ApprovalMode = 'APPROVAL' | 'CONFIRMATION' | 'FILING';
export type ProjectStatus = 'PLANNED' | 'APPROVED' | 'UNDER_CONSTRUCTION' | 'COMPLETED' | 'SUSPENDED';

export interface InvestmentProjectRow {
  [column: string]: unknown;
  code: string;
  name: string;
  approval_mode: ApprovalMode;
  status: ProjectStatus;
  total_investment: number;
  industry: string;
  district_code: string;
  owner_uscc: string;
  school_code: string | null;
  start_date: string | null;
  planned_completion_date: string | null;
  feasibility_summary: string;
  budget_detail: string;
  contact_name: string;
  contact_id_number: string;
  contact_mobile: string;
  cost_audit_amount: number | null;
}

export interface PriceObservationRow {
  [column: string]: unknown;
  id: string;
  commodity: string;
  unit: string;
  monitoring_point: string;
  district_code: string;
  price: number;
  observed_on: string;
}

/** A school as the Education Commission owns it: here only its key. */
export interface SchoolRef {
  code: string;
}

export type DistrictConnectionParent = Connection<DistrictRow>;
export type InvestmentProjectConnectionParent = Connection<InvestmentProjectRow>;
export type PriceObservationConnectionParent = Connection<PriceObservationRow>;
