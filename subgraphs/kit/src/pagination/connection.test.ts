import { GraphQLError } from 'graphql';
import { listIdentity, toConnection, toPage } from './connection';
import { SubgraphCursors } from './cursors';

function errorCode(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error instanceof GraphQLError ? error.extensions.code : error;
  }
  return undefined;
}

describe('list identity', () => {
  it('names the list and the filters given, in name order', () => {
    expect(listIdentity('Query.schools')).toBe('Query.schools');
    expect(listIdentity('Query.schools', { type: 'PRIMARY', districtCode: '110108' })).toBe(
      'Query.schools|districtCode=110108|type=PRIMARY',
    );
    expect(listIdentity('Query.schools', { districtCode: '110108', type: null, first: undefined })).toBe(
      'Query.schools|districtCode=110108',
    );
    expect(listIdentity('Query.highTechEnterprises', { validOnly: false })).toBe(
      'Query.highTechEnterprises|validOnly=false',
    );
  });

  it('shortens a long identity to a stable digest that still tells filters apart', () => {
    const long = (uscc: string) =>
      listIdentity('Query.investmentProjects', {
        ownerUscc: uscc,
        districtCode: '110108',
        commodity: '汽油92号'.repeat(10),
      });
    expect(long('91110108MA00HJ7KX5').length).toBeLessThanOrEqual(80);
    expect(long('91110108MA00HJ7KX5')).toMatch(/^Query\.investmentProjects#/);
    expect(long('91110108MA00HJ7KX5')).toBe(long('91110108MA00HJ7KX5'));
    expect(long('91110108MA00HJ7KX5')).not.toBe(long('91110105MA01ABCD5F'));
  });
});

describe('pages', () => {
  const schools = listIdentity('Query.schools', { districtCode: '110108' });
  const cursors = new SubgraphCursors(
    'education',
    { signingKey: 'connection-test-signing-key-0123456789abcdef' },
    { sealing: true, ttlMs: 3_600_000 },
  ).forCall();

  it('bind the page of toPage and the endCursor of toConnection to the list', () => {
    const page = toPage({ first: 2, after: cursors.issue(schools, '2111000001') }, schools, cursors);
    expect(page).toEqual({ first: 2, afterKey: '2111000001', listId: schools, cursors });
    const connection = toConnection(
      ['2111000003', '2111000005', '2111000008'],
      page,
      (key) => key,
      (key) => key,
      () => 3,
    );
    expect(connection.nodes).toEqual(['2111000003', '2111000005']);
    expect(connection.pageInfo.hasNextPage).toBe(true);
    expect(cursors.read(connection.pageInfo.endCursor!, schools)).toBe('2111000005');
    expect(connection.pageInfo.endCursor).not.toContain('2111000005');
    expect(Buffer.from(connection.pageInfo.endCursor!, 'base64url').toString('latin1')).not.toContain('2111000005');
    expect(
      errorCode(() => toPage({ after: connection.pageInfo.endCursor }, listIdentity('Query.schools'), cursors)),
    ).toBe('INVALID_CURSOR');
  });

  it('end without a cursor when the page is empty', () => {
    const connection = toConnection(
      [],
      toPage({ first: 2 }, schools, cursors),
      (key: string) => key,
      (key) => key,
      () => 0,
    );
    expect(connection.pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });

  it('check the page size before the cursor', () => {
    expect(errorCode(() => toPage({ first: 101, after: 'garbage' }, schools, cursors))).toBe('PAGE_SIZE_OUT_OF_RANGE');
    expect(errorCode(() => toPage({ first: 1, after: 'garbage' }, schools, cursors))).toBe('INVALID_CURSOR');
  });
});
