import { as } from '../harness/hubProcess';
import { readOnlyHub, type ReadOnlyHub } from '../harness/sharedHub';

// What HTTP caches between the gateway and its clients may keep (docs/security/http-caching-and-side-stores.md):
// `public` only for answers asked without a token whose every field is UNCONDITIONAL and OPEN;
// `private` for other L1–L2 answers; `no-store` for L3 and above, answers with errors and
// batches holding one; `Vary` on the request headers that change the answer. Over GET and POST.

let hub: ReadOnlyHub;
let seller: string;

beforeAll(async () => {
  hub = await readOnlyHub();
  const science = hub.database('science');
  seller = science.all<{ uscc: string }>(
    'SELECT seller_uscc AS uscc FROM technology_contracts ORDER BY registration_number LIMIT 1',
  )[0]!.uscc;
  science.close();
});

afterAll(async () => {
  await hub?.release();
});

type Who = 'public' | 'drc' | 'analytics' | 'science';
const HEADERS: Record<Who, () => Promise<Record<string, string>>> = {
  public: async () => ({}),
  drc: () => as('development-reform', 'planning'),
  analytics: () => as('city-analytics', 'statistics'),
  science: () => as('science', 'industrial-policy'),
};
type Body = { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
interface Answer {
  status: number;
  cacheControl: string | null;
  vary: string[];
  xCache: string | null;
  age: string | null;
  body: Body;
}

async function ask(method: 'GET' | 'POST', who: Who, query: string): Promise<Answer> {
  const headers = await HEADERS[who]();
  const response =
    method === 'GET'
      ? await fetch(`${hub.gatewayUrl}?query=${encodeURIComponent(query)}`, {
          headers: { 'apollo-require-preflight': 'true', ...headers },
        })
      : await fetch(hub.gatewayUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ query }),
        });
  return answerOf(response);
}

async function answerOf(response: Response): Promise<Answer> {
  return {
    status: response.status,
    cacheControl: response.headers.get('cache-control'),
    vary: (response.headers.get('vary') ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
    xCache: response.headers.get('x-cache'),
    age: response.headers.get('age'),
    body: (await response.json()) as Body,
  };
}

/** A fresh text per call (an alias), so the gateway's own cache starts empty for it. */
let asked = 0;
const districts = () => `{ d${++asked}: districts(first: 2) { nodes { code name } } }`;
/** UNCONDITIONAL, L2, CLOSED: every department may read technology contracts; the public may not. */
const contracts = () =>
  `{ c${++asked}: organization(uscc: "${seller}") { name technologyContracts(first: 2) { nodes { registrationNumber signedOn } } } }`;
/** CONDITIONAL, L3, under city-analytics' grant SCI-2026-012. */
const rdRatios = () => `{ r${++asked}: highTechEnterprises(first: 2) { nodes { certificateNumber rdExpenseRatio } } }`;

const VARY = ['accept', 'authorization', 'x-data-purpose'];

describe.each(['GET', 'POST'] as const)('HTTP caching headers over %s', (method) => {
  it('lets shared caches keep the public’s answer on open data, and says what it varies on', async () => {
    const query = districts();
    const miss = await ask(method, 'public', query);
    expect(miss.body.errors).toBeUndefined();
    expect(miss).toMatchObject({ status: 200, cacheControl: 'public, max-age=300', xCache: 'MISS', age: null });
    expect(miss.vary).toEqual(expect.arrayContaining(VARY));
    const hit = await ask(method, 'public', query);
    expect(hit).toMatchObject({
      cacheControl: expect.stringMatching(/^public, max-age=(300|299)$/),
      xCache: 'HIT',
      age: expect.stringMatching(/^[01]$/),
    });
    expect(hit.body).toEqual(miss.body);
  });

  it('never lets the public’s answer holding a closed field be stored', async () => {
    const answer = await ask(method, 'public', contracts());
    expect(answer.body.errors!.map((error) => error.extensions?.code)).toContain('FIELD_NOT_SHARED');
    expect(answer.cacheControl).toBe('no-store');
    expect(answer.vary).toEqual(expect.arrayContaining(VARY));
  });

  it('answers an identified consumer privately on L1 and L2 data, closed or open', async () => {
    const closed = await ask(method, 'drc', contracts());
    expect(closed.body.errors).toBeUndefined();
    expect(Object.values(closed.body.data!)[0]).toMatchObject({
      technologyContracts: {
        nodes: expect.arrayContaining([expect.objectContaining({ signedOn: expect.any(String) })]),
      },
    });
    expect(closed).toMatchObject({ status: 200, cacheControl: 'private, max-age=300', xCache: 'MISS' });
    expect(closed.vary).toEqual(expect.arrayContaining(VARY));
    const open = await ask(method, 'drc', districts());
    expect(open.cacheControl).toBe('private, max-age=300');
  });

  it('stores nothing of L3 and above, even what the gateway itself caches', async () => {
    const query = rdRatios();
    const miss = await ask(method, 'analytics', query);
    expect(miss.body.errors).toBeUndefined();
    expect(miss).toMatchObject({ cacheControl: 'no-store', xCache: 'MISS' });
    expect(await ask(method, 'analytics', query)).toMatchObject({ cacheControl: 'no-store', xCache: 'HIT' });
  });

  it('stores no answer with errors', async () => {
    const denied = await ask(method, 'science', '{ investmentProjects(first: 1) { nodes { code contactIdNumber } } }');
    expect(denied.body.errors![0]!.extensions!.code).toBe('FIELD_NOT_SHARED');
    expect(denied.cacheControl).toBe('no-store');
    const invalid = await ask(method, 'public', '{ districts(first: 1) { nodes { nope } } }');
    expect(invalid.status).toBe(400);
    expect(invalid.cacheControl).toBe('no-store');
  });

  it('stores no refusal made before any operation ran: a bad token, a purpose not registered', async () => {
    const query = encodeURIComponent(districts());
    const post = (headers: Record<string, string>) =>
      method === 'GET'
        ? fetch(`${hub.gatewayUrl}?query=${query}`, { headers: { 'apollo-require-preflight': 'true', ...headers } })
        : fetch(hub.gatewayUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body: JSON.stringify({ query: decodeURIComponent(query) }),
          });
    const badToken = await answerOf(await post({ authorization: 'Bearer not.a.token' }));
    expect(badToken).toMatchObject({ status: 401, cacheControl: 'no-store' });
    expect(badToken.vary).toEqual(expect.arrayContaining(VARY));
    const badPurpose = await answerOf(await post({ ...(await as('city-analytics')), 'x-data-purpose': 'curiosity' }));
    expect(badPurpose).toMatchObject({ status: 403, cacheControl: 'no-store' });
  });
});

describe('HTTP caching headers of a batch', () => {
  const batch = async (who: Who, queries: string[]) =>
    answerOf(
      await fetch(hub.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await HEADERS[who]()) },
        body: JSON.stringify(queries.map((query) => ({ query }))),
      }),
    );

  it('takes the strictest of its answers, whichever finishes last', async () => {
    expect((await batch('public', [districts(), districts()])).cacheControl).toBe('public, max-age=300');
    expect((await batch('analytics', [districts(), districts()])).cacheControl).toBe('private, max-age=300');
    expect((await batch('analytics', [districts(), rdRatios(), districts()])).cacheControl).toBe('no-store');
    expect((await batch('public', [districts(), contracts()])).cacheControl).toBe('no-store');
  });
});

describe('mutations', () => {
  it('are never stored', async () => {
    const education = hub.database('education');
    // It writes the enrolment the school has: a mutation all the same, and the data other files
    // read from a shared hub stays as seeded.
    const { code, enrolment } = education.all<{ code: string; enrolment: number }>(
      'SELECT code, enrolment FROM schools ORDER BY code LIMIT 1',
    )[0]!;
    education.close();
    const response = await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await as('education', 'operations')) },
      body: JSON.stringify({
        query: `mutation { updateSchoolEnrolment(code: "${code}", enrolment: ${enrolment}) { code } }`,
      }),
    });
    const answer = await answerOf(response);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.cacheControl).toBe('no-store');
  });
});
