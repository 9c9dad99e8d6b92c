import { applyMask } from '@cdo-hub/gateway/masking';
import { compileOperationView, ViewCache, type OperationView } from '@cdo-hub/gateway/enforcement';
import { entityKey, fetchKeyBase, responseCacheKey } from '@cdo-hub/gateway/cache';
import { JsonlAuditLog, type AccessEntry } from '@cdo-hub/gateway/audit';
import { loadGatewayConfig } from '@cdo-hub/gateway/config';
import { loadPolicySet } from '@cdo-hub/gateway/policy';
import { loadSupergraphFile } from '@cdo-hub/gateway/supergraph';
import { type Identity } from '@cdo-hub/gateway/consumers';
import { listIdentity, PLAIN_CURSORS, SubgraphCursors } from '@cdo-hub/subgraph-kit/pagination';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { newReceiptKey, receiptClaims, receiptDigest, signingKeyOf, signReceiptNow } from '@cdo-hub/gateway/receipts';

export interface MicroResult {
  name: string;
  p50Micros: number;
  p99Micros: number;
  iterations: number;
}

function measure(name: string, iterations: number, work: (i: number) => void): MicroResult {
  for (let i = 0; i < Math.min(200, iterations); i++) work(i);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = process.hrtime.bigint();
    work(i);
    samples.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]! * 10) / 10;
  return { name, p50Micros: at(0.5), p99Micros: at(0.99), iterations };
}

/**
 * The hot decisions, in process: deciding a new operation (parse, analyse, decide every field,
 * rewrite), finding a known one, masking values, computing cache keys.
 */
export function runMicroBenchmarks(queries: readonly string[], quick: boolean): MicroResult[] {
  const config = loadGatewayConfig({});
  const supergraph = loadSupergraphFile(config.supergraphFile);
  const { policySet } = loadPolicySet({ policyDir: config.policyDir, consumersFile: config.consumersFile }, supergraph);
  if (!policySet) throw new Error('the policies do not load');
  const identity: Identity = {
    consumer: policySet.consumers.consumers.get('district-haidian')!,
    purpose: 'enrollment-planning',
    roles: [],
    anonymous: false,
  };
  const iterations = quick ? 500 : 3000;
  const now = Date.now();
  const cache = new ViewCache<OperationView>();
  queries.forEach((query, i) =>
    cache.set(`k${i}`, compileOperationView(policySet, identity, parse(query), undefined, `h${i}`, now)),
  );
  const names = Array.from({ length: 1000 }, (_, i) => `欧阳${String.fromCharCode(0x4e00 + (i % 500))}明`);
  // A roster's cursors as the education subgraph issues them: 16-hex-digit roster keys, sealed
  // for the list and Haidian's row scope (keys derived once, as at the subgraph's start).
  const cursors = new SubgraphCursors(
    'education',
    { signingKey: 'bench-signing-key-0123456789abcdefghij' },
    { sealing: true, ttlMs: 86_400_000 },
  ).forCall({ districtCode: '110108' });
  const roster = listIdentity('School.students');
  const rosterKeys = Array.from({ length: 1000 }, (_, i) =>
    (0x8f3a91c2d4e5 * (i + 1)).toString(16).padStart(16, '0').slice(-16),
  );
  const sealed = rosterKeys.map((key) => cursors.issue(roster, key));
  const plain = rosterKeys.map((key) => PLAIN_CURSORS.issue(roster, key));
  return [
    // Each iteration gets a new text (an alias varies), as an operation the gateway has not seen.
    measure('policy decision, new operation (parse + analyse + decide + rewrite)', iterations, (i) => {
      const query = queries[i % queries.length]!.replace('{', `{ a${i}: __typename `);
      compileOperationView(policySet, identity, parse(query), undefined, `new${i}`, now);
    }),
    measure('policy decision, known operation (view cache hit)', iterations * 10, (i) => {
      cache.get(`k${i % queries.length}`, now);
    }),
    measure('mask application, 1,000 names', quick ? 200 : 1000, () => {
      for (const name of names) applyMask({ kind: 'name' }, name, { hashKey: 'k', consumerId: 'c' });
    }),
    // Per cursor: a page seals one (its endCursor) and opens at most one (its `after`).
    measure('cursor seal (AES-256-GCM, fresh IV), per cursor', iterations * 10, (i) => {
      cursors.issue(roster, rosterKeys[i % rosterKeys.length]!);
    }),
    measure('cursor open (AES-256-GCM, bound to list and row scope), per cursor', iterations * 10, (i) => {
      cursors.read(sealed[i % sealed.length]!, roster);
    }),
    measure(
      'plain cursor encode + decode (HUB_CURSOR_SEALING=off, for comparison), per cursor',
      iterations * 10,
      (i) => {
        PLAIN_CURSORS.issue(roster, rosterKeys[i % rosterKeys.length]!);
        PLAIN_CURSORS.read(plain[i % plain.length]!, roster);
      },
    ),
    // What a receipt costs an answer: the body's digest and the signature (the request's digest is taken as it streams in).
    ...[4, 64].map((kib) => {
      const signer = signingKeyOf({ keys: [newReceiptKey(new Date())] });
      const body = JSON.stringify({ data: { rows: names.slice(0, Math.ceil((kib * 1024) / 40)) } }).slice(
        0,
        kib * 1024,
      );
      const record = {
        instance: 'gateway',
        seq: 1,
        hash: 'ab'.repeat(32),
        consumer: 'district-haidian',
        purpose: 'enrollment-planning',
        case: null,
        grants: ['EDU-2026-001'],
        policyVersion: policySet.version,
        supergraphVersion: supergraph.version,
      };
      return measure(`receipt: SHA-256 of a ${kib} KiB body + Ed25519 signature`, iterations, (i) => {
        signReceiptNow(
          receiptClaims({
            requestId: `r${i}`,
            records: [{ ...record, seq: i }],
            requestDigest: receiptDigest('{}'),
            responseDigest: receiptDigest(body),
            now: new Date(),
          }),
          signer,
        );
      });
    }),
    // What a request costs the caches before any lookup: its response key, and the keys of an entity fetch of 20.
    measure('cache keys: one response key + an entity fetch of 20 keys', iterations, (i) => {
      const view = cache.get(`k${i % queries.length}`, now)!;
      responseCacheKey({
        supergraphVersion: supergraph.version,
        policyVersion: policySet.version,
        view,
        operationName: null,
        variables: { first: i },
      });
      const base = fetchKeyBase({
        supergraphVersion: supergraph.version,
        policyVersion: policySet.version,
        agency: 'education',
        selection: '{_entities(representations:$representations){...on District{schoolCount studentCount}}}',
        variables: {},
        scope: undefined,
      });
      for (let k = 0; k < 20; k++) entityKey(base, { __typename: 'District', code: String(110100 + k) });
    }),
  ];
}

/**
 * The audit trail's cost per request: time from `append` to the record being on disk (group commit,
 * one fsync per batch) with 1, 16 and 64 requests in flight, on the disk of the hub's data folder.
 */
export async function runAuditMicroBenchmarks(dataDir: string, quick: boolean): Promise<MicroResult[]> {
  const results: MicroResult[] = [];
  const entry = (i: number): AccessEntry => ({
    time: new Date().toISOString(),
    requestId: `bench-${i}`,
    consumer: 'district-haidian',
    purpose: 'enrollment-planning',
    operationName: 'Bench',
    operationHash: 'bench',
    grants: ['EDU-2026-001'],
    agencies: {
      education: {
        released: ['School.name', 'Query.schools'],
        masked: ['Student.name'],
        denied: ['Student.idNumber'],
        entities: 12,
        grants: ['EDU-2026-001'],
      },
    },
    supergraphVersion: 'bench',
    policyVersion: 'bench',
    outcome: 'partial',
  });
  for (const inFlight of [1, 16, 64]) {
    const dir = mkdtempSync(join(dataDir, 'bench-audit-'));
    const log = await JsonlAuditLog.open(dir, { signingKey: 'bench' });
    const total = (quick ? 300 : 2000) * (inFlight === 1 ? 1 : 4);
    const samples: number[] = [];
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < total) {
          const i = next++;
          const at = process.hrtime.bigint();
          await log.append(entry(i));
          samples.push(Number(process.hrtime.bigint() - at) / 1000);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await log.close();
    rmSync(dir, { recursive: true, force: true });
    samples.sort((a, b) => a - b);
    const at = (q: number) => Math.round(samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!);
    results.push({
      name: `audit record durable (JSONL + fsync), ${inFlight} in flight: ${Math.round(total / seconds)} records/s`,
      p50Micros: at(0.5),
      p99Micros: at(0.99),
      iterations: total,
    });
  }
  return results;
}
