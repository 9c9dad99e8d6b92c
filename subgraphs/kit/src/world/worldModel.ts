import type { DistrictRecord } from '../districts';

/**
 * What the synthetic city is made of: the records every agency's seed draws from (built by
 * `buildWorld` in world.ts), and the code tables they use.
 */

export type SeedSize = 'small' | 'bench';
export const SEED_SIZES: readonly SeedSize[] = ['small', 'bench'];

export type OrganizationKind = 'ENTERPRISE' | 'PUBLIC_INSTITUTION' | 'PRIVATE_NON_ENTERPRISE' | 'GOVERNMENT_ORGAN';
export type OrganizationRole = 'ENTERPRISE' | 'SCHOOL' | 'UNIVERSITY' | 'RESEARCH_INSTITUTE' | 'EDUCATION_BUREAU';

export interface WorldOrganization {
  uscc: string;
  name: string;
  kind: OrganizationKind;
  role: OrganizationRole;
  /** District of registration: the registry code in the USCC (110302 for the development zone). */
  districtCode: string;
  registeredOn: string;
  industry: string;
}

export type SchoolType =
  | 'KINDERGARTEN'
  | 'PRIMARY'
  | 'JUNIOR_SECONDARY'
  | 'SENIOR_SECONDARY'
  | 'SECONDARY_VOCATIONAL'
  | 'HIGHER_EDUCATION'
  | 'SPECIAL_EDUCATION';

/** The 2-digit type prefix of a 10-digit school identifier. */
export const SCHOOL_TYPE_PREFIX: Readonly<Record<SchoolType, string>> = {
  KINDERGARTEN: '11',
  PRIMARY: '21',
  JUNIOR_SECONDARY: '31',
  SENIOR_SECONDARY: '34',
  SECONDARY_VOCATIONAL: '36',
  HIGHER_EDUCATION: '41',
  SPECIAL_EDUCATION: '51',
};

export interface WorldSchool {
  code: string;
  uscc: string;
  name: string;
  type: SchoolType;
  ownership: 'PUBLIC' | 'PRIVATE';
  districtCode: string;
  foundedYear: number;
  address: string;
}

/** Works a school-construction project may carry out; the first two add school places (学位). */
export const SCHOOL_WORKS = [
  '教学楼改扩建工程',
  '综合楼新建工程',
  '体育馆建设工程',
  '校舍抗震加固工程',
  '食堂改造工程',
  '操场及附属设施改造工程',
] as const;
export type SchoolWorks = (typeof SCHOOL_WORKS)[number];

/** Years investment projects are registered in: the first field of their codes. */
export const INVESTMENT_PROJECT_YEARS: readonly [number, number] = [2018, 2026];

/**
 * A school-construction project. Its code is registered with the Development and Reform
 * Commission, which approves and tracks the investment; the works are planned with the Education
 * Commission, which records the school places they add. Both seed it from this record, so the two
 * databases agree on which projects build which school.
 */
export interface WorldSchoolConstructionProject {
  /**
   * GB/T 40058 code: year, the school's district as region, guiding department 04 (education),
   * type 01 (审批: the works are government-funded), serial.
   */
  code: string;
  schoolCode: string;
  districtCode: string;
  /** Year of registration, the code's first field. */
  year: number;
  works: SchoolWorks;
  /** Whether the works add school places (new or enlarged teaching buildings). */
  addsPlaces: boolean;
}

export interface World {
  size: SeedSize;
  seed: number;
  districts: readonly DistrictRecord[];
  organizations: readonly WorldOrganization[];
  enterprises: readonly WorldOrganization[];
  schools: readonly WorldSchool[];
  universities: readonly WorldOrganization[];
  researchInstitutes: readonly WorldOrganization[];
  /** Each district's education commission, owner of school-construction projects. */
  educationBureaus: readonly WorldOrganization[];
  /** Number of projects on the investment project register, school construction included. */
  investmentProjectCount: number;
  /** The register's school-construction projects, in serial order. */
  schoolConstructionProjects: readonly WorldSchoolConstructionProject[];
}
