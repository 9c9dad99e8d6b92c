/**
 * The Development and Reform Commission's tables. Keys follow the national identifiers, not
 * surrogate ids; every list is paged by a unique sort column, so each filter has an index that
 * ends in that column.
 */
export const DEVELOPMENT_REFORM_DDL = `
CREATE TABLE districts (
  code    TEXT PRIMARY KEY,
  name    TEXT NOT NULL,
  name_en TEXT NOT NULL,
  kind    TEXT NOT NULL CHECK (kind IN ('DISTRICT', 'FUNCTIONAL_ZONE'))
);
CREATE INDEX districts_by_kind ON districts (kind, code);

CREATE TABLE organizations (
  uscc                 TEXT PRIMARY KEY,
  name                 TEXT NOT NULL,
  kind                 TEXT NOT NULL CHECK (kind IN ('ENTERPRISE', 'PUBLIC_INSTITUTION', 'PRIVATE_NON_ENTERPRISE', 'GOVERNMENT_ORGAN')),
  district_code        TEXT NOT NULL REFERENCES districts (code),
  registered_on        TEXT NOT NULL,
  industry             TEXT NOT NULL,
  legal_representative TEXT NOT NULL
);

CREATE TABLE investment_projects (
  code                    TEXT PRIMARY KEY,
  name                    TEXT NOT NULL,
  approval_mode           TEXT NOT NULL CHECK (approval_mode IN ('APPROVAL', 'CONFIRMATION', 'FILING')),
  status                  TEXT NOT NULL CHECK (status IN ('PLANNED', 'APPROVED', 'UNDER_CONSTRUCTION', 'COMPLETED', 'SUSPENDED')),
  total_investment        REAL NOT NULL,
  industry                TEXT NOT NULL,
  district_code           TEXT NOT NULL REFERENCES districts (code),
  owner_uscc              TEXT NOT NULL REFERENCES organizations (uscc),
  school_code             TEXT,
  start_date              TEXT,
  planned_completion_date TEXT,
  feasibility_summary     TEXT NOT NULL,
  budget_detail           TEXT NOT NULL,
  contact_name            TEXT NOT NULL,
  contact_id_number       TEXT NOT NULL,
  contact_mobile          TEXT NOT NULL,
  cost_audit_amount       REAL
);
-- total_investment rides along so the per-district figures are read from the index alone.
CREATE INDEX investment_projects_by_district ON investment_projects (district_code, code, total_investment);
CREATE INDEX investment_projects_by_owner ON investment_projects (owner_uscc, code);
CREATE INDEX investment_projects_by_school ON investment_projects (school_code, code);

CREATE TABLE price_observations (
  id               TEXT PRIMARY KEY,
  commodity        TEXT NOT NULL,
  unit             TEXT NOT NULL,
  monitoring_point TEXT NOT NULL,
  district_code    TEXT NOT NULL REFERENCES districts (code),
  price            REAL NOT NULL,
  observed_on      TEXT NOT NULL
);
CREATE INDEX price_observations_by_commodity ON price_observations (commodity, id);
CREATE INDEX price_observations_by_district ON price_observations (district_code, id);
`;
