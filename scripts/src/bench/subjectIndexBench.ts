// The gateway's folders, not its index: the bench needs the audit record and the subject index only.
import { SubjectIndex, SUBJECT_INDEX_FILE } from '@cdo-hub/gateway/accessLog';
import { chainBatch, GENESIS_HASH, readAuditTrail, type AccessEntry } from '@cdo-hub/gateway/audit';
import { subjectDigest } from '@cdo-hub/contracts/subjects';
import type { SubjectAccess } from '@cdo-hub/gateway/subjects';
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `hub bench-subjects`: what subject digests cost and what the index buys.
 *
 * 1. Audit bytes per request, subjects off and on, for three answers: one organisation's record, a
 *    roster page of 20 pupils (masked names, grades) with their school, and a cross-agency page of
 *    10 schools with their organisations.
 * 2. A trail of `records` access records (default 1,000,000; 1–20 subjects each, from a population
 *    of 300,000 persons and 20,000 organisations) written as the gateway writes it (chained JSONL
 *    files of 64 MiB), the subject index built from it, then the lookup of one person's reads timed
 *    (median and worst of 200), against one full scan of the trail for the same person.
 */
export async function benchSubjects(options: { records: number; scan: boolean }): Promise<string[]> {
  const lines: string[] = [];
  const key = 'bench subject key of education, 32 characters or more';
  const person = (n: number) => subjectDigest(key, `P${n}`);
  const organisation = (n: number) => subjectDigest(key, `O${n}`);

  // 1. Bytes per request.
  const answers: [string, ReturnType<typeof subject>[]][] = [
    ['one organisation', [subject(organisation(1), 'organisation', 'Organization', ['name', 'industry'], [])]],
    [
      'roster page of 20 pupils',
      [
        subject(organisation(2), 'organisation', 'School', ['name', 'students'], []),
        ...Array.from({ length: 20 }, (_, i) => subject(person(i), 'person', 'Student', ['grade'], ['name'])),
      ],
    ],
    [
      'cross-agency page of 10 schools',
      Array.from({ length: 10 }, (_, i) =>
        subject(organisation(100 + i), 'organisation', 'School', ['name', 'enrolment'], []),
      ),
    ],
  ];
  lines.push('audit bytes per request (one chained JSONL record):');
  for (const [name, subjects] of answers) {
    const off = recordBytes(entry(0, []));
    const on = recordBytes(entry(0, subjects));
    lines.push(`  ${name}: ${off} B without subjects, ${on} B with (+${on - off} B, ${(on / off).toFixed(2)}×)`);
  }

  // 2. The trail, the index, the lookup.
  const dir = mkdtempSync(join(tmpdir(), 'subject-index-bench-'));
  try {
    const target = 4242;
    let written = 0;
    let hash = GENESIS_HASH;
    let file = '';
    let fileBytes = 0;
    let started = performance.now();
    const random = seeded(20261204);
    for (let seq = 0; seq < options.records;) {
      const batch: AccessEntry[] = [];
      for (let i = 0; i < 10_000 && seq + batch.length < options.records; i++) {
        const n = seq + batch.length;
        const count = 1 + Math.floor(random() * 20);
        const subjects = Array.from({ length: count }, (_, j) =>
          j === 0 && random() < 0.5
            ? subject(organisation(Math.floor(random() * 20_000)), 'organisation', 'School', ['name'], [])
            : subject(person(Math.floor(random() * 300_000)), 'person', 'Student', ['grade'], ['name']),
        );
        // The target is read now and then, as a real pupil is.
        if (n % 20_000 === 7) subjects.push(subject(person(target), 'person', 'Student', ['grade'], ['name']));
        batch.push(entry(n, subjects));
      }
      const chained = chainBatch(batch, seq, hash);
      let text = '';
      for (const record of chained.records) {
        if (!file || fileBytes >= 64 * 2 ** 20) {
          if (text) appendFileSync(join(dir, file), text);
          text = '';
          file = `audit-${String(record.seq).padStart(12, '0')}.jsonl`;
          fileBytes = 0;
        }
        const line = JSON.stringify(record) + '\n';
        text += line;
        fileBytes += Buffer.byteLength(line);
        written += Buffer.byteLength(line);
      }
      appendFileSync(join(dir, file), text);
      seq = chained.seq;
      hash = chained.hash;
    }
    lines.push(
      `trail: ${options.records.toLocaleString('en')} records, ${(written / 2 ** 20).toFixed(0)} MiB, written in ${seconds(started)}`,
    );

    started = performance.now();
    const building = SubjectIndex.open(dir);
    building.catchUp();
    building.close();
    lines.push(
      `subject index built in ${seconds(started)}: ${(statSync(join(dir, SUBJECT_INDEX_FILE)).size / 2 ** 20).toFixed(0)} MiB`,
    );
    const index = SubjectIndex.open(dir);
    const lookUp = () => {
      index.catchUp();
      return index.lookup([{ agency: 'education', digest: person(target) }]).length;
    };
    const found = lookUp();
    const lookups: number[] = [];
    for (let i = 0; i < 200; i++) {
      const at = performance.now();
      lookUp();
      lookups.push(performance.now() - at);
    }
    lookups.sort((a, b) => a - b);
    lines.push(
      `lookup of one person (${found} reads), index caught up first: median ${lookups[100]!.toFixed(2)} ms, p99 ${lookups[197]!.toFixed(2)} ms, worst ${lookups[199]!.toFixed(2)} ms (200 lookups)`,
    );
    index.close();

    if (options.scan) {
      started = performance.now();
      let scanned = 0;
      const digest = person(target);
      for await (const record of readAuditTrail(dir))
        if (record.kind !== 'grant' && record.agencies.education?.subjects?.some((s) => s.digests.includes(digest)))
          scanned++;
      lines.push(`the same lookup as a scan of the trail: ${seconds(started)} (${scanned} reads)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

/** One subject of a record; the audit record groups them as the gateway does (subjects/subjectAccess.ts). */
function subject(digest: string, kind: 'person' | 'organisation', type: string, released: string[], masked: string[]) {
  return { digest, kind, type, released, masked };
}

function grouped(subjects: ReturnType<typeof subject>[]): SubjectAccess[] {
  const groups = new Map<string, SubjectAccess>();
  for (const { digest, kind, type, released, masked } of subjects) {
    const key = `${type}|${released.join(',')}|${masked.join(',')}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { kind, type, released, masked, digests: [] }));
    if (!group.digests.includes(digest)) group.digests.push(digest);
  }
  return [...groups.values()];
}

/** A roster read as district-haidian makes it, with these subjects (none: the record as before subjects). */
function entry(n: number, subjects: ReturnType<typeof subject>[]): AccessEntry {
  return {
    time: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
    requestId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    consumer: 'district-haidian',
    purpose: 'enrollment-planning',
    operationName: 'Roster',
    operationHash: 'a'.repeat(64),
    grants: ['EDU-2026-001'],
    agencies: {
      education: {
        released: ['Query.school', 'School.name', 'School.students', 'StudentConnection.nodes', 'Student.grade'],
        masked: ['Student.name'],
        denied: [],
        entities: Math.max(1, subjects.length),
        grants: ['EDU-2026-001'],
        ...(subjects.length ? { subjects: grouped(subjects) } : {}),
      },
    },
    supergraphVersion: '38917e143a07e42d',
    policyVersion: '406e4aeb0899f799',
    outcome: 'ok',
    cache: 'MISS',
  };
}

function recordBytes(value: AccessEntry): number {
  return Buffer.byteLength(JSON.stringify(chainBatch([value], 0, GENESIS_HASH).records[0]) + '\n');
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** A small deterministic generator (mulberry32): the same trail every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
