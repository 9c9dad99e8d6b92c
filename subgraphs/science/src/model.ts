import type { Connection } from '@cdo-hub/subgraph-kit';

/**
 * Rows of the Science and Technology Commission's database as the resolvers receive them (the
 * codegen mappers): resolvers turn them into the GraphQL shape field by field.
 */
export interface HighTechEnterpriseRow {
  [column: string]: unknown;
  certificate_number: string;
  uscc: string;
  /** Registry code in the USCC, kept as a column so district lists and figures need no string slicing. */
  district_code: string;
  issued_on: string;
  valid_until: string;
  technology_field: string;
  rd_expense_ratio: number;
  revenue: number;
}

export interface ResearchProjectRow {
  [column: string]: unknown;
  project_number: string;
  title: string;
  programme: string;
  lead_uscc: string;
  /** Registry code of the lead organisation's USCC, for the district figures. */
  lead_district_code: string;
  funding: number;
  start_date: string;
  end_date: string;
  pi_name: string;
  pi_id_number: string;
  pi_phone: string;
}

export type KeyLabLevel = 'NATIONAL' | 'MUNICIPAL';

export interface KeyLabRow {
  [column: string]: unknown;
  code: string;
  name: string;
  host_uscc: string;
  field: string;
  level: KeyLabLevel;
}

export type ContractType = 'DEVELOPMENT' | 'TRANSFER' | 'CONSULTING' | 'SERVICE';

export interface TechnologyContractRow {
  [column: string]: unknown;
  registration_number: string;
  seller_uscc: string;
  buyer_uscc: string;
  type: ContractType;
  amount: number;
  signed_on: string;
  /** The seller's registry code: contracts are registered, and counted, where the seller is. */
  district_code: string;
}

/** A district as another subgraph refers to it: only its key. */
export interface DistrictRef {
  code: string;
}

/** An organisation as another subgraph refers to it: only its key. */
export interface OrganizationRef {
  uscc: string;
}

export type HighTechEnterpriseConnectionParent = Connection<HighTechEnterpriseRow>;
export type ResearchProjectConnectionParent = Connection<ResearchProjectRow>;
export type TechnologyContractConnectionParent = Connection<TechnologyContractRow>;
export type KeyLabConnectionParent = Connection<KeyLabRow>;
