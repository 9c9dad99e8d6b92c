import { AgencyDatabase } from '../database';
import { listIdentity, SubgraphCursors, toPage } from '../pagination';
import { childConnection, RequestLoaders, type ChildListSpec } from './loaders';

// Lists that differ in a single part of their spec must each get their own batch: were they to
// share a loader, the second would be answered with the first one's rows.
let db: AgencyDatabase;

beforeAll(() => {
  db = new AgencyDatabase(':memory:');
  db.raw.exec(`
    CREATE TABLE labs (code TEXT PRIMARY KEY, host TEXT NOT NULL, name TEXT NOT NULL UNIQUE, level TEXT NOT NULL);
    INSERT INTO labs VALUES ('BZ01', 'h1', 'c-lab', 'MUNICIPAL'), ('BZ02', 'h1', 'a-lab', 'NATIONAL'), ('BZ03', 'h1', 'b-lab', 'MUNICIPAL'),
                            ('BZ04', 'h2', 'd-lab', 'MUNICIPAL');
  `);
});
afterAll(() => db.close());

type Lab = { code: string; host: string; name: string; level: string };
const cursors = new SubgraphCursors(
  'test-agency',
  { signingKey: 'loaders-test-signing-key-0123456789abcdef' },
  { sealing: true, ttlMs: 3_600_000 },
).forCall();

describe('request loaders', () => {
  it('keeps lists that differ only in their order apart', async () => {
    const loaders = new RequestLoaders(db);
    const [byCode, byName] = await Promise.all([
      loaders.rowsByParent<Lab>('labs', 'host', 'code').load('h1'),
      loaders.rowsByParent<Lab>('labs', 'host', 'name').load('h1'),
    ]);
    expect(byCode.map((lab) => lab.code)).toEqual(['BZ01', 'BZ02', 'BZ03']);
    expect(byName.map((lab) => lab.code)).toEqual(['BZ02', 'BZ03', 'BZ01']);
  });

  it('keeps child pages that differ only in their sort column apart', async () => {
    const loaders = new RequestLoaders(db);
    const byCode: ChildListSpec = { table: 'labs', parentColumn: 'host', sortColumn: 'code' };
    const byName: ChildListSpec = { table: 'labs', parentColumn: 'host', sortColumn: 'name' };
    const page = toPage({ first: 2 }, listIdentity('Host.labs'), cursors);
    const [codes, names] = await Promise.all([
      childConnection<Lab, string>(loaders, byCode, page, 'h1', (lab) => lab.code),
      childConnection<Lab, string>(loaders, byName, page, 'h1', (lab) => lab.code),
    ]);
    expect(codes.nodes).toEqual(['BZ01', 'BZ02']);
    expect(names.nodes).toEqual(['BZ02', 'BZ03']);
  });

  it('keeps lists and counts that differ only in their condition apart, and batches siblings', async () => {
    const loaders = new RequestLoaders(db);
    const municipal: ChildListSpec = {
      table: 'labs',
      parentColumn: 'host',
      sortColumn: 'code',
      where: "level = 'MUNICIPAL'",
    };
    const all: ChildListSpec = { table: 'labs', parentColumn: 'host', sortColumn: 'code' };
    const before = db.statementCount;
    const [h1Municipal, h2Municipal, h1All] = await Promise.all([
      childConnection<Lab, string>(
        loaders,
        municipal,
        toPage({}, listIdentity('Host.labs', { level: 'MUNICIPAL' }), cursors),
        'h1',
        (lab) => lab.code,
      ),
      childConnection<Lab, string>(
        loaders,
        municipal,
        toPage({}, listIdentity('Host.labs', { level: 'MUNICIPAL' }), cursors),
        'h2',
        (lab) => lab.code,
      ),
      childConnection<Lab, string>(
        loaders,
        all,
        toPage({}, listIdentity('Host.labs'), cursors),
        'h1',
        (lab) => lab.code,
      ),
    ]);
    expect(db.statementCount - before).toBe(2);
    expect([h1Municipal.nodes, h2Municipal.nodes, h1All.nodes]).toEqual([
      ['BZ01', 'BZ03'],
      ['BZ04'],
      ['BZ01', 'BZ02', 'BZ03'],
    ]);
    expect(await Promise.all([h1Municipal.totalCount(), h1All.totalCount()])).toEqual([2, 3]);
  });
});
