import type { AgencyDatabase } from '@cdo-hub/subgraph-kit/database';
import { benchWorkloads } from '../bench/workloads';
import type { LoadRequest } from '../bench/load';

/** One kind of request in the soak's stream, and how often it comes round. */
export interface SoakRequestKind {
  name: string;
  kind: 'read' | 'mutation' | 'bad';
  request: LoadRequest;
}

export type TokenFor = (consumer: string) => string;

const asJson = (query: string, variables?: Record<string, unknown>) =>
  JSON.stringify(variables ? { query, variables } : { query });

/**
 * The soak's mix, as one cycle autocannon walks through on every connection: the benchmark's
 * mixed-views stream (five consumers with different grants) six times over, two mutations by the
 * owning agencies that write back the values already there (so data and cached answers stay the
 * same while the write path and change events are exercised), and five bad requests a day brings
 * — malformed JSON, an unknown field, a forged token, too many aliases, a text/plain body.
 */
export function soakMix(
  db: { education: AgencyDatabase; developmentReform: AgencyDatabase },
  tokenFor: TokenFor,
): SoakRequestKind[] {
  const mixed = benchWorkloads(db).find((workload) => workload.name === 'mixed-views')!;
  const as = (consumer: string | undefined, purpose: string | undefined): Record<string, string> =>
    consumer ? { authorization: `Bearer ${tokenFor(consumer)}`, 'x-data-purpose': purpose ?? '' } : {};
  const reads = mixed.requests.map((request, i): SoakRequestKind => ({
    name: `read ${i + 1}: ${request.consumer ?? 'public'}`,
    kind: 'read',
    request: { body: asJson(request.query), headers: as(request.consumer, request.purpose) },
  }));
  const school = db.education.get<{ code: string; enrolment: number }>(
    'SELECT code, enrolment FROM schools ORDER BY code LIMIT 1',
  )!;
  const project = db.developmentReform.get<{ code: string; status: string }>(
    'SELECT code, status FROM investment_projects ORDER BY code LIMIT 1',
  )!;
  const mutations: SoakRequestKind[] = [
    {
      name: 'mutation: education records an enrolment',
      kind: 'mutation',
      request: {
        body: asJson(
          'mutation Enrolment($code: ID!, $enrolment: Int!) { updateSchoolEnrolment(code: $code, enrolment: $enrolment) { code enrolment } }',
          { code: school.code, enrolment: school.enrolment },
        ),
        headers: as('education', 'operations'),
      },
    },
    {
      name: 'mutation: development-reform moves a project',
      kind: 'mutation',
      request: {
        body: asJson(
          'mutation Status($code: ID!, $status: ProjectStatus!) { updateInvestmentProjectStatus(code: $code, status: $status) { code status } }',
          { code: project.code, status: project.status },
        ),
        headers: as('development-reform', 'planning'),
      },
    },
  ];
  const bad: SoakRequestKind[] = [
    {
      name: 'bad: malformed JSON',
      kind: 'bad',
      request: { body: '{"query": "{ districts { totalCount } }"', headers: {} },
    },
    {
      name: 'bad: unknown field',
      kind: 'bad',
      request: { body: asJson('{ districts { nodes { nosuchfield } } }'), headers: as('city-analytics', 'statistics') },
    },
    {
      name: 'bad: forged token',
      kind: 'bad',
      request: {
        body: asJson('{ districts(first: 3) { totalCount } }'),
        headers: {
          authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJlZHVjYXRpb24ifQ.c2lnbmF0dXJl',
          'x-data-purpose': 'operations',
        },
      },
    },
    {
      name: 'bad: too many aliases',
      kind: 'bad',
      request: {
        body: asJson(
          `{ districts(first: 1) { nodes { ${Array.from({ length: 40 }, (_, i) => `a${i}: name`).join(' ')} } } }`,
        ),
        headers: {},
      },
    },
    {
      name: 'bad: text/plain body',
      kind: 'bad',
      request: { body: asJson('{ __typename }'), headers: { 'content-type': 'text/plain' } },
    },
  ];
  return [...Array.from({ length: 6 }, () => reads).flat(), ...mutations, ...bad];
}
