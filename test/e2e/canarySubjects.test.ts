import { developmentSubjectKey, subjectDigest } from '@cdo-hub/contracts';
import { signSubjectToken } from '@cdo-hub/gateway';
import { AgencyDatabase } from '@cdo-hub/subgraph-kit';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CanaryHub,
  connectionPaths,
  formatFindings,
  walkConnection,
  walkRoots,
  type ConnectionPath,
  type View,
} from '../harness/canary';
import { TEST_SECRETS } from '../harness/hubProcess';

// The canary oracle over the subjects channel: agencies hand the gateway the keyed digests of the
// subjects of the records they return (`extensions.cdoSubjects`), which go into the audit record
// and nowhere else. Every view walks every connection of a subject type — fetched, fetched again
// from the caches, as GET and as CSV — and no answer may carry the extension, the fetch cache's
// own key for it, or any subject's digest; every byte still goes through the canary oracle. Then
// the transparency API answers each subject with their own reads only.

const WALK = { pages: 2, parentFirst: 4, first: 3 };
const SUBJECT_TYPES = new Set(['Student', 'School', 'Organization', 'InvestmentProject', 'ResearchProject', 'KeyLab']);

/** Where each agency keeps identifiers of persons and organisations (any of them may be another agency's subject). */
const IDENTIFIERS: Record<string, string[]> = {
  education: ['SELECT id_number AS id FROM students', 'SELECT uscc AS id FROM schools'],
  'development-reform': [
    'SELECT uscc AS id FROM organizations',
    'SELECT contact_id_number AS id FROM investment_projects',
    'SELECT owner_uscc AS id FROM investment_projects',
  ],
  science: [
    'SELECT pi_id_number AS id FROM research_projects',
    'SELECT lead_uscc AS id FROM research_projects',
    'SELECT uscc AS id FROM high_tech_enterprises',
    'SELECT host_uscc AS id FROM key_labs',
    'SELECT seller_uscc AS id FROM technology_contracts',
    'SELECT buyer_uscc AS id FROM technology_contracts',
  ],
};

let hub: CanaryHub;
let auditDir: string;
let paths: ConnectionPath[];
/** Every subject digest any agency could hand over, with the identifier it digests. */
const digests = new Map<string, { agency: string; id: string }>();
const carried: string[] = [];

function allSubjectDigests(dataDir: string): void {
  const ids = new Set<string>();
  for (const [agency, queries] of Object.entries(IDENTIFIERS)) {
    const db = new AgencyDatabase(join(dataDir, `${agency}.sqlite`), { readonly: true });
    try {
      for (const sql of queries) for (const { id } of db.all<{ id: string | null }>(sql)) if (id) ids.add(id);
    } finally {
      db.close();
    }
  }
  for (const agency of Object.keys(IDENTIFIERS))
    for (const id of ids) digests.set(subjectDigest(developmentSubjectKey(agency), id), { agency, id });
}

/** The hub, checking every answer each view receives for the subjects channel. */
const checking = {
  async graphql(view: View, query: string, variables?: Record<string, unknown>, method?: 'POST' | 'GET' | 'CSV') {
    const exchange = await hub.graphql(view, query, variables, method);
    const head: string[] = [];
    exchange.headers.forEach((value, name) => head.push(`${name}: ${value}`));
    const text = `${head.join('\n')}\n${exchange.bodyText}`;
    if (/cdoSubjects|hubSubjects__/.test(text)) carried.push(`${view.id} ${method ?? 'POST'}: ${query}`);
    for (const [hex] of text.matchAll(/[0-9a-f]{64}/g))
      if (digests.has(hex)) carried.push(`${view.id} ${method ?? 'POST'}: a subject digest in ${query}`);
    return exchange;
  },
};

const auditRecords = () =>
  readdirSync(auditDir)
    .filter((f) => f.startsWith('audit-'))
    .flatMap((f) => readFileSync(join(auditDir, f), 'utf8').split('\n').filter(Boolean))
    .map(
      (line) =>
        JSON.parse(line) as { requestId: string; agencies?: Record<string, { subjects?: { digests: string[] }[] }> },
    );

beforeAll(async () => {
  auditDir = mkdtempSync(join(tmpdir(), 'canary-subjects-audit-'));
  hub = await CanaryHub.start({ env: { LIMIT_LIST_SIZE: '8', EXPORT_MAX_ROWS: '20', AUDIT_DIR: auditDir } });
  allSubjectDigests(hub.hub.dataDir);
  paths = connectionPaths(hub.schema, walkRoots(hub.hub), { maxDepth: 3, pathsPerConnection: 4 }).filter((path) =>
    SUBJECT_TYPES.has(path.nodeType.name),
  );
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  rmSync(auditDir, { recursive: true, force: true });
});

it('lets no answer carry the subjects channel — cache hits and misses, JSON and CSV — while the audit records it', async () => {
  expect(paths.length).toBeGreaterThan(0);
  for (const view of hub.views) for (const path of paths) await walkConnection(checking, view, path, WALK);
  if (hub.findings.length)
    throw new Error(`the canary oracle found data a view may not read:\n${formatFindings(hub.findings)}`);
  expect(carried).toEqual([]);
  // Both layers were exercised: answers served from the cache, and exports.
  expect(Object.fromEntries(hub.responses)).toEqual(
    expect.objectContaining({ 'x-cache HIT': expect.any(Number), 'graphql CSV 200': expect.any(Number) }),
  );
  // The channel is live: the audit holds digests of the subjects the walk returned (a check that can fail).
  const audited = auditRecords().flatMap((r) =>
    Object.values(r.agencies ?? {}).flatMap((a) => (a.subjects ?? []).flatMap((group) => group.digests)),
  );
  expect(audited.length).toBeGreaterThan(0);
  expect(audited.every((digest) => digests.has(digest))).toBe(true);
}, 300_000);

it('answers each data subject with their own reads only', async () => {
  const records = auditRecords();
  const readsOf = (digest: string) =>
    new Set(
      records
        .filter((r) => Object.values(r.agencies ?? {}).some((a) => a.subjects?.some((s) => s.digests.includes(digest))))
        .map((r) => r.requestId),
    );
  // Two persons whose records were read, of different agencies where the walk allows.
  const read = [
    ...new Set(
      records.flatMap((r) =>
        Object.values(r.agencies ?? {}).flatMap((a) => (a.subjects ?? []).flatMap((s) => s.digests)),
      ),
    ),
  ];
  const chosen = read.slice(0, 2).concat(read.slice(-2));
  expect(chosen.length).toBeGreaterThan(1);
  for (const digest of chosen) {
    const { id } = digests.get(digest)!;
    const token = await signSubjectToken(TEST_SECRETS.HUB_JWT_SECRET, {
      subject: id.trim().toUpperCase(),
      ttlSeconds: 600,
    });
    const response = await fetch(new URL('/transparency/api/reads', hub.hub.gatewayUrl), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    const answer = JSON.parse(text) as { reads: { requestId: string }[] };
    // Every read of this subject's records, and no other request: the same identifier digested by
    // each agency's key finds only what that agency returned of it.
    const ownIds = new Set(
      Object.keys(IDENTIFIERS).flatMap((agency) => [...readsOf(subjectDigest(developmentSubjectKey(agency), id))]),
    );
    expect(new Set(answer.reads.map((r) => r.requestId))).toEqual(ownIds);
    // Nothing of anyone else's: no other subject's identifier, and no canary in the clear.
    for (const other of chosen.filter((d) => digests.get(d)!.id !== id))
      expect(text).not.toContain(digests.get(other)!.id);
    expect(hub.canaries.find(text)).toEqual([]);
  }
}, 60_000);
