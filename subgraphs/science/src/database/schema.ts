/**
 * The Science and Technology Commission's tables. Keys follow the national identifiers, not
 * surrogate ids. Each organisation's district is also stored as a column (the registry code in its
 * USCC) so district lists and figures are plain indexed lookups.
 */
export const SCIENCE_DDL = `
CREATE TABLE high_tech_enterprises (
  certificate_number TEXT PRIMARY KEY,
  uscc               TEXT NOT NULL,
  district_code      TEXT NOT NULL,
  issued_on          TEXT NOT NULL,
  valid_until        TEXT NOT NULL,
  technology_field   TEXT NOT NULL,
  rd_expense_ratio   REAL NOT NULL,
  revenue            REAL NOT NULL
);
CREATE INDEX high_tech_enterprises_by_uscc ON high_tech_enterprises (uscc, issued_on, certificate_number);
CREATE INDEX high_tech_enterprises_by_district ON high_tech_enterprises (district_code, certificate_number);
CREATE INDEX high_tech_enterprises_by_district_validity ON high_tech_enterprises (district_code, valid_until);

CREATE TABLE research_projects (
  project_number     TEXT PRIMARY KEY,
  title              TEXT NOT NULL,
  programme          TEXT NOT NULL,
  lead_uscc          TEXT NOT NULL,
  lead_district_code TEXT NOT NULL,
  funding            REAL NOT NULL,
  start_date         TEXT NOT NULL,
  end_date           TEXT NOT NULL,
  pi_name            TEXT NOT NULL,
  pi_id_number       TEXT NOT NULL,
  pi_phone           TEXT NOT NULL
);
CREATE INDEX research_projects_by_lead ON research_projects (lead_uscc, project_number);
CREATE INDEX research_projects_by_district ON research_projects (lead_district_code, funding);

CREATE TABLE key_labs (
  code      TEXT PRIMARY KEY,
  name      TEXT NOT NULL UNIQUE,
  host_uscc TEXT NOT NULL,
  field     TEXT NOT NULL,
  level     TEXT NOT NULL CHECK (level IN ('NATIONAL', 'MUNICIPAL'))
);
CREATE INDEX key_labs_by_host ON key_labs (host_uscc, code);
CREATE INDEX key_labs_by_level ON key_labs (level, code);

CREATE TABLE technology_contracts (
  registration_number TEXT PRIMARY KEY,
  seller_uscc         TEXT NOT NULL,
  buyer_uscc          TEXT NOT NULL CHECK (buyer_uscc <> seller_uscc),
  type                TEXT NOT NULL CHECK (type IN ('DEVELOPMENT', 'TRANSFER', 'CONSULTING', 'SERVICE')),
  amount              REAL NOT NULL,
  signed_on           TEXT NOT NULL,
  district_code       TEXT NOT NULL
);
CREATE INDEX technology_contracts_by_seller ON technology_contracts (seller_uscc, registration_number);
CREATE INDEX technology_contracts_by_buyer ON technology_contracts (buyer_uscc, registration_number);
CREATE INDEX technology_contracts_by_district ON technology_contracts (district_code, amount);

-- Every contract once per party, so "contracts on either side" is an ordinary child list keyed by
-- party_uscc. SQLite pushes the party condition into both arms, which then use the seller and buyer
-- indexes; the registration number stays unique per party because seller and buyer differ.
CREATE VIEW technology_contract_parties AS
  SELECT c.*, c.seller_uscc AS party_uscc FROM technology_contracts c
  UNION ALL
  SELECT c.*, c.buyer_uscc AS party_uscc FROM technology_contracts c;
`;
