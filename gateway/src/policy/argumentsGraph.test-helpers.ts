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
  healthStatus: HealthStatus
  school: School
}

enum StudentOrder { NAME GRADE ID_NUMBER }
enum HealthStatus { HEALTHY FOLLOW_UP }

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
 * compares; every other argument is inferred.
 */
export const TEST_POLICY_YAML = `
agency: education
types:
  Query:
    default: { class: UNCONDITIONAL, level: L1, open: OPEN }
    arguments:
      students(grade): { class: CONDITIONAL, level: L3, note: filtering by grade is granted on its own }
      seniorStudents(fromGrade): { over: Student.grade }
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
  StudentConnection:
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

/** Composes the test subgraph into a supergraph routed to `url`. */
export function composeTestSupergraph(url = 'http://127.0.0.1:9/graphql'): Supergraph {
  const composed = composeServices([{ name: 'education', url, typeDefs: parse(TEST_SUBGRAPH_SDL) }]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  return parseSupergraph(composed.supergraphSdl, 'test supergraph');
}

let supergraph: Supergraph | undefined;
/** The composed test supergraph (composed once per test file). */
export function testSupergraph(): Supergraph {
  return (supergraph ??= composeTestSupergraph());
}

/** Compiles policy YAML (the test policy by default) against the test supergraph. */
export function compileTestPolicies(yaml = TEST_POLICY_YAML, now = TEST_NOW): { policySet?: PolicySet; problems: PolicyProblem[] } {
  const graph = testSupergraph();
  return compilePolicies({ policies: [parseYamlSource(yaml, 'education.yaml')], consumers, schema: graph.apiSchema, ownership: graph.ownership, now });
}
