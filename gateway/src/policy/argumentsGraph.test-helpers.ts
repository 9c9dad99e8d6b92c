import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { parseSupergraph, type Supergraph } from '../supergraph';
import { compilePolicies, type PolicyProblem } from './compilePolicies';
import { consumers } from './policyFixtures.test-helpers';
import type { PolicySet } from './policySet';
import { parseYamlSource } from '../formats';

/**
 * A small graph written for the tests of argument and count rules: today's three agencies have
 * almost no argument that compares against protected data, so this one has several. One subgraph,
 * named `education` so the registered consumer `education` is its own agency.
 */
export const TEST_SUBGRAPH_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

type Query {
  "One pupil by resident ID number."
  studentByIdNumber(idNumber: String!): Student
  "Pupils, optionally filtered by health status, grade or school, in the order asked."
  students(orderBy: StudentOrder, healthStatus: HealthStatus, grade: Int, schoolCode: ID, first: Int = 10, after: String): StudentConnection
  "Pupils at or above a grade: the default, 1, compares like any grade."
  seniorStudents(fromGrade: Int = 1, first: Int = 10): StudentConnection
  "One school."
  school(code: ID!): School
  "Every school."
  schools: [School!]!
  """
  Pupils found by the other shapes an argument over protected data takes: a sort enum with
  directions, sort keys as input objects, a list of ID numbers, a nested filter, a bound named
  after a field (minGrade), and one named after nothing (bornAfter, classed by the policy).
  """
  pupils(sort: StudentSort, sortBy: [StudentOrdering!], idNumbers: [String!], where: StudentFilter, minGrade: Int, bornAfter: String, first: Int = 10, after: String): StudentConnection
  "Enrolments, filtered through the pupil enrolled: where: { student: { idNumber } }."
  enrolments(where: EnrolmentFilter, first: Int = 10, after: String): EnrolmentConnection
  "Districts near a place: an argument that names no field, over records with nothing protected."
  districts(near: String): [District!]
}

type School @key(fields: "code") {
  code: ID!
  name: String
  "Number of pupils enrolled."
  studentCount: Int
  "Pupils of the school, optionally of one health status."
  students(healthStatus: HealthStatus, first: Int = 10): StudentConnection
}

type Student {
  idNumber: String
  name: String
  grade: Int
  birthDate: String
  healthStatus: HealthStatus
  school: School
}

type Enrolment {
  year: Int
  student: Student
}

type District {
  code: ID!
  name: String
}

enum StudentOrder { NAME GRADE ID_NUMBER }
enum HealthStatus { HEALTHY FOLLOW_UP }
enum StudentSort { NAME_ASC NAME_DESC ID_NUMBER_DESC GRADE_ASC }
enum StudentField { NAME GRADE ID_NUMBER }
enum SortDirection { ASC DESC }

input StudentOrdering {
  field: StudentField!
  direction: SortDirection = ASC
}

input StudentFilter {
  idNumber: String
  grade: IntRange
  school: SchoolFilter
  AND: [StudentFilter!]
}

input IntRange {
  gte: Int
  lte: Int
}

input SchoolFilter {
  code: ID
}

input EnrolmentFilter {
  year: Int
  student: StudentFilter
}

type EnrolmentConnection {
  nodes: [Enrolment!]!
  pageInfo: PageInfo!
  totalCount: Int!
}

type StudentConnection {
  nodes: [Student!]!
  pageInfo: PageInfo!
  totalCount: Int!
}

type PageInfo {
  hasNextPage: Boolean!
  endCursor: String
}
`;

/**
 * Its policy: pupils' identity numbers NOT_SHARED; names, grades and health CONDITIONAL; school
 * facts open, with a minimum cell size of 5 on pupil counts. `students(grade)` has a class of its
 * own (so a grant must name it); `seniorStudents(fromGrade)` is over grades and its default
 * compares; `pupils(bornAfter)` is over birth dates (inference cannot tell); every other argument
 * is inferred.
 */
export const TEST_POLICY_YAML = `
agency: education
types:
  Query:
    default: { class: UNCONDITIONAL, level: L1, open: OPEN }
    arguments:
      students(grade): { class: CONDITIONAL, level: L3, note: filtering by grade is granted on its own }
      seniorStudents(fromGrade): { over: Student.grade }
      # "born" names no field: the gateway cannot tell it compares birth dates, so the policy says so.
      pupils(bornAfter): { over: Student.birthDate }
  School:
    default: { class: UNCONDITIONAL, level: L1, open: OPEN }
    fields:
      studentCount: { class: UNCONDITIONAL, level: L1, open: OPEN, minCount: 5 }
      students: { class: CONDITIONAL, level: L4, minCount: 5 }
  Student:
    default: { class: NOT_SHARED, level: L4, legalBasis: PIPL art. 28 (test) }
    fields:
      name: { class: CONDITIONAL, level: L4 }
      grade: { class: CONDITIONAL, level: L3 }
      healthStatus: { class: CONDITIONAL, level: L4 }
      school: { class: CONDITIONAL, level: L3 }
  Enrolment:
    default: { class: UNCONDITIONAL, level: L1, open: OPEN }
    fields:
      student: { class: CONDITIONAL, level: L4 }
  District:
    default: { class: UNCONDITIONAL, level: L1, open: OPEN }
  StudentConnection:
    default: { class: UNCONDITIONAL, level: L1, open: OPEN }
  EnrolmentConnection:
    default: { class: UNCONDITIONAL, level: L1, open: OPEN }
  PageInfo:
    default: { class: UNCONDITIONAL, level: L1, open: OPEN }
grants:
  - id: TEST-1
    consumer: city-analytics
    purposes: [statistics]
    fields:
      - School.students
      - Student.grade
      - Student.healthStatus
      - Student.name: name
      - Student.school
      - Query.students(grade)
    expires: 2027-12-31
    approvedBy: test CDO
  - id: TEST-2
    consumer: district-haidian
    purposes: [enrollment-planning]
    fields:
      - School.students
      - Student.grade
      - Student.healthStatus
    scope: { districtCode: "110108" }
    expires: 2027-12-31
    approvedBy: test CDO
`;

export const TEST_NOW = Date.parse('2026-11-27T12:00:00+08:00');

/** Composes the test subgraph (or a variant of its SDL) into a supergraph routed to `url`. */
export function composeTestSupergraph(url = 'http://127.0.0.1:9/graphql', sdl = TEST_SUBGRAPH_SDL): Supergraph {
  const composed = composeServices([{ name: 'education', url, typeDefs: parse(sdl) }]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  return parseSupergraph(composed.supergraphSdl, 'test supergraph');
}

let supergraph: Supergraph | undefined;
/** The composed test supergraph (composed once per test file). */
export function testSupergraph(): Supergraph {
  return (supergraph ??= composeTestSupergraph());
}

/** Compiles policy YAML (the test policy by default) against the test supergraph, or one composed from a variant of its SDL. */
export function compileTestPolicies(
  yaml = TEST_POLICY_YAML,
  now = TEST_NOW,
  sdl?: string,
): { policySet?: PolicySet; problems: PolicyProblem[] } {
  const graph = sdl === undefined ? testSupergraph() : composeTestSupergraph(undefined, sdl);
  return compilePolicies({
    policies: [parseYamlSource(yaml, 'education.yaml')],
    consumers,
    schema: graph.apiSchema,
    ownership: graph.ownership,
    now,
  });
}
