import { GraphQLError } from 'graphql';
import { decodeCursor, encodeCursor, listIdentity, toConnection, toPage } from './connection';

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
    expect(listIdentity('Query.schools', { type: 'PRIMARY', districtCode: '110108' })).toBe('Query.schools|districtCode=110108|type=PRIMARY');
    expect(listIdentity('Query.schools', { districtCode: '110108', type: null, first: undefined })).toBe('Query.schools|districtCode=110108');
    expect(listIdentity('Query.highTechEnterprises', { validOnly: false })).toBe('Query.highTechEnterprises|validOnly=false');
  });

  it('shortens a long identity to a stable digest that still tells filters apart', () => {
    const long = (uscc: string) => listIdentity('Query.investmentProjects', { ownerUscc: uscc, districtCode: '110108', commodity: '汽油92号'.repeat(10) });
    expect(long('91110108MA00HJ7KX5').length).toBeLessThanOrEqual(80);
    expect(long('91110108MA00HJ7KX5')).toMatch(/^Query\.investmentProjects#/);
    expect(long('91110108MA00HJ7KX5')).toBe(long('91110108MA00HJ7KX5'));
    expect(long('91110108MA00HJ7KX5')).not.toBe(long('91110105MA01ABCD5F'));
  });
});

describe('cursors', () => {
  const schools = listIdentity('Query.schools', { districtCode: '110108' });

  it('round-trip a sort key through the list that issued them', () => {
    for (const key of ['2111000001', '2026-110105-04-01-000123', 'a:b:c', '猪肉']) expect(decodeCursor(encodeCursor(schools, key), schools)).toBe(key);
  });

  it('are refused by another list, or by the same list under other filters', () => {
    const cursor = encodeCursor(schools, '2111000001');
    expect(errorCode(() => decodeCursor(cursor, listIdentity('Query.schools', { districtCode: '110105' })))).toBe('INVALID_CURSOR');
    expect(errorCode(() => decodeCursor(cursor, listIdentity('Query.schools')))).toBe('INVALID_CURSOR');
    expect(errorCode(() => decodeCursor(cursor, listIdentity('District.schools')))).toBe('INVALID_CURSOR');
  });

  it('refuses text that is no cursor, and cursors of the format that named no list', () => {
    const unbound = Buffer.from('k1:2111000001', 'utf8').toString('base64url');
    for (const cursor of [unbound, 'bm90LWEtY3Vyc29y', '', encodeCursor(schools, '2111000001') + '!']) {
      expect(errorCode(() => decodeCursor(cursor, schools))).toBe('INVALID_CURSOR');
    }
  });

  it('bind the page of toPage and the endCursor of toConnection to the list', () => {
    const page = toPage({ first: 2, after: encodeCursor(schools, '2111000001') }, schools);
    expect(page).toEqual({ first: 2, afterKey: '2111000001', listId: schools });
    const connection = toConnection(['2111000003', '2111000005', '2111000008'], page, (key) => key, (key) => key, () => 3);
    expect(connection.nodes).toEqual(['2111000003', '2111000005']);
    expect(connection.pageInfo.hasNextPage).toBe(true);
    expect(decodeCursor(connection.pageInfo.endCursor!, schools)).toBe('2111000005');
    expect(errorCode(() => toPage({ after: connection.pageInfo.endCursor }, listIdentity('Query.schools')))).toBe('INVALID_CURSOR');
  });

  it('check the page size before the cursor', () => {
    expect(errorCode(() => toPage({ first: 101, after: 'garbage' }, schools))).toBe('PAGE_SIZE_OUT_OF_RANGE');
  });
});
