import { AllowList } from './allowList';
import { manifestFromDocuments, operationId } from './manifest';

const registered = 'query Districts { districts(first: 1) { totalCount } }';
const list = new AllowList(manifestFromDocuments([registered, 'mutation Touch { touch }']));

describe('the persisted-operations allow-list', () => {
  it('builds manifest entries named after their operation, with the SHA-256 of the text as id', () => {
    expect(manifestFromDocuments([registered]).operations).toEqual([
      { id: operationId(registered), name: 'Districts', type: 'query', body: registered },
    ]);
    expect(() => manifestFromDocuments(['{ anonymous }'])).toThrow(/named operation/);
  });

  it('gives the registered text for a known hash, whatever case the hex is in', () => {
    expect(list.resolve(undefined, { persistedQuery: { version: 1, sha256Hash: operationId(registered) } })).toEqual({
      ok: true,
      query: registered,
    });
    expect(
      list.resolve(undefined, { persistedQuery: { version: 1, sha256Hash: operationId(registered).toUpperCase() } }),
    ).toEqual({ ok: true, query: registered });
  });

  it('accepts a text only when it is registered byte for byte', () => {
    expect(list.resolve(registered, undefined)).toEqual({ ok: true, query: registered });
    expect(list.resolve(registered + ' ', undefined)).toMatchObject({
      ok: false,
      code: 'PERSISTED_OPERATION_REQUIRED',
    });
    expect(list.resolve('{ districts(first: 1) { totalCount } }', undefined)).toMatchObject({
      ok: false,
      code: 'PERSISTED_OPERATION_REQUIRED',
    });
  });

  it('refuses unknown hashes, and a text sent with the hash of another operation', () => {
    expect(list.resolve(undefined, { persistedQuery: { sha256Hash: 'f'.repeat(64) } })).toMatchObject({
      ok: false,
      code: 'PERSISTED_OPERATION_NOT_FOUND',
    });
    expect(list.resolve('{ other }', { persistedQuery: { sha256Hash: operationId(registered) } })).toMatchObject({
      ok: false,
      code: 'PERSISTED_OPERATION_NOT_FOUND',
    });
    expect(list.resolve(undefined, undefined)).toMatchObject({ ok: false, code: 'PERSISTED_OPERATION_REQUIRED' });
    expect(list.resolve(42, { persistedQuery: 'junk' })).toMatchObject({
      ok: false,
      code: 'PERSISTED_OPERATION_REQUIRED',
    });
  });
});
