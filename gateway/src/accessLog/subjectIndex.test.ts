import { subjectDigest } from '@cdo-hub/contracts';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessEntry, AUDIT_TEST_KEY } from '../audit/auditFixtures.test-helpers';
import { JsonlAuditLog } from '../audit';
import { SUBJECT_INDEX_FILE, SubjectIndex } from './subjectIndex';

const KEY = 'education-subject-key-for-the-index-tests';
const PUPIL = subjectDigest(KEY, '110108201003071233');
const OTHER = subjectDigest(KEY, '11010519491231002X');

/** The n-th request: a roster read naming `digest` (masked name, grade in clear). */
const read = (n: number, digest: string, consumer = 'district-haidian') =>
  accessEntry(n, {
    consumer,
    case: `CASE-${n}`,
    agencies: {
      education: {
        released: ['Student.grade'],
        masked: ['Student.name'],
        denied: [],
        entities: 1,
        grants: ['EDU-2026-001'],
        subjects: [{ kind: 'person', type: 'Student', released: ['grade'], masked: ['name'], digests: [digest] }],
      },
    },
  });

let dirs: string[] = [];
const folder = () => {
  const dir = mkdtempSync(join(tmpdir(), 'subject-index-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

async function write(dir: string, entries: ReturnType<typeof read>[], maxFileBytes?: number): Promise<void> {
  const log = await JsonlAuditLog.open(dir, { signingKey: AUDIT_TEST_KEY, ...(maxFileBytes ? { maxFileBytes } : {}) });
  for (const entry of entries) await log.append(entry);
  await log.close();
}

describe('the subject index', () => {
  it("finds a subject's reads by digest and agency, newest first, with who, purpose, case, fields and grants", async () => {
    const dir = folder();
    await write(dir, [read(1, PUPIL), read(2, OTHER), read(3, PUPIL, 'city-analytics'), accessEntry(4)]);
    const index = SubjectIndex.open(dir);
    expect(index.catchUp().records).toBe(4);
    const reads = index.lookup([{ agency: 'education', digest: PUPIL }]);
    expect(reads.map((r) => [r.consumer, r.case, r.requestId])).toEqual([
      ['city-analytics', 'CASE-3', 'r3'],
      ['district-haidian', 'CASE-1', 'r1'],
    ]);
    expect(reads[0]).toMatchObject({
      type: 'Student',
      released: ['grade'],
      masked: ['name'],
      grants: ['EDU-2026-001'],
    });
    // Another agency's digest of the same value is another subject.
    expect(index.lookup([{ agency: 'science', digest: PUPIL }])).toEqual([]);
    index.close();
  });

  it('keeps in step with appends across file rotations, reading only what is new', async () => {
    const dir = folder();
    await write(dir, [read(1, PUPIL)], 600);
    const index = SubjectIndex.open(dir);
    index.catchUp();
    await write(dir, [read(2, PUPIL), read(3, PUPIL), read(4, OTHER)], 600);
    expect(index.catchUp()).toEqual({ records: 3, rebuilt: [], more: false });
    expect(index.catchUp().records).toBe(0);
    expect(index.lookup([{ agency: 'education', digest: PUPIL }]).map((r) => r.seq)).toEqual([3, 2, 1]);
    index.close();
  });

  it('takes a backlog in slices, each continuing where the last stopped', async () => {
    const dir = folder();
    await write(
      dir,
      [1, 2, 3, 4, 5].map((n) => read(n, PUPIL)),
      900,
    );
    // Files read 400 bytes at a time: every slice reads several chunks of one file.
    const index = SubjectIndex.open(dir, { chunkBytes: 400 });
    expect(index.catchUp(2)).toMatchObject({ records: 2, more: true });
    expect(index.lookup([{ agency: 'education', digest: PUPIL }]).map((r) => r.seq)).toEqual([2, 1]);
    expect(index.catchUp(2)).toMatchObject({ records: 2, more: true });
    expect(index.catchUp(2)).toMatchObject({ records: 1, more: false });
    expect(index.lookup([{ agency: 'education', digest: PUPIL }]).map((r) => r.seq)).toEqual([5, 4, 3, 2, 1]);
    index.close();
    // All at once, a chunk at a time, into an index of its own.
    rmSync(join(dir, SUBJECT_INDEX_FILE), { force: true });
    rmSync(join(dir, `${SUBJECT_INDEX_FILE}-wal`), { force: true });
    rmSync(join(dir, `${SUBJECT_INDEX_FILE}-shm`), { force: true });
    const whole = SubjectIndex.open(dir, { chunkBytes: 400 });
    expect(whole.catchUp()).toMatchObject({ records: 5, more: false });
    whole.close();
  });

  it('indexes a trail again when it no longer continues what was indexed (a restore, a trail replaced)', async () => {
    const dir = folder();
    await write(dir, [read(1, PUPIL), read(2, PUPIL)]);
    const index = SubjectIndex.open(dir);
    index.catchUp();
    index.close();
    // Another trail in the same folder (restored from elsewhere: its own id and records), beside the old index.
    const kept = join(folder(), SUBJECT_INDEX_FILE);
    copyFileSync(join(dir, SUBJECT_INDEX_FILE), kept);
    rmSync(dir, { recursive: true, force: true });
    await write(dir, [read(7, OTHER)]);
    copyFileSync(kept, join(dir, SUBJECT_INDEX_FILE));
    const reopened = SubjectIndex.open(dir);
    expect(reopened.catchUp().rebuilt).toHaveLength(1);
    expect(reopened.lookup([{ agency: 'education', digest: PUPIL }])).toEqual([]);
    expect(reopened.lookup([{ agency: 'education', digest: OTHER }]).map((r) => r.requestId)).toEqual(['r7']);
    reopened.close();
  });
});
