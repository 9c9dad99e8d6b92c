import { parse } from 'graphql';
import type { CacheOutcome } from '../cache';
import { DEFAULT_CONSUMERS_FILE } from '../config';
import { compileOperationView } from '../enforcement';
import type { Identity } from '../consumers';
import { loadPolicySet } from '../policy';
import { FIXTURE_POLICY_DIR, supergraph } from '../policy/policyFixtures.test-helpers';
import {
  combineHttpCaching,
  decideHttpCaching,
  httpCachingHeaders,
  varyHeader,
  viewExposure,
  type AnswerFacts,
  type HttpCaching,
} from './httpCaching';

const now = Date.parse('2026-11-27T12:00:00+08:00');
const { policySet } = loadPolicySet(
  { policyDir: FIXTURE_POLICY_DIR, consumersFile: DEFAULT_CONSUMERS_FILE },
  supergraph,
  { now },
);
const identity = (consumer: string, purpose?: string): Identity => ({
  consumer: policySet!.consumers.consumers.get(consumer)!,
  purpose,
  roles: [],
  anonymous: consumer === 'public',
});
const exposure = (who: Identity, query: string) =>
  viewExposure(compileOperationView(policySet!, who, parse(query), undefined, 'h', now), policySet!);

const DISTRICTS = '{ districts(first: 2) { nodes { code name } } }';
/** UNCONDITIONAL but L2 and CLOSED: shared with every department, not open to the public. */
const CONTRACTS =
  '{ organization(uscc: "911101085923665061") { technologyContracts(first: 2) { nodes { registrationNumber signedOn } } } }';
const miss: CacheOutcome = { status: 'MISS', ttlSeconds: 300 };

const facts = (who: Identity | undefined, query: string, overrides: Partial<AnswerFacts> = {}): AnswerFacts => ({
  operationType: 'query',
  hasErrors: false,
  identity: who,
  exposure: who ? exposure(who, query) : undefined,
  cache: miss,
  namedByScopedHash: false,
  ...overrides,
});
const cacheControl = (caching: HttpCaching) => Object.fromEntries(httpCachingHeaders(caching))['cache-control'];

describe('what an answer exposes', () => {
  it('is open when every released field is UNCONDITIONAL and OPEN, by every agency resolving it', () => {
    expect(exposure(identity('public'), DISTRICTS)).toEqual({ everyFieldOpen: true, highestLevel: 'L1' });
    expect(exposure(identity('development-reform', 'planning'), CONTRACTS)).toEqual({
      everyFieldOpen: false,
      highestLevel: 'L2',
    });
    // Released under a grant: CONDITIONAL, L3.
    expect(
      exposure(
        identity('city-analytics', 'statistics'),
        '{ highTechEnterprises(first: 1) { nodes { rdExpenseRatio } } }',
      ),
    ).toMatchObject({ everyFieldOpen: false, highestLevel: 'L3' });
  });

  it("counts an agency's own fields at their level although it reads them in full", () => {
    expect(
      exposure(
        identity('education', 'operations'),
        '{ schools(first: 1) { nodes { students(first: 1) { nodes { idNumber } } } } }',
      ),
    ).toEqual({ everyFieldOpen: false, highestLevel: 'L4' });
  });

  it('leaves denied fields out: they carry nothing (and their errors decide the answer)', () => {
    expect(
      exposure(
        identity('public'),
        '{ schools(first: 1) { nodes { name students(first: 1) { nodes { idNumber } } } } }',
      ),
    ).toEqual({ everyFieldOpen: true, highestLevel: 'L1' });
  });
});

describe('the HTTP caching decision', () => {
  it('lets shared caches keep what the public may read without a token', () => {
    const decision = decideHttpCaching(facts(identity('public'), DISTRICTS));
    expect(decision).toEqual({ directive: 'public', maxAgeSeconds: 300, cacheStatus: 'MISS' });
    expect(httpCachingHeaders(decision)).toEqual([
      ['cache-control', 'public, max-age=300'],
      ['x-cache', 'MISS'],
    ]);
  });

  it('answers an identified consumer privately, even on open data: the answer is its view', () => {
    expect(cacheControl(decideHttpCaching(facts(identity('development-reform', 'planning'), DISTRICTS)))).toBe(
      'private, max-age=300',
    );
    expect(cacheControl(decideHttpCaching(facts(identity('development-reform', 'planning'), CONTRACTS)))).toBe(
      'private, max-age=300',
    );
  });

  it('never lets a closed field be public, whoever asks', () => {
    // A public view cannot release it; were one to, the answer still would not be public.
    expect(
      decideHttpCaching({
        ...facts(identity('public'), DISTRICTS),
        exposure: { everyFieldOpen: false, highestLevel: 'L2' },
      }).directive,
    ).toBe('private');
  });

  it('stores nothing of L3 and above, anywhere outside the gateway', () => {
    const teachers = facts(
      identity('city-analytics', 'statistics'),
      '{ highTechEnterprises(first: 1) { nodes { rdExpenseRatio } } }',
      { cache: { status: 'MISS', ttlSeconds: 30 } },
    );
    expect(decideHttpCaching(teachers)).toMatchObject({ directive: 'no-store', reason: 'it carries L3 data' });
    const own = facts(
      identity('education', 'operations'),
      '{ schools(first: 1) { nodes { students(first: 1) { nodes { idNumber } } } } }',
    );
    expect(decideHttpCaching(own)).toMatchObject({ directive: 'no-store', reason: 'it carries L4 data' });
  });

  it('stores no answer with errors, no mutation, nothing without a view, nothing the gateway gives no lifetime', () => {
    const open = facts(identity('public'), DISTRICTS);
    expect(decideHttpCaching({ ...open, hasErrors: true })).toMatchObject({
      directive: 'no-store',
      reason: 'the answer has errors',
    });
    expect(decideHttpCaching({ ...open, operationType: 'mutation' })).toMatchObject({
      directive: 'no-store',
      reason: 'a mutation',
    });
    expect(decideHttpCaching({ ...open, operationType: undefined })).toMatchObject({
      directive: 'no-store',
      reason: 'no operation ran',
    });
    expect(decideHttpCaching({ ...open, exposure: undefined })).toMatchObject({
      directive: 'no-store',
      reason: 'no view classifies what the answer carries',
    });
    expect(decideHttpCaching({ ...open, identity: undefined, exposure: undefined })).toMatchObject({
      directive: 'no-store',
    });
    expect(decideHttpCaching({ ...open, cache: undefined })).toMatchObject({
      directive: 'no-store',
      reason: 'the gateway gives it no lifetime',
    });
    expect(decideHttpCaching({ ...open, cache: { status: 'BYPASS', reason: 'cache unavailable' } })).toEqual({
      directive: 'no-store',
      reason: 'the gateway gives it no lifetime',
      cacheStatus: 'BYPASS',
    });
    expect(decideHttpCaching({ ...open, cache: { status: 'MISS', ttlSeconds: 0 } }).directive).toBe('no-store');
  });

  it('keeps an answer named by a consumer-scoped APQ hash out of shared caches', () => {
    expect(cacheControl(decideHttpCaching(facts(identity('public'), DISTRICTS, { namedByScopedHash: true })))).toBe(
      'private, max-age=300',
    );
  });

  it('counts a hit down from its age, and says the age', () => {
    const hit = decideHttpCaching(
      facts(identity('public'), DISTRICTS, { cache: { status: 'HIT', ttlSeconds: 300, ageSeconds: 42 } }),
    );
    expect(httpCachingHeaders(hit)).toEqual([
      ['cache-control', 'public, max-age=258'],
      ['x-cache', 'HIT'],
      ['age', '42'],
    ]);
    // A no-store hit still says it was a hit, and how old.
    const l3hit = decideHttpCaching({
      ...facts(identity('public'), DISTRICTS),
      exposure: { everyFieldOpen: false, highestLevel: 'L3' },
      cache: { status: 'HIT', ttlSeconds: 30, ageSeconds: 3 },
    });
    expect(httpCachingHeaders(l3hit)).toEqual([
      ['cache-control', 'no-store'],
      ['x-cache', 'HIT'],
      ['age', '3'],
    ]);
  });
});

describe('a batch, answered as one HTTP response', () => {
  const publicHit: HttpCaching = { directive: 'public', maxAgeSeconds: 250, ageSeconds: 50, cacheStatus: 'HIT' };
  const privateMiss: HttpCaching = { directive: 'private', maxAgeSeconds: 300, cacheStatus: 'MISS' };
  const noStore: HttpCaching = { directive: 'no-store', reason: 'the answer has errors', cacheStatus: 'BYPASS' };

  it('takes the strictest directive, the shortest lifetime and the oldest age, in any order', () => {
    expect(combineHttpCaching(publicHit, privateMiss)).toEqual({
      directive: 'private',
      maxAgeSeconds: 250,
      ageSeconds: 50,
      cacheStatus: 'MISS',
    });
    expect(combineHttpCaching(privateMiss, publicHit)).toEqual(combineHttpCaching(publicHit, privateMiss));
    expect(combineHttpCaching(combineHttpCaching(publicHit, noStore), privateMiss)).toEqual({
      directive: 'no-store',
      ageSeconds: 50,
      cacheStatus: 'BYPASS',
      reason: 'the answer has errors',
    });
    expect(combineHttpCaching(privateMiss, combineHttpCaching(noStore, publicHit))).toEqual(
      combineHttpCaching(combineHttpCaching(publicHit, noStore), privateMiss),
    );
  });

  it('is a hit only when every member was', () => {
    expect(combineHttpCaching(publicHit, publicHit).cacheStatus).toBe('HIT');
    expect(combineHttpCaching(publicHit, { directive: 'no-store' }).cacheStatus).toBe('HIT');
  });
});

describe('Vary', () => {
  it('names every request header that changes the answer; Origin when CORS is on', () => {
    expect(varyHeader({ cors: false })).toBe(
      'Accept, Authorization, X-Data-Purpose, Content-Type, Apollo-Require-Preflight, X-Apollo-Operation-Name',
    );
    expect(varyHeader({ cors: true })).toMatch(/, Origin$/);
  });
});
