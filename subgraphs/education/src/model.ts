import type { Connection, SchoolType } from '@cdo-hub/subgraph-kit';

/**
 * Rows of the Education Commission's database as the resolvers receive them (the codegen
 * mappers): resolvers turn them into the GraphQL shape field by field.
 */
export interface SchoolRow {
  [column: string]: unknown;
  code: string;
  uscc: string;
  name: string;
  type: SchoolType;
  ownership: 'PUBLIC' | 'PRIVATE';
  district_code: string;
  founded_year: number;
  address: string;
  enrolment: number;
  class_count: number;
  teacher_count: number;
}

export interface StudentRow {
  [column: string]: unknown;
  student_number: string;
  school_code: string;
  name: string;
  id_number: string;
  gender: 'MALE' | 'FEMALE';
  birth_date: string;
  grade: number;
  guardian_name: string;
  guardian_phone: string;
  health_status: 'HEALTHY' | 'FOLLOW_UP' | 'CHRONIC_CONDITION';
  financial_aid: number;
  migrant: number;
  /** Random, unique per school: the roster's order (never the student number's). */
  roster_key: string;
}

export interface TeacherRow {
  [column: string]: unknown;
  staff_number: string;
  school_code: string;
  name: string;
  subject: string;
  qualification: string;
  title: string;
  /** Random, unique per school: the staff list's order (never the staff number's). */
  roster_key: string;
}

/** A district as another subgraph refers to it: only its key. */
export interface DistrictRef {
  code: string;
}

/** An organisation as another subgraph refers to it: only its key. */
export interface OrganizationRef {
  uscc: string;
}

/** An investment project as the Development and Reform Commission refers to it: only its key. */
export interface InvestmentProjectRef {
  code: string;
}

/** The commission's record of a school-construction project it planned. */
export interface SchoolConstructionRow {
  [column: string]: unknown;
  project_code: string;
  school_code: string;
  places_added: number;
  planned_opening_year: number;
}

export type SchoolConnectionParent = Connection<SchoolRow>;
export type StudentConnectionParent = Connection<StudentRow>;
export type TeacherConnectionParent = Connection<TeacherRow>;
