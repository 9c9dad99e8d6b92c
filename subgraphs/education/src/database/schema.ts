/**
 * The Education Commission's tables. Keys follow the national identifiers, not surrogate ids —
 * except the order of a school's roster and staff list: `roster_key`, random and unique per
 * school, so a list's order (and a cursor's position in it) tells nothing of an ID or staff
 * number. A row added without one gets a random key from its default.
 */
export const EDUCATION_DDL = `
CREATE TABLE schools (
  code          TEXT PRIMARY KEY,
  uscc          TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  type          TEXT NOT NULL,
  ownership     TEXT NOT NULL CHECK (ownership IN ('PUBLIC', 'PRIVATE')),
  district_code TEXT NOT NULL,
  founded_year  INTEGER NOT NULL,
  address       TEXT NOT NULL,
  enrolment     INTEGER NOT NULL,
  class_count   INTEGER NOT NULL,
  teacher_count INTEGER NOT NULL
);
CREATE INDEX schools_by_district ON schools (district_code, code);

CREATE TABLE students (
  student_number TEXT PRIMARY KEY,
  school_code    TEXT NOT NULL REFERENCES schools (code),
  name           TEXT NOT NULL,
  id_number      TEXT NOT NULL UNIQUE,
  gender         TEXT NOT NULL,
  birth_date     TEXT NOT NULL,
  grade          INTEGER NOT NULL,
  guardian_name  TEXT NOT NULL,
  guardian_phone TEXT NOT NULL,
  health_status  TEXT NOT NULL,
  financial_aid  INTEGER NOT NULL,
  migrant        INTEGER NOT NULL,
  roster_key     TEXT NOT NULL DEFAULT (lower(hex(randomblob(8))))
);
CREATE UNIQUE INDEX students_in_roster_order ON students (school_code, roster_key);

CREATE TABLE teachers (
  staff_number  TEXT PRIMARY KEY,
  school_code   TEXT NOT NULL REFERENCES schools (code),
  name          TEXT NOT NULL,
  subject       TEXT NOT NULL,
  qualification TEXT NOT NULL,
  title         TEXT NOT NULL,
  roster_key    TEXT NOT NULL DEFAULT (lower(hex(randomblob(8))))
);
CREATE UNIQUE INDEX teachers_in_roster_order ON teachers (school_code, roster_key);

-- School-construction projects planned with the commission, keyed by their investment project
-- code (GB/T 40058), which the Development and Reform Commission registers.
CREATE TABLE school_construction (
  project_code         TEXT PRIMARY KEY,
  school_code          TEXT NOT NULL REFERENCES schools (code),
  places_added         INTEGER NOT NULL CHECK (places_added >= 0),
  planned_opening_year INTEGER NOT NULL
);
`;
